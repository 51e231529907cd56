#include "kube/api_answer.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace kv::kube {
namespace {

http::Response Answer(long status, std::string body = "") {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

struct StatusCase {
  long status;
  std::optional<ErrorCode> code;  // nullopt: success
};

// The whole table of api_answer.h, one row per status the API server sends.
constexpr StatusCase kStatusTable[] = {
    {200, std::nullopt},
    {201, std::nullopt},
    {204, std::nullopt},
    {410, ErrorCode::kGone},  // a compacted resourceVersion or continue token
    {401, ErrorCode::kUnauthorized},
    {403, ErrorCode::kUnauthorized},
    {408, ErrorCode::kUnavailable},
    {429, ErrorCode::kUnavailable},  // API Priority and Fairness
    {500, ErrorCode::kUnavailable},
    {502, ErrorCode::kUnavailable},
    {503, ErrorCode::kUnavailable},
    {504, ErrorCode::kUnavailable},
    {0, ErrorCode::kUnavailable},  // an ERROR frame without a code
    {301, ErrorCode::kRejected},
    {400, ErrorCode::kRejected},
    {404, ErrorCode::kRejected},  // e.g. events.k8s.io/v1 not served
    {405, ErrorCode::kRejected},
    {409, ErrorCode::kRejected},
    {422, ErrorCode::kRejected},
};

TEST(ApiAnswer, EachStatusMapsToItsRowOfTheTable) {
  for (const StatusCase& c : kStatusTable) {
    EXPECT_EQ(ClassifyStatus(c.status), c.code) << "status " << c.status;
    auto checked = CheckAnswer(Answer(c.status), "cannot list events");
    if (!c.code) {
      EXPECT_TRUE(checked.has_value()) << "status " << c.status;
      continue;
    }
    ASSERT_FALSE(checked.has_value()) << "status " << c.status;
    EXPECT_EQ(checked.error().code, *c.code) << "status " << c.status;
    EXPECT_EQ(checked.error().http_status, static_cast<int>(c.status));
  }
}

TEST(ApiAnswer, TransportFailureKeepsTheClientsCode) {
  Result<http::Response> refused = Fail(ErrorCode::kUnavailable, "connection refused");
  auto checked = CheckAnswer(refused, "cannot list events from https://k8s:6443");
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(checked.error().message,
            "cannot list events from https://k8s:6443: connection refused");
  EXPECT_EQ(checked.error().http_status, 0);

  Result<http::Response> no_token = Fail(ErrorCode::kIo, "cannot read token file");
  EXPECT_EQ(CheckAnswer(no_token, "x").error().code, ErrorCode::kIo);
}

TEST(ApiAnswer, TheMessageCarriesTheServersStatus) {
  auto checked = CheckAnswer(
      Answer(403, R"({"kind":"Status","apiVersion":"v1","status":"Failure",)"
                  R"("message":"events is forbidden: User \"x\" cannot list resource \"events\"",)"
                  R"("reason":"Forbidden","code":403})"),
      "cannot list events from https://k8s:6443");
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error().message,
            "cannot list events from https://k8s:6443: 403 Forbidden: events is forbidden: User "
            "\"x\" cannot list resource \"events\"");
}

}  // namespace
}  // namespace kv::kube
