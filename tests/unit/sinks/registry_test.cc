#include "sinks/registry.h"

#include <gtest/gtest.h>

#include "../support/temp_dir.h"
#include "util/files.h"

namespace kv::sinks {
namespace {

struct Parsed {
  std::shared_ptr<config::Diagnostics> diag = std::make_shared<config::Diagnostics>();
  Builder builder;
  explicit Parsed(const std::string& yaml) {
    builder = ParseReceiver(config::ParseYaml(yaml, "r.yaml", diag));
  }
  std::string Problems() const {
    std::string out;
    for (const auto& p : diag->problems()) out += p.ToString() + "\n";
    return out;
  }
};

TEST(Registry, EveryReferenceReceiverKindIsKnown) {
  for (const char* key :
       {"stdout",  "file",     "pipe",  "syslog",   "webhook",     "elasticsearch", "opensearch",
        "kinesis", "firehose", "sns",   "sqs",      "eventbridge", "opscenter",     "kafka",
        "pubsub",  "bigquery", "slack", "opsgenie", "teams",       "loki"}) {
    bool found = false;
    for (const auto& k : ReceiverKinds()) found |= k.key == key;
    EXPECT_TRUE(found) << key;
  }
}

TEST(Registry, ZeroKindsIsAnError) {
  Parsed p("name: x\n");
  EXPECT_NE(p.Problems().find("receiver has no kind"), std::string::npos) << p.Problems();
}

TEST(Registry, TwoKindsIsAnError) {
  Parsed p("name: x\nstdout: {}\nfile: {path: /tmp/x}\n");
  EXPECT_NE(p.Problems().find("2 kinds"), std::string::npos) << p.Problems();
}

TEST(Registry, UnknownKindSuggestsTheNearest) {
  Parsed p("name: x\nstdot: {}\n");
  EXPECT_NE(p.Problems().find("did you mean 'stdout'"), std::string::npos) << p.Problems();
}

TEST(Registry, KindNotShippedYetIsNamed) {
  Parsed p("name: x\nwebhook: {endpoint: http://x}\n");
  EXPECT_NE(p.Problems().find("r.yaml:2:1: webhook: receiver kind 'webhook' is not implemented"),
            std::string::npos)
      << p.Problems();
}

TEST(Registry, FileNeedsAPath) {
  Parsed p("name: x\nfile: {maxsize: 10}\n");
  EXPECT_NE(p.Problems().find("file.path: missing required key"), std::string::npos)
      << p.Problems();
}

TEST(Registry, UnknownKeyInsideAKindIsReported) {
  Parsed p("name: x\nfile: {path: /tmp/x, maxSize: 10}\n");
  EXPECT_NE(p.Problems().find("did you mean 'maxsize'"), std::string::npos) << p.Problems();
}

TEST(Registry, FileSinkWritesOneJsonLinePerEvent) {
  kv::testing::TempDir dir;
  Parsed p("name: x\nfile: {path: " + (dir.path() / "out.json").string() + ", deDot: true}\n");
  ASSERT_FALSE(p.diag->HasErrors()) << p.Problems();
  FakeClock clock;
  auto sink = p.builder(SinkContext{"x", &clock});
  ASSERT_TRUE(sink);
  auto ev = std::make_shared<event::Event>();
  ev->metadata.uid = "u1";
  ev->involved_object.labels["app.kubernetes.io/name"] = "web";
  std::vector<event::EventPtr> batch{ev, ev};
  EXPECT_EQ((*sink)->Send(batch).request, Verdict::kDelivered);
  (*sink)->Close();
  std::string text = *files::Read(dir.path() / "out.json");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_NE(text.find("\"app_kubernetes_io/name\":\"web\""), std::string::npos) << text;
}

}  // namespace
}  // namespace kv::sinks
