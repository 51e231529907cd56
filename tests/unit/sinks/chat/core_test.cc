#include <gtest/gtest.h>

#include "local_server.h"
#include "sinks/chat/http_target.h"
#include "sinks/chat/per_event_sink.h"
#include "sinks/chat/send.h"
#include "tmpl/event_value.h"

namespace kv::sinks::chat {
namespace {

TEST(ChatText, ShortTextIsKept) { EXPECT_EQ(TruncateCodePoints("héllo", 5), "héllo"); }

TEST(ChatText, LongTextKeepsMaxMinusOneCodePointsAndAnEllipsis) {
  EXPECT_EQ(TruncateCodePoints("abcdef", 4), "abc\xE2\x80\xA6");
  // Multi-byte code points are never split.
  EXPECT_EQ(TruncateCodePoints("ééééé", 3), "éé\xE2\x80\xA6");
  EXPECT_EQ(TruncateCodePoints("abc", 0), "");
}

TEST(ChatText, DefaultTextNamesClusterReasonObjectAndMessage) {
  auto t = tmpl::Template::Parse(kDefaultText);
  ASSERT_TRUE(t);
  auto ev = kv::testing::MakeEvent();
  EXPECT_EQ(*t->Execute(tmpl::EventToValue(ev)),
            "[prod] Warning BackOff Pod default/web-1: Back-off restarting failed container");
  auto bare = std::make_shared<event::Event>(*ev);
  bare->cluster_name.clear();
  bare->involved_object.namespace_.clear();
  bare->involved_object.kind = "Node";
  EXPECT_EQ(*t->Execute(tmpl::EventToValue(bare)),
            "Warning BackOff Node web-1: Back-off restarting failed container");
}

TEST(ChatUrl, RedactionKeepsSchemeAndHostOnly) {
  EXPECT_EQ(RedactUrl("https://hooks.slack.com/services/T0/B0/SECRET"),
            "https://hooks.slack.com/...");
  EXPECT_EQ(RedactUrl("https://user:pw@h:8443?token=x"), "https://h:8443/...");
  EXPECT_EQ(RedactUrl("http://h:80"), "http://h:80");
}

TEST(ChatHeaders, ValuesAreTemplatesAndBrokenOnesAreSentAsWritten) {
  kv::testing::Block b("headers: {X-Team: '{{ .InvolvedObject.Labels.team }}', X-Raw: 'a {{ b'}\n");
  auto headers = ParseHeaders(b.node, "headers");
  EXPECT_FALSE(b.HasErrors()) << b.Problems();
  EXPECT_NE(b.Problems().find("sent as written"), std::string::npos) << b.Problems();
  auto rendered = RenderHeaders(headers, tmpl::EventToValue(kv::testing::MakeEvent()));
  ASSERT_EQ(rendered.size(), 2u);
  EXPECT_EQ(rendered[0], (std::pair<std::string, std::string>{"X-Team", "payments"}));
  EXPECT_EQ(rendered[1], (std::pair<std::string, std::string>{"X-Raw", "a {{ b"}));
}

TEST(ChatTls, KeyFileWithoutCertFileIsAnError) {
  kv::testing::Block b("tls: {keyFile: /k}\n");
  common::ParseTls(b.node);
  EXPECT_NE(b.Problems().find("tls.keyFile: configured keyFile but forgot certFile"),
            std::string::npos)
      << b.Problems();
}

TEST(ChatTls, VerificationIsOnByDefault) {
  kv::testing::Block b("tls: {caFile: /ca}\n");
  http::TlsOptions tls = common::ParseTls(b.node);
  EXPECT_FALSE(tls.insecure_skip_verify);
  EXPECT_EQ(tls.ca_file, "/ca");
}

// SendPlanned with a scripted transport: the folding rules of send.h.
struct Scripted {
  std::vector<long> statuses;
  size_t calls = 0;
  Transport transport() {
    return [this](const http::Request&) -> Result<http::Response> {
      long s = statuses.at(calls++);
      if (s == 0) return Fail(ErrorCode::kUnavailable, "connection refused");
      http::Response r;
      r.status = s;
      if (s == 503) r.headers = {{"retry-after", "7"}};
      return r;
    };
  }
};

std::vector<PlannedRequest> OnePerItem(size_t n) {
  std::vector<PlannedRequest> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].items = {i};
    out[i].what = "POST http://h/...";
  }
  return out;
}

