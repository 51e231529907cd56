// `slack` receiver: one Slack message per event, through the Web API
// (chat.postMessage with a bot token, the reference's way) or an incoming
// webhook. Keys in config.h; see docs/receivers/chat.md.
#pragma once

#include "sinks/sink.h"

namespace kv::sinks::chat::slack {

Builder Parse(const config::Node& node);

}  // namespace kv::sinks::chat::slack
