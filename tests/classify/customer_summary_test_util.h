// Test helpers: the CDNOW sample as used by lifetimes and BTYD.
#ifndef AUDIENCE_TESTS_CLASSIFY_CUSTOMER_SUMMARY_TEST_UTIL_H_
#define AUDIENCE_TESTS_CLASSIFY_CUSTOMER_SUMMARY_TEST_UTIL_H_

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "audience/classify/customer_summary.h"

namespace classify_test {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).
inline int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

inline int64_t Date(int64_t yyyymmdd) {
  return DaysFromCivil(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100) *
         86400;
}

inline std::string DataPath(const std::string& rel) {
  return std::string(AUDIENCE_TEST_DATA_DIR) + "/cdnow/" + rel;
}

// CDNOW_sample.txt: master id, sample id (1..2357), yyyymmdd, CDs, dollars.
// The customer key is the sample id, as in the lifetimes/BTYD summaries.
inline std::vector<audience::Transaction> ReadCdnowSample() {
  std::ifstream in(DataPath("lifetimes/CDNOW_sample.txt"));
  std::vector<audience::Transaction> out;
  int64_t master, sample, date, cds;
  double amount;
  while (in >> master >> sample >> date >> cds >> amount) {
    out.push_back({static_cast<uint32_t>(sample), Date(date), amount});
  }
  return out;
}

// A numeric CSV with a header line; quotes are stripped.
inline std::vector<std::vector<double>> ReadCsv(const std::string& rel) {
  std::ifstream in(DataPath(rel));
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) {
      std::string clean;
      for (char ch : cell) {
        if (ch != '"') clean += ch;
      }
      row.push_back(std::stod(clean));
    }
    rows.push_back(row);
  }
  return rows;
}

inline constexpr int64_t kCalibrationEnd = 875577600;  // 1997-09-30 00:00 UTC

inline std::vector<audience::CustomerSummary> CdnowSummaries() {
  audience::SummaryOptions options;
  options.calibration_end = kCalibrationEnd;
  auto s = audience::BuildCustomerSummaries(ReadCdnowSample(), options);
  return s.ok() ? *s : std::vector<audience::CustomerSummary>{};
}

}  // namespace classify_test

#endif  // AUDIENCE_TESTS_CLASSIFY_CUSTOMER_SUMMARY_TEST_UTIL_H_
