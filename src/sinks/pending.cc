#include "sinks/pending.h"

#include <vector>

namespace kv::sinks {

namespace {

// Spelled exactly as the reference's YAML tags (pkg/sinks/*.go there).
constexpr KeySpec kTls[] = {{"insecureSkipVerify", {}},
                            {"serverName", {}},
                            {"caFile", {}},
                            {"keyFile", {}},
                            {"certFile", {}}};
constexpr KeySpec kKafkaTls[] = {
    {"enable", {}}, {"caFile", {}}, {"certFile", {}}, {"keyFile", {}}, {"insecureSkipVerify", {}}};
constexpr KeySpec kKafkaSasl[] = {
    {"enable", {}}, {"username", {}}, {"password", {}}, {"mechanism", {}}};
constexpr KeySpec kKafkaAvro[] = {{"schemaID", {}}, {"schema", {}}};

constexpr KeySpec kSyslog[] = {{"network", {}}, {"address", {}}, {"tag", {}}};
constexpr KeySpec kOpsCenter[] = {{"category", {}},
                                  {"description", {}},
                                  {"notifications", {}},
                                  {"operationalData", {}},
                                  {"priority", {}},
                                  {"region", {}},
                                  {"relatedOpsItems", {}},
                                  {"severity", {}},
                                  {"source", {}},
                                  {"tags", {}},
                                  {"title", {}}};
constexpr KeySpec kKafka[] = {{"topic", {}},      {"brokers", {}},          {"layout", {}},
                              {"clientId", {}},   {"compressionCodec", {}}, {"version", {}},
                              {"tls", kKafkaTls}, {"sasl", kKafkaSasl},     {"avro", kKafkaAvro}};
constexpr KeySpec kPubsub[] = {{"gcloud_project_id", {}}, {"topic", {}}, {"create_topic", {}}};
constexpr KeySpec kBigQuery[] = {
    {"location", {}},    {"project", {}},          {"dataset", {}},
    {"table", {}},       {"credentials_path", {}}, {"batch_size", {}},
    {"max_retries", {}}, {"interval_seconds", {}}, {"timeout_seconds", {}}};
constexpr KeySpec kLoki[] = {
    {"layout", {}}, {"streamLabels", {}}, {"tls", kTls}, {"url", {}}, {"headers", {}}};

struct Entry {
  std::string_view kind;
  std::span<const KeySpec> keys;
};
constexpr Entry kPending[] = {
    {"syslog", kSyslog},
    {"opscenter", kOpsCenter},
    {"kafka", kKafka},
    {"pubsub", kPubsub},
    {"bigquery", kBigQuery},
    {"loki", kLoki},
};

}  // namespace

std::span<const KeySpec> PendingKeys(std::string_view kind) {
  for (const auto& e : kPending) {
    if (e.kind == kind) return e.keys;
  }
  return {};
}

void CheckKeys(const config::Node& node, std::span<const KeySpec> keys) {
  if (!node.IsMap()) return;
  std::vector<std::string_view> names;
  for (const auto& k : keys) names.push_back(k.key);
  node.RejectUnknownKeys(names);
  for (const auto& k : keys) {
    if (k.children.empty() || !node.Has(k.key)) continue;
    config::Node child = node.Child(k.key);
    if (!child.IsMap()) {
      node.Report("expected a map", k.key);
      continue;
    }
    CheckKeys(child, k.children);
  }
}

}  // namespace kv::sinks
