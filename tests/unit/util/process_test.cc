#include "util/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <thread>

#include "../support/temp_dir.h"

namespace kv::process {
namespace {

TEST(Run, CapturesStdoutStderrAndExitCode) {
  auto out =
      process::Run({"sh", "-c", "echo out; echo err >&2; exit 3"}, {}, std::chrono::seconds(10));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->out, "out\n");
  EXPECT_EQ(out->err, "err\n");
  EXPECT_EQ(out->exit_code, 3);
}

TEST(Run, PassesExtraEnvironment) {
  auto out = process::Run({"sh", "-c", "printf %s \"$KV_TEST_VAR\""}, {{"KV_TEST_VAR", "v a l"}},
                          std::chrono::seconds(10));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->out, "v a l");
}

TEST(Run, MissingProgramIsAnError) {
  auto out = process::Run({"/nonexistent/kubevents-helper"}, {}, std::chrono::seconds(10));
  EXPECT_FALSE(out);
}

TEST(Run, KillsAProgramThatOutlivesTheTimeout) {
  auto out = process::Run({"sleep", "30"}, {}, std::chrono::milliseconds(200));
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("did not finish"), std::string::npos);
}

// kubevents blocks signals in its threads (for its signal thread) and
// ignores SIGPIPE; the helper gets neither.
TEST(Run, TheChildStartsWithNoBlockedOrIgnoredSignals) {
  sigset_t block;
  sigemptyset(&block);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCHLD}) sigaddset(&block, sig);
  sigset_t before;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &block, &before), 0);
  auto old_pipe = std::signal(SIGPIPE, SIG_IGN);
  auto out = process::Run({"grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"}, {},
                          std::chrono::seconds(10));
  std::signal(SIGPIPE, old_pipe);
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->out.rfind("SigBlk:\t0000000000000000\nSigIgn:\t", 0), 0u) << out->out;
  uint64_t ignored = std::stoull(out->out.substr(out->out.rfind('\t') + 1), nullptr, 16);
  // Signals 1-31; glibc's posix_spawn leaves its own two internal
  // real-time signals (32, 33) ignored, which no program uses.
  EXPECT_EQ(ignored & 0x7fffffffu, 0u) << out->out;
}

// Whether `pid` is gone within about 5 s (a bound for a broken kill, not
// a timing claim); kills it if not. Gone: reaped here (it was reparented
// to this subreaper) or already reaped by the shell, which waits for any
// child and may reap it before the kill reaches the shell itself.
bool Gone(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return true;
    if (kill(pid, 0) != 0 && errno == ESRCH) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return false;
}

// A timeout kills the helper's whole process group: a background job it
// started (which also holds its stdout open) goes too.
TEST(Run, ATimeoutKillsWhatTheHelperStartedToo) {
  kv::testing::TempDir dir;
  auto pid_file = dir.path() / "grandchild.pid";
  // Orphans become this process's children, so the test can reap the
  // grandchild and see that it is gone.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  auto out =
      process::Run({"sh", "-c", "sleep 1000 & echo $! > " + pid_file.string() + "; sleep 1000"}, {},
                   std::chrono::milliseconds(200));
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("did not finish"), std::string::npos);
  pid_t grandchild = 0;
  std::ifstream(pid_file) >> grandchild;
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(Gone(grandchild)) << "the background sleep outlived the timeout";
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }  // the foreground sleep, reparented here too
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

// A helper that closes its output and runs on is still bounded.
TEST(Run, AHelperThatClosesItsOutputAndRunsOnTimesOut) {
  auto out =
      process::Run({"sh", "-c", "exec >&- 2>&-; sleep 1000"}, {}, std::chrono::milliseconds(200));
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("did not finish"), std::string::npos);
}

TEST(Run, EndlessOutputStopsAtTheCap) {
  auto out = process::Run({"yes"}, {}, std::chrono::seconds(30));
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("output larger than 1048576 bytes on stdout"),
            std::string::npos)
      << out.error().message;
  auto err = process::Run({"sh", "-c", "yes >&2"}, {}, std::chrono::seconds(30));
  ASSERT_FALSE(err);
  EXPECT_NE(err.error().message.find("output larger than 65536 bytes on stderr"), std::string::npos)
      << err.error().message;
}

TEST(Run, OutputUpToTheCapIsKept) {
  auto out = process::Run({"head", "-c", std::to_string(kMaxStdoutBytes), "/dev/zero"}, {},
                          std::chrono::seconds(30));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->out.size(), kMaxStdoutBytes);
}

}  // namespace
}  // namespace kv::process
