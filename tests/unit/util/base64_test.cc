#include "util/base64.h"

#include <gtest/gtest.h>

namespace kv::base64 {
namespace {

// RFC 4648 section 10 test vectors.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Encode(plain), encoded);
    EXPECT_EQ(Decode(encoded), plain);
  }
}

TEST(Base64, DecodeIgnoresWhitespaceAndRejectsGarbage) {
  EXPECT_EQ(Decode("Zm9v\nYmFy\n"), "foobar");
  EXPECT_FALSE(Decode("Zm9v!").has_value());
  EXPECT_FALSE(Decode("Zg==Zg").has_value());
}

}  // namespace
}  // namespace kv::base64
