// `chime` receiver: one Amazon Chime chat message per event through an
// incoming webhook. Keys: endpoint, message, tls, timeoutSeconds.
// See docs/receivers/chat.md.
#pragma once

#include "sinks/sink.h"

namespace kv::sinks::chat::chime {

Builder Parse(const config::Node& node);

}  // namespace kv::sinks::chat::chime
