// The route tree is evaluated for every event: once the ReceiverSet has
// grown, an evaluation must not allocate. Counted with a replaced global
// operator new (this test binary only).
#include <gtest/gtest.h>

// GCC warns that a replaced operator delete calls free() on memory from
// operator new; here that pairing is exactly what we replaced both with.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <atomic>
#include <cstdlib>
#include <new>

#include "route/tree.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace kv::route {
namespace {

TEST(RouteTreeHotPath, EvaluationDoesNotAllocate) {
  auto diag = std::make_shared<config::Diagnostics>();
  std::vector<std::string> receivers{"a", "b", "c"};
  Tree tree = Tree::Parse(config::ParseYaml(R"(
drop: [{namespace: "^kube-system$"}]
routes:
  - match: [{type: Warning, receiver: a}, {reason: "Fail|BackOff", receiver: b}]
    routes:
      - match: [{labels: {app: "^web"}, minCount: 2, receiver: c}]
  - match: [{kind: "Pod|Node", message: "(?i)oom", receiver: c}]
)",
                                            "r.yaml", diag),
                          receivers);
  ASSERT_FALSE(diag->HasErrors());
  event::Event ev;
  ev.metadata.namespace_ = "prod";
  ev.type = "Warning";
  ev.reason = "BackOff";
  ev.message = "container OOMKilled";
  ev.count = 3;
  ev.involved_object.kind = "Pod";
  ev.involved_object.labels["app"] = "webserver";
  ReceiverSet set(receivers.size());
  tree.Evaluate(ev, &set);  // warm-up
  long before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) tree.Evaluate(ev, &set);
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_EQ(set.hits().size(), 3u);
}

}  // namespace
}  // namespace kv::route
