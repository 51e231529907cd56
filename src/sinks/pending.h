// The keys of the reference exporter's receiver kinds that kubevents does
// not ship yet. Their blocks are still validated (unknown keys, nested
// tls/sasl blocks) so `check-config` reports every problem of a config at
// once, and then refused with a message that names the kind.
#pragma once

#include <span>
#include <string_view>

#include "config/node.h"

namespace kv::sinks {

struct KeySpec {
  std::string_view key;
  std::span<const KeySpec> children;  // non-empty: the value is a map of these keys
};

// The keys of `kind`, or an empty span when kubevents knows none for it.
std::span<const KeySpec> PendingKeys(std::string_view kind);

// Reports unknown keys of `node` against `keys`, recursing into nested maps.
void CheckKeys(const config::Node& node, std::span<const KeySpec> keys);

}  // namespace kv::sinks
