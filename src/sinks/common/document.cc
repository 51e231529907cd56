#include "sinks/common/document.h"

#include <algorithm>
#include <memory>

#include "tmpl/event_value.h"

namespace kv::sinks::common {

namespace {

event::StringMap Dedot(const event::StringMap& in) {
  event::StringMap out;
  for (const auto& [k, v] : in) {
    std::string key = k;
    std::replace(key.begin(), key.end(), '.', '_');
    out[key] = v;
  }
  return out;
}

// What the layout sees: the event itself, or a copy with de-dotted keys.
event::EventPtr LayoutInput(const event::EventPtr& ev, bool dedot) {
  if (!dedot) return ev;
  auto copy = std::make_shared<event::Event>(*ev);
  copy->metadata.labels = Dedot(copy->metadata.labels);
  copy->metadata.annotations = Dedot(copy->metadata.annotations);
  copy->involved_object.labels = Dedot(copy->involved_object.labels);
  copy->involved_object.annotations = Dedot(copy->involved_object.annotations);
  return copy;
}

}  // namespace

std::optional<tmpl::Layout> ParseLayout(const config::Node& node, std::string_view key) {
  config::Node layout = node.Child(key);
  if (!layout.Defined()) return std::nullopt;
  auto parsed = tmpl::Layout::Parse(layout.yaml(), layout.path());
  if (!parsed) {
    node.Report(parsed.error().message, key);
    return std::nullopt;
  }
  return std::move(*parsed);
}

LineFormat ParseLineFormat(const config::Node& node) {
  LineFormat format;
  format.encode.dedot = node.Bool("deDot", format.encode.dedot);
  format.layout = ParseLayout(node, "layout");
  return format;
}

Result<void> AppendDocument(const event::EventPtr& ev, const LineFormat& format, std::string* out) {
  if (!format.layout) {
    event::EncodeJson(*ev, format.encode, out);
    return {};
  }
  auto rendered = format.layout->Render(tmpl::EventToValue(LayoutInput(ev, format.encode.dedot)));
  if (!rendered) return Fail(ErrorCode::kInvalidConfig, "layout: " + rendered.error().message);
  *out += *rendered;
  return {};
}

Result<std::string> RenderDocument(const event::EventPtr& ev, const LineFormat& format) {
  std::string out;
  if (auto r = AppendDocument(ev, format, &out); !r) return tl::unexpected(r.error());
  return out;
}

}  // namespace kv::sinks::common
