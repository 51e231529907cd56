// `opsgenie` receiver: one Opsgenie alert per event through the Alert API
// (POST /v2/alerts). Keys in config.h; see docs/receivers/chat.md.
#pragma once

#include "sinks/sink.h"

namespace kv::sinks::chat::opsgenie {

Builder Parse(const config::Node& node);

}  // namespace kv::sinks::chat::opsgenie
