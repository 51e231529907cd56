#include "route/tree.h"

#include <algorithm>
#include <limits>

namespace kv::route {

namespace {

bool Match(const std::optional<Pattern>& p, const std::string& value) {
  return !p || p->Match(value);
}

bool MatchMap(const std::vector<std::pair<std::string, Pattern>>& rules,
              const event::StringMap& values) {
  for (const auto& [key, p] : rules) {
    auto it = values.find(key);
    if (it == values.end() || !p.Match(it->second)) return false;
  }
  return true;
}

void Descend(const Route& r, const event::Event& ev, ReceiverSet* out) {
  for (const Rule& rule : r.drop) {
    if (rule.Matches(ev)) return;
  }
  bool all = true;
  for (const Rule& rule : r.match) {
    if (rule.Matches(ev)) {
      out->Add(rule.receiver_index);
    } else {
      all = false;
    }
  }
  if (!all) return;
  for (const Route& child : r.routes) Descend(child, ev, out);
}

std::optional<Pattern> Compile(const config::Node& rule, std::string_view key) {
  std::string pattern = rule.String(key);
  if (pattern.empty()) return std::nullopt;
  auto p = Pattern::Compile(pattern);
  if (!p) {
    std::string msg = "invalid regular expression '" + pattern + "': " + p.error().message;
    if (pattern[0] == '*' || pattern[0] == '?') {
      msg += " (this looks like a glob: use '.*' for 'any text', e.g. '.*test.*')";
    }
    rule.Report(msg, key);
    return std::nullopt;
  }
  return std::move(*p);
}

std::vector<std::pair<std::string, Pattern>> CompileMap(const config::Node& rule,
                                                        std::string_view key) {
  std::vector<std::pair<std::string, Pattern>> out;
  config::Node map = rule.Child(key);
  for (const auto& [k, v] : map.Entries()) {
    std::string pattern = v.AsString();
    auto p = Pattern::Compile(pattern);
    if (!p) {
      map.Report("invalid regular expression '" + pattern + "': " + p.error().message, k);
      continue;
    }
    out.emplace_back(k, std::move(*p));
  }
  return out;
}

// The rule's fields as written, read quietly: problems are reported once,
// by the compile step.
std::string Describe(const config::Node& node) {
  std::string out;
  auto add = [&out](const std::string& text) { out += (out.empty() ? "" : " ") + text; };
  for (const auto& [key, value] : node.Entries()) {
    if (key == "receiver" || key == "name") continue;
    if (value.IsScalar()) {
      add(key + "=" + value.yaml().Scalar());
    } else if (value.IsMap()) {
      for (const auto& [k, v] : value.Entries()) {
        if (v.IsScalar()) add(key + "." + k + "=" + v.yaml().Scalar());
      }
    }
  }
  return out.empty() ? "(no fields: matches everything)" : out;
}

Rule ParseRule(const config::Node& node, const std::vector<std::string>& receivers, bool is_drop) {
  node.RejectUnknownKeys({"name", "labels", "annotations", "message", "apiVersion", "kind",
                          "namespace", "reason", "type", "minCount", "component", "host",
                          "receiver"});
  Rule r;
  r.name = node.String("name");
  r.where = node.path();
  if (node.IsMap()) r.description = Describe(node);
  r.message = Compile(node, "message");
  r.api_version = Compile(node, "apiVersion");
  r.kind = Compile(node, "kind");
  r.namespace_ = Compile(node, "namespace");
  r.reason = Compile(node, "reason");
  r.type = Compile(node, "type");
  r.component = Compile(node, "component");
  r.host = Compile(node, "host");
  r.labels = CompileMap(node, "labels");
  r.annotations = CompileMap(node, "annotations");
  r.min_count =
      static_cast<int32_t>(node.Int("minCount", 0, 0, std::numeric_limits<int32_t>::max()));
  r.receiver = node.String("receiver");
  if (!r.receiver.empty()) {
    auto it = std::find(receivers.begin(), receivers.end(), r.receiver);
    if (it == receivers.end()) {
      node.Report("receiver '" + r.receiver + "' is not defined under receivers", "receiver");
    } else {
      r.receiver_index = static_cast<int>(it - receivers.begin());
    }
  }
  // Judged on what was written, not on what compiled: a rule whose only
  // field is a bad regex is an error, not a fieldless rule.
  bool fieldless = true;
  for (const auto& [key, value] : node.Entries()) fieldless &= key == "receiver" || key == "name";
  if (is_drop && fieldless && node.IsMap()) {
    node.Warn("this drop rule has no fields, so it drops every event of this route");
  }
  return r;
}

Route ParseRoute(const config::Node& node, const std::vector<std::string>& receivers) {
  Route route;
  if (!node.Defined()) return route;
  if (!node.IsMap()) {
    node.Report("expected a route (a map with drop, match and routes)");
    return route;
  }
  node.RejectUnknownKeys({"drop", "match", "routes"});
  for (const char* key : {"drop", "match"}) {
    config::Node list = node.Child(key);
    if (!list.Defined()) continue;
    if (!list.IsSequence()) {
      node.Report("expected a list of rules", key);
      continue;
    }
    for (const config::Node& item : list.Items()) {
      (key[0] == 'd' ? route.drop : route.match)
          .push_back(ParseRule(item, receivers, key[0] == 'd'));
    }
  }
  config::Node children = node.Child("routes");
  if (children.Defined()) {
    if (!children.IsSequence()) {
      node.Report("expected a list of routes", "routes");
    } else {
      for (const config::Node& item : children.Items())
        route.routes.push_back(ParseRoute(item, receivers));
    }
  }
  return route;
}

}  // namespace

bool Rule::Matches(const event::Event& ev) const {
  return Match(message, ev.message) && Match(api_version, ev.involved_object.api_version) &&
         Match(kind, ev.involved_object.kind) && Match(namespace_, ev.metadata.namespace_) &&
         Match(reason, ev.reason) && Match(type, ev.type) &&
         Match(component, ev.source.component) && Match(host, ev.source.host) &&
         MatchMap(labels, ev.involved_object.labels) &&
         MatchMap(annotations, ev.involved_object.annotations) && ev.count >= min_count;
}

Tree Tree::Parse(const config::Node& node, const std::vector<std::string>& receiver_names) {
  return Tree(ParseRoute(node, receiver_names));
}

namespace {

void ExplainRoute(const Route& r, const event::Event& ev, const std::vector<std::string>& receivers,
                  const std::string& indent, ReceiverSet* reached, std::vector<std::string>* out) {
  for (const Rule& rule : r.drop) {
    bool m = rule.Matches(ev);
    out->push_back(indent + rule.where + " [drop] " + rule.description + ": " +
                   (m ? "MATCHED, this route and its children stop here" : "no match"));
    if (m) return;
  }
  bool all = true;
  for (const Rule& rule : r.match) {
    bool m = rule.Matches(ev);
    std::string line = indent + rule.where + " [match] " + rule.description + ": ";
    if (m) {
      line += "matched";
      if (rule.receiver_index >= 0) {
        line += " -> " + receivers[static_cast<size_t>(rule.receiver_index)];
        reached->Add(rule.receiver_index);
      }
    } else {
      line += "no match";
      all = false;
    }
    out->push_back(line);
  }
  if (!r.routes.empty()) {
    if (!all) {
      out->push_back(indent + "(child routes skipped: not every match rule matched)");
      return;
    }
    for (const Route& child : r.routes)
      ExplainRoute(child, ev, receivers, indent + "  ", reached, out);
  }
}

}  // namespace

std::vector<std::string> Tree::Explain(const event::Event& ev,
                                       const std::vector<std::string>& receivers) const {
  std::vector<std::string> out;
  ReceiverSet reached(receivers.size());
  ExplainRoute(root_, ev, receivers, "", &reached, &out);
  std::string summary = "reaches:";
  for (int i : reached.hits()) summary += " " + receivers[static_cast<size_t>(i)];
  if (reached.hits().empty()) summary += " (no receiver)";
  out.push_back(summary);
  return out;
}

void Tree::Evaluate(const event::Event& ev, ReceiverSet* out) const {
  out->Clear();
  Descend(root_, ev, out);
}

}  // namespace kv::route
