#include "sinks/common/document.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "config/node.h"
#include "event/encode.h"

namespace kv::sinks::common {
namespace {

event::EventPtr MakeEvent() {
  auto ev = std::make_shared<event::Event>();
  ev->metadata.name = "web-1.17c";
  ev->metadata.namespace_ = "default";
  ev->metadata.uid = "u1";
  ev->metadata.labels = {{"app.kubernetes.io/name", "web"}};
  ev->involved_object.kind = "Pod";
  ev->involved_object.name = "web-1";
  ev->involved_object.labels = {{"tier.example.com", "front"}};
  ev->reason = "BackOff";
  ev->message = "hello";
  ev->count = 3;
  return ev;
}

LineFormat Parse(const std::string& yaml) {
  auto diag = std::make_shared<config::Diagnostics>();
  LineFormat f = ParseLineFormat(config::ParseYaml(yaml, "r.yaml", diag));
  EXPECT_TRUE(diag->problems().empty());
  return f;
}

TEST(CommonDocument, WithoutLayoutIsTheFullEventInTheReferenceShape) {
  auto ev = MakeEvent();
  for (bool dedot : {false, true}) {
    LineFormat f;
    f.encode.dedot = dedot;
    std::string out = "prefix ";
    ASSERT_TRUE(AppendDocument(ev, f, &out));
    EXPECT_EQ(out, "prefix " + event::EncodeJson(*ev, f.encode));
  }
}

TEST(CommonDocument, DeDotAppliesToTheEventBeforeTheLayoutSeesIt) {
  auto ev = MakeEvent();
  const std::string layout =
      "layout:\n  app: '{{ index .Labels \"app_kubernetes_io/name\" }}'\n"
      "  tier: '{{ index .InvolvedObject.Labels \"tier_example_com\" }}'\n";
  auto doc = RenderDocument(ev, Parse("deDot: true\n" + layout));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, R"({"app":"web","tier":"front"})");
  // The event itself is left as it was.
  EXPECT_EQ(ev->metadata.labels.count("app.kubernetes.io/name"), 1u);
  // Without deDot the layout sees the dotted keys (and the de-dotted ones are absent).
  auto plain = RenderDocument(
      ev, Parse("layout:\n  app: '{{ index .Labels \"app.kubernetes.io/name\" }}'\n"));
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(*plain, R"({"app":"web"})");
}

TEST(CommonDocument, LayoutFailureIsAnErrorAndAppendsNothing) {
  LineFormat f = Parse("layout: {x: '{{ upper .Count }}'}\n");
  std::string out = "kept";
  auto r = AppendDocument(MakeEvent(), f, &out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidConfig);
  EXPECT_EQ(r.error().message.rfind("layout: ", 0), 0u);
  EXPECT_EQ(out, "kept");
}

TEST(CommonDocument, DeDotDefaultsToTheStructsValue) {
  EXPECT_EQ(Parse("{}\n").encode.dedot, event::EncodeOptions{}.dedot);
}

}  // namespace
}  // namespace kv::sinks::common
