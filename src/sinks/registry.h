// The receiver kinds, in one table: config key -> Parse. A receiver block
// holds `name` and exactly one of these keys.
#pragma once

#include <span>
#include <string_view>

#include "sinks/sink.h"

namespace kv::sinks {

struct ReceiverKind {
  std::string_view key;
  // Null for kinds of the reference exporter kubevents does not ship yet:
  // a config that uses one is refused with a message naming it.
  Builder (*parse)(const config::Node& node);
};

std::span<const ReceiverKind> ReceiverKinds();

// Parses one `receivers:` entry. Reports problems (zero or two kinds, an
// unknown key with the nearest known one) on the node's diagnostics and
// returns an empty Builder then.
Builder ParseReceiver(const config::Node& node);

}  // namespace kv::sinks
