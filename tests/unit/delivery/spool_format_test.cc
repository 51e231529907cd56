#include "delivery/spool_format.h"

#include <gtest/gtest.h>

namespace kv::delivery::spool_format {
namespace {

TEST(SpoolFormat, ARecordHeaderRoundTripsAndVouchesForItsPayload) {
  auto h = EncodeRecordHeader(42, 7, "payload");
  RecordHeader got = DecodeRecordHeader(h.data());
  EXPECT_EQ(got.payload_bytes, 7u);
  EXPECT_EQ(got.seq, 42u);
  EXPECT_EQ(got.event_seq, 7u);
  EXPECT_TRUE(RecordIntact(got, "payload"));
  EXPECT_FALSE(RecordIntact(got, "paylOad"));  // a flipped byte
  EXPECT_FALSE(RecordIntact(got, "payloa"));   // a torn tail
  got.seq = 43;                                // a header from elsewhere
  EXPECT_FALSE(RecordIntact(got, "payload"));
}

TEST(SpoolFormat, TheLayoutIsTheDocumentedOne) {
  auto h = EncodeRecordHeader(0x0102030405060708ull, 9, "ab");
  EXPECT_EQ(h[0], 2);  // little-endian length first
  EXPECT_EQ(h[8], 0x08);
  EXPECT_EQ(h[15], 0x01);
  EXPECT_EQ(h[16], 9);
}

TEST(SpoolFormat, AnAckSlotWithABadChecksumIsNotRead) {
  auto slot = EncodeAckSlot({123, 4});
  auto got = DecodeAckSlot(slot.data());
  ASSERT_TRUE(got);
  EXPECT_EQ(got->first_unacked, 123u);
  EXPECT_EQ(got->generation, 4u);
  slot[0] ^= 1;
  EXPECT_FALSE(DecodeAckSlot(slot.data()));
  char zeros[kAckSlotBytes] = {};
  auto empty = DecodeAckSlot(zeros);  // crc32 of zeros is not zero
  EXPECT_FALSE(empty);
}

TEST(SpoolFormat, SegmentNamesSortByTheirFirstSeq) {
  EXPECT_EQ(SegmentName(42), "00000000000000000042.seg");
  EXPECT_EQ(ParseSegmentName("00000000000000000042.seg"), 42u);
  EXPECT_EQ(ParseSegmentName("42.seg"), 42u);
  EXPECT_FALSE(ParseSegmentName("ack"));
  EXPECT_FALSE(ParseSegmentName(".seg"));
  EXPECT_FALSE(ParseSegmentName("12a.seg"));
  EXPECT_FALSE(ParseSegmentName("00000000000000000042.seg.tmp"));
}

}  // namespace
}  // namespace kv::delivery::spool_format
