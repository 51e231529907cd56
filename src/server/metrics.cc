#include "server/metrics.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace kv::server {

namespace {

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// `{a="x",b="y"` without the closing brace (so "le" can follow), or "" when
// there are no labels.
std::string OpenLabels(const std::vector<std::string>& names,
                       const std::vector<std::string>& values) {
  if (names.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    out += EscapeLabelValue(values[i]);
    out += '"';
  }
  return out;
}

std::string CloseLabels(const std::string& open) { return open.empty() ? "" : open + "}"; }

void AppendSample(std::string& out, const std::string& name, const std::string& labels,
                  const std::string& value) {
  out += name;
  out += labels;
  out += ' ';
  out += value;
  out += '\n';
}

template <typename M>
std::unique_ptr<M> MakeMetric(const std::vector<double>& bounds);
template <>
std::unique_ptr<Counter> MakeMetric<Counter>(const std::vector<double>&) {
  return std::make_unique<Counter>();
}
template <>
std::unique_ptr<Gauge> MakeMetric<Gauge>(const std::vector<double>&) {
  return std::make_unique<Gauge>();
}
template <>
std::unique_ptr<Histogram> MakeMetric<Histogram>(const std::vector<double>& bounds) {
  return std::make_unique<Histogram>(bounds);
}

void RenderChild(std::string& out, const std::string& name, const std::string& labels,
                 const Counter& c) {
  AppendSample(out, name, CloseLabels(labels), std::to_string(c.Value()));
}
void RenderChild(std::string& out, const std::string& name, const std::string& labels,
                 const Gauge& g) {
  AppendSample(out, name, CloseLabels(labels), FormatValue(g.Value()));
}
void RenderChild(std::string& out, const std::string& name, const std::string& labels,
                 const Histogram& h) {
  Histogram::Snapshot s = h.Read();
  std::string le = labels.empty() ? "{le=\"" : labels + ",le=\"";
  for (size_t i = 0; i < h.bounds().size(); ++i) {
    AppendSample(out, name + "_bucket", le + FormatValue(h.bounds()[i]) + "\"}",
                 std::to_string(s.cumulative[i]));
  }
  AppendSample(out, name + "_bucket", le + "+Inf\"}", std::to_string(s.count));
  AppendSample(out, name + "_sum", CloseLabels(labels), FormatValue(s.sum));
  AppendSample(out, name + "_count", CloseLabels(labels), std::to_string(s.count));
}

}  // namespace

bool IsValidMetricName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  return std::all_of(name.begin(), name.end(), IsNameChar);
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name[0] == ':' || !IsNameStart(name[0])) return false;
  if (name.substr(0, 2) == "__") return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return c != ':' && IsNameChar(c); });
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Integers (counts, bytes) in plain digits, as operators read them.
  constexpr double kExactIntegers = 9007199254740992.0;  // 2^53
  if (v == std::trunc(v) && std::fabs(v) <= kExactIntegers) {
    return std::to_string(static_cast<int64_t>(v));
  }
  // Go's strconv 'g' with the shortest precision: exponent form when the
  // decimal exponent is < -4 or >= 6 (the shortest precision's eprec).
  char buf[64];
  auto sci = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string s(buf, sci.ptr);
  int exp = std::atoi(s.c_str() + s.find('e') + 1);
  if (exp < -4 || exp >= 6) return s;
  auto fixed = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, fixed.ptr);
}

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// ---- Histogram

