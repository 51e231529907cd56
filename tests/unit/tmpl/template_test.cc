// Every template of testdata/tmpl/cases.txt, executed against every event
// of testdata/event/core_event_list.json, must print exactly what Go's
// text/template + sprig printed (testdata/tmpl/expected.jsonl, made by
// testdata/tmpl/gen), or fail where Go failed.
#include "tmpl/template.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/resource.h>

#include <fstream>
#include <sstream>

#include "event/decode.h"
#include "tmpl/event_value.h"
#include "tmpl/regex_cache.h"

namespace kv::tmpl {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Value> LoadEvents() {
  event::Decoder decoder;
  auto page =
      decoder.DecodeList(ReadFile(std::string(KV_TESTDATA) + "/event/core_event_list.json"));
  EXPECT_TRUE(page.has_value());
  std::vector<Value> out;
  if (!page) return out;
  for (auto& ev : page->items) {
    ev.cluster_name = "test-cluster";
    out.push_back(EventToValue(ev));
  }
  return out;
}

TEST(TemplateVsGo, EveryCaseMatchesGoByteForByte) {
  std::vector<Value> events = LoadEvents();
  ASSERT_EQ(events.size(), 10u);
  std::ifstream in(std::string(KV_TESTDATA) + "/tmpl/expected.jsonl");
  std::string line;
  int cases = 0, matched = 0;
  simdjson::dom::parser parser;
  while (std::getline(in, line)) {
    simdjson::padded_string padded(line);
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(padded).get(doc), simdjson::SUCCESS);
    std::string_view text;
    ASSERT_EQ(doc["template"].get(text), simdjson::SUCCESS);
    simdjson::dom::array outputs;
    ASSERT_EQ(doc["outputs"].get(outputs), simdjson::SUCCESS);
    ++cases;
    auto tmpl = Template::Parse(text);
    size_t i = 0;
    bool all = true;
    for (simdjson::dom::element want : outputs) {
      ASSERT_LT(i, events.size());
      std::string_view want_text;
      bool want_error = want.is_null();
      if (!want_error) {
        ASSERT_EQ(want.get(want_text), simdjson::SUCCESS);
      }
      if (!tmpl) {
        EXPECT_TRUE(want_error) << text << "\nparse error: " << tmpl.error().message;
        all = all && want_error;
        ++i;
        continue;
      }
      auto got = tmpl->Execute(events[i]);
      if (want_error) {
        EXPECT_FALSE(got.has_value()) << text << " (event " << i << ") should fail, got: " << *got;
        all = all && !got.has_value();
      } else {
        EXPECT_TRUE(got.has_value()) << text << " (event " << i << "): " << got.error().message;
        if (got) {
          EXPECT_EQ(*got, want_text) << text << " (event " << i << ")";
        }
        all = all && got && *got == want_text;
      }
      ++i;
    }
    if (all) ++matched;
  }
  EXPECT_GE(cases, 60);
  EXPECT_EQ(matched, cases);
}

TEST(TemplateNow, NowIsATimeNearTheClock) {
  auto t = Template::Parse(R"({{ now | date "2006" }}|{{ (now).Unix }}|{{ now }})");
  ASSERT_TRUE(t.has_value());
  auto out = t->Execute(Value());
  ASSERT_TRUE(out.has_value()) << out.error().message;
  auto now = std::chrono::system_clock::now();
  int64_t secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto parts = out->find('|');
  ASSERT_NE(parts, std::string::npos);
  int year = std::stoi(out->substr(0, parts));
  EXPECT_GE(year, 2024);
  auto second = out->find('|', parts + 1);
  int64_t unix = std::stoll(out->substr(parts + 1, second - parts - 1));
  EXPECT_LE(std::llabs(unix - secs), 5);
  EXPECT_TRUE(out->ends_with(" +0000 UTC")) << *out;
}

