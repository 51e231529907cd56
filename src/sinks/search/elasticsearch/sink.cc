#include "sinks/search/elasticsearch/sink.h"

#include "sinks/search/config.h"
#include "sinks/search/elasticsearch/cloud_id.h"
#include "sinks/search/sink.h"

namespace kv::sinks::search::elasticsearch {

Builder Parse(const config::Node& node) {
  SearchConfig config = ParseSearchConfig(node, Engine::kElasticsearch, {"cloudID", "apiKey"});
  config.api_key = node.String("apiKey");
  std::string cloud_id = node.String("cloudID");
  if (!cloud_id.empty()) {
    if (!config.hosts.empty()) {
      // As the official client: one way to name the cluster.
      node.Report("set hosts or cloudID, not both", "cloudID");
    }
    if (config.sniff) {
      // Elastic Cloud's nodes are only reachable through its proxy.
      node.Report("sniffing does not work with cloudID: remove sniff", "sniff");
    }
    auto url = CloudIdUrl(cloud_id);
    if (url) {
      config.hosts = {*url};
    } else {
      node.Report("invalid cloudID: " + url.error().message, "cloudID");
    }
  } else if (config.hosts.empty()) {
    node.Report("missing required key (the cluster's URLs, or cloudID)", "hosts");
  }
  if (!config.api_key.empty() && config.aws) {
    node.Report("aws signing replaces apiKey: remove one of them", "apiKey");
  }
  return [config](const SinkContext& ctx) { return BuildSearchSink(config, ctx); };
}

}  // namespace kv::sinks::search::elasticsearch
