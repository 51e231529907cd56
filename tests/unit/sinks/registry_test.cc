#include "sinks/registry.h"

#include <gtest/gtest.h>

#include "../support/temp_dir.h"
#include "sinks/pending.h"
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

// The first kind of the table without a parser (with nested keys when
// `nested`), or "" once every kind ships.
std::string PendingKind(bool nested) {
  for (const auto& k : ReceiverKinds()) {
    if (k.parse != nullptr) continue;
    for (const auto& spec : PendingKeys(k.key)) {
      if (!nested || !spec.children.empty()) return std::string(k.key);
    }
  }
  return {};
}

TEST(Registry, KindNotShippedYetIsNamed) {
  std::string kind = PendingKind(false);
  if (kind.empty()) GTEST_SKIP() << "every kind ships";
  Parsed p("name: x\n" + kind + ": {}\n");
  EXPECT_NE(p.Problems().find("r.yaml:2:1: " + kind + ": receiver kind '" + kind +
                              "' is not implemented"),
            std::string::npos)
      << p.Problems();
}

TEST(Registry, KeysOfKindsNotShippedYetAreStillChecked) {
  std::string kind = PendingKind(true);
  if (kind.empty()) GTEST_SKIP() << "every kind with nested keys ships";
  std::string nested;
  for (const auto& spec : PendingKeys(kind)) {
    if (!spec.children.empty()) nested = std::string(spec.key);
  }
  Parsed p("name: x\n" + kind + ":\n  nosuchkey: 1\n  " + nested + ": {nosuchkey: 1}\n");
  EXPECT_NE(p.Problems().find(kind + ".nosuchkey: unknown key"), std::string::npos) << p.Problems();
  EXPECT_NE(p.Problems().find(kind + "." + nested + ".nosuchkey: unknown key"), std::string::npos)
      << p.Problems();
}

TEST(Registry, ShippedHttpKindsCheckTheirKeys) {
  Parsed p("name: x\nwebhook:\n  endpoint: http://x\n  headerz: {}\n  tls: {caFiel: /ca}\n");
  EXPECT_NE(p.Problems().find("webhook.headerz: unknown key (did you mean 'headers'?)"),
            std::string::npos)
      << p.Problems();
  EXPECT_NE(p.Problems().find("webhook.tls.caFiel: unknown key (did you mean 'caFile'?)"),
            std::string::npos)
      << p.Problems();
  for (const char* kind : {"webhook", "slack", "teams", "opsgenie", "chime"}) {
    bool found = false;
    for (const auto& k : ReceiverKinds()) found |= (k.key == kind && k.parse != nullptr);
    EXPECT_TRUE(found) << kind;
  }
}

TEST(Registry, AwsKindsParseAndNameTheirMissingKeys) {
  Parsed ok("name: x\ncloudwatchlogs: {logGroupName: /k8s/events, region: eu-west-1}\n");
  EXPECT_EQ(ok.Problems(), "");
  EXPECT_TRUE(static_cast<bool>(ok.builder));
  Parsed missing("name: x\nkinesis: {region: eu-west-1, endpoint: http://127.0.0.1:1}\n");
  EXPECT_NE(missing.Problems().find("kinesis.streamName: missing required key"), std::string::npos)
      << missing.Problems();
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

TEST(Registry, FileSinkRendersTheLayoutAndRejectsOnlyEventsItCannotRender) {
  kv::testing::TempDir dir;
  Parsed p("name: x\nfile:\n  path: " + (dir.path() / "out.json").string() +
           "\n  layout:\n    reason: '{{ .Reason }}'\n    count: 7\n"
           "    labels: '{{ toJson .InvolvedObject.Labels }}'\n"
           "    owner: '{{ (index .InvolvedObject.OwnerReferences 0).Kind | upper }}'\n");
  ASSERT_FALSE(p.diag->HasErrors()) << p.Problems();
  FakeClock clock;
  auto sink = p.builder(SinkContext{"x", &clock});
  ASSERT_TRUE(sink);
  auto good = std::make_shared<event::Event>();
  good->metadata.uid = "u1";
  good->reason = "BackOff";
  good->involved_object.labels["must"] = "yes";
  good->involved_object.owner_references.push_back({"apps/v1", "ReplicaSet", "rs", "rs-uid", {}, {}});
  auto bad = std::make_shared<event::Event>();  // no owner: `index ... 0` is out of range
  bad->metadata.uid = "u2";
  std::vector<event::EventPtr> batch{good, bad};
  SendOutcome out = (*sink)->Send(batch);
  (*sink)->Close();
  std::string text = *files::Read(dir.path() / "out.json");
  EXPECT_EQ(text, R"({"count":7,"labels":{"must":"yes"},"owner":"REPLICASET","reason":"BackOff"})"
                  "\n");
  ASSERT_EQ(out.items.size(), 2u);
  EXPECT_EQ(out.items[0], Verdict::kDelivered);
  EXPECT_EQ(out.items[1], Verdict::kReject);
  EXPECT_NE(out.reason.find("layout"), std::string::npos);
}

TEST(Registry, LayoutTemplateErrorsNameKeyAndPosition) {
  Parsed p("name: x\nstdout:\n  layout:\n    msg: '{{ .Message | nosuchfunc }}'\n");
  EXPECT_NE(p.Problems().find("nosuchfunc"), std::string::npos) << p.Problems();
  EXPECT_NE(p.Problems().find("layout.msg"), std::string::npos) << p.Problems();
}

}  // namespace
}  // namespace kv::sinks
