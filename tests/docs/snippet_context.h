// The names doc snippets use without declaring them: a store, the time,
// one person, a schema, a batch, a number and a send function.
// Snippets are compiled and linked, never run (tests/docs/snippets_test.cpp).
#ifndef AUDIENCE_TESTS_DOCS_SNIPPET_CONTEXT_H_
#define AUDIENCE_TESTS_DOCS_SNIPPET_CONTEXT_H_

#include <iostream>
#include <string_view>
#include <vector>

#include "audience/audience.h"
#include "fmt/format.h"

namespace audience_docs {

using namespace audience;

inline Store store;
inline absl::Time now;
inline PersonId person = 0;
inline Schema schema;
inline WriteBatch batch{absl::UnixEpoch()};
inline uint64_t reached = 0;
inline void Send(std::string_view /*action*/, const ExternalId& /*to*/) {}

struct Snippet {
  const char* where;  // file:line of the block
  absl::Status (*run)();
};
const std::vector<Snippet>& AllSnippets();

}  // namespace audience_docs

#endif  // AUDIENCE_TESTS_DOCS_SNIPPET_CONTEXT_H_
