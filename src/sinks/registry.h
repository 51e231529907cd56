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
  // A person reads what it receives (chat and alerting): an event's
  // updates are throttled for it by default (app/updates.h), where stores
  // and streams get every update.
  bool chat = false;
};

std::span<const ReceiverKind> ReceiverKinds();

// The kind of one `receivers:` entry: the one kind key it holds, or null
// (none, several, not a map). Reports nothing.
const ReceiverKind* KindOf(const config::Node& node);

// Parses one `receivers:` entry (`name`, `delivery` and `updates` are read
// by app/config). Reports problems (zero or two kinds, an
// unknown key with the nearest known one) on the node's diagnostics and
// returns an empty Builder then.
Builder ParseReceiver(const config::Node& node);

}  // namespace kv::sinks
