#include "util/process.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace kv::process
