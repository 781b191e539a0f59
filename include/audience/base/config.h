// Build-mode and namespace macros shared by every audience header.
//
// audience is usable header-only (define AUDIENCE_HEADER_ONLY, or link
// audience::audience_header_only) or as a compiled library
// (audience::audience). Each header `x.h` declares; its `x-inl.h` defines
// with AUDIENCE_FUNC. In header-only mode `x.h` includes `x-inl.h` and
// AUDIENCE_FUNC is `inline`; in compiled mode `src/<layer>/x.cpp` includes
// the -inl.h exactly once.
#ifndef AUDIENCE_BASE_CONFIG_H_
#define AUDIENCE_BASE_CONFIG_H_

#define AUDIENCE_VERSION_MAJOR 0
#define AUDIENCE_VERSION_MINOR 1
#define AUDIENCE_VERSION_PATCH 0

#ifdef AUDIENCE_HEADER_ONLY
#define AUDIENCE_FUNC inline
#else
#define AUDIENCE_FUNC
#endif

// The public API lives in a versioned inline namespace (audience::v0) so a
// future ABI break can coexist with this one in a single process.
#define AUDIENCE_BEGIN_NAMESPACE \
  namespace audience {           \
  inline namespace v0 {
#define AUDIENCE_END_NAMESPACE \
  }                            \
  }

#endif  // AUDIENCE_BASE_CONFIG_H_
