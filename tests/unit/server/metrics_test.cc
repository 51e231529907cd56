#include "server/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

namespace kv::server {
namespace {

TEST(MetricsFormat, ValuesAreFormattedAsTheGoClientDoes) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(1), "1");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(1000000), "1000000");  // integers never in exponent form
  EXPECT_EQ(FormatValue(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(0.005), "0.005");
  EXPECT_EQ(FormatValue(0.0001), "0.0001");
  EXPECT_EQ(FormatValue(0.00001), "1e-05");
  EXPECT_EQ(FormatValue(123456.5), "123456.5");
  EXPECT_EQ(FormatValue(1234567.5), "1.2345675e+06");
  EXPECT_EQ(FormatValue(1e300), "1e+300");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

TEST(MetricsFormat, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeLabelValue("plain ünïcode"), "plain ünïcode");
  EXPECT_EQ(EscapeHelp("a\\b\"c\nd"), "a\\\\b\"c\\nd");  // quotes stay in HELP
}

TEST(MetricsFormat, NamesFollowThePrometheusRules) {
  EXPECT_TRUE(IsValidMetricName("kubevents_events_total"));
  EXPECT_TRUE(IsValidMetricName("a:b_c9"));
  EXPECT_TRUE(IsValidMetricName("_x"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_FALSE(IsValidMetricName("9a"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName("a b"));
  EXPECT_TRUE(IsValidLabelName("receiver"));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("1a"));
}

TEST(Registry, RendersCountersAndGaugesWithHelpAndType) {
  Registry reg({"kv_", 10});
  Counter* c = *reg.AddCounter("events_total", "Events seen.\nSecond line \\ here.");
  Gauge* g = *reg.AddGauge("queue_bytes", "Bytes queued.");
  c->Inc();
  c->Inc(41);
  g->Set(2.5);
  g->Add(-1);
  std::string text = reg.Render();
  EXPECT_NE(text.find("# HELP kv_events_total Events seen.\\nSecond line \\\\ here.\n"
                      "# TYPE kv_events_total counter\n"
                      "kv_events_total 42\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# HELP kv_queue_bytes Bytes queued.\n"
                      "# TYPE kv_queue_bytes gauge\n"
                      "kv_queue_bytes 1.5\n"),
            std::string::npos)
      << text;
  // Sorted by name; the registry's own counter is there too.
  EXPECT_LT(text.find("kv_events_total"), text.find("kv_metrics_label_sets_refused_total"));
  EXPECT_LT(text.find("kv_metrics_label_sets_refused_total"), text.find("kv_queue_bytes"));
}

TEST(Registry, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry reg({"kv_", 10});
  HistogramFamily* f =
      *reg.AddHistogramFamily("send_seconds", "Send time.", {"receiver"}, {0.1, 0.5, 1});
  Histogram& h = f->WithLabels({"os"});
  h.Observe(0.05);
  h.Observe(0.1);  // bounds are inclusive
  h.Observe(0.7);
  h.Observe(3);
  std::string text = reg.Render();
  EXPECT_NE(text.find("# TYPE kv_send_seconds histogram\n"
                      "kv_send_seconds_bucket{receiver=\"os\",le=\"0.1\"} 2\n"
                      "kv_send_seconds_bucket{receiver=\"os\",le=\"0.5\"} 2\n"
                      "kv_send_seconds_bucket{receiver=\"os\",le=\"1\"} 3\n"
                      "kv_send_seconds_bucket{receiver=\"os\",le=\"+Inf\"} 4\n"
                      "kv_send_seconds_sum{receiver=\"os\"} 3.85\n"
                      "kv_send_seconds_count{receiver=\"os\"} 4\n"),
            std::string::npos)
      << text;
}

TEST(Registry, UnlabelledHistogramPutsLeAlone) {
  Registry reg({"", 10});
  Histogram* h = *reg.AddHistogram("x_seconds", "x", {1});
  h->Observe(2);
  std::string text = reg.Render();
  EXPECT_NE(text.find("x_seconds_bucket{le=\"1\"} 0\nx_seconds_bucket{le=\"+Inf\"} 1\n"
                      "x_seconds_sum 2\nx_seconds_count 1\n"),
            std::string::npos)
      << text;
}

TEST(Registry, LabelledChildrenAreSortedAndEscaped) {
  Registry reg({"kv_", 10});
  CounterFamily* f = *reg.AddCounterFamily("sent_total", "Sent.", {"receiver", "kind"});
  f->WithLabels({"b", "file"}).Inc(2);
  f->WithLabels({"a\"q\\\n", "stdout"}).Inc();
  EXPECT_EQ(&f->WithLabels({"b", "file"}), &f->WithLabels({"b", "file"}));  // same child
  std::string text = reg.Render();
  EXPECT_NE(text.find("kv_sent_total{receiver=\"a\\\"q\\\\\\n\",kind=\"stdout\"} 1\n"
                      "kv_sent_total{receiver=\"b\",kind=\"file\"} 2\n"),
            std::string::npos)
      << text;
}

TEST(Registry, FamilyWithoutChildrenIsLeftOut) {
  Registry reg({"kv_", 10});
  ASSERT_TRUE(reg.AddGaugeFamily("lag_seconds", "Lag.", {"receiver"}));
  EXPECT_EQ(reg.Render().find("kv_lag_seconds"), std::string::npos);
}

TEST(Registry, RefusesLabelSetsPastTheLimitAndCountsThem) {
  Registry reg({"kv_", 2});
  CounterFamily* f = *reg.AddCounterFamily("x_total", "x", {"k"});
  f->WithLabels({"1"}).Inc();
  f->WithLabels({"2"}).Inc();
  Counter& refused = f->WithLabels({"3"});
  refused.Inc(100);                     // works, but is not exported
  f->WithLabels({"1", "extra"}).Inc();  // wrong number of values
  std::string text = reg.Render();
  EXPECT_NE(text.find("kv_x_total{k=\"2\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.find("k=\"3\""), std::string::npos) << text;
  EXPECT_NE(text.find("kv_metrics_label_sets_refused_total 2\n"), std::string::npos) << text;
  EXPECT_EQ(&f->WithLabels({"1"}), &f->WithLabels({"1"}));  // existing ones still found
}

TEST(Registry, RejectsBadRegistrations) {
  Registry reg({"kv_", 10});
  EXPECT_FALSE(reg.AddCounter("events", "no _total suffix"));
  EXPECT_FALSE(reg.AddGauge("bad-name", "x"));
  EXPECT_FALSE(reg.AddGaugeFamily("g", "x", {"__reserved"}));
  EXPECT_FALSE(reg.AddGaugeFamily("g2", "x", {"a", "a"}));
  EXPECT_FALSE(reg.AddHistogramFamily("h_seconds", "x", {"le"}));
  EXPECT_FALSE(reg.AddHistogram("h2_seconds", "x", {1, 1}));
  EXPECT_FALSE(reg.AddHistogram("h3_seconds", "x", {1, std::numeric_limits<double>::infinity()}));
  ASSERT_TRUE(reg.AddGauge("dup", "x"));
  EXPECT_FALSE(reg.AddGauge("dup", "x"));
  EXPECT_FALSE(reg.AddCounter("metrics_label_sets_refused_total", "taken by the registry"));
}

TEST(Registry, CollectorsReportStatsAtScrapeTimeMergedByFamily) {
  Registry reg({"kv_", 10});
  std::atomic<uint64_t> a_sent{3}, b_sent{5};
  auto families = [] {
    return std::vector<CollectedFamily>{
        {"delivery_sent_total", "Events delivered.", MetricType::kCounter, {"receiver"}},
        {"delivery_queue_depth", "Queued.", MetricType::kGauge, {"receiver"}}};
  };
  ASSERT_TRUE(reg.AddCollector(families(), [&](Collection& out) {
    out.Add("delivery_sent_total", {"b"}, static_cast<double>(b_sent.load()));
    out.Add("delivery_queue_depth", {"b"}, 7);
  }));
  ASSERT_TRUE(reg.AddCollector(families(), [&](Collection& out) {
    out.Add("delivery_sent_total", {"a"}, static_cast<double>(a_sent.load()));
    out.Add("not_declared_total", 1);                // dropped
    out.Add("delivery_queue_depth", {"a", "x"}, 1);  // wrong labels: dropped
  }));
  std::string text = reg.Render();
  EXPECT_NE(text.find("# TYPE kv_delivery_sent_total counter\n"
                      "kv_delivery_sent_total{receiver=\"a\"} 3\n"
                      "kv_delivery_sent_total{receiver=\"b\"} 5\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE kv_delivery_queue_depth gauge\n"
                      "kv_delivery_queue_depth{receiver=\"b\"} 7\n#"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("not_declared"), std::string::npos);
  b_sent = 6;  // read again at the next scrape
  EXPECT_NE(reg.Render().find("kv_delivery_sent_total{receiver=\"b\"} 6\n"), std::string::npos);
}

TEST(Registry, CollectorCannotRedeclareAFamilyDifferently) {
  Registry reg({"kv_", 10});
  ASSERT_TRUE(reg.AddCounter("owned_total", "x"));
  EXPECT_FALSE(reg.AddCollector({{"owned_total", "x", MetricType::kCounter, {}}}, {}));
  ASSERT_TRUE(reg.AddCollector({{"c_total", "x", MetricType::kCounter, {}}}, [](Collection&) {}));
  EXPECT_FALSE(reg.AddCollector({{"c_total", "other help", MetricType::kCounter, {}}}, {}));
  EXPECT_FALSE(reg.AddCollector({{"h", "x", MetricType::kHistogram, {}}}, {}));
  // A failed call registers nothing: the good name stays free.
  EXPECT_FALSE(reg.AddCollector(
      {{"fresh_total", "x", MetricType::kCounter, {}}, {"bad name", "x", MetricType::kGauge, {}}},
      {}));
  EXPECT_TRUE(reg.AddCounter("fresh_total", "x"));
}

TEST(Registry, CollectorSamplesAreBoundedToo) {
  Registry reg({"kv_", 2});
  ASSERT_TRUE(reg.AddCollector({{"g", "x", MetricType::kGauge, {"k"}}}, [](Collection& out) {
    for (int i = 0; i < 5; ++i) out.Add("g", {std::to_string(i)}, i);
  }));
  std::string text = reg.Render();
  EXPECT_NE(text.find("kv_g{k=\"1\"} 1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("kv_g{k=\"2\"}"), std::string::npos) << text;
  EXPECT_NE(text.find("kv_metrics_label_sets_refused_total 3\n"), std::string::npos) << text;
}

TEST(ExportAtomics, ExportsAStatsStructPerInstance) {
  struct Stats {
    std::atomic<uint64_t> sent{0};
    std::atomic<uint64_t> queued{0};
  } a, b;
  Registry reg({"kv_", 10});
  auto metrics = [](const Stats& s) {
    return std::vector<AtomicMetric>{
        {"receiver_sent_total", "Sent.", MetricType::kCounter, &s.sent},
        {"receiver_queued", "Queued.", MetricType::kGauge, &s.queued}};
  };
  ASSERT_TRUE(ExportAtomics(reg, {"receiver"}, {"a"}, metrics(a)));
  ASSERT_TRUE(ExportAtomics(reg, {"receiver"}, {"b"}, metrics(b)));
  a.sent = 5;
  b.queued = 2;
  std::string text = reg.Render();
  EXPECT_NE(text.find("# TYPE kv_receiver_sent_total counter\n"
                      "kv_receiver_sent_total{receiver=\"a\"} 5\n"
                      "kv_receiver_sent_total{receiver=\"b\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kv_receiver_queued{receiver=\"b\"} 2\n"), std::string::npos) << text;
  EXPECT_FALSE(ExportAtomics(reg, {"receiver"}, {}, metrics(a)));
  EXPECT_FALSE(ExportAtomics(reg, {}, {}, {{"x_total", "x", MetricType::kCounter, nullptr}}));
  // Same names with a different label set: refused.
  EXPECT_FALSE(ExportAtomics(reg, {}, {}, metrics(a)));
}

TEST(Registry, UpdatesFromManyThreadsAreAllCounted) {
  Registry reg;
  Counter* c = *reg.AddCounter("n_total", "n");
  Gauge* g = *reg.AddGauge("g", "g");
  Histogram* h = *reg.AddHistogram("h_seconds", "h");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c->Inc();
        g->Add(0.5);
        h->Observe(0.2);
        if (i % 1000 == 0) reg.Render();  // scrapes meanwhile
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c->Value(), 40000u);
  EXPECT_EQ(g->Value(), 20000);
  auto s = h->Read();
  EXPECT_EQ(s.count, 40000u);
  EXPECT_NEAR(s.sum, 8000, 1e-6);
  EXPECT_NE(reg.Render().find("kubevents_n_total 40000\n"), std::string::npos);
}

}  // namespace
}  // namespace kv::server
