#include "audience/base/sealed_bytes.h"

#include <catch2/catch.hpp>
#include <string>

using audience::Seal;
using audience::Unseal;

namespace {
constexpr std::string_view kMagic("\x89" "AUDTST\n", 8);
}  // namespace

TEST_CASE("sealed bytes give back their body and refuse damage", "[base][sealed]") {
  const std::string bytes = Seal(kMagic, 3, "some body");
  CHECK(bytes.size() == 8 + 4 + 9 + 4);
  absl::StatusOr<std::string_view> body = Unseal(bytes, kMagic, 3, "test state");
  REQUIRE(body.ok());
  CHECK(*body == "some body");
  CHECK(*Unseal(Seal(kMagic, 1, ""), kMagic, 1, "x") == "");
  CHECK(Unseal(bytes, kMagic, 4, "test state").status() ==
        absl::FailedPreconditionError(
            "test state version 3 is not supported (this build reads version 4)"));
  CHECK(Unseal(bytes, std::string_view("\x89" "AUDXXX\n", 8), 3, "test state").status() ==
        absl::InvalidArgumentError("not an audience test state (bad magic number)"));
  for (size_t i = 8; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 4);
    CHECK(Unseal(bad, kMagic, 3, "test state").status().code() == absl::StatusCode::kDataLoss);
  }
  for (size_t n = 0; n < bytes.size(); ++n) {
    CHECK_FALSE(Unseal(bytes.substr(0, n), kMagic, 3, "test state").ok());
  }
}
