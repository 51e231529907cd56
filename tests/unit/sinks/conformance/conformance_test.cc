// Receiver conformance: every shipped kind of sinks::ReceiverKinds(), built
// from its config block exactly as `run` builds it, against a scripted peer
// (peer.h) that answers in the kind's protocol (kinds.cc). Each TEST_P runs
// for every kind it applies to; a case that cannot apply to a kind skips
// with the entry's reason. Every case ends by checking that no outcome's
// reason holds a secret of the config (all contain "s3cr3t") or a request's
// Authorization header.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "../../support/temp_dir.h"
#include "delivery/options.h"
#include "kinds.h"
#include "peer.h"
#include "sinks/common/aws_access.h"
#include "sinks/registry.h"
#include "util/clock.h"

namespace kv::conformance {
namespace {

using sinks::SendOutcome;
using sinks::Verdict;

constexpr std::string_view kSecretMark = "s3cr3t";

// Static AWS credentials and no other source (no profile, no IMDS), and no
// proxy between the sinks and the loopback peer.
const bool kEnvironment = [] {
  setenv("AWS_ACCESS_KEY_ID", "AKIDCONFORMANCE0000", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "s3cr3tAwsSecretKeyConformance00000000000", 1);
  setenv("AWS_REGION", "us-east-1", 1);
  setenv("AWS_CONFIG_FILE", "/dev/null", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  for (const char* name :
       {"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    unsetenv(name);
  }
  setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  return true;
}();

// An event whose message ("msg-<uid>", then `pad` bytes) marks it in any
// encoding the kinds use (JSON, form, base64 record data, chat text).
event::EventPtr MakeEvent(const std::string& uid, size_t pad = 0, bool with_owner = true) {
  auto ev = std::make_shared<event::Event>();
  ev->metadata.name = "web-1." + uid;
  ev->metadata.namespace_ = "default";
  ev->metadata.uid = uid;
  ev->metadata.resource_version = "42";
  ev->involved_object.kind = "Pod";
  ev->involved_object.namespace_ = "default";
  ev->involved_object.name = "web-1";
  ev->involved_object.uid = "pod-uid-1";
  if (with_owner) {
    ev->involved_object.owner_references.push_back(
        {"apps/v1", "ReplicaSet", "web", "rs-1", {}, {}});
  }
  ev->reason = "BackOff";
  ev->message = "msg-" + uid + (pad > 0 ? " " + std::string(pad, 'x') : "");
  ev->type = "Warning";
  ev->count = 3;
  ev->cluster_name = "prod";
  ev->source.component = "kubelet";
  return ev;
}

// The verdict the worker reads for each of `n` events.
std::vector<Verdict> PerEvent(const SendOutcome& out, size_t n) {
  if (out.request != Verdict::kDelivered || out.items.empty()) {
    return std::vector<Verdict>(n, out.request);
  }
  return out.items;
}

std::string Name(Verdict v) {
  switch (v) {
    case Verdict::kDelivered:
      return "D";
    case Verdict::kRetry:
      return "Retry";
    case Verdict::kReject:
      return "Reject";
  }
  return "?";
}

std::string Names(const std::vector<Verdict>& vs) {
  std::string s;
  for (Verdict v : vs) s += (s.empty() ? "" : ",") + Name(v);
  return "[" + s + "]";
}

std::string Replace(std::string s, std::string_view from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The peak resident set of this process, in bytes.
size_t PeakRss() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<size_t>(usage.ru_maxrss) * 1024;
}

// GTEST_SKIP returns from the function it is in: a macro, so the test returns.
#define SKIP_WITHOUT_PEER() \
  if (!peer_) GTEST_SKIP() << entry_->kind << " has no peer double: " << entry_->no_peer

class Conformance : public ::testing::TestWithParam<KindEntry> {
 protected:
  void SetUp() override {
    entry_ = &GetParam();
    if (entry_->protocol != nullptr) peer_ = std::make_unique<ScriptedPeer>();
    if (entry_->create_output_first) dir_.Write(std::string(entry_->output_file), "");
  }

  void TearDown() override {
    std::vector<std::string> auth;
    if (peer_) {
      for (const auto& r : peer_->Requests()) {
        if (!r.Header("Authorization").empty()) auth.push_back(r.Header("Authorization"));
      }
    }
    for (const auto& out : outcomes_) {
      std::vector<std::string> reasons = out.item_reasons;
      reasons.push_back(out.reason);
      for (const auto& reason : reasons) {
        EXPECT_EQ(reason.find(kSecretMark), std::string::npos) << "secret in reason: " << reason;
        for (const auto& a : auth) {
          EXPECT_EQ(reason.find(a), std::string::npos) << "credential in reason: " << reason;
        }
      }
    }
  }

  // The kind's block (or `base` instead) with {peer}, {peer_host} and {dir}
  // filled in, and `extra` ("key: value") as its first setting.
  std::string Block(std::string_view extra = {}, std::string_view base = {}) const {
    std::string block(base.empty() ? entry_->block : base);
    if (!extra.empty()) {
      block = block == "{}" ? "{" + std::string(extra) + "}"
                            : "{" + std::string(extra) + ", " + block.substr(1);
    }
    if (peer_) {
      block = Replace(block, "{peer_host}", peer_->HostPort());
      block = Replace(block, "{peer}", peer_->Url());
    }
    return Replace(block, "{dir}", dir_.path().string());
  }

  std::string ReceiverYaml(std::string_view extra = {}, std::string_view base = {}) const {
    return "name: conformance\n" + std::string(entry_->kind) + ": " + Block(extra, base) + "\n";
  }

  // Parses and builds the receiver as `run` does.
  std::unique_ptr<sinks::Sink> Build(std::string_view extra = {}, std::string_view base = {}) {
    auto diag = std::make_shared<config::Diagnostics>();
    sinks::Builder builder =
        sinks::ParseReceiver(config::ParseYaml(ReceiverYaml(extra, base), "r.yaml", diag));
    std::string problems;
    for (const auto& p : diag->problems()) problems += p.ToString() + "\n";
    EXPECT_FALSE(diag->HasErrors()) << problems;
    if (!builder) {
      ADD_FAILURE() << "no builder for " << ReceiverYaml(extra) << problems;
      return nullptr;
    }
    auto sink = builder(sinks::SinkContext{"conformance", &clock_, &aws_});
    if (!sink) {
      ADD_FAILURE() << "build failed: " << sink.error().message;
      return nullptr;
    }
    return std::move(*sink);
  }

  SendOutcome Send(sinks::Sink& sink, const std::vector<event::EventPtr>& batch) {
    SendOutcome out;
    if (entry_->output == LocalOutput::kStdout) {
      // Keep the test's own output clean: the events go to a file.
      std::fflush(stdout);
      int saved = dup(STDOUT_FILENO);
      int fd = open((dir_.path() / "stdout").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      dup2(fd, STDOUT_FILENO);
      close(fd);
      out = sink.Send(batch);
      dup2(saved, STDOUT_FILENO);
      close(saved);
    } else {
      out = sink.Send(batch);
    }
    outcomes_.push_back(out);
    return out;
  }

  // What a local kind wrote.
  std::string LocalOutputText() const {
    if (entry_->output == LocalOutput::kStdout) return ReadFile(dir_.path() / "stdout");
    if (entry_->output == LocalOutput::kFile) return ReadFile(dir_.path() / entry_->output_file);
    return {};
  }

  // The peer answers each event as `fates` says (in the order the events
  // arrive across requests), kOk for the rest.
  void AnswerFates(std::vector<Fate> fates) {
    auto offset = std::make_shared<size_t>(0);
    const Protocol* p = entry_->protocol;
    peer_->Respond([p, fates = std::move(fates), offset](const Recorded& r) {
      size_t n = p->count(r);
      std::vector<Fate> slice;
      for (size_t i = 0; i < n; ++i) {
        slice.push_back(*offset + i < fates.size() ? fates[*offset + i] : Fate::kOk);
      }
      *offset += n;
      return p->answer(r, slice);
    });
  }
  void AcceptAll() { AnswerFates({}); }
  void AnswerEveryRequest(Answer a) {
    peer_->Respond([a](const Recorded&) { return a; });
  }

  // Events the peer received, over all requests.
  size_t EventsReceived() {
    size_t n = 0;
    for (const auto& r : peer_->Requests()) n += entry_->protocol->count(r);
    return n;
  }
  bool PeerGot(const std::string& text) {
    for (const auto& r : peer_->Requests()) {
      if (entry_->protocol->payloads(r).find(text) != std::string::npos) return true;
    }
    return false;
  }

  // Every event of a 3-event batch must end as `expected`.
  void ExpectVerdicts(const SendOutcome& out, const std::vector<Verdict>& expected) {
    EXPECT_EQ(Names(PerEvent(out, expected.size())), Names(expected)) << out.reason;
  }

  void ExpectWholeBatch(const SendOutcome& out, size_t n, Verdict v) {
    EXPECT_EQ(Names(PerEvent(out, n)), Names(std::vector<Verdict>(n, v))) << out.reason;
  }

  const KindEntry* entry_ = nullptr;
  kv::testing::TempDir dir_;
  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1767225600))};
  sinks::common::AwsAccessPool aws_{clock_};
  std::unique_ptr<ScriptedPeer> peer_;
  std::vector<SendOutcome> outcomes_;
};

// ---- config -----------------------------------------------------------------

TEST_P(Conformance, UnknownKeyIsRejectedByName) {
  auto diag = std::make_shared<config::Diagnostics>();
  auto builder =
      sinks::ParseReceiver(config::ParseYaml(ReceiverYaml("bogusKey: 1"), "r.yaml", diag));
  std::string problems;
  for (const auto& p : diag->problems()) problems += p.ToString() + "\n";
  EXPECT_NE(problems.find(std::string(entry_->kind) + ".bogusKey: unknown key"), std::string::npos)
      << problems;
  EXPECT_TRUE(diag->HasErrors());
}

// Every key the kind's parser accepts (every RejectUnknownKeys list under
// the kind's path) is in the kind's section of docs/configuration.md.
TEST_P(Conformance, EveryAcceptedKeyIsDocumented) {
  auto diag = std::make_shared<config::Diagnostics>();
  sinks::ParseReceiver(config::ParseYaml(ReceiverYaml(), "r.yaml", diag));
  std::string doc = ReadFile(KV_DOCS_DIR "/configuration.md");
  ASSERT_FALSE(doc.empty());
  // The section: from the "### " heading naming `kind` to the next heading.
  std::string heading_mark = "`" + std::string(entry_->kind) + "`";
  size_t start = std::string::npos;
  for (size_t at = doc.find("\n### "); at != std::string::npos; at = doc.find("\n### ", at + 1)) {
    size_t eol = doc.find('\n', at + 1);
    if (doc.substr(at, eol - at).find(heading_mark) != std::string::npos) {
      start = at;
      break;
    }
  }
  ASSERT_NE(start, std::string::npos) << "no ### heading names " << heading_mark;
  size_t end = doc.find("\n#", start + 1);
  std::string section = doc.substr(start, end == std::string::npos ? end : end - start);
  size_t checked = 0;
  for (const auto& [path, keys] : diag->known_keys()) {
    if (path != entry_->kind && path.rfind(std::string(entry_->kind) + ".", 0) != 0) continue;
    for (const auto& key : keys) {
      ++checked;
      EXPECT_NE(section.find("`" + key + "`"), std::string::npos)
          << path << "." << key << " is accepted but not documented in its section";
    }
  }
  EXPECT_GT(checked, 0u) << "the parser listed no keys";
}

// ---- batches ------------------------------------------------------------------

TEST_P(Conformance, EmptyBatchSendsNothingAndIsDelivered) {
  if (peer_) AcceptAll();
  auto sink = Build();
  ASSERT_TRUE(sink);
  SendOutcome out = Send(*sink, {});
  EXPECT_EQ(out.request, Verdict::kDelivered) << out.reason;
  EXPECT_TRUE(out.items.empty());
  EXPECT_EQ(out.reason, "") << "a delivered empty batch needs no reason";
  if (peer_) {
    EXPECT_EQ(peer_->Requests().size(), 0u);
  } else {
    EXPECT_EQ(LocalOutputText(), "");
  }
}

TEST_P(Conformance, OneEventIsDeliveredAndTheRequestCarriesIt) {
  if (peer_) AcceptAll();
  auto sink = Build();
  ASSERT_TRUE(sink);
  SendOutcome out = Send(*sink, {MakeEvent("u-1")});
  ExpectWholeBatch(out, 1, Verdict::kDelivered);
  if (peer_) {
    EXPECT_EQ(EventsReceived(), 1u);
    EXPECT_TRUE(PeerGot("msg-u-1"));
  } else {
    EXPECT_NE(LocalOutputText().find("msg-u-1"), std::string::npos);
  }
}

TEST_P(Conformance, FullBatchAtTheKindsLimitsIsDelivered) {
  if (peer_) AcceptAll();
  auto sink = Build();
  ASSERT_TRUE(sink);
  sinks::BatchLimits limits = sink->limits();
  size_t n = limits.max_events;
  // Fill ~90% of max_bytes; a full event without padding encodes to <1 KiB.
  size_t pad = limits.max_bytes * 9 / 10 / n;
  pad = pad > 1024 ? pad - 1024 : 0;
  if (entry_->event_limit > 0) pad = std::min(pad, entry_->event_limit - 2048);
  std::vector<event::EventPtr> batch;
  for (size_t i = 0; i < n; ++i) batch.push_back(MakeEvent("u-" + std::to_string(i), pad));
  SendOutcome out = Send(*sink, batch);
  ExpectWholeBatch(out, n, Verdict::kDelivered);
  if (peer_) {
    EXPECT_EQ(EventsReceived(), n) << peer_->Requests().size() << " requests";
  } else {
    std::string text = LocalOutputText();
    EXPECT_EQ(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')), n);
  }
}

// The batches the worker cuts (delivery::ResolveBatch over the sink's
// limits, with an explicit delivery.batchMaxEvents of 100, which must not
// raise them), sent one after the other: a kind's own batch keys alone set
// how many events each request carries.
TEST_P(Conformance, OwnBatchKeysSetTheEventsPerRequestOnTheWire) {
  if (entry_->own_batch_block.empty()) {
    GTEST_SKIP() << EntryName(*entry_) << " has no batch keys of its own";
  }
  AcceptAll();
  auto sink = Build({}, entry_->own_batch_block);
  ASSERT_TRUE(sink);
  delivery::DeliveryConfig delivery;
  delivery.batch_max_events = 100;
  sinks::BatchLimits limits = delivery::ResolveBatch(delivery, sink->limits());
  EXPECT_EQ(limits.max_events, 3u);
  std::vector<event::EventPtr> events;
  for (int i = 0; i < 7; ++i) events.push_back(MakeEvent("u-" + std::to_string(i)));
  for (size_t at = 0; at < events.size(); at += limits.max_events) {
    std::vector<event::EventPtr> batch(
        events.begin() + static_cast<std::ptrdiff_t>(at),
        events.begin() +
            static_cast<std::ptrdiff_t>(std::min(events.size(), at + limits.max_events)));
    ExpectWholeBatch(Send(*sink, batch), batch.size(), Verdict::kDelivered);
  }
  // A larger batch handed over at once (an older worker, a test) is still
  // cut to the keys' size by the kind itself.
  ExpectWholeBatch(Send(*sink, events), events.size(), Verdict::kDelivered);
  std::vector<size_t> per_request;
  for (const auto& r : peer_->Requests()) per_request.push_back(entry_->protocol->count(r));
  EXPECT_EQ(per_request, (std::vector<size_t>{3, 3, 1, 3, 3, 1}));
  EXPECT_EQ(EventsReceived(), 14u);

  // The entry's own block (more events per request) puts them in one.
  auto wide = Build();
  ASSERT_TRUE(wide);
  ExpectWholeBatch(Send(*wide, events), events.size(), Verdict::kDelivered);
  std::vector<Recorded> all = peer_->Requests();
  ASSERT_EQ(all.size(), per_request.size() + 1);
  EXPECT_EQ(entry_->protocol->count(all.back()), 7u);
}

TEST_P(Conformance, OversizeEventIsRejectedAloneTheRestDelivered) {
  if (entry_->event_limit == 0) {
    GTEST_SKIP() << entry_->kind << " has no per-event size limit";
  }
  AcceptAll();
  auto sink = Build();
  ASSERT_TRUE(sink);
  SendOutcome out = Send(
      *sink, {MakeEvent("u-1"), MakeEvent("u-2", entry_->event_limit + 1024), MakeEvent("u-3")});
  ExpectVerdicts(out, {Verdict::kDelivered, Verdict::kReject, Verdict::kDelivered});
  EXPECT_EQ(EventsReceived(), 2u);
  EXPECT_FALSE(PeerGot("msg-u-2"));
}

TEST_P(Conformance, EventItsTemplateCannotRenderIsRejectedAlone) {
  if (entry_->bad_template.empty()) GTEST_SKIP() << entry_->kind << " has no template";
  if (peer_) AcceptAll();
  auto sink = Build(entry_->bad_template);
  ASSERT_TRUE(sink);
  SendOutcome out =
      Send(*sink, {MakeEvent("u-1"), MakeEvent("u-2", 0, /*with_owner=*/false), MakeEvent("u-3")});
  ExpectVerdicts(out, {Verdict::kDelivered, Verdict::kReject, Verdict::kDelivered});
  if (peer_) {
    EXPECT_EQ(EventsReceived(), 2u);
  } else {
    std::string text = LocalOutputText();
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  }
}

// ---- per-item answers -----------------------------------------------------------

TEST_P(Conformance, ItemThePeerRefusesIsRejectedAloneTheRestDelivered) {
  SKIP_WITHOUT_PEER();
  if (!entry_->protocol->no_item_reject.empty()) {
    GTEST_SKIP() << entry_->protocol->no_item_reject;
  }
  AnswerFates({Fate::kReject, Fate::kOk, Fate::kOk});
  auto sink = Build();
  ASSERT_TRUE(sink);
  SendOutcome out = Send(*sink, {MakeEvent("u-1"), MakeEvent("u-2"), MakeEvent("u-3")});
  ExpectVerdicts(out, {Verdict::kReject, Verdict::kDelivered, Verdict::kDelivered});
}

TEST_P(Conformance, ItemThePeerCannotTakeNowIsRetriedTheRestDelivered) {
  SKIP_WITHOUT_PEER();
  if (!entry_->protocol->no_item_retry.empty()) {
    GTEST_SKIP() << entry_->protocol->no_item_retry;
  }
  AnswerFates({Fate::kOk, Fate::kOk, Fate::kRetry});
  auto sink = Build();
  ASSERT_TRUE(sink);
  SendOutcome out = Send(*sink, {MakeEvent("u-1"), MakeEvent("u-2"), MakeEvent("u-3")});
  ExpectVerdicts(out, {Verdict::kDelivered, Verdict::kDelivered, Verdict::kRetry});
}

// ---- request-level answers ------------------------------------------------------

TEST_P(Conformance, Unauthorized401IsRejected) {
  SKIP_WITHOUT_PEER();
  AnswerEveryRequest(entry_->protocol->error(401));
  auto sink = Build();
  ASSERT_TRUE(sink);
  ExpectWholeBatch(Send(*sink, {MakeEvent("u-1"), MakeEvent("u-2")}), 2, Verdict::kReject);
}

TEST_P(Conformance, Forbidden403IsRejected) {
  SKIP_WITHOUT_PEER();
  AnswerEveryRequest(entry_->protocol->error(403));
  auto sink = Build();
  ASSERT_TRUE(sink);
  ExpectWholeBatch(Send(*sink, {MakeEvent("u-1"), MakeEvent("u-2")}), 2, Verdict::kReject);
}

TEST_P(Conformance, TooManyRequestsIsRetriedAfterTheRetryAfterItGives) {
  SKIP_WITHOUT_PEER();
  Answer a = entry_->protocol->error(429);
  a.headers.push_back({"Retry-After", "7"});
  AnswerEveryRequest(a);
  auto sink = Build();
  ASSERT_TRUE(sink);
  SendOutcome out = Send(*sink, {MakeEvent("u-1"), MakeEvent("u-2")});
  ExpectWholeBatch(out, 2, Verdict::kRetry);
  ASSERT_TRUE(out.retry_after.has_value()) << out.reason;
  EXPECT_EQ(*out.retry_after, std::chrono::seconds(7));
}

TEST_P(Conformance, ServerErrorsAreRetried) {
  SKIP_WITHOUT_PEER();
  for (int status : {500, 502, 503}) {
    AnswerEveryRequest(entry_->protocol->error(status));
    auto sink = Build();
    ASSERT_TRUE(sink);
    SCOPED_TRACE("HTTP " + std::to_string(status));
    ExpectWholeBatch(Send(*sink, {MakeEvent("u-1"), MakeEvent("u-2")}), 2, Verdict::kRetry);
  }
}

TEST_P(Conformance, ConnectionRefusedIsRetried) {
  SKIP_WITHOUT_PEER();
  auto sink = Build();
  ASSERT_TRUE(sink);
  peer_->Stop();
  ExpectWholeBatch(Send(*sink, {MakeEvent("u-1"), MakeEvent("u-2")}), 2, Verdict::kRetry);
}

TEST_P(Conformance, PeerThatNeverAnswersIsRetriedWithinTheTimeout) {
  SKIP_WITHOUT_PEER();
  if (!entry_->no_timeout.empty()) GTEST_SKIP() << entry_->no_timeout;
  Answer hang;
  hang.hang = true;
  AnswerEveryRequest(hang);
  auto sink = Build();
  ASSERT_TRUE(sink);
  // With timeoutSeconds: 1 in the entry's block the send returns after
  // about a second (the test asserts no time, only that it returns, as a
  // retry whose reason says why).
  SendOutcome out = Send(*sink, {MakeEvent("u-1")});
  ExpectWholeBatch(out, 1, Verdict::kRetry);
  EXPECT_FALSE(out.reason.empty());
}

TEST_P(Conformance, HugeAnswerBodyKeepsMemoryBounded) {
  SKIP_WITHOUT_PEER();
  Answer huge;
  huge.status = 503;
  huge.content_type = "text/plain";
  huge.stream_bytes = size_t{64} << 20;
  AnswerEveryRequest(huge);
  auto sink = Build();
  ASSERT_TRUE(sink);
  size_t before = PeakRss();
  SendOutcome out = Send(*sink, {MakeEvent("u-1")});
  size_t grew = PeakRss() - before;
  ExpectWholeBatch(out, 1, Verdict::kRetry);
#ifndef __SANITIZE_ADDRESS__  // ASan's quarantine and shadow memory add tens of MiB
  EXPECT_LT(grew, size_t{24} << 20) << "the 64 MiB answer was kept";
#else
  (void)grew;
#endif
  EXPECT_LT(out.reason.size(), 4096u);
}

// ---- idempotency -----------------------------------------------------------------

TEST_P(Conformance, IdempotencyKeyIsOnTheWire) {
  SKIP_WITHOUT_PEER();
  if (entry_->key_on_wire == nullptr) GTEST_SKIP() << entry_->no_key;
  AcceptAll();
  auto sink = Build();
  ASSERT_TRUE(sink);
  std::vector<event::EventPtr> batch{MakeEvent("u-1"), MakeEvent("u-2")};
  ExpectWholeBatch(Send(*sink, batch), 2, Verdict::kDelivered);
  for (const auto& ev : batch) {
    bool found = false;
    for (const auto& r : peer_->Requests()) found |= entry_->key_on_wire(r, *ev);
    EXPECT_TRUE(found) << ev->IdempotencyKey() << " is not on the wire";
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, Conformance, ::testing::ValuesIn(KindEntries()),
                         [](const ::testing::TestParamInfo<KindEntry>& info) {
                           return EntryName(info.param);
                         });

// ---- the table itself --------------------------------------------------------------

TEST(ConformanceTable, EveryShippedKindHasAnEntry) {
  for (const auto& kind : ShippedKinds()) {
    auto entries = KindEntries();
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const KindEntry& e) { return e.kind == kind; });
    EXPECT_NE(it, entries.end()) << "receiver kind '" << kind
                                 << "' ships without a conformance entry (kinds.cc)";
  }
}

TEST(ConformanceTable, EveryEntryIsAShippedKindAndSaysWhyItLacksAPeer) {
  auto shipped = ShippedKinds();
  for (const auto& e : KindEntries()) {
    EXPECT_NE(std::find(shipped.begin(), shipped.end(), e.kind), shipped.end())
        << e.kind << " is not a shipped kind";
    if (e.protocol == nullptr) {
      EXPECT_FALSE(e.no_peer.empty()) << e.kind << ": no peer double and no reason";
      EXPECT_NE(e.output, LocalOutput::kNone) << e.kind;
    }
  }
}

}  // namespace
}  // namespace kv::conformance