TEST(TemplateParse, ErrorsNameLineAndColumn) {
  struct Case {
    const char* text;
    const char* want;
  };
  const Case cases[] = {
      {"abc {{ nope .X }}", "template: 1:8: function \"nope\" not defined"},
      {"{{ .A }}\n  {{ $x }}", "template: 2:6: undefined variable \"$x\""},
      {"{{ if .A }}x", "template: 1:13: unexpected EOF"},
      {"{{ end }}", "template: 1:4: unexpected {{end}}"},
      {"{{ .A ", "template: 1:7: unclosed action"},
      {"{{ \"abc }}", "template: 1:4: unterminated quoted string"},
      {"x {{ break }}", "template: 1:6: {{break}} outside {{range}}"},
      {"{{ ( .A }}", "template: 1:9: unclosed left paren"},
      {"{{ 1x }}", "template: 1:4: bad number syntax: \"1x\""},
  };
  for (const auto& c : cases) {
    auto t = Template::Parse(c.text);
    ASSERT_FALSE(t.has_value()) << c.text;
    EXPECT_EQ(t.error().message, c.want) << c.text;
  }
}

TEST(TemplateExecute, ErrorsNameTheAction) {
  auto t = Template::Parse("ok {{ upper 3 }}");
  ASSERT_TRUE(t.has_value());
  auto out = t->Execute(Value());
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().message,
            "template: 1:7: executing: error calling upper: wrong type for value; expected string; "
            "got int");
}

TEST(TemplateExecute, RunsManyTimesFromOneParse) {
  auto t = Template::Parse("{{ range $i, $v := . }}{{ $i }}{{ $v }}{{ end }}");
  ASSERT_TRUE(t.has_value());
  for (int n = 0; n < 3; ++n) {
    auto out = t->Execute(Value::FromList({Value("a"), Value(int64_t{n})}));
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(*out, "0a1" + std::to_string(n));
  }
}

// Runs `text` against `dot`: the output, or "error: <message>".
std::string Render(std::string_view text, const Value& dot = Value()) {
  auto t = Template::Parse(text);
  if (!t) return "parse error: " + t.error().message;
  auto out = t->Execute(dot);
  if (!out) return "error: " + out.error().message;
  return *out;
}

