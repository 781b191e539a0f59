// Definitions for mle_special.h.
#ifndef AUDIENCE_CLASSIFY_MLE_SPECIAL_INL_H_
#define AUDIENCE_CLASSIFY_MLE_SPECIAL_INL_H_

#include <math.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

// Boost 1.74's hypergeometric_pFq.hpp uses lgamma and expm1 without
// including their headers.
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>

#include "audience/classify/mle_special.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC double LogHyp2F1Positive(double a, double b, double c, double z,
                                       int max_terms) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (!(a > 0) || !(b > 0) || !(c > 0) || !(z >= 0) || !(z < 1) ||
      !std::isfinite(a) || !std::isfinite(b) || !std::isfinite(c)) {
    return kNaN;
  }
  if (z == 0) return 0.0;
  constexpr double kRescale = 1e200;
  double log_scale = 0.0;  // result = log(sum) + log_scale
  double term = 1.0;
  double sum = 1.0;
  for (int n = 0; n < max_terms; ++n) {
    const double dn = static_cast<double>(n);
    const double ratio = (a + dn) * (b + dn) / ((c + dn) * (dn + 1.0)) * z;
    term *= ratio;
    sum += term;
    if (sum > kRescale) {
      sum /= kRescale;
      term /= kRescale;
      log_scale += std::log(kRescale);
    }
    // Every later ratio is at most q: (m+a)/(m+1) and (m+b)/(m+c) move
    // monotonically toward 1 as m grows. With q < 1 the tail is below
    // term * q / (1 - q).
    const double q = z * std::max(1.0, (dn + 1.0 + a) / (dn + 2.0)) *
                     std::max(1.0, (dn + 1.0 + b) / (dn + 1.0 + c));
    if (q < 1.0 && term * q <= 1e-17 * sum * (1.0 - q)) {
      return std::log(sum) + log_scale;
    }
    if (!std::isfinite(term)) return kNaN;
  }
  return kNaN;
}

AUDIENCE_FUNC double Hyp2F1(double a, double b, double c, double z) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (!std::isfinite(a) || !std::isfinite(b) || !std::isfinite(c) ||
      !(z >= 0) || !(z < 1)) {
    return kNaN;
  }
  if (a > 0 && b > 0 && c > 0) return std::exp(LogHyp2F1Positive(a, b, c, z));
  if (c <= 0 && c == std::floor(c)) return kNaN;
  try {
    const double v = boost::math::hypergeometric_pFq({a, b}, {c}, z);
    return std::isfinite(v) ? v : kNaN;
  } catch (const std::exception&) {  // domain, evaluation, overflow errors
    return kNaN;
  }
}

AUDIENCE_FUNC double LogGamma(double x) {
#if defined(__GLIBC__)
  int sign = 0;
  return ::lgamma_r(x, &sign);
#else
  return std::lgamma(x);
#endif
}

AUDIENCE_FUNC double LogAddExp(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const double hi = a > b ? a : b;
  const double lo = a > b ? b : a;
  if (hi == -std::numeric_limits<double>::infinity()) return hi;
  if (hi == std::numeric_limits<double>::infinity()) return hi;
  return hi + std::log1p(std::exp(lo - hi));
}

AUDIENCE_FUNC double LogSubExp(double a, double b) {
  if (std::isnan(a) || std::isnan(b) || a < b) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (a == b) return -std::numeric_limits<double>::infinity();
  if (b == -std::numeric_limits<double>::infinity()) return a;
  return a + std::log(-std::expm1(b - a));
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_MLE_SPECIAL_INL_H_
