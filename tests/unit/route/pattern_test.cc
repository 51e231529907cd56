#include "route/pattern.h"

#include <gtest/gtest.h>

namespace kv::route {
namespace {

// The string fast paths must give RE2's answer: checked against RE2 itself
// on every pattern and value here.
TEST(Pattern, FastPathsAgreeWithRe2) {
  const char* patterns[] = {"Warning",  "^kube-system$", "^prod",   "-canary$",
                            "Pod|Node", "^a.b$",         "",        "^$",
                            "a\\$",     "x$$",           "(?i)oom", "^Fail$"};
  const char* values[] = {
      "Warning",    "NotWarning!", "kube-system", "kube-system2", "prod-eu", "preprod",
      "web-canary", "canary-web",  "Pod",         "Node",         "a.b",     "axb",
      "",           "a$",          "OOMKilled",   "Fail",         "Failed",  "x"};
  for (const char* p : patterns) {
    auto pattern = Pattern::Compile(p);
    ASSERT_TRUE(pattern) << p;
    RE2 re(p);
    for (const char* v : values) {
      EXPECT_EQ(pattern->Match(v), RE2::PartialMatch(v, re))
          << "pattern '" << p << "' value '" << v << "'";
    }
  }
}

TEST(Pattern, InvalidPatternGivesRe2sMessage) {
  auto p = Pattern::Compile("*test*");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("repetition operator"), std::string::npos);
}

}  // namespace
}  // namespace kv::route
