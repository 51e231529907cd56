#include "kube/configmap_store.h"

#include <gtest/gtest.h>

#include "util/rng.h"

namespace kv::kube {
namespace {

TEST(ConfigMapStoreEncoding, CompressionRoundTrips) {
  std::string value;
  for (int i = 0; i < 20000; ++i) value += "{\"uid\":\"" + std::to_string(i) + "\",\"rv\":\"1\"},";
  auto z = Compress(value);
  ASSERT_TRUE(z);
  EXPECT_LT(z->size(), value.size() / 4);
  auto back = Decompress(*z, value.size());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, value);
  EXPECT_EQ(*Decompress(*Compress(""), 0), "");
}

TEST(ConfigMapStoreEncoding, DecompressRefusesCorruptTruncatedAndOversizedInput) {
  std::string value(100000, 'x');
  auto z = *Compress(value);
  EXPECT_FALSE(Decompress(z, value.size() - 1));                      // bigger than allowed
  EXPECT_FALSE(Decompress(z.substr(0, z.size() / 2), value.size()));  // truncated
  EXPECT_FALSE(Decompress("not zlib at all", 1000));
}

TEST(ConfigMapStoreEncoding, Utf8Check) {
  EXPECT_TRUE(IsValidUtf8("plain ünïcode"));
  EXPECT_FALSE(IsValidUtf8(std::string("\xff\xfe", 2)));
}

}  // namespace
}  // namespace kv::kube
