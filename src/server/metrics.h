// A small Prometheus metrics registry and its text exposition (format
// 0.0.4). Three kinds of metric the program owns (Counter, Gauge,
// Histogram), grouped into families with a label set declared up front,
// and callback collectors that report existing atomic stats structs at
// scrape time without changing them.
//
// Threads: updating a metric (Inc, Set, Observe) is lock-free and may happen
// on any thread. Registration and child creation take the registry's or the
// family's mutex: do them at setup, keep the returned reference, and update
// through it on the hot path. Render() may run on any thread (the HTTP
// server's); it calls the collectors while holding the registry's mutex, so
// a collector must not register anything.
//
// Cardinality is bounded by construction: a family refuses more than
// `max_children` label sets. A refused label set gets a detached metric that
// works but is never exported, and the refusal is counted in
// `<prefix>metrics_label_sets_refused_total`: the hot path never fails.
// Collector samples past the limit are dropped at each scrape (and counted
// at each scrape).
//
// Ownership: the Registry owns every family and metric; references stay
// valid for the Registry's lifetime.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace kv::server {

enum class MetricType { kCounter, kGauge, kHistogram };

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, and not starting with "__" (reserved).
bool IsValidLabelName(std::string_view name);

// A sample value as the Go client writes it: "+Inf", "-Inf", "NaN";
// integers up to 2^53 in plain digits ("1000000"); other values in the
// shortest form that reads back exactly, Go's %g style ("0.25", "1e-05",
// "1.5e+06").
std::string FormatValue(double v);
// Label values: backslash, double quote and newline escaped.
std::string EscapeLabelValue(std::string_view v);
// HELP text: backslash and newline escaped.
std::string EscapeHelp(std::string_view v);

// A monotonically increasing integer count.
class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  void Inc() { Add(1); }
  void Dec() { Add(-1); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into fixed buckets (upper bounds, inclusive).
class Histogram {
 public:
  // `bounds`: finite, strictly increasing (checked by the registry); the
  // +Inf bucket is implicit.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (= count)
    double sum = 0;
    uint64_t count = 0;
  };
  // Consistent in itself: count equals the +Inf bucket. The sum may lag
  // an observation being recorded concurrently.
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative
  std::atomic<double> sum_{0};
};

// Go client's DefBuckets, for durations in seconds.
extern const std::vector<double> kDefaultSecondsBuckets;

// A family's children, one per label set. M is Counter, Gauge or Histogram.
template <typename M>
class Family {
 public:
  // The child for `values` (one per declared label name, in order),
  // created on first use. Past max_children, or with the wrong number of
  // values, a detached metric (see the file comment). Thread-safe; takes a
  // mutex: call it at setup and keep the reference.
  M& WithLabels(const std::vector<std::string>& values);

  struct Internal;  // shared with metrics.cc
  explicit Family(std::shared_ptr<Internal> in) : in_(std::move(in)) {}

 private:
  std::shared_ptr<Internal> in_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// A family a collector reports; declared when the collector is added.
struct CollectedFamily {
  std::string name;  // without the prefix
  std::string help;
  MetricType type = MetricType::kCounter;  // kCounter or kGauge
  std::vector<std::string> label_names;
};

// What a collector writes into at scrape time.
class Collection {
 public:
  // One sample of the declared family `name` (without the prefix). A name
  // the collector did not declare, or the wrong number of label values, is
  // dropped (a bug, logged once per family).
  void Add(std::string_view name, const std::vector<std::string>& label_values, double value);
  void Add(std::string_view name, double value) { Add(name, {}, value); }

  struct Sink;  // metrics.cc
  explicit Collection(Sink& sink) : sink_(sink) {}

 private:
  Sink& sink_;
};
using Collector = std::function<void(Collection&)>;

struct RegistryOptions {
  std::string prefix = "kubevents_";  // config key metricsNamePrefix
  size_t max_children = 1000;         // label sets per family
};

class Registry {
 public:
  // The prefix must itself be a valid metric name start (or empty); a bad
  // one is replaced by the default and logged (config validation rejects
  // it earlier).
  explicit Registry(RegistryOptions options = {});
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registration. `name` is without the prefix. Errors (kInternal: a bug):
  // invalid name or label name, a name already registered, a counter not
  // ending in "_total", histogram bounds not strictly increasing/finite,
  // a histogram label named "le".
  Result<Counter*> AddCounter(const std::string& name, const std::string& help);
  Result<Gauge*> AddGauge(const std::string& name, const std::string& help);
  Result<Histogram*> AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<double> bounds = kDefaultSecondsBuckets);
  Result<CounterFamily*> AddCounterFamily(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names);
  Result<GaugeFamily*> AddGaugeFamily(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names);
  Result<HistogramFamily*> AddHistogramFamily(const std::string& name, const std::string& help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> bounds = kDefaultSecondsBuckets);

  // Adds a collector reporting `families`. Several collectors may declare
  // the same family (same type, help and labels), e.g. one per receiver
  // with a `receiver` label; their samples are merged. A name owned by a
  // non-collector metric is an error.
  Result<void> AddCollector(std::vector<CollectedFamily> families, Collector collector);

  // The text exposition of every metric, families sorted by name, children
  // by label values. Families with no child are left out.
  std::string Render() const;

  const std::string& prefix() const { return prefix_; }

  struct Entry;  // metrics.cc

 private:
  Result<Entry*> Register(const std::string& name, const std::string& help, MetricType type,
                          std::vector<std::string> label_names, const std::vector<double>* bounds);

  struct CollectorSlot {
    std::vector<std::string> declared;  // full names
    Collector fn;
  };

  // Constant after construction.
  std::string prefix_;
  size_t max_children_;

  mutable Counter refused_;  // label sets refused, all families (a scrape may count too)

  // Guarded by mu_.
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;  // by full name
  std::vector<CollectorSlot> collectors_;
  mutable std::set<std::string> warned_;  // families whose dropped samples were logged
};

// A counter or gauge read at scrape time from an atomic the program already
// keeps (e.g. kube::WatcherStats::received): no change to the stats struct.
struct AtomicMetric {
  std::string name;  // without the prefix; a counter ends in _total
  std::string help;
  MetricType type = MetricType::kCounter;  // kCounter or kGauge
  const std::atomic<uint64_t>* value = nullptr;
};

// Adds one collector reporting `metrics`, each with the same labels
// (`label_values` for `label_names`; both empty for none). Call it once per
// labelled instance (e.g. per receiver with {"receiver"}, {name}); their
// samples merge into one family. The atomics must outlive the registry or be
// exported no more (a registry never forgets a collector). Errors as
// AddCollector, or kInternal for a null value or mismatched label counts.
Result<void> ExportAtomics(Registry& registry, const std::vector<std::string>& label_names,
                           const std::vector<std::string>& label_values,
                           std::vector<AtomicMetric> metrics);

// The HTTP Content-Type of Render()'s output.
inline constexpr const char* kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace kv::server
