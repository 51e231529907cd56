#include "tmpl/layout.h"

#include <gtest/gtest.h>

namespace kv::tmpl {
namespace {

Value Event() {
  return Value::FromMap({{"Message", Value("disk <full> & \"hot\"")},
                         {"Type", Value("Warning")},
                         {"Count", Value(int64_t{3})},
                         {"Labels", Value::FromStringMap({{"app", "web"}, {"tier", "db"}})}});
}

TEST(Layout, RendersTemplatesTypedScalarsAndJsonLeaves) {
  YAML::Node node = YAML::Load(R"(
message: "{{ .Message }}"
summary: '{{ if eq .Type "Warning" }}WARN{{ else }}ok{{ end }}'
count: "{{ .Count }}"
replicas: 3
ratio: 0.5
enabled: true
nothing: null
quoted: "3"
labels: "{{ toJson .Labels }}"
piped: "{{ .Labels | toRawJson }}"
notjson: "x {{ toJson .Labels }}"
details:
  - "{{ .Type | lower }}"
  - plain text
)");
  auto layout = Layout::Parse(node);
  ASSERT_TRUE(layout.has_value()) << layout.error().message;
  auto out = layout->Render(Event());
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_EQ(*out,
            R"({"count":"3","details":["warning","plain text"],"enabled":true,)"
            R"("labels":{"app":"web","tier":"db"},)"
            R"("message":"disk \u003cfull\u003e \u0026 \"hot\"","nothing":null,)"
            R"("notjson":"x {\"app\":\"web\",\"tier\":\"db\"}","piped":{"app":"web","tier":"db"},)"
            R"("quoted":"3","ratio":0.5,"replicas":3,"summary":"WARN"})");
}

TEST(Layout, ParseErrorNamesKeyPathLineAndColumn) {
  YAML::Node node = YAML::Load("a:\n  b:\n    c: \"{{ nope }}\"\n");
  auto layout = Layout::Parse(node);
  ASSERT_FALSE(layout.has_value());
  EXPECT_EQ(layout.error().message,
            "layout.a.b.c (line 3, column 8): template: 1:4: function \"nope\" not defined");
}

TEST(Layout, ExecutionErrorIsReturned) {
  auto layout = Layout::Parse(YAML::Load("m: \"{{ upper .Count }}\""));
  ASSERT_TRUE(layout.has_value());
  EXPECT_FALSE(layout->Render(Event()).has_value());
}

}  // namespace
}  // namespace kv::tmpl
