#include "audience/base/byte_io.h"

#include <catch2/catch.hpp>

using audience::Bitmap;
using audience::ByteReader;
using audience::ByteWriter;

TEST_CASE("byte io round-trips every kind", "[base][byte_io]") {
  ByteWriter w;
  w.PutU8(7);
  w.PutU32(123456);
  w.PutI64(-5);
  w.PutDouble(2.5);
  w.PutBool(true);
  w.PutString("gold");
  w.PutBitmap(Bitmap::Of({1, 99}));
  w.PutArray(std::vector<uint32_t>{4, 5, 6});
  ByteReader r(w.data(), "test");
  CHECK(*r.GetU8("a") == 7);
  CHECK(*r.GetU32("b") == 123456);
  CHECK(*r.GetI64("c") == -5);
  CHECK(*r.GetDouble("d") == 2.5);
  CHECK(*r.GetBool("e"));
  CHECK(*r.GetString("f") == "gold");
  CHECK(*r.GetBitmap("g") == Bitmap::Of({1, 99}));
  CHECK(*r.GetArray<uint32_t>("h") == std::vector<uint32_t>{4, 5, 6});
  CHECK(r.ExpectEnd().ok());
}

TEST_CASE("byte reader refuses to read past the end", "[base][byte_io]") {
  ByteWriter w;
  w.PutString("hello");
  std::string bytes = w.data();
  ByteReader r(std::string_view(bytes).substr(0, 6), "tags");
  auto s = r.GetString("value");
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message().find("tags: truncated value") != std::string::npos);

  ByteWriter huge;
  huge.PutU64(uint64_t{1} << 60);
  ByteReader r2(huge.data(), "x");
  CHECK_FALSE(r2.GetArray<uint64_t>("column").ok());
  ByteReader r3("\x05", "x");
  CHECK_FALSE(r3.GetBool("flag").ok());
  ByteReader r4("abc", "x");
  CHECK_FALSE(r4.ExpectEnd().ok());
}
