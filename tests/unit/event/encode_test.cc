#include "event/encode.h"

#include <gtest/gtest.h>

#include <sstream>

#include "event/decode.h"
#include "util/files.h"

namespace kv::event {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// The expected lines were produced by tests/testdata/event/gen (Go, with
// k8s.io/api and encoding/json, shaped like the reference exporter's
// EnhancedEvent) from the same recorded list: byte-for-byte equality means
// existing consumers see the same documents.
TEST(EncodeJson, MatchesTheReferenceExporterShapeByteForByte) {
  auto body = files::Read(std::string(KV_TESTDATA) + "/event/core_event_list.json");
  auto expected = files::Read(std::string(KV_TESTDATA) + "/event/core_event_list.reference.jsonl");
  ASSERT_TRUE(body && expected);
  Decoder d;
  auto page = d.DecodeList(*body);
  ASSERT_TRUE(page);
  auto want = Lines(*expected);
  ASSERT_EQ(page->items.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    Event ev = page->items[i];
    ev.cluster_name = "test-cluster";
    EXPECT_EQ(EncodeJson(ev), want[i]) << "item " << i;
  }
}

TEST(EncodeJson, DeDotRenamesLabelAndAnnotationKeys) {
  Event ev;
  ev.metadata.uid = "u";
  ev.metadata.labels["a.b/c"] = "1";
  ev.involved_object.annotations["x.y"] = "2";
  std::string out = EncodeJson(ev, {.dedot = true});
  EXPECT_NE(out.find(R"("labels":{"a_b/c":"1"})"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("annotations":{"x_y":"2"})"), std::string::npos) << out;
}

TEST(EncodeJson, EnrichmentFieldsAreWritten) {
  Event ev;
  ev.metadata.uid = "u";
  ev.involved_object.kind = "Pod";
  ev.involved_object.labels["app"] = "web";
  ev.involved_object.owner_references.push_back(
      {"apps/v1", "ReplicaSet", "web-1", "rs-uid", true, true});
  ev.involved_object.deleted = true;
  std::string out = EncodeJson(ev);
  EXPECT_NE(
      out.find(
          R"("involvedObject":{"kind":"Pod","labels":{"app":"web"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-1","uid":"rs-uid","controller":true,"blockOwnerDeletion":true}],"deleted":true})"),
      std::string::npos)
      << out;
}

}  // namespace
}  // namespace kv::event
