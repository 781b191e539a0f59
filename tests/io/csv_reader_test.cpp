#include "audience/io/csv_reader.h"

#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

using namespace audience;

namespace {

// Every Next() result as a string: "L:f1|f2" for a record, "ERR <message>".
std::vector<std::string> Drain(CsvReader& reader) {
  std::vector<std::string> out;
  CsvRecord rec;
  for (int guard = 0; guard < 10'000'000; ++guard) {
    absl::StatusOr<bool> more = reader.Next(&rec);
    if (!more.ok()) {
      out.push_back("ERR " + std::string(more.status().message()));
      continue;
    }
    if (!*more) break;
    std::string row = std::to_string(rec.line) + ":";
    for (size_t i = 0; i < rec.fields.size(); ++i) {
      row += (i ? "|" : "") + std::string(rec.fields[i]);
    }
    out.push_back(row);
  }
  return out;
}

std::vector<std::string> ReadAll(std::string text, CsvOptions options = {}) {
  options.has_header = false;
  return Drain(*CsvReader::FromString(std::move(text), options));
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("audience_csv_test_" + name)).string();
}

void WriteFile(const std::string& path, const std::string& bytes, bool gzip) {
  std::ofstream f(path, std::ios::binary);
  if (!gzip) {
    f << bytes;
    return;
  }
  boost::iostreams::filtering_ostream out;
  out.push(boost::iostreams::gzip_compressor());
  out.push(f);
  out << bytes;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("csv line ends, BOM, blank lines and quoting", "[io][csv]") {
  CHECK(ReadAll("a,b\nc,d") == V{"1:a|b", "2:c|d"});
  CHECK(ReadAll("a,b\r\nc,d\r\n") == V{"1:a|b", "2:c|d"});
  CHECK(ReadAll("a\rb\r\rc") == V{"1:a", "2:b", "4:c"});
  CHECK(ReadAll("a\r\nb\nc\rd") == V{"1:a", "2:b", "3:c", "4:d"});
  CHECK(ReadAll("\xEF\xBB\xBF" "a,b\r\n\r\nc,\"d,e\"\r\n") == V{"1:a|b", "3:c|d,e"});
  CHECK(ReadAll("\n\r\n\ra\n\n") == V{"4:a"});
  CHECK(ReadAll("\"x\"\"y\",\"multi\nline\"\nnext,1\n") == V{"1:x\"y|multi\nline", "3:next|1"});
  CHECK(ReadAll("\"a\r\nb\",c\r\nd\r\n") == V{"1:a\r\nb|c", "3:d"});
  CHECK(ReadAll("\"a\rb\r\n\nc\",d\ne") == V{"1:a\rb\r\n\nc|d", "5:e"});
  CHECK(ReadAll("\"\",\"\"\"\"\n") == V{"1:|\""});
  CHECK(ReadAll(",,\n") == V{"1:||"});
  CHECK(ReadAll("a,") == V{"1:a|"});
  CHECK(ReadAll(",") == V{"1:|"});
  CHECK(ReadAll("") == V{});
  CHECK(ReadAll("\xEF\xBB\xBF") == V{});
  CHECK(ReadAll("\n\n") == V{});
  CHECK(ReadAll(" a , b ") == V{"1: a | b "});  // blanks are data in CSV mode
  CHECK(ReadAll("5\" screen,x\"y\"\n") == V{"1:5\" screen|x\"y\""});
  CHECK(ReadAll("a;\"b;c\";d\n", {.delimiter = ';'}) == V{"1:a|b;c|d"});
  CHECK(ReadAll("a\t'b\tc'\n", {.delimiter = '\t', .quote = '\''}) == V{"1:a|b\tc"});
  CHECK(ReadAll("\"a,b\",c\n", {.quote = '\0'}) == V{"1:\"a|b\"|c"});
  CHECK(ReadAll("caf\xC3\xA9,\xE2\x82\xAC,\xF0\x9F\x98\x80\n") ==
        V{"1:caf\xC3\xA9|\xE2\x82\xAC|\xF0\x9F\x98\x80"});
}

TEST_CASE("csv columns point at each field", "[io][csv]") {
  auto r = CsvReader::FromString("\xEF\xBB\xBF" "ab,,\"c\nd\",e\n\"x\"\"\"\"y\",z", {.has_header = false});
  CsvRecord rec;
  REQUIRE(*r->Next(&rec));
  CHECK(rec.line == 1);
  CHECK(rec.columns == std::vector<uint32_t>{1, 4, 5, 4});
  REQUIRE(*r->Next(&rec));
  CHECK(rec.line == 3);
  CHECK(rec.fields == std::vector<std::string_view>{"x\"\"y", "z"});
  CHECK(rec.columns == std::vector<uint32_t>{1, 10});
  CHECK_FALSE(*r->Next(&rec));
  CHECK_FALSE(*r->Next(&rec));  // stays at the end
}

// Unquoted fields are scanned 16 bytes at a time where 16 remain; a stop,
// NUL or non-ASCII byte at every offset of that window, and past it, must
// read exactly as one scanned a byte at a time.
TEST_CASE("unquoted fields: every byte position of the 16-byte scan", "[io][csv]") {
  for (size_t at = 0; at < 40; ++at) {
    const std::string head(at, 'a'), tail(40 - at, 'b');
    CHECK(ReadAll(head + ",z\n") == V{"1:" + head + "|z"});
    CHECK(ReadAll(head + "\r\nz") == (at > 0 ? V{"1:" + head, "2:z"} : V{"2:z"}));  // blank line
    CHECK(ReadAll(head + "\xC3\xA9" + tail + ",z\n") == V{"1:" + head + "\xC3\xA9" + tail + "|z"});
    CHECK(ReadAll(head + "\xff" + tail + "\nz") ==
          V{"ERR line 1, column " + std::to_string(at + 1) + ": invalid UTF-8 byte 0xff", "2:z"});
    CHECK(ReadAll(head + std::string(1, '\0') + tail + "\nz") ==
          V{"ERR line 1, column " + std::to_string(at + 1) + ": NUL byte", "2:z"});
    CHECK(ReadAll("x" + head + "\t" + tail + " z", {.whitespace_separated = true}) ==
          V{"1:x" + head + "|" + tail + "|z"});
    CHECK(ReadAll(head + ";" + tail + "\n", {.delimiter = ';'}) == V{"1:" + head + "|" + tail});
  }
}

TEST_CASE("whitespace-separated text", "[io][csv]") {
  CsvOptions ws{.whitespace_separated = true};
  CHECK(ReadAll(" 00001 19970101  1   11.77\r\n 00002\t19970112 1 12.00\r\n", ws) ==
        V{"1:00001|19970101|1|11.77", "2:00002|19970112|1|12.00"});
  CHECK(ReadAll("  \r\n a  \"b c\" \n \t ", ws) == V{"2:a|b c"});
  CHECK(ReadAll("a b", ws) == V{"1:a|b"});
  CHECK(ReadAll("a,b c\r\r\nd", ws) == V{"1:a,b|c", "3:d"});
  CHECK(ReadAll("\"a\"b c\nd\n", ws) ==
        V{"ERR line 1, column 4: unexpected character 'b' after closing quote", "2:d"});
  auto r = CsvReader::FromString("  x   yy\tz\r\n", {.whitespace_separated = true, .has_header = false});
  CsvRecord rec;
  REQUIRE(*r->Next(&rec));
  CHECK(rec.columns == std::vector<uint32_t>{3, 7, 10});
}

TEST_CASE("malformed records: exact line and column, then the next record",
          "[io][csv][errors]") {
  CHECK(ReadAll("a,b\n\"open,c\nx,y\n") ==
        V{"1:a|b", "ERR line 2, column 1: unterminated quoted field (opened here)", "3:x|y"});
  CHECK(ReadAll("a,\"b\nc\nd,e") ==
        V{"ERR line 1, column 3: unterminated quoted field (opened here)", "2:c", "3:d|e"});
  CHECK(ReadAll("a,\"b\"x,c\nd,e\n") ==
        V{"ERR line 1, column 6: unexpected character 'x' after closing quote", "2:d|e"});
  // The skip is quote-aware: the quoted line break belongs to the bad record.
  CHECK(ReadAll("\"a\"x,\"m\nn\"\"\nk\",y\nnext\n") ==
        V{"ERR line 1, column 4: unexpected character 'x' after closing quote", "4:next"});
  CHECK(ReadAll("\"a\nb\" x\nc") ==
        V{"ERR line 2, column 3: unexpected character ' ' after closing quote", "3:c"});
  CHECK(ReadAll("ok\nbad,\xff\xfe\nok2\n") ==
        V{"1:ok", "ERR line 2, column 5: invalid UTF-8 byte 0xff", "3:ok2"});
  CHECK(ReadAll("x,caf\xC3\xA9\xC3\n") == V{"ERR line 1, column 8: invalid UTF-8 byte 0xc3"});
  CHECK(ReadAll("\xC0\xAF\n\xED\xA0\x80\n\xF4\x90\x80\x80\nz") ==
        V{"ERR line 1, column 1: invalid UTF-8 byte 0xc0",
          "ERR line 2, column 1: invalid UTF-8 byte 0xed",
          "ERR line 3, column 1: invalid UTF-8 byte 0xf4", "4:z"});
  CHECK(ReadAll("\"ab\ncd\xff\",x\nz\n") ==
        V{"ERR line 2, column 3: invalid UTF-8 byte 0xff", "3:z"});
  CHECK(ReadAll("\"a\"\"\"\"\xff\"\n") == V{"ERR line 1, column 7: invalid UTF-8 byte 0xff"});
  CHECK(ReadAll(std::string("a,b\0c\nd\n", 8)) == V{"ERR line 1, column 4: NUL byte", "2:d"});
  CHECK(ReadAll(std::string("\"\n\0\"\nd", 6)) == V{"ERR line 2, column 1: NUL byte", "3:d"});
  CHECK(ReadAll("aaaa,b\nc\n", {.max_field_bytes = 3}) ==
        V{"ERR line 1, column 1: field exceeds 3 bytes", "2:c"});
  CHECK(ReadAll("\"a\"\"b\",x\n", {.max_field_bytes = 3}) == V{"1:a\"b|x"});  // unescaped size
  CHECK(ReadAll("a,b,c,d,e\nf\n", {.max_fields = 3}) ==
        V{"ERR line 1, column 7: record has 5 fields, more than max_fields (3)", "2:f"});
  CHECK(ReadAll("a b  c d\nf\n", {.whitespace_separated = true, .max_fields = 2}) ==
        V{"ERR line 1, column 6: record has 4 fields, more than max_fields (2)", "2:f"});
  // max_record_bytes counts raw bytes, the line end included.
  CHECK(ReadAll("0123456789abc\nok\n", {.max_record_bytes = 12}) ==
        V{"ERR line 1, column 1: record exceeds 12 bytes", "2:ok"});
  CHECK(ReadAll("\"0123\n456789abc\"\nok\n", {.max_record_bytes = 12}) ==
        V{"ERR line 1, column 1: record exceeds 12 bytes", "2:456789abc\"", "3:ok"});
  CHECK(ReadAll("ab\n", {.max_record_bytes = 3}) == V{"1:ab"});

  std::string wide;
  for (int i = 0; i < 4097; ++i) wide += i ? ",x" : "x";
  CHECK(ReadAll(wide + "\nend") ==
        V{"ERR line 1, column 8193: record has 4097 fields, more than max_fields (4096)",
          "2:end"});

  auto r = CsvReader::FromString("h\nok\n\"x\"y\n", {});
  CsvRecord rec;
  REQUIRE(*r->Next(&rec));
  absl::StatusOr<bool> bad = r->Next(&rec);
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(r->last_error().line == 3);
  CHECK(r->last_error().column == 4);
  CHECK(r->last_error().message == "unexpected character 'y' after closing quote");
  CHECK(r->records_read() == 1);
  CHECK_FALSE(*r->Next(&rec));
}

TEST_CASE("hostile input stays bounded", "[io][csv][errors]") {
  // A quote that never closes: an error, then the lines after it.
  std::string open = "\"" + std::string(3u << 20, 'x') + "\nnext\n";
  CHECK(ReadAll(open, {.max_record_bytes = 1 << 20}) ==
        V{"ERR line 1, column 1: record exceeds 1048576 bytes", "2:next"});
  std::string path = TempPath("hostile.csv");
  WriteFile(path, open, false);
  auto file = CsvReader::OpenFile(path, {.has_header = false, .max_record_bytes = 1 << 20});
  REQUIRE(file.ok());
  CHECK(Drain(**file) == V{"ERR line 1, column 1: record exceeds 1048576 bytes", "2:next"});
  // 5 MiB of blanks without a line end in whitespace mode.
  WriteFile(path, std::string(5u << 20, ' ') + "\na b\n", false);
  file = CsvReader::OpenFile(path, {.whitespace_separated = true, .has_header = false,
                                    .max_record_bytes = 1 << 20});
  REQUIRE(file.ok());
  CHECK(Drain(**file) == V{"ERR line 1, column 1: record exceeds 1048576 bytes", "2:a|b"});
  std::filesystem::remove(path);
}

TEST_CASE("header, ColumnIndex and invalid options", "[io][csv]") {
  auto r = CsvReader::FromString("\xEF\xBB\xBFId,Name,name\n1,x,y\n");
  CHECK(r->header().empty());  // read by ReadHeader() or the first Next()
  REQUIRE(r->ReadHeader().ok());
  REQUIRE(r->ReadHeader().ok());
  CHECK(r->header() == std::vector<std::string>{"Id", "Name", "name"});
  CHECK(r->ColumnIndex("name") == 2);  // exact match first
  CHECK(r->ColumnIndex("NAME") == 1);  // then the first case-insensitive one
  CHECK(r->ColumnIndex("id") == 0);
  CHECK_FALSE(r->ColumnIndex("age").has_value());
  CsvRecord rec;
  REQUIRE(*r->Next(&rec));
  CHECK(rec.line == 2);
  CHECK(r->records_read() == 1);
  CHECK_FALSE(*r->Next(&rec));

  auto only = CsvReader::FromString("a,b");
  CHECK_FALSE(*only->Next(&rec));
  CHECK(only->header() == std::vector<std::string>{"a", "b"});
  CHECK(only->records_read() == 0);
  auto empty = CsvReader::FromString("");
  CHECK_FALSE(*empty->Next(&rec));
  CHECK(empty->header().empty());

  auto bad_header = CsvReader::FromString("a,\"b\nc,d\n");
  CHECK(Drain(*bad_header) ==
        V{"ERR line 1, column 3: unterminated quoted field (opened here)", "2:c|d"});
  CHECK(bad_header->header().empty());

  for (CsvOptions o : {CsvOptions{.delimiter = '\n'}, CsvOptions{.delimiter = '"'},
                       CsvOptions{.whitespace_separated = true, .quote = ' '},
                       CsvOptions{.max_fields = 0}}) {
    auto bad = CsvReader::FromString("a,b\n1,2\n", o);
    absl::StatusOr<bool> first = bad->Next(&rec);
    CHECK(first.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(first.status().message().find("CsvOptions") != absl::string_view::npos);
    CHECK_FALSE(*bad->Next(&rec));
  }
  CHECK(CsvReader::OpenFile("/nonexistent", {.max_record_bytes = 0}).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("files: plain and gzip, progress, chunk boundaries", "[io][csv][file]") {
  std::string plain = TempPath("plain.csv"), gz = TempPath("plain.csv.gz");
  std::string text = "\xEF\xBB\xBFid,v\n";
  for (int i = 0; i < 200000; ++i) text += std::to_string(i) + ",\"q\r\n" + std::to_string(i) + "\"\n";
  WriteFile(plain, text, false);
  WriteFile(gz, text, true);
  for (const std::string& path : {plain, gz}) {
    INFO(path);
    auto r = CsvReader::OpenFile(path);
    REQUIRE(r.ok());
    CHECK((*r)->header() == std::vector<std::string>{"id", "v"});  // read on open
    CHECK((*r)->total_bytes() == (path == plain ? std::optional<uint64_t>(text.size())
                                                : std::nullopt));
    CsvRecord rec;
    uint64_t n = 0;
    while (*(*r)->Next(&rec)) {
      REQUIRE(rec.fields[1] == "q\r\n" + std::to_string(n));
      REQUIRE(rec.line == 2 * n + 2);
      ++n;
    }
    CHECK(n == 200000);
    CHECK((*r)->records_read() == 200000);
    CHECK((*r)->bytes_consumed() == text.size());
  }
  // A CRLF and a quoted CRLF cut by the 1 MiB chunk boundary.
  const size_t chunk = size_t{1} << 20;
  for (size_t cut : {chunk - 1, chunk - 2, chunk}) {
    std::string t = std::string(cut, 'a') + "\r\n\"b\r\nc\"\r\n\"x\"\"\",d\re";
    WriteFile(plain, t, false);
    auto r = CsvReader::OpenFile(plain, {.has_header = false});
    REQUIRE(r.ok());
    CHECK(Drain(**r) == V{"1:" + std::string(cut, 'a'), "2:b\r\nc", "4:x\"|d", "5:e"});
  }
  // Two gzip members in one file read as one stream.
  std::string one = TempPath("one.gz");
  WriteFile(one, "a,b\n1,2\n", true);
  WriteFile(gz, ReadBytes(one) + ReadBytes(one), false);
  auto multi = CsvReader::OpenFile(gz);
  REQUIRE(multi.ok());
  CHECK(Drain(**multi) == V{"2:1|2", "3:a|b", "4:1|2"});  // the second header is data
  std::filesystem::remove(one);
  std::filesystem::remove(plain);
  std::filesystem::remove(gz);
}

TEST_CASE("files: missing, directory, empty, corrupt and truncated gzip", "[io][csv][file]") {
  std::string missing = TempPath("no_such.csv");
  absl::Status s = CsvReader::OpenFile(missing).status();
  CHECK(s.code() == absl::StatusCode::kNotFound);
  CHECK(s.message().find(missing) != absl::string_view::npos);
  s = CsvReader::OpenFile(std::filesystem::temp_directory_path().string()).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);

  std::string path = TempPath("broken.csv.gz");
  WriteFile(path, "", false);
  auto empty = CsvReader::OpenFile(path);
  REQUIRE(empty.ok());
  CHECK((*empty)->header().empty());
  CsvRecord rec;
  CHECK_FALSE(*(*empty)->Next(&rec));

  WriteFile(path, std::string("\x1f\x8b\x08\x00garbage that is not deflate data", 37), false);
  s = CsvReader::OpenFile(path).status();
  CHECK(s.code() == absl::StatusCode::kDataLoss);
  CHECK(s.message().find(path) != absl::string_view::npos);

  std::string text = "id,v\n";
  for (int i = 0; i < 300000; ++i) text += std::to_string(i) + ",value " + std::to_string(i) + "\n";
  WriteFile(path, text, true);
  const std::string good = ReadBytes(path);
  std::string corrupt = good, truncated = good.substr(0, good.size() / 2);
  for (size_t i = good.size() / 2; i < good.size() / 2 + 64; ++i) corrupt[i] ^= 0x5a;
  // Truncated: every whole record before the cut, then one DataLoss.
  WriteFile(path, truncated, false);
  auto r = CsvReader::OpenFile(path);
  REQUIRE(r.ok());
  uint64_t n = 0;
  std::vector<absl::Status> errors;
  while (true) {
    absl::StatusOr<bool> more = (*r)->Next(&rec);
    if (!more.ok()) {
      errors.push_back(more.status());
      continue;
    }
    if (!*more) break;
    REQUIRE(rec.fields[1] == "value " + std::to_string(n));  // no cut record slips out
    ++n;
  }
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].code() == absl::StatusCode::kDataLoss);
  CHECK(errors[0].message().find(path) != absl::string_view::npos);
  CHECK((*r)->last_error().message == errors[0].message());
  CHECK(n > 100000);
  CHECK(n < 300000);
  // Corrupt: deflate may emit garbage before it notices (the CRC is at the
  // end), so only the DataLoss at the end is certain.
  WriteFile(path, corrupt, false);
  r = CsvReader::OpenFile(path);
  REQUIRE(r.ok());
  errors.clear();
  for (absl::StatusOr<bool> more; (more = (*r)->Next(&rec)), !more.ok() || *more;) {
    if (!more.ok()) errors.push_back(more.status());
  }
  REQUIRE_FALSE(errors.empty());
  CHECK(errors.back().code() == absl::StatusCode::kDataLoss);
  CHECK(errors.back().message().find(path) != absl::string_view::npos);
  std::filesystem::remove(path);
}

namespace {

// Random CSV from an alphabet of troublemakers.
std::string RandomText(std::mt19937& rng, size_t bytes, bool valid) {
  static const std::vector<std::string> kValid = {"a", "b", ",", "\"", "\n", "\r\n", "\r", " ",
                                                  "\t", "\xC3\xA9", "xyz"};
  static const std::vector<std::string> kBad = {"\xff", std::string(1, '\0'), "\xC3"};
  std::string out;
  while (out.size() < bytes) {
    if (!valid && rng() % 50 == 0) {
      out += kBad[rng() % kBad.size()];
    } else {
      out += kValid[rng() % kValid.size()];
    }
  }
  return out;
}

}  // namespace

TEST_CASE("oracle: fields survive quoting; chunked and gzip reads match in-memory",
          "[io][csv][oracle]") {
  std::mt19937 rng(20240601);
  // Serialize random records, then read them back.
  std::vector<std::vector<std::string>> records;
  std::vector<uint64_t> lines;
  std::string text;
  uint64_t line = 1;
  auto add_break = [&](const std::string& br) {
    text += br;
    ++line;
  };
  for (int r = 0; r < 3000; ++r) {
    if (rng() % 10 == 0) add_break("\r\n");  // a blank line ("\n" after "\r" would not be)
    std::vector<std::string> rec(1 + rng() % 6);
    lines.push_back(line);
    for (size_t f = 0; f < rec.size(); ++f) {
      rec[f] = RandomText(rng, rng() % 8, true);
      const bool quote = rec[f].find_first_of(",\"\r\n") != std::string::npos ||
                         (rec.size() == 1 && rec[f].empty()) || rng() % 4 == 0;
      if (f) text += ',';
      if (!quote) {
        text += rec[f];
        continue;
      }
      text += '"';
      for (size_t k = 0; k < rec[f].size(); ++k) {
        const char c = rec[f][k];
        text += c == '"' ? "\"\"" : std::string(1, c);
        if (c == '\n' || (c == '\r' && (k + 1 == rec[f].size() || rec[f][k + 1] != '\n'))) ++line;
      }
      text += '"';
    }
    records.push_back(rec);
    static const char* kBreaks[] = {"\n", "\r\n", "\r"};
    if (r + 1 < 3000 || rng() % 2) add_break(kBreaks[rng() % 3]);
  }
  auto reader = CsvReader::FromString(text, {.has_header = false});
  CsvRecord rec;
  for (size_t r = 0; r < records.size(); ++r) {
    absl::StatusOr<bool> more = reader->Next(&rec);
    REQUIRE(more.ok());
    REQUIRE(*more);
    REQUIRE(rec.line == lines[r]);
    REQUIRE(std::vector<std::string>(rec.fields.begin(), rec.fields.end()) == records[r]);
  }
  CHECK_FALSE(*reader->Next(&rec));

  // Messy input with errors: a file read in 1 MiB chunks (plain and gzip)
  // gives exactly what the in-memory reader gives, under several options.
  std::string path = TempPath("oracle.csv"), gz = TempPath("oracle.csv.gz");
  for (CsvOptions o : {CsvOptions{.has_header = false},
                       CsvOptions{.has_header = false, .max_field_bytes = 40, .max_fields = 6,
                                  .max_record_bytes = 300},
                       CsvOptions{.whitespace_separated = true, .has_header = false}}) {
    const std::string messy = RandomText(rng, 3'500'000, false);
    WriteFile(path, messy, false);
    WriteFile(gz, messy, true);
    const V expected = Drain(*CsvReader::FromString(messy, o));
    CHECK(expected.size() > 1000);
    for (const std::string& p : {path, gz}) {
      auto file = CsvReader::OpenFile(p, o);
      REQUIRE(file.ok());
      CHECK(Drain(**file) == expected);
    }
  }
  std::filesystem::remove(path);
  std::filesystem::remove(gz);
}
