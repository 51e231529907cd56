#include "sinks/file/rotating_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "../support/temp_dir.h"
#include "util/files.h"

namespace kv::sinks::file {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(RotatingWriter, AppendsUntilTheSizeLimitThenRotatesWithATimestampedName) {
  kv::testing::TempDir dir;
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::milliseconds(1709210096123)));
  RotatingWriter w(dir.path() / "events.log", {.max_bytes = 10}, clock);
  ASSERT_TRUE(w.Write("12345\n"));
  ASSERT_TRUE(w.Write("abc\n"));  // 10 bytes: fits exactly
  ASSERT_TRUE(w.Write("next\n"));
  EXPECT_EQ(Names(dir.path()),
            (std::vector<std::string>{"events-2024-02-29T12-34-56.123.log", "events.log"}));
  EXPECT_EQ(*files::Read(dir.path() / "events.log"), "next\n");
  EXPECT_EQ(*files::Read(dir.path() / "events-2024-02-29T12-34-56.123.log"), "12345\nabc\n");
}

TEST(RotatingWriter, AFifoWithoutAReaderFailsAtOnceInsteadOfBlocking) {
  kv::testing::TempDir dir;
  FakeClock clock;
  ASSERT_EQ(::mkfifo((dir.path() / "fifo").c_str(), 0600), 0);
  RotatingWriter w(dir.path() / "fifo", {}, clock);
  auto r = w.Write("line\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("no reader on the FIFO"), std::string::npos)
      << r.error().message;
}

TEST(RotatingWriter, KeepsOnlyMaxBackups) {
  kv::testing::TempDir dir;
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1709210096)));
  RotatingWriter w(dir.path() / "e.log", {.max_bytes = 4, .max_backups = 2}, clock);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(w.Write("abc\n"));
    clock.Advance(std::chrono::seconds(1));
  }
  EXPECT_EQ(Names(dir.path()).size(), 3u);  // e.log + 2 backups
}

TEST(RotatingWriter, RemovesBackupsOlderThanMaxAge) {
  kv::testing::TempDir dir;
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1709210096)));
  RotatingWriter w(dir.path() / "e.log", {.max_bytes = 4, .max_age = std::chrono::hours(24)},
                   clock);
  ASSERT_TRUE(w.Write("abc\n"));
  ASSERT_TRUE(w.Write("abc\n"));  // backup 1 at t0
  clock.Advance(std::chrono::hours(48));
  ASSERT_TRUE(w.Write("abc\n"));  // backup 2 at t0+48h; backup 1 is too old
  auto names = Names(dir.path());
  EXPECT_EQ(names.size(), 2u);
}

TEST(RotatingWriter, ResumesTheSizeOfAnExistingFile) {
  kv::testing::TempDir dir;
  dir.Write("e.log", "12345678\n");
  FakeClock clock;
  RotatingWriter w(dir.path() / "e.log", {.max_bytes = 10}, clock);
  ASSERT_TRUE(w.Write("abc\n"));
  EXPECT_EQ(Names(dir.path()).size(), 2u);
}

TEST(RotatingWriter, NeverRotatesSomethingThatIsNotARegularFile) {
  FakeClock clock;
  RotatingWriter w("/dev/null", {.max_bytes = 1}, clock);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(w.Write("more than one byte\n"));
  EXPECT_FALSE(w.rotatable());
  EXPECT_TRUE(fs::exists("/dev/null"));
}

TEST(RotatingWriter, CreatesMissingParentFolders) {
  kv::testing::TempDir dir;
  FakeClock clock;
  RotatingWriter w(dir.path() / "a/b/e.log", {}, clock);
  ASSERT_TRUE(w.Write("x\n"));
  EXPECT_EQ(*files::Read(dir.path() / "a/b/e.log"), "x\n");
}

}  // namespace
}  // namespace kv::sinks::file
