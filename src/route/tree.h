// The reference exporter's route tree, with its semantics kept exactly:
//  - `drop` rules first: if any matches, this route and its subtree stop.
//  - every `match` rule that matches and names a `receiver` delivers there;
//  - child `routes` are entered only if every match rule matched (a route
//    without match rules always descends).
//  - a rule's non-empty fields are ANDed; string fields are unanchored RE2
//    (Go syntax) regexes; labels/annotations require each key to exist on
//    the involved object with a matching value; minCount compares count.
//  - a rule with no fields matches every event.
// Unlike the reference, an event reaches a receiver at most once even when
// several rules name it.
//
// Built once at config load (regexes compiled there), then read-only and
// safe to share between threads. Evaluate() allocates nothing once `out`
// has grown to the number of receivers.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/node.h"
#include "event/event.h"
#include "route/pattern.h"

namespace kv::route {

struct Rule {
  std::string name;
  std::string where;        // "route.routes[0].match[1]", for explanations
  std::string description;  // its fields as written, e.g. "namespace=^prod$ type=Warning"
  std::optional<Pattern> message, api_version, kind, namespace_, reason, type, component, host;
  std::vector<std::pair<std::string, Pattern>> labels, annotations;
  int32_t min_count = 0;
  std::string receiver;     // empty: the rule only gates descent
  int receiver_index = -1;  // index into the receivers list, set at load

  bool Matches(const event::Event& ev) const;
};

struct Route {
  std::vector<Rule> drop;
  std::vector<Rule> match;
  std::vector<Route> routes;
};

// Which receivers an event reaches, as indexes, each at most once.
class ReceiverSet {
 public:
  explicit ReceiverSet(size_t receivers) : marked_(receivers, 0) { hits_.reserve(receivers); }
  void Clear() {
    for (int i : hits_) marked_[static_cast<size_t>(i)] = 0;
    hits_.clear();
  }
  void Add(int index) {
    if (index < 0 || marked_[static_cast<size_t>(index)]) return;
    marked_[static_cast<size_t>(index)] = 1;
    hits_.push_back(index);
  }
  const std::vector<int>& hits() const { return hits_; }

 private:
  std::vector<char> marked_;
  std::vector<int> hits_;
};

class Tree {
 public:
  Tree() = default;
  explicit Tree(Route root) : root_(std::move(root)) {}

  // Parses a `route:` block. Receiver names are resolved against
  // `receiver_names`; unknown ones, bad regexes and unknown keys are
  // reported on `node`'s diagnostics.
  static Tree Parse(const config::Node& node, const std::vector<std::string>& receiver_names);

  // Clears `out`, then adds every receiver `ev` reaches.
  void Evaluate(const event::Event& ev, ReceiverSet* out) const;

  // The same walk, told line by line for people (`kubevents route-test`):
  // each rule visited, whether it matched, and what that did.
  std::vector<std::string> Explain(const event::Event& ev,
                                   const std::vector<std::string>& receivers) const;

  const Route& root() const { return root_; }

 private:
  Route root_;
};

}  // namespace kv::route
