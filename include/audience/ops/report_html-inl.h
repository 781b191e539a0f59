// RenderReportHtml (report.h): the page, its data as embedded JSON and the
// script that draws it. Part of the report unit; included by report-inl.h.
#ifndef AUDIENCE_OPS_REPORT_HTML_INL_H_
#define AUDIENCE_OPS_REPORT_HTML_INL_H_

#include <nlohmann/json.hpp>

#include <string>

#include "absl/time/time.h"
#include "audience/ops/report.h"

AUDIENCE_BEGIN_NAMESPACE

namespace report_internal {

// Text safe inside HTML element content.
inline std::string EscapeHtml(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// JSON safe inside a <script> element: no '<' (so no "</script>").
inline std::string ScriptJson(const nlohmann::ordered_json& j) {
  std::string out;
  for (char c : j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

inline constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.sub{color:#666}table{border-collapse:collapse}td,th{padding:4px 8px;text-align:right}
th{font-weight:600;color:#444}td.name,th.name{text-align:left}
.bar{display:inline-block;height:10px;background:#4a7bd0;vertical-align:middle}
.grid td{width:86px;height:48px;text-align:center;border:1px solid #fff;color:#111}
.grid .mean{display:block;font-size:11px;color:#333}
.matrix td{border:1px solid #eee}.series{display:flex;gap:16px;flex-wrap:wrap}
.series div{border:1px solid #eee;padding:8px}svg{display:block}
)";

inline constexpr const char* kScript = R"(
const d = JSON.parse(document.getElementById('report-data').textContent);
const $ = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};
const num = (key, value, digits) => $('span', {'data-metric': key},
    digits ? value.toFixed(digits) : String(value));
const cell = (...kids) => { const td = $('td'); kids.forEach(k => td.append(k)); return td; };
const section = (title) => { const s = $('section'); s.append($('h2', {}, title));
  document.body.append(s); return s; };
document.getElementById('people').append(num('people', d.people));

if (d.segments.length) {
  const s = section('Saved segments'), t = $('table');
  const max = Math.max(1, ...d.segments.map(x => x[1]));
  t.append($('tr')); t.lastChild.append($('th', {class: 'name'}, 'segment'), $('th', {}, 'people'), $('th'));
  for (const [name, n] of d.segments) {
    const tr = $('tr');
    tr.append(cell($('span', {}, name)), cell(num('segment:' + name, n)),
              cell($('span', {class: 'bar', style: `width:${Math.round(300 * n / max)}px`})));
    tr.firstChild.className = 'name'; tr.lastChild.className = 'name';
    t.append(tr);
  }
  s.append(t);
}

if (d.rfm_bins > 0) {
  const k = d.rfm_bins, s = section('RFM grid: recency (rows) x frequency (columns)');
  s.append($('p', {class: 'sub'}, 'Each cell: customers, and below their mean monetary value.'));
  const t = $('table', {class: 'grid'}), max = Math.max(1, ...d.rfm_count);
  const head = $('tr'); head.append($('th', {}, 'R \\ F'));
  for (let f = 1; f <= k; ++f) head.append($('th', {}, 'F' + f));
  t.append(head);
  for (let r = k; r >= 1; --r) {
    const tr = $('tr'); tr.append($('th', {}, 'R' + r));
    for (let f = 1; f <= k; ++f) {
      const i = (r - 1) * k + (f - 1), n = d.rfm_count[i];
      const td = cell(num(`rfm:${r}:${f}:count`, n));
      const mean = num(`rfm:${r}:${f}:mean`, d.rfm_mean[i], 2); mean.className = 'mean';
      td.append(mean);
      td.style.background = `hsl(215, 70%, ${Math.round(96 - 50 * n / max)}%)`;
      tr.append(td);
    }
    t.append(tr);
  }
  s.append(t);
}

if (d.lifecycle.length) {
  const s = section('Lifecycle'), t = $('table');
  const total = d.lifecycle.reduce((a, x) => a + x[1], 0) || 1;
  for (const [stage, n] of d.lifecycle) {
    const tr = $('tr');
    tr.append(cell($('span', {}, stage)), cell(num('lifecycle:' + stage, n)),
              cell($('span', {}, (100 * n / total).toFixed(1) + '%')),
              cell($('span', {class: 'bar', style: `width:${Math.round(300 * n / total)}px`})));
    tr.firstChild.className = 'name'; tr.lastChild.className = 'name';
    t.append(tr);
  }
  s.append(t);
  if (d.stages.length) {
    s.append($('p', {class: 'sub'}, 'Transitions: the stage before (rows) and now (columns).'));
    const m = $('table', {class: 'matrix'}), head = $('tr');
    head.append($('th'));
    for (const b of d.stages) head.append($('th', {}, b));
    m.append(head);
    d.stages.forEach((a, i) => {
      const tr = $('tr'); tr.append($('th', {class: 'name'}, a));
      d.stages.forEach((b, j) => tr.append(cell(num(`transition:${a}:${b}`, d.transitions[i][j]))));
      m.append(tr);
    });
    s.append(m);
  }
}

if (d.history.length) {
  const s = section('Segment sizes over time'), box = $('div', {class: 'series'});
  for (const [name, points] of d.history) {
    if (!points.length) continue;
    const w = 240, h = 70, ys = points.map(p => p[1]);
    const lo = Math.min(...ys), hi = Math.max(...ys), span = hi - lo || 1;
    const xy = points.map((p, i) => [points.length > 1 ? 4 + i * (w - 8) / (points.length - 1) : w / 2,
                                     h - 6 - (p[1] - lo) * (h - 12) / span]);
    const svgns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(svgns, 'svg');
    svg.setAttribute('width', w); svg.setAttribute('height', h);
    const line = document.createElementNS(svgns, 'polyline');
    line.setAttribute('points', xy.map(q => q.join(',')).join(' '));
    line.setAttribute('fill', 'none'); line.setAttribute('stroke', '#4a7bd0'); line.setAttribute('stroke-width', '2');
    svg.append(line);
    const div = $('div');
    div.append($('strong', {}, name + ' '), num(`history:${name}:last`, ys[ys.length - 1]),
               $('span', {class: 'sub'}, ` (${points.length} points, ${lo}..${hi})`), svg);
    box.append(div);
  }
  s.append(box);
}
)";

}  // namespace report_internal

AUDIENCE_FUNC std::string RenderReportHtml(const ReportData& data, std::string_view title) {
  using namespace report_internal;  // NOLINT: this unit's helpers
  nlohmann::ordered_json j;
  j["people"] = data.people;
  j["segments"] = nlohmann::ordered_json::array();
  for (const auto& [name, n] : data.segments) j["segments"].push_back({name, n});
  j["rfm_bins"] = data.rfm_bins;
  j["rfm_count"] = data.rfm_count;
  j["rfm_mean"] = data.rfm_mean;
  j["lifecycle"] = nlohmann::ordered_json::array();
  for (const auto& [stage, n] : data.lifecycle) j["lifecycle"].push_back({stage, n});
  j["stages"] = data.stages;
  j["transitions"] = data.transitions;
  j["history"] = nlohmann::ordered_json::array();
  for (const auto& [name, points] : data.history) {
    nlohmann::ordered_json series = nlohmann::ordered_json::array();
    for (const SizePoint& p : points) series.push_back({absl::ToUnixSeconds(p.at), p.size});
    j["history"].push_back({name, series});
  }
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>";
  html += EscapeHtml(title);
  html += "</title>\n<style>";
  html += kStyle;
  html += "</style></head>\n<body>\n<h1>";
  html += EscapeHtml(title);
  html += "</h1>\n<div class=\"sub\">as of ";
  html += EscapeHtml(absl::FormatTime("%Y-%m-%d %H:%M UTC", data.now, absl::UTCTimeZone()));
  html += " &middot; <span id=\"people\"></span> people</div>\n";
  html += "<script id=\"report-data\" type=\"application/json\">";
  html += ScriptJson(j);
  html += "</script>\n<script>";
  html += kScript;
  html += "</script>\n</body></html>\n";
  return html;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_OPS_REPORT_HTML_INL_H_
