#include "sinks/search/opensearch/sink.h"

#include "sinks/search/config.h"
#include "sinks/search/sink.h"

namespace kv::sinks::search::opensearch {

Builder Parse(const config::Node& node) {
  SearchConfig config = ParseSearchConfig(node, Engine::kOpenSearch, {});
  if (config.hosts.empty()) {
    node.Report("missing required key (the cluster's URLs, e.g. https://search.example:9200)",
                "hosts");
  }
  return [config](const SinkContext& ctx) { return BuildSearchSink(config, ctx); };
}

}  // namespace kv::sinks::search::opensearch
