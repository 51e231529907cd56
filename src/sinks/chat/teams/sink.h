// `teams` receiver: one Microsoft Teams message per event, through an
// Office 365 connector (the reference's way, a MessageCard) or a Power
// Automate Workflows trigger (an Adaptive Card). Keys in config.h; see
// docs/receivers/chat.md.
#pragma once

#include "sinks/sink.h"

namespace kv::sinks::chat::teams {

Builder Parse(const config::Node& node);

}  // namespace kv::sinks::chat::teams
