#include "tmpl/layout.h"

#include <re2/re2.h>
#include <simdjson.h>

#include <numeric>
#include <vector>

#include "util/json_writer.h"

namespace kv::tmpl {

struct Layout::Item {
  enum class Type { kObject, kArray, kRaw, kTemplate };
  Type type = Type::kRaw;
  // Two vectors rather than a vector of (key, Item) pairs: a pair of an
  // incomplete type is not allowed here (clang rejects it).
  std::vector<std::string> keys;  // kObject: sorted, one per child
  std::vector<Item> children;     // kObject, kArray
  std::string raw;                // kRaw: JSON text
  std::optional<Template> tmpl;   // kTemplate
  bool embed_json = false;
};

namespace {

using Item = Layout::Item;

// The project's regexes are RE2 (linear time, no deep recursion on hostile
// text). Latin-1 makes them match bytes, as std::regex did, so a leaf that
// is not valid UTF-8 is classified the same way.
RE2::Options ByteOptions() {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  return o;
}

// A plain YAML scalar that YAML 1.2's core schema reads as non-string:
// the JSON text for it, or nullopt.
std::optional<std::string> TypedScalar(const YAML::Node& n) {
  if (n.Tag() != "?") return std::nullopt;  // quoted or explicitly tagged
  const std::string& s = n.Scalar();
  static const RE2 kInt("[-+]?(?:0|[1-9][0-9]*)", ByteOptions());
  static const RE2 kFloat("[-+]?(?:[0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?",
                          ByteOptions());
  if (s == "true" || s == "True" || s == "TRUE") return "true";
  if (s == "false" || s == "False" || s == "FALSE") return "false";
  if (s == "null" || s == "Null" || s == "NULL" || s == "~" || s.empty()) return "null";
  if (RE2::FullMatch(s, kInt)) return s[0] == '+' ? s.substr(1) : s;
  if (RE2::FullMatch(s, kFloat)) {
    double d = std::stod(s);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return std::string(buf);
  }
  return std::nullopt;
}

// One action whose pipeline ends in a JSON encoder.
bool EndsInToJson(std::string_view text) {
  // [[:space:]] is std::regex's \\s (RE2's \\s leaves out \\v).
  static const RE2 kRule(
      "[[:space:]]*\\{\\{-?[[:space:]]*(?:(?:toJson|toRawJson|toPrettyJson)[[:space:]][^{}|]*|"
      "[^{}]*\\|[[:space:]]*(?:toJson|toRawJson|toPrettyJson))[[:space:]]*-?\\}\\}[[:space:]]*",
      ByteOptions());
  return RE2::FullMatch(text, kRule);
}

Result<Item> Compile(const YAML::Node& n, const std::string& path) {
  Item item;
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      item.type = Item::Type::kObject;
      for (const auto& kv : n) {
        std::string key = kv.first.as<std::string>();
        auto child = Compile(kv.second, path + "." + key);
        if (!child) return child;
        item.keys.push_back(key);
        item.children.push_back(std::move(*child));
      }
      std::vector<size_t> order(item.children.size());
      std::iota(order.begin(), order.end(), size_t{0});
      std::stable_sort(order.begin(), order.end(),
                       [&item](size_t a, size_t b) { return item.keys[a] < item.keys[b]; });
      std::vector<std::string> keys;
      std::vector<Item> children;
      for (size_t i : order) {
        keys.push_back(std::move(item.keys[i]));
        children.push_back(std::move(item.children[i]));
      }
      item.keys = std::move(keys);
      item.children = std::move(children);
      return item;
    }
    case YAML::NodeType::Sequence: {
      item.type = Item::Type::kArray;
      for (size_t i = 0; i < n.size(); ++i) {
        auto child = Compile(n[i], path + "[" + std::to_string(i) + "]");
        if (!child) return child;
        item.children.push_back(std::move(*child));
      }
      return item;
    }
    case YAML::NodeType::Scalar: {
      if (auto typed = TypedScalar(n)) {
        item.raw = *typed;
        return item;
      }
      auto t = Template::Parse(n.Scalar());
      if (!t) {
        return Fail(ErrorCode::kInvalidConfig,
                    path + " (line " + std::to_string(n.Mark().line + 1) + ", column " +
                        std::to_string(n.Mark().column + 1) + "): " + t.error().message);
      }
      item.type = Item::Type::kTemplate;
      item.embed_json = EndsInToJson(n.Scalar());
      item.tmpl = std::move(*t);
      return item;
    }
    default:
      item.raw = "null";
      return item;
  }
}

Result<void> RenderItem(const Item& item, const Value& event, json::Writer* w, std::string* scratch,
                        Budget* budget) {
  switch (item.type) {
    case Item::Type::kObject:
      w->BeginObject();
      for (size_t i = 0; i < item.children.size(); ++i) {
        w->Key(item.keys[i]);
        if (auto r = RenderItem(item.children[i], event, w, scratch, budget); !r) return r;
      }
      w->EndObject();
      return {};
    case Item::Type::kArray:
      w->BeginArray();
      for (const Item& child : item.children)
        if (auto r = RenderItem(child, event, w, scratch, budget); !r) return r;
      w->EndArray();
      return {};
    case Item::Type::kRaw:
      w->Raw(item.raw);
      return {};
    case Item::Type::kTemplate: {
      scratch->clear();
      if (auto r = item.tmpl->Execute(event, scratch, budget); !r) return r;
      if (item.embed_json) {
        simdjson::dom::parser parser;
        simdjson::padded_string padded(*scratch);
        if (!parser.parse(padded).error()) {
          w->Raw(*scratch);
          return {};
        }
      }
      w->String(*scratch);
      return {};
    }
  }
  return {};
}

}  // namespace

Result<Layout> Layout::Parse(const YAML::Node& node, std::string_view path) {
  auto root = Compile(node, std::string(path));
  if (!root) return tl::unexpected(root.error());
  Layout l;
  l.root_ = std::make_shared<const Item>(std::move(*root));
  return l;
}

Result<std::string> Layout::Render(const Value& event) const {
  std::string out, scratch;
  json::Writer w(&out);
  Budget budget;  // one for all the leaves: a layout is one rendering
  if (auto r = RenderItem(*root_, event, &w, &scratch, &budget); !r)
    return tl::unexpected(r.error());
  // The leaves wrote at most kMaxOutputBytes; JSON escaping can make that
  // a few times longer, so the document itself is held to the same limit.
  if (out.size() > Budget::kMaxOutputBytes)
    return Fail(ErrorCode::kInvalidConfig,
                "layout output larger than " + std::to_string(Budget::kMaxOutputBytes) + " bytes");
  return out;
}

}  // namespace kv::tmpl
