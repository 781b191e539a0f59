// Definitions for diagnostic.h.
#ifndef AUDIENCE_QUERY_DIAGNOSTIC_INL_H_
#define AUDIENCE_QUERY_DIAGNOSTIC_INL_H_

#include <algorithm>

#include "audience/query/diagnostic.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC std::string Diagnostic::Render(std::string_view source) const {
  std::string out = fmt::format("{}:{}: error: {}\n", line, column, message);
  size_t at = std::min<size_t>(offset, source.size());
  size_t nl = source.substr(0, at).rfind('\n');
  size_t begin = nl == std::string_view::npos ? 0 : nl + 1;
  size_t end = source.find('\n', at);
  if (end == std::string_view::npos) end = source.size();
  std::string_view text = source.substr(begin, end - begin);
  out += text;
  out += '\n';
  // Tabs stay tabs so the carets line up under them in a terminal.
  for (size_t i = begin; i < at; ++i) out += source[i] == '\t' ? '\t' : ' ';
  size_t width = std::max<size_t>(1, std::min<size_t>(length, end > at ? end - at : 1));
  out.append(width, '^');
  out += '\n';
  if (!suggestion.empty()) out += fmt::format("{}\n", suggestion);
  return out;
}

AUDIENCE_FUNC std::string RenderAll(const std::vector<Diagnostic>& diagnostics,
                                    std::string_view source) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += d.Render(source);
  return out;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_DIAGNOSTIC_INL_H_
