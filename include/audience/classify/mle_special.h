// Special functions shared by the customer-base models: the Gauss
// hypergeometric function 2F1 and log-sum-exp.
//
//   double l = LogHyp2F1Positive(2.5, 3.0, 4.0, 0.3);  // log 2F1(2.5,3;4;0.3)
//   double f = Hyp2F1(0.24, 2.4, 2.2, 0.9);            // NaN on failure
//   double s = LogAddExp(-1000.0, -1001.0);           // no underflow
//
// None of these throws: Boost.Math errors become NaN.
#ifndef AUDIENCE_CLASSIFY_MLE_SPECIAL_H_
#define AUDIENCE_CLASSIFY_MLE_SPECIAL_H_

#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

// Default cap on series terms: about a millisecond of work.
inline constexpr int kHyp2F1MaxTerms = 1000000;

// log 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z < 1, where every series
// term is positive (no cancellation). Summed with rescaling, so results far
// beyond double range (2F1 ~ (1-z)^-b with b in the thousands) are fine.
// Relative accuracy ~1e-15. Returns NaN outside that domain, on non-finite
// input, or when the series needs more than `max_terms` terms (z very close
// to 1: about -37/log(z) terms are needed).
double LogHyp2F1Positive(double a, double b, double c, double z,
                         int max_terms = kHyp2F1MaxTerms);

// 2F1(a, b; c; z) for real a, b, c and 0 <= z < 1: the positive series
// above when a, b, c > 0, otherwise boost::math::hypergeometric_pFq (which
// handles sign changes and reports cancellation). NaN when c is a
// non-positive integer, on Boost errors, or outside that domain.
double Hyp2F1(double a, double b, double c, double z);

// log|Gamma(x)| without touching the global `signgam` (std::lgamma does in
// glibc, a data race when models are evaluated from several threads).
double LogGamma(double x);

// log(exp(a) + exp(b)) without overflow; -inf + -inf = -inf.
double LogAddExp(double a, double b);

// log(exp(a) - exp(b)) for a >= b; -inf when a == b; NaN when a < b.
double LogSubExp(double a, double b);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/mle_special-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_MLE_SPECIAL_H_
