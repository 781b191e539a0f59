// Loads the R package rfm's data sets (/work/shared/data/rfm-r) into
// RfmInput vectors the way rfm_table_order / rfm_table_customer build them.
// Test-only helper for rfm_test.cpp and rfm_segments_test.cpp.
#ifndef AUDIENCE_TESTS_CLASSIFY_RFM_TEST_DATA_H_
#define AUDIENCE_TESTS_CLASSIFY_RFM_TEST_DATA_H_

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "audience/classify/rfm.h"

namespace rfm_test {

inline std::string RfmDataPath(const std::string& file) {
  return std::string(AUDIENCE_TEST_DATA_DIR) + "/rfm-r/" + file;
}

// Splits one CSV line (RFC 4180 quotes, no embedded newlines in these files).
inline std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

// Days since 1970-01-01 of "YYYY-MM-DD" (Howard Hinnant's days_from_civil).
inline int64_t DaysFromIso(const std::string& s) {
  int64_t y = std::atoi(s.substr(0, 4).c_str());
  const int64_t m = std::atoi(s.substr(5, 2).c_str());
  const int64_t d = std::atoi(s.substr(8, 2).c_str());
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

inline std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      continue;
    }
    if (!line.empty()) rows.push_back(SplitCsv(line));
  }
  return rows;
}

struct OrdersData {
  std::vector<std::string> ids;  // sorted, as dplyr's group_by orders them
  std::vector<audience::RfmInput> inputs;
  size_t order_rows = 0;
};

// rfm_data_orders.csv (customer_id, order_date, revenue, ...) analysed at
// `analysis_day`: recency = analysis date - last order date (days),
// frequency = number of order rows, monetary = sum of revenue.
inline OrdersData LoadOrders(int64_t analysis_day) {
  struct Acc {
    int64_t last_day = INT64_MIN;
    double count = 0;
    double revenue = 0;
  };
  std::map<std::string, Acc> by_customer;
  OrdersData data;
  for (const auto& row : ReadCsv(RfmDataPath("rfm_data_orders.csv"))) {
    if (row.size() < 3) continue;
    Acc& acc = by_customer[row[0]];
    acc.last_day = std::max(acc.last_day, DaysFromIso(row[1]));
    acc.count += 1;
    acc.revenue += std::strtod(row[2].c_str(), nullptr);
    ++data.order_rows;
  }
  for (const auto& [id, acc] : by_customer) {
    data.ids.push_back(id);
    data.inputs.push_back(
        {static_cast<double>(analysis_day - acc.last_day), acc.count,
         acc.revenue});
  }
  return data;
}

struct CustomerData {
  std::vector<int64_t> ids;
  std::vector<audience::RfmInput> inputs;  // from the recency_days column
  std::vector<audience::RfmInput> inputs_from_dates;  // from most_recent_visit
};

// rfm_data_customer.csv (customer_id, revenue, most_recent_visit,
// number_of_orders, recency_days, ...): frequency = number_of_orders,
// monetary = revenue; recency either the recency_days column or
// analysis date - most_recent_visit (rfm_table_customer accepts both).
inline CustomerData LoadCustomers(int64_t analysis_day) {
  CustomerData data;
  for (const auto& row : ReadCsv(RfmDataPath("rfm_data_customer.csv"))) {
    if (row.size() < 5) continue;
    data.ids.push_back(std::atoll(row[0].c_str()));
    const double revenue = std::strtod(row[1].c_str(), nullptr);
    const double orders = std::strtod(row[3].c_str(), nullptr);
    data.inputs.push_back(
        {std::strtod(row[4].c_str(), nullptr), orders, revenue});
    data.inputs_from_dates.push_back(
        {static_cast<double>(analysis_day - DaysFromIso(row[2])), orders,
         revenue});
  }
  return data;
}

}  // namespace rfm_test

#endif  // AUDIENCE_TESTS_CLASSIFY_RFM_TEST_DATA_H_
