#include "http/client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <string>
#include <thread>

namespace kv::http {
namespace {

// A loopback server whose /big answers `status` with `bytes` bytes of 'x',
// streamed in 64 KiB pieces (never held whole by the server either).
class BigAnswerServer {
 public:
  BigAnswerServer(int status, size_t bytes) {
    server_.Get("/big", [status, bytes](const httplib::Request&, httplib::Response& res) {
      res.status = status;
      res.set_content_provider(bytes, "text/plain",
                               [](size_t offset, size_t length, httplib::DataSink& sink) {
                                 (void)offset;
                                 static const std::string piece(64 << 10, 'x');
                                 return sink.write(piece.data(), std::min(length, piece.size()));
                               });
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~BigAnswerServer() {
    server_.stop();
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/big"; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

Request Get(const std::string& url) {
  Request r;
  r.url = url;
  r.timeout = std::chrono::seconds(20);
  return r;
}

TEST(HttpClient, CappedClientKeepsTheFirstBytesAndCountsTheRest) {
  BigAnswerServer server(503, size_t{8} << 20);
  Client client(kClassifyBodyBytes);
  auto response = client.Do(Get(server.Url()), {});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body.size(), kClassifyBodyBytes);
  // The transfer stopped at the first piece past the cap: the rest of the
  // 8 MiB was never read.
  EXPECT_GT(response->body_bytes_dropped, 0u);
  EXPECT_LT(response->body_bytes_dropped, (size_t{8} << 20) - kClassifyBodyBytes);
  EXPECT_EQ(response->body.find_first_not_of('x'), std::string::npos);
  // The next request on the same client works (a new connection).
  auto again = client.Do(Get(server.Url()), {});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->status, 503);
}

TEST(HttpClient, AnAbortedClientFailsItsRequestsAtOnce) {
  BigAnswerServer server(200, 1000);
  Client client(kClassifyBodyBytes);
  client.Abort();
  auto response = client.Do(Get(server.Url()), {});
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(response.error().message.find("aborted"), std::string::npos);
}

TEST(HttpClient, CappedClientKeepsASmallBodyWhole) {
  BigAnswerServer server(200, 1000);
  Client client(kClassifyBodyBytes);
  auto response = client.Do(Get(server.Url()), {});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body.size(), 1000u);
  EXPECT_EQ(response->body_bytes_dropped, 0u);
}

TEST(HttpClient, CapIsPerRequestNotPerClient) {
  BigAnswerServer server(200, 3000);
  Client client(2048);
  for (int i = 0; i < 2; ++i) {
    auto response = client.Do(Get(server.Url()), {});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body.size(), 2048u);
    EXPECT_EQ(response->body_bytes_dropped, 952u);  // one piece: the cap falls inside it
  }
}

TEST(HttpClient, DefaultClientKeepsTheWholeBody) {
  BigAnswerServer server(200, size_t{3} << 20);
  Client client;
  auto response = client.Do(Get(server.Url()), {});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body.size(), size_t{3} << 20);
  EXPECT_EQ(response->body_bytes_dropped, 0u);
}

TEST(HttpClient, StreamCapsANon2xxBodyOnly) {
  BigAnswerServer server(500, size_t{2} << 20);
  Client client(4096);
  size_t streamed = 0;
  auto response = client.Stream(
      Get(server.Url()), {},
      [&](std::string_view chunk) {
        streamed += chunk.size();
        return true;
      },
      [] { return false; });
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(streamed, 0u);
  EXPECT_EQ(response->body.size(), 4096u);
  EXPECT_GT(response->body_bytes_dropped, 0u);
  EXPECT_LT(response->body_bytes_dropped, (size_t{2} << 20) - 4096);
}

}  // namespace
}  // namespace kv::http
