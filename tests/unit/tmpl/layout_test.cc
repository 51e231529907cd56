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

TEST(Layout, PlainScalarsAreTypedByYamlCoreSchema) {
  YAML::Node node = YAML::Load(R"(
a: +5
b: -0
c: 1e3
d: .5
e: 2.
f: -1.5E-2
g: 01
h: 0x10
i: 1_000
j: ~
k: False
l: "true"
m: 12abc
)");
  auto layout = Layout::Parse(node);
  ASSERT_TRUE(layout.has_value()) << layout.error().message;
  auto out = layout->Render(Event());
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_EQ(*out, R"({"a":5,"b":-0,"c":1000,"d":0.5,"e":2,"f":-0.014999999999999999,)"
                  R"("g":1,"h":"0x10","i":"1_000","j":null,"k":false,"l":"true","m":"12abc"})");
}

TEST(Layout, OnlyOneActionEndingInAJsonEncoderIsEmbedded) {
  YAML::Node node = YAML::Load(R"(
spaced: "  {{- toJson .Labels -}}\n\t"
pretty: "{{ toPrettyJson .Labels }}"
piped: "{{ .Labels | toJson }}"
twoActions: "{{ toJson .Labels }}{{ toJson .Labels }}"
notLast: "{{ toJson .Labels | lower }}"
parens: "{{ (toJson .Labels) }}"
)");
  auto layout = Layout::Parse(node);
  ASSERT_TRUE(layout.has_value()) << layout.error().message;
  auto out = layout->Render(Event());
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_EQ(
      *out,
      R"({"notLast":"{\"app\":\"web\",\"tier\":\"db\"}",)"
      R"("parens":"{\"app\":\"web\",\"tier\":\"db\"}",)"
      R"("piped":{"app":"web","tier":"db"},"pretty":{
  "app": "web",
  "tier": "db"
},)"
      R"("spaced":{"app":"web","tier":"db"},)"
      R"("twoActions":"{\"app\":\"web\",\"tier\":\"db\"}{\"app\":\"web\",\"tier\":\"db\"}"})");
}

TEST(Layout, LongLeafIsClassifiedWithoutBacktracking) {
  // The leaf classifier (RE2) runs in linear time and bounded stack
  // however long the leaf is.
  std::string leaf = "{{ " + std::string(200000, '|') + " toJson }}";
  YAML::Node node;
  node["x"] = leaf;
  auto layout = Layout::Parse(node);
  EXPECT_FALSE(layout.has_value());  // not a valid template, but classified and reported
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

TEST(Layout, LeavesShareOneBudget) {
  // Each leaf alone stays under the step limit; together they do not.
  auto layout = Layout::Parse(YAML::Load(R"(
a: "{{ range 600000 }}{{ end }}"
b: "{{ range 600000 }}{{ end }}"
)"));
  ASSERT_TRUE(layout.has_value()) << layout.error().message;
  auto out = layout->Render(Event());
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().message, "template: 1:1: executing: template exceeded 1000000 steps");
}

TEST(Layout, DocumentLargerThanTheOutputLimitIsAnError) {
  // 300000 template bytes, but each '<' is six in JSON (\u003c).
  auto layout = Layout::Parse(YAML::Load(R"(m: '{{ printf "%300000s" "" | replace " " "<" }}')"));
  ASSERT_TRUE(layout.has_value()) << layout.error().message;
  auto out = layout->Render(Event());
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().message, "layout output larger than 1048576 bytes");
}

}  // namespace
}  // namespace kv::tmpl
