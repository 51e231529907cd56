#include "sinks/search/index_name.h"

#include <gtest/gtest.h>

namespace kv::sinks::search {
namespace {

using std::chrono::system_clock;

system_clock::time_point At(int64_t unix_seconds) {
  return system_clock::time_point(std::chrono::seconds(unix_seconds));
}

TEST(IndexPattern, GoLayoutInBracesIsFormattedInUtc) {
  // 2024-05-01T10:00:00Z
  EXPECT_EQ(IndexPattern("kube-events-{2006-01-02}").Format(At(1714557600)),
            "kube-events-2024-05-01");
  EXPECT_EQ(IndexPattern("ev-{2006.01.02-15}-x").Format(At(1714557600)), "ev-2024.05.01-10-x");
}

TEST(IndexPattern, NameWithoutBracesIsLiteral) {
  IndexPattern p("kube-events");
  EXPECT_FALSE(p.has_layout());
  EXPECT_EQ(p.Format(At(0)), "kube-events");
}

TEST(IndexPattern, LayoutRunsFromFirstOpenToLastCloseBraceAsTheReference) {
  // The reference's regexp `{(.*)}` is greedy: "{2006}.{01}" is one layout
  // "2006}.{01", and Go prints the braces literally.
  EXPECT_EQ(IndexPattern("a-{2006}.{01}").Format(At(1714557600)), "a-2024}.{05");
}

}  // namespace
}  // namespace kv::sinks::search
