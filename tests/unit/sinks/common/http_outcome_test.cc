#include "sinks/common/http_outcome.h"

#include <gtest/gtest.h>

namespace kv::sinks::common {
namespace {

http::Response Answer(long status, std::vector<std::pair<std::string, std::string>> headers) {
  http::Response r;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

TEST(RetryAfter, DeltaSecondsNeedNoClock) {
  auto r = Answer(429, {{"retry-after", " 30 "}});
  EXPECT_EQ(RetryAfter(r), std::chrono::seconds(30));
  EXPECT_EQ(RetryAfter(Answer(429, {{"retry-after", "-5"}})), std::chrono::seconds(0));
}

TEST(RetryAfter, ADateIsMeasuredOnThePeersOwnClock) {
  // The peer's clock may be far from ours: only the difference between its
  // two headers counts.
  auto r = Answer(503, {{"date", "Sun, 06 Nov 1994 08:49:37 GMT"},
                        {"retry-after", "Sun, 06 Nov 1994 08:51:07 GMT"}});
  EXPECT_EQ(RetryAfter(r), std::chrono::seconds(90));
  auto past = Answer(503, {{"date", "Sun, 06 Nov 1994 08:49:37 GMT"},
                           {"retry-after", "Sun, 06 Nov 1994 08:00:00 GMT"}});
  EXPECT_EQ(RetryAfter(past), std::chrono::seconds(0));
}

TEST(RetryAfter, ADateWithoutTheAnswersDateOrGarbageIsIgnored) {
  EXPECT_FALSE(RetryAfter(Answer(503, {{"retry-after", "Sun, 06 Nov 1994 08:51:07 GMT"}})));
  EXPECT_FALSE(RetryAfter(Answer(503, {{"retry-after", "soon"}})));
  EXPECT_FALSE(RetryAfter(Answer(503, {})));
}

TEST(ClassifyHttp, TheBodyIsQuotedOnOneLineAndAnHtmlPageByItsTitle) {
  http::Response text = Answer(503, {});
  text.body = "upstream\r\n  unavailable";
  EXPECT_EQ(ClassifyHttp(text, "POST http://peer/x").reason,
            "POST http://peer/x: HTTP 503: upstream unavailable");
  http::Response page = Answer(502, {});
  page.body =
      "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad "
      "Gateway</h1></center><hr><center>nginx</center></body></html>\r\n";
  SendOutcome out = ClassifyHttp(page, "POST http://peer/x");
  EXPECT_EQ(out.request, Verdict::kRetry);
  EXPECT_EQ(out.reason, "POST http://peer/x: HTTP 502 (HTML page: 502 Bad Gateway)");
  page.status = 401;
  EXPECT_EQ(ClassifyHttp(page, "POST http://peer/x").reason,
            "POST http://peer/x: HTTP 401 (HTML page: 502 Bad Gateway) (authentication or "
            "authorization failed)");
}

TEST(ClassifyHttp, ThrottlingKeepsTheRetryAfter) {
  SendOutcome out = ClassifyHttp(Answer(429, {{"retry-after", "12"}}), "POST http://peer/x");
  EXPECT_EQ(out.request, Verdict::kRetry);
  EXPECT_EQ(out.retry_after, std::chrono::seconds(12));
}

}  // namespace
}  // namespace kv::sinks::common