TEST(TemplateRegex, CachedPatternsGiveTheSameAnswers) {
  Value dot = Value::FromMap({{"Reason", Value("BackOff")}, {"Name", Value("web-7f9c-abcde")}});
  const std::string match = R"({{ regexMatch "^Back(Off|off)$" .Reason }})";
  const std::string replace = R"({{ regexReplaceAll "-([a-z0-9]+)$" .Name "/${1}" }})";
  for (int n = 0; n < 3; ++n) {  // the first call compiles, the others hit the cache
    EXPECT_EQ(Render(match, dot), "true");
    EXPECT_EQ(Render(replace, dot), "web-7f9c/abcde");
    EXPECT_EQ(Render(R"({{ regexMatch "(" .Reason }})", dot), "false");
    EXPECT_EQ(Render(R"({{ regexReplaceAll "(" .Reason "x" }})", dot),
              "error: template: 1:4: executing: error calling regexReplaceAll: regexp: "
              "Compile((): missing ): (");
  }
}

TEST(RegexCache, StaysBoundedAndKeepsTheRecentlyUsed) {
  RegexCache cache(4);
  auto first = cache.Get("a+");
  for (int i = 0; i < 100; ++i) {
    cache.Get("p" + std::to_string(i));
    cache.Get("a+");  // used all along: never the least recent
    EXPECT_LE(cache.size(), 4u);
  }
  EXPECT_EQ(cache.Get("a+"), first);  // the same compiled pattern
  EXPECT_TRUE(RE2::FullMatch("aaa", *first));
  // Long patterns are compiled for the call but not kept.
  std::string long_pattern(RegexCache::kMaxCachedPatternBytes + 1, 'x');
  auto a = cache.Get(long_pattern), b = cache.Get(long_pattern);
  EXPECT_NE(a, b);
  EXPECT_TRUE(a->ok());
  EXPECT_LE(cache.size(), 4u);
}

TEST(RegexCache, SharedCacheIsBounded) {
  for (int i = 0; i < 500; ++i) Render("{{ regexMatch \"q" + std::to_string(i) + "\" \"x\" }}");
  EXPECT_LE(SharedRegexCache().size(), RegexCache::kDefaultCapacity);
  EXPECT_GT(SharedRegexCache().size(), 0u);
}

// The peak resident memory of this process so far, in KiB.
[[maybe_unused]] long PeakRssKiB() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// Every case fails with its limit's error, and none of them allocates its
// runaway size on the way (the peak memory of the whole test stays small).
TEST(TemplateBudget, RunawayTemplatesStopWithAClearError) {
  const std::string kSteps = "template exceeded 1000000 steps";
  const std::string kOutput = "output larger than 1048576 bytes";
  const std::string kValue = "value larger than 1048576 bytes";
  struct Case {
    std::string text, want;
  };
  const Case cases[] = {
      // Go 1.22's range over an integer, the engine supports it.
      {"{{ range 1000000000 }}{{ end }}", "template: 1:1: executing: " + kSteps},
      {"{{ range $i := 1000000000 }}{{ $i }}{{ end }}", "template: 1:29: executing: " + kOutput},
      {"{{ range 1000 }}{{ range 1000 }}{{ range 1000 }}{{ end }}{{ end }}{{ end }}",
       "template: 1:33: executing: " + kSteps},
      // Output: 100 bytes per iteration, far fewer steps than the limit.
      {"{{ range 100000 }}" + std::string(100, 'x') + "{{ end }}",
       "template: 1:19: executing: " + kOutput},
      // A string doubled in a loop.
      {R"({{ $s := "x" }}{{ range 64 }}{{ $s = printf "%s%s" $s $s }}{{ end }})",
       "template: 1:38: executing: error calling printf: " + kValue},
      // Growing a string a little at a time: each copy costs its length.
      {R"({{ $s := "" }}{{ range 1000000 }}{{ $s = print $s "xxxxxxxx" }}{{ end }})",
       "template: 1:42: executing: " + kSteps},
      // A list holding the previous one twice: shared, but costed in full.
      {"{{ $l := list 1 }}{{ range 100 }}{{ $l = list $l $l }}{{ end }}",
       "template: 1:42: executing: " + kSteps},
      // Functions that multiply their input stop at the value cap.
      {R"({{ $s := printf "%500000s" "" }}{{ replace " " $s $s }})",
       "template: 1:36: executing: error calling replace: " + kValue},
      {R"({{ $s := printf "%500000s" "" }}{{ replace "" $s $s }})",
       "template: 1:36: executing: error calling replace: " + kValue},
      {R"({{ join (printf "%1000000s" "") (list 1 2 3) }})",
       "template: 1:4: executing: error calling join: " + kValue},
      {R"({{ regexReplaceAll " " (printf "%1000s" "") (printf "%100000s" "") }})",
       "template: 1:4: executing: error calling regexReplaceAll: " + kValue},
      {R"({{ regexReplaceAll "x" "xx" (print "${0}" (printf "%600000s" "")) }})",
       "template: 1:4: executing: error calling regexReplaceAll: " + kValue},
      {R"({{ split "" (printf "%1000000s" "") }})",
       "template: 1:4: executing: error calling split: value with more than 100000 items"},
      {R"({{ split " " (printf "%1000000s" "") }})",
       "template: 1:4: executing: error calling split: value with more than 100000 items"},
      {R"({{ printf "%1000000d%1000000d" 1 2 }})",
       "template: 1:4: executing: error calling printf: " + kValue},
      {R"({{ printf "%999999999999999999999d" 1 | len }}{{ printf "%*d" 2000000000 1 | len }})",
       "10000001000000"},
      {R"({{ split " " (printf "%99999s" "") | len }})", "100000"},  // just under the cap
  };
#ifndef __SANITIZE_ADDRESS__  // ASan's quarantine keeps freed memory resident
  long before = PeakRssKiB();
#endif
  for (const Case& c : cases) {
    std::string want = c.want.rfind("template:", 0) == 0 ? "error: " + c.want : c.want;
    EXPECT_EQ(Render(c.text), want) << c.text;
  }
#ifndef __SANITIZE_ADDRESS__
  // The largest value made here is a few MiB; a runaway would be GiB.
  EXPECT_LT(PeakRssKiB() - before, 64 * 1024);
#endif
}

TEST(TemplateBudget, ACallerMayShareOneBudgetAmongExecutions) {
  auto t = Template::Parse("{{ range 3 }}x{{ end }}");
  ASSERT_TRUE(t.has_value());
  Budget budget;
  budget.max_steps = 20;  // each run: the range node, 3 iterations, 3 texts
  std::string out;
  EXPECT_TRUE(t->Execute(Value(), &out, &budget).has_value());
  EXPECT_TRUE(t->Execute(Value(), &out, &budget).has_value());
  EXPECT_EQ(budget.steps, 14);
  EXPECT_EQ(budget.output_bytes, 6u);
  auto r = t->Execute(Value(), &out, &budget);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "template: 1:14: executing: template exceeded 20 steps");
}

}  // namespace
}  // namespace kv::tmpl
