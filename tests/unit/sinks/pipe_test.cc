#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../support/temp_dir.h"
#include "sinks/pipe/sink.h"
#include "util/files.h"

namespace kv::sinks::pipe {
namespace {

using namespace std::chrono_literals;

std::vector<event::EventPtr> Events(size_t n, size_t message_bytes = 500) {
  std::vector<event::EventPtr> out;
  for (size_t i = 0; i < n; ++i) {
    auto ev = std::make_shared<event::Event>();
    ev->metadata.uid = "uid-" + std::to_string(i);
    ev->message = std::string(message_bytes, 'm');
    out.push_back(ev);
  }
  return out;
}

// The uids of the whole JSON lines in `text`, and how many lines are not.
struct Lines {
  std::vector<std::string> uids;
  size_t broken = 0;
};
Lines ReadLines(const std::string& text) {
  Lines out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string line = text.substr(start, nl - start);
    size_t at = line.find("\"uid\":\"");
    if (line.empty() || line.front() != '{' || line.back() != '}' || at == std::string::npos) {
      ++out.broken;
      continue;
    }
    at += 7;
    out.uids.push_back(line.substr(at, line.find('"', at) - at));
  }
  EXPECT_EQ(start, text.size()) << "the text ends inside a line";
  return out;
}

std::vector<std::string> Uids(size_t from, size_t to) {
  std::vector<std::string> out;
  for (size_t i = from; i < to; ++i) out.push_back("uid-" + std::to_string(i));
  return out;
}

// Everything readable now from a non-blocking `fd`.
std::string Drain(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

// The events of `batch` that `out` says to send again.
std::vector<event::EventPtr> Retried(const std::vector<event::EventPtr>& batch,
                                     const SendOutcome& out) {
  if (out.request == Verdict::kRetry) return batch;
  std::vector<event::EventPtr> again;
  for (size_t i = 0; i < out.items.size(); ++i) {
    if (out.items[i] == Verdict::kRetry) again.push_back(batch[i]);
  }
  return again;
}

class PipeSinkTest : public ::testing::Test {
 protected:
  PipeSinkTest() {
    // As kubevents does process-wide: a reader that goes away is EPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    fifo_ = (dir_.path() / "fifo").string();
    EXPECT_EQ(::mkfifo(fifo_.c_str(), 0600), 0);
  }
  ~PipeSinkTest() override {
    if (reader_ >= 0) ::close(reader_);
  }
  // A reader that holds the FIFO open without reading; the pipe holds one
  // page, so a batch soon fills it.
  void OpenIdleReader() {
    reader_ = ::open(fifo_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    ASSERT_GE(reader_, 0);
    ASSERT_GT(::fcntl(reader_, F_SETPIPE_SZ, 4096), 0);
  }

  testing::TempDir dir_;
  std::string fifo_;
  int reader_ = -1;
};

TEST_F(PipeSinkTest, AFifoWithoutAReaderIsARetryNotAHang) {
  auto sink = MakeSink(fifo_, {}, 50ms);
  auto out = sink->Send(Events(1));
  EXPECT_EQ(out.request, Verdict::kRetry);
  EXPECT_NE(out.reason.find("no reader on the FIFO"), std::string::npos) << out.reason;
}

TEST_F(PipeSinkTest, ARegularFileAndACharacterDeviceAreWrittenWhole) {
  auto file = dir_.Write("out.log", "");
  auto sink = MakeSink(file.string(), {});
  auto out = sink->Send(Events(3));
  EXPECT_EQ(out.request, Verdict::kDelivered) << out.reason;
  EXPECT_TRUE(out.items.empty());
  sink->Close();
  auto text = files::Read(file);
  ASSERT_TRUE(text.has_value());
  auto lines = ReadLines(*text);
  EXPECT_EQ(lines.uids, Uids(0, 3));
  EXPECT_EQ(lines.broken, 0u);

  auto null_sink = MakeSink("/dev/null", {});
  EXPECT_EQ(null_sink->Send(Events(3)).request, Verdict::kDelivered);
}

// The reader takes nothing: what fits is delivered, the rest retried at
// the deadline. The line cut there is ended by a newline before the next
// batch, so the retried events arrive on whole lines.
TEST_F(PipeSinkTest, AReaderThatTakesNothingGetsWhatFitsAndTheRestIsRetried) {
  OpenIdleReader();
  auto sink = MakeSink(fifo_, {}, 20ms);
  auto batch = Events(20);
  auto out = sink->Send(batch);
  ASSERT_EQ(out.request, Verdict::kDelivered);
  ASSERT_EQ(out.items.size(), 20u);
  size_t delivered = 0;
  while (delivered < 20 && out.items[delivered] == Verdict::kDelivered) ++delivered;
  EXPECT_GT(delivered, 0u);
  EXPECT_LT(delivered, 20u);
  for (size_t i = delivered; i < 20; ++i) {
    EXPECT_EQ(out.items[i], Verdict::kRetry) << i;
    EXPECT_NE(out.item_reasons[i].find("took nothing"), std::string::npos) << out.item_reasons[i];
  }
  std::string got = Drain(reader_);
  // Send what is left and drain, until all is written: a few rounds, as
  // the pipe holds 4 KiB.
  std::vector<event::EventPtr> rest = Retried(batch, out);
  size_t rounds = 1;
  for (; !rest.empty() && rounds < 100; ++rounds) {
    auto again = sink->Send(rest);
    got += Drain(reader_);
    rest = Retried(rest, again);
  }
  EXPECT_TRUE(rest.empty());
  auto lines = ReadLines(got);
  EXPECT_EQ(lines.uids, Uids(0, 20));
  // At most one fragment per send that ran out of time mid-line: the
  // next send ends it with a newline.
  EXPECT_LE(lines.broken, rounds);
}

// A reader that takes a little at a time: the writer waits for room with
// poll() and the whole batch arrives in order.
TEST_F(PipeSinkTest, ASlowReaderGetsTheWholeBatch) {
  OpenIdleReader();
  ::fcntl(reader_, F_SETFL, 0);  // blocking reads in the reader thread
  // A FIFO without a writer reads as ended: hold one until the sink is done.
  int writer = ::open(fifo_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(writer, 0);
  std::string got;
  std::thread reader([&] {
    char buf[256];
    for (ssize_t n; (n = ::read(reader_, buf, sizeof buf)) > 0;) {
      got.append(buf, static_cast<size_t>(n));
    }
  });
  auto sink = MakeSink(fifo_, {}, 10s);  // a bound, never reached while the reader reads
  auto out = sink->Send(Events(200));
  EXPECT_EQ(out.request, Verdict::kDelivered) << out.reason;
  EXPECT_TRUE(out.items.empty()) << out.reason;
  sink->Close();
  ::close(writer);  // EOF for the reader
  reader.join();
  auto lines = ReadLines(got);
  EXPECT_EQ(lines.uids, Uids(0, 200));
  EXPECT_EQ(lines.broken, 0u);
}

// EPIPE: the batch is retried and the FIFO reopened at the next attempt,
// which finds no reader until a new one comes.
TEST_F(PipeSinkTest, AReaderThatGoesAwayIsARetryAndTheFifoIsReopened) {
  OpenIdleReader();
  auto sink = MakeSink(fifo_, {}, 50ms);
  EXPECT_EQ(sink->Send(Events(1)).request, Verdict::kDelivered);
  ::close(reader_);
  reader_ = -1;
  auto gone = sink->Send(Events(1));
  EXPECT_EQ(gone.request, Verdict::kRetry);
  EXPECT_NE(gone.reason.find("Broken pipe"), std::string::npos) << gone.reason;
  auto none = sink->Send(Events(1));
  EXPECT_EQ(none.request, Verdict::kRetry);
  EXPECT_NE(none.reason.find("no reader on the FIFO"), std::string::npos) << none.reason;
  OpenIdleReader();
  EXPECT_EQ(sink->Send(Events(2)).request, Verdict::kDelivered);
  auto lines = ReadLines(Drain(reader_));
  EXPECT_EQ(lines.uids, Uids(0, 2));
  EXPECT_EQ(lines.broken, 0u);
}

}  // namespace
}  // namespace kv::sinks::pipe
