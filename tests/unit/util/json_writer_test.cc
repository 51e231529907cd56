#include "util/json_writer.h"

#include <gtest/gtest.h>

namespace kv::json {
namespace {

std::string Quote(std::string_view s) {
  std::string out;
  AppendString(&out, s);
  return out;
}

// Expected outputs are Go's encoding/json.Marshal of the same strings.
TEST(AppendString, EscapesLikeGoEncodingJson) {
  EXPECT_EQ(Quote("plain"), R"("plain")");
  EXPECT_EQ(Quote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Quote("<a href>&"), R"("\u003ca href\u003e\u0026")");
  EXPECT_EQ(Quote("tab\tnl\ncr\r"), R"("tab\tnl\ncr\r")");
  EXPECT_EQ(Quote(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
  EXPECT_EQ(Quote("\b\f"), R"("\b\f")");
}

TEST(AppendString, KeepsValidUtf8AndEscapesLineSeparators) {
  EXPECT_EQ(Quote("h\xC3\xA9llo \xE2\x9C\x93"), "\"h\xC3\xA9llo \xE2\x9C\x93\"");
  EXPECT_EQ(Quote("a\xE2\x80\xA8"
                  "b\xE2\x80\xA9"),
            R"("a\u2028b\u2029")");
}

TEST(AppendString, ReplacesInvalidUtf8) {
  EXPECT_EQ(Quote("a\xFF"
                  "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(Quote("\xC3"), R"("\ufffd")");                      // truncated sequence
  EXPECT_EQ(Quote("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");  // surrogate
}

TEST(Writer, PlacesCommas) {
  std::string out;
  Writer w(&out);
  w.BeginObject();
  w.Key("a");
  w.Int(1);
  w.Key("b");
  w.BeginArray();
  w.String("x");
  w.Bool(true);
  w.Null();
  w.EndArray();
  w.Key("c");
  w.BeginObject();
  w.EndObject();
  w.EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":["x",true,null],"c":{}})");
}

}  // namespace
}  // namespace kv::json
