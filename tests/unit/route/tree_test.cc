#include "route/tree.h"

#include <gtest/gtest.h>

namespace kv::route {
namespace {

const std::vector<std::string> kReceivers{"a", "b", "c"};

struct Loaded {
  std::shared_ptr<config::Diagnostics> diag = std::make_shared<config::Diagnostics>();
  Tree tree;
  explicit Loaded(const std::string& yaml) {
    config::Node root = config::ParseYaml(yaml, "route.yaml", diag);
    tree = Tree::Parse(root, kReceivers);
  }
  std::vector<std::string> Reach(const event::Event& ev) const {
    ReceiverSet set(kReceivers.size());
    tree.Evaluate(ev, &set);
    std::vector<std::string> out;
    for (int i : set.hits()) out.push_back(kReceivers[static_cast<size_t>(i)]);
    return out;
  }
};

event::Event Ev(const std::string& ns, const std::string& reason,
                const std::string& type = "Normal", const std::string& kind = "Pod") {
  event::Event ev;
  ev.metadata.namespace_ = ns;
  ev.reason = reason;
  ev.type = type;
  ev.involved_object.kind = kind;
  ev.count = 1;
  return ev;
}

using V = std::vector<std::string>;

TEST(RouteTree, MatchRuleWithReceiverDelivers) {
  Loaded l("match:\n  - receiver: a\n");
  ASSERT_FALSE(l.diag->HasErrors());
  EXPECT_EQ(l.Reach(Ev("default", "Created")), V{"a"});
}

TEST(RouteTree, DropPrunesTheRouteAndItsSubtree) {
  Loaded l(R"(
drop:
  - namespace: "kube-system"
match:
  - receiver: a
routes:
  - match:
      - receiver: b
)");
  EXPECT_EQ(l.Reach(Ev("kube-system", "X")), V{});
  EXPECT_EQ(l.Reach(Ev("default", "X")), (V{"a", "b"}));
}

TEST(RouteTree, DropInAChildOnlyPrunesThatChild) {
  Loaded l(R"(
routes:
  - drop: [{type: Normal}]
    match: [{receiver: a}]
  - match: [{receiver: b}]
)");
  EXPECT_EQ(l.Reach(Ev("ns", "X", "Normal")), V{"b"});
  EXPECT_EQ(l.Reach(Ev("ns", "X", "Warning")), (V{"a", "b"}));
}

TEST(RouteTree, EachMatchingRuleDeliversButDescentNeedsAllToMatch) {
  Loaded l(R"(
match:
  - type: Warning
    receiver: a
  - reason: Failed
    receiver: b
routes:
  - match: [{receiver: c}]
)");
  // Both match: a and b, and descend to c.
  EXPECT_EQ(l.Reach(Ev("ns", "FailedMount", "Warning")), (V{"a", "b", "c"}));
  // Only the first matches: a, no descent.
  EXPECT_EQ(l.Reach(Ev("ns", "BackOff", "Warning")), V{"a"});
  EXPECT_EQ(l.Reach(Ev("ns", "Pulled", "Normal")), V{});
}

TEST(RouteTree, MatchRuleWithoutReceiverOnlyGatesDescent) {
  Loaded l(R"(
match: [{namespace: prod}]
routes:
  - match: [{receiver: a}]
)");
  EXPECT_EQ(l.Reach(Ev("prod", "X")), V{"a"});
  EXPECT_EQ(l.Reach(Ev("dev", "X")), V{});
}

TEST(RouteTree, RegexesAreUnanchored) {
  Loaded l("match: [{reason: Fail, receiver: a}]\n");
  EXPECT_EQ(l.Reach(Ev("ns", "BackOffFailure")), V{"a"});
  Loaded anchored("match: [{reason: ^Fail$, receiver: a}]\n");
  EXPECT_EQ(anchored.Reach(Ev("ns", "BackOffFailure")), V{});
  EXPECT_EQ(anchored.Reach(Ev("ns", "Fail")), V{"a"});
}

TEST(RouteTree, FieldsOfOneRuleAreAnded) {
  Loaded l("match: [{namespace: prod, type: Warning, kind: Pod, receiver: a}]\n");
  EXPECT_EQ(l.Reach(Ev("prod", "X", "Warning", "Pod")), V{"a"});
  EXPECT_EQ(l.Reach(Ev("prod", "X", "Warning", "Node")), V{});
  EXPECT_EQ(l.Reach(Ev("prod", "X", "Normal", "Pod")), V{});
}

TEST(RouteTree, LabelsAndAnnotationsMustExistAndMatch) {
  Loaded l(R"(
match:
  - labels: {app: "^web"}
    annotations: {team: ops}
    receiver: a
)");
  auto ev = Ev("ns", "X");
  EXPECT_EQ(l.Reach(ev), V{});
  ev.involved_object.labels["app"] = "webserver";
  EXPECT_EQ(l.Reach(ev), V{});
  ev.involved_object.annotations["team"] = "devops";
  EXPECT_EQ(l.Reach(ev), V{"a"});
  ev.involved_object.labels["app"] = "api";
  EXPECT_EQ(l.Reach(ev), V{});
}

TEST(RouteTree, MinCountComparesCount) {
  Loaded l("match: [{minCount: 3, receiver: a}]\n");
  auto ev = Ev("ns", "X");
  ev.count = 2;
  EXPECT_EQ(l.Reach(ev), V{});
  ev.count = 3;
  EXPECT_EQ(l.Reach(ev), V{"a"});
}

TEST(RouteTree, AReceiverIsReachedOnceEvenIfSeveralRulesNameIt) {
  Loaded l(R"(
match: [{receiver: a}, {type: Normal, receiver: a}]
routes:
  - match: [{receiver: a}, {receiver: b}]
)");
  EXPECT_EQ(l.Reach(Ev("ns", "X")), (V{"a", "b"}));
}

TEST(RouteTree, ExplainTellsEachRuleAndTheReceivers) {
  Loaded l(R"(
routes:
  - drop: [{namespace: "^kube-system$"}]
    match: [{type: Warning, receiver: a}]
  - match: [{reason: Nope, receiver: b}]
    routes:
      - match: [{receiver: c}]
)");
  auto lines = l.tree.Explain(Ev("prod", "BackOff", "Warning"), kReceivers);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "  routes[0].drop[0] [drop] namespace=^kube-system$: no match");
  EXPECT_EQ(lines[1], "  routes[0].match[0] [match] type=Warning: matched -> a");
  EXPECT_EQ(lines[2], "  routes[1].match[0] [match] reason=Nope: no match");
  EXPECT_EQ(lines[3], "  (child routes skipped: not every match rule matched)");
  EXPECT_EQ(lines[4], "reaches: a");
}

TEST(RouteTree, EmptyRouteReachesNothing) {
  Loaded l("{}\n");
  EXPECT_EQ(l.Reach(Ev("ns", "X")), V{});
}

TEST(RouteTree, GlobLikePatternGetsAHint) {
  Loaded l("match: [{namespace: '*test*', receiver: a}]\n");
  ASSERT_TRUE(l.diag->HasErrors());
  EXPECT_NE(l.diag->problems()[0].ToString().find("looks like a glob"), std::string::npos);
  EXPECT_NE(l.diag->problems()[0].ToString().find("route.yaml:1:"), std::string::npos);
}

TEST(RouteTree, UnknownReceiverAndUnknownKeyAreReported) {
  Loaded l("match: [{receiver: nope, reasn: X}]\n");
  std::string all;
  for (const auto& p : l.diag->problems()) all += p.ToString() + "\n";
  EXPECT_NE(all.find("receiver 'nope' is not defined"), std::string::npos) << all;
  EXPECT_NE(all.find("did you mean 'reason'"), std::string::npos) << all;
}

TEST(RouteTree, FieldlessDropRuleIsWarnedAbout) {
  Loaded l("drop: [{}]\nmatch: [{receiver: a}]\n");
  EXPECT_FALSE(l.diag->HasErrors());
  ASSERT_EQ(l.diag->problems().size(), 1u);
  EXPECT_TRUE(l.diag->problems()[0].warning);
  EXPECT_EQ(l.Reach(Ev("ns", "X")), V{});
}

}  // namespace
}  // namespace kv::route