const std::vector<double> kDefaultSecondsBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                    0.5,   1,    2.5,   5,    10};

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double v) {
  // Upper bounds are inclusive: v lands in the first bucket with v <= bound.
  size_t i =
      static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.cumulative.resize(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = total;
  }
  s.count = total;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

// ---- Families

template <typename M>
struct Family<M>::Internal {
  std::string name;  // full name, for messages
  std::vector<std::string> label_names;
  std::vector<double> bounds;  // histograms only
  size_t max_children = 0;
  Counter* refused = nullptr;

  std::mutex mu;  // guards the members below
  std::map<std::vector<std::string>, std::unique_ptr<M>> children;
  std::unique_ptr<M> detached;  // what refused label sets get
  bool warned = false;

  void Render(std::string& out) {
    std::lock_guard lock(mu);
    for (const auto& [values, child] : children) {
      RenderChild(out, name, OpenLabels(label_names, values), *child);
    }
  }
};

template <typename M>
M& Family<M>::WithLabels(const std::vector<std::string>& values) {
  Internal& in = *in_;
  std::lock_guard lock(in.mu);
  auto it = in.children.find(values);
  if (it != in.children.end()) return *it->second;
  if (values.size() == in.label_names.size() && in.children.size() < in.max_children) {
    auto [pos, ok] = in.children.emplace(values, MakeMetric<M>(in.bounds));
    return *pos->second;
  }
  in.refused->Inc();
  if (!in.warned) {
    in.warned = true;
    spdlog::warn("metrics: {} refused a label set ({} values for {} labels, {} children, limit {})",
                 in.name, values.size(), in.label_names.size(), in.children.size(),
                 in.max_children);
  }
  if (!in.detached) in.detached = MakeMetric<M>(in.bounds);
  return *in.detached;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// ---- Collectors

struct Collection::Sink {
  // Per full family name: samples by label values (last one wins).
  std::map<std::string, std::map<std::vector<std::string>, double>> samples;
  const std::string* prefix = nullptr;
  const std::map<std::string, std::unique_ptr<Registry::Entry>>* entries = nullptr;
  const std::vector<std::string>* declared = nullptr;  // the running collector's
  size_t max_children = 0;
  Counter* refused = nullptr;
  std::set<std::string>* warned = nullptr;
};

struct Registry::Entry {
  std::string name;  // full
  std::string help;
  MetricType type = MetricType::kCounter;
  std::vector<std::string> label_names;
  bool collected = false;           // reported by collectors rather than owned
  const Counter* single = nullptr;  // a counter the registry itself owns
  // Owned families: exactly one is set.
  std::shared_ptr<CounterFamily::Internal> counters;
  std::shared_ptr<GaugeFamily::Internal> gauges;
  std::shared_ptr<HistogramFamily::Internal> histograms;
  std::unique_ptr<CounterFamily> counter_family;
  std::unique_ptr<GaugeFamily> gauge_family;
  std::unique_ptr<HistogramFamily> histogram_family;
};

void Collection::Add(std::string_view name, const std::vector<std::string>& label_values,
                     double value) {
  std::string full = *sink_.prefix + std::string(name);
  auto it = sink_.entries->find(full);
  bool ok =
      std::find(sink_.declared->begin(), sink_.declared->end(), full) != sink_.declared->end() &&
      it != sink_.entries->end() && it->second->label_names.size() == label_values.size();
  if (ok) {
    auto& family = sink_.samples[full];
    if (family.size() < sink_.max_children || family.count(label_values) > 0) {
      family[label_values] = value;
      return;
    }
    sink_.refused->Inc();
  }
  if (sink_.warned->insert(full).second) {
    spdlog::warn(
        "metrics: a collector's sample of {} was dropped (undeclared, wrong number of labels or "
        "too many label sets)",
        full);
  }
}

// ---- Registry

Registry::Registry(RegistryOptions options)
    : prefix_(std::move(options.prefix)), max_children_(options.max_children) {
  if (!prefix_.empty() && !IsValidMetricName(prefix_)) {
    spdlog::warn("metrics: invalid name prefix '{}', using 'kubevents_'", prefix_);
    prefix_ = "kubevents_";
  }
  auto e = std::make_unique<Entry>();
  e->name = prefix_ + "metrics_label_sets_refused_total";
  e->help =
      "Label sets refused because a family reached its limit or got the wrong number of label "
      "values.";
  e->type = MetricType::kCounter;
  e->single = &refused_;
  entries_.emplace(e->name, std::move(e));
}

Registry::~Registry() = default;

Result<Registry::Entry*> Registry::Register(const std::string& name, const std::string& help,
                                            MetricType type, std::vector<std::string> label_names,
                                            const std::vector<double>* bounds) {
  std::string full = prefix_ + name;
  if (!IsValidMetricName(full)) return Fail(ErrorCode::kInternal, "invalid metric name " + full);
  if (type == MetricType::kCounter && !EndsWith(full, "_total")) {
    return Fail(ErrorCode::kInternal, "counter name must end in _total: " + full);
  }
  std::set<std::string> seen;
  for (const auto& l : label_names) {
    if (!IsValidLabelName(l)) return Fail(ErrorCode::kInternal, full + ": invalid label " + l);
    if (type == MetricType::kHistogram && l == "le") {
      return Fail(ErrorCode::kInternal, full + ": a histogram cannot have a label 'le'");
    }
    if (!seen.insert(l).second) return Fail(ErrorCode::kInternal, full + ": duplicate label " + l);
  }
  if (bounds != nullptr) {
    for (size_t i = 0; i < bounds->size(); ++i) {
      if (!std::isfinite((*bounds)[i]) || (i > 0 && (*bounds)[i] <= (*bounds)[i - 1])) {
        return Fail(ErrorCode::kInternal,
                    full + ": histogram bounds must be finite and strictly increasing");
      }
    }
  }
  if (entries_.count(full) > 0)
    return Fail(ErrorCode::kInternal, "metric registered twice: " + full);
  auto e = std::make_unique<Entry>();
  e->name = full;
  e->help = help;
  e->type = type;
  e->label_names = std::move(label_names);
  Entry* raw = e.get();
  entries_.emplace(full, std::move(e));
  return raw;
}

namespace {

template <typename M>
std::shared_ptr<typename Family<M>::Internal> MakeInternal(const std::string& name,
                                                           const std::vector<std::string>& labels,
                                                           std::vector<double> bounds,
                                                           size_t max_children, Counter* refused) {
  auto in = std::make_shared<typename Family<M>::Internal>();
  in->name = name;
  in->label_names = labels;
  in->bounds = std::move(bounds);
  in->max_children = max_children;
  in->refused = refused;
  return in;
}

// The one child of a family without labels, created outside the limit.
template <typename M>
M* SingleChild(typename Family<M>::Internal& in) {
  auto [pos, ok] = in.children.emplace(std::vector<std::string>{}, MakeMetric<M>(in.bounds));
  return pos->second.get();
}

}  // namespace

Result<CounterFamily*> Registry::AddCounterFamily(const std::string& name, const std::string& help,
                                                  std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  auto e = Register(name, help, MetricType::kCounter, std::move(label_names), nullptr);
  if (!e) return tl::unexpected(e.error());
  Entry& entry = **e;
  entry.counters =
      MakeInternal<Counter>(entry.name, entry.label_names, {}, max_children_, &refused_);
  entry.counter_family = std::make_unique<CounterFamily>(entry.counters);
  return entry.counter_family.get();
}

Result<GaugeFamily*> Registry::AddGaugeFamily(const std::string& name, const std::string& help,
                                              std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  auto e = Register(name, help, MetricType::kGauge, std::move(label_names), nullptr);
  if (!e) return tl::unexpected(e.error());
  Entry& entry = **e;
  entry.gauges = MakeInternal<Gauge>(entry.name, entry.label_names, {}, max_children_, &refused_);
  entry.gauge_family = std::make_unique<GaugeFamily>(entry.gauges);
  return entry.gauge_family.get();
}

Result<HistogramFamily*> Registry::AddHistogramFamily(const std::string& name,
                                                      const std::string& help,
                                                      std::vector<std::string> label_names,
                                                      std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  auto e = Register(name, help, MetricType::kHistogram, std::move(label_names), &bounds);
  if (!e) return tl::unexpected(e.error());
  Entry& entry = **e;
  entry.histograms = MakeInternal<Histogram>(entry.name, entry.label_names, std::move(bounds),
                                             max_children_, &refused_);
  entry.histogram_family = std::make_unique<HistogramFamily>(entry.histograms);
  return entry.histogram_family.get();
}

Result<Counter*> Registry::AddCounter(const std::string& name, const std::string& help) {
  auto f = AddCounterFamily(name, help, {});
  if (!f) return tl::unexpected(f.error());
  std::lock_guard lock(mu_);
  return SingleChild<Counter>(*entries_.at(prefix_ + name)->counters);
}

Result<Gauge*> Registry::AddGauge(const std::string& name, const std::string& help) {
  auto f = AddGaugeFamily(name, help, {});
  if (!f) return tl::unexpected(f.error());
  std::lock_guard lock(mu_);
  return SingleChild<Gauge>(*entries_.at(prefix_ + name)->gauges);
}

Result<Histogram*> Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<double> bounds) {
  auto f = AddHistogramFamily(name, help, {}, std::move(bounds));
  if (!f) return tl::unexpected(f.error());
  std::lock_guard lock(mu_);
  return SingleChild<Histogram>(*entries_.at(prefix_ + name)->histograms);
}

Result<void> Registry::AddCollector(std::vector<CollectedFamily> families, Collector collector) {
  std::lock_guard lock(mu_);
  CollectorSlot slot;
  // Check everything first so a failed call registers nothing.
  for (const auto& f : families) {
    std::string full = prefix_ + f.name;
    if (f.type == MetricType::kHistogram) {
      return Fail(ErrorCode::kInternal, full + ": collectors report counters and gauges only");
    }
    auto it = entries_.find(full);
    if (it == entries_.end()) continue;
    const Entry& e = *it->second;
    if (!e.collected || e.type != f.type || e.help != f.help || e.label_names != f.label_names) {
      return Fail(ErrorCode::kInternal,
                  "metric registered twice with different descriptions: " + full);
    }
  }
  std::vector<std::string> added;  // by this call, undone on failure
  for (auto& f : families) {
    std::string full = prefix_ + f.name;
    slot.declared.push_back(full);
    if (entries_.count(full) > 0) continue;
    auto e = Register(f.name, f.help, f.type, std::move(f.label_names), nullptr);
    if (!e) {
      for (const auto& name : added) entries_.erase(name);
      return tl::unexpected(e.error());
    }
    (*e)->collected = true;
    added.push_back(full);
  }
  slot.fn = std::move(collector);
  collectors_.push_back(std::move(slot));
  return {};
}

std::string Registry::Render() const {
  std::lock_guard lock(mu_);
  Collection::Sink sink;
  sink.prefix = &prefix_;
  sink.entries = &entries_;
  sink.max_children = max_children_;
  sink.refused = &refused_;
  sink.warned = &warned_;
  for (const auto& c : collectors_) {
    sink.declared = &c.declared;
    Collection collection(sink);
    c.fn(collection);
  }

  std::string out;
  std::string body;
  for (const auto& [name, e] : entries_) {
    body.clear();
    if (e->single != nullptr) {
      AppendSample(body, name, "", std::to_string(e->single->Value()));
    } else if (e->collected) {
      auto it = sink.samples.find(name);
      if (it == sink.samples.end()) continue;
      for (const auto& [values, v] : it->second) {
        AppendSample(body, name, CloseLabels(OpenLabels(e->label_names, values)), FormatValue(v));
      }
    } else if (e->counters) {
      e->counters->Render(body);
    } else if (e->gauges) {
      e->gauges->Render(body);
    } else if (e->histograms) {
      e->histograms->Render(body);
    }
    if (body.empty()) continue;
    out += "# HELP ";
    out += name;
    out += ' ';
    out += EscapeHelp(e->help);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += TypeName(e->type);
    out += '\n';
    out += body;
  }
  return out;
}

Result<void> ExportAtomics(Registry& registry, const std::vector<std::string>& label_names,
                           const std::vector<std::string>& label_values,
                           std::vector<AtomicMetric> metrics) {
  if (label_names.size() != label_values.size()) {
    return Fail(ErrorCode::kInternal, "ExportAtomics: label names and values differ in number");
  }
  std::vector<CollectedFamily> families;
  for (const auto& m : metrics) {
    if (m.value == nullptr) return Fail(ErrorCode::kInternal, "ExportAtomics: null " + m.name);
    families.push_back({m.name, m.help, m.type, label_names});
  }
  return registry.AddCollector(
      std::move(families), [metrics = std::move(metrics), label_values](Collection& out) {
        for (const auto& m : metrics) {
          out.Add(m.name, label_values, static_cast<double>(m.value->load()));
        }
      });
}

}  // namespace kv::server