TEST(SendPlanned, AllDeliveredIsOneVerdict) {
  Scripted s{{200, 202}};
  auto reqs = OnePerItem(2);
  SendOutcome out = SendPlanned(reqs, std::vector<Verdict>(2, Verdict::kDelivered), "",
                                s.transport(), &ClassifyHttpDefault);
  EXPECT_EQ(out.request, Verdict::kDelivered);
  EXPECT_TRUE(out.items.empty());
}

TEST(SendPlanned, RetryStopsTheSequenceAndKeepsRetryAfter) {
  Scripted s{{200, 503}};
  auto reqs = OnePerItem(3);
  SendOutcome out = SendPlanned(reqs, std::vector<Verdict>(3, Verdict::kDelivered), "",
                                s.transport(), &ClassifyHttpDefault);
  EXPECT_EQ(s.calls, 2u);  // the third event is not sent to a peer that said 503
  EXPECT_EQ(out.items,
            (std::vector<Verdict>{Verdict::kDelivered, Verdict::kRetry, Verdict::kRetry}));
  ASSERT_TRUE(out.retry_after);
  EXPECT_EQ(out.retry_after->count(), 7);
  EXPECT_NE(out.reason.find("HTTP 503"), std::string::npos);
}

TEST(SendPlanned, RejectSettlesOnlyItsEventAndTheRestGoOn) {
  Scripted s{{400, 200, 0}};
  auto reqs = OnePerItem(3);
  SendOutcome out = SendPlanned(reqs, std::vector<Verdict>(3, Verdict::kDelivered), "",
                                s.transport(), &ClassifyHttpDefault);
  EXPECT_EQ(out.items,
            (std::vector<Verdict>{Verdict::kReject, Verdict::kDelivered, Verdict::kRetry}));
  EXPECT_NE(out.reason.find("connection refused"), std::string::npos) << out.reason;
}

TEST(SendPlanned, EventsTheCallerRejectedAreNotSent) {
  Scripted s{{200}};
  std::vector<PlannedRequest> reqs(1);
  reqs[0].items = {1};
  SendOutcome out = SendPlanned(reqs, {Verdict::kReject, Verdict::kDelivered}, "layout: boom",
                                s.transport(), &ClassifyHttpDefault);
  EXPECT_EQ(out.items, (std::vector<Verdict>{Verdict::kReject, Verdict::kDelivered}));
  EXPECT_EQ(out.reason, "layout: boom");
}

TEST(PerEventSink, SendsOneRequestPerEventToARealServer) {
  kv::testing::LocalServer server;
  std::string url = server.Url("/hook/SECRET");
  BuildRequest build = [url](const event::EventPtr& ev) -> Result<http::Request> {
    if (ev->reason.empty()) return Fail(ErrorCode::kInvalidConfig, "no reason");
    http::Request r;
    r.method = "POST";
    r.url = url;
    r.body = ev->reason;
    return r;
  };
  PerEventSink sink(build, &ClassifyHttpDefault, {});
  auto a = kv::testing::MakeEvent();
  auto b = std::make_shared<event::Event>(*a);
  b->reason.clear();
  std::vector<event::EventPtr> batch{a, b, a};
  server.Script({{200, "ok"}, {500, "boom"}});
  SendOutcome out = sink.Send(batch);
  EXPECT_EQ(out.items,
            (std::vector<Verdict>{Verdict::kDelivered, Verdict::kReject, Verdict::kRetry}));
  EXPECT_EQ(out.reason.find("SECRET"), std::string::npos) << out.reason;
  EXPECT_EQ(server.Requests().size(), 2u);
}

}  // namespace
}  // namespace kv::sinks::chat
