// What the stdout, file and pipe receivers share: each event becomes one
// line of JSON in the reference shape, and lines are written with as few
// system calls as possible.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "config/node.h"
#include "event/encode.h"
#include "event/event.h"
#include "util/result.h"

namespace kv::sinks::common {

// Reads `deDot`, and `layout`, which needs the template engine that has not
// landed yet: a config that uses it is refused with that explanation.
event::EncodeOptions ParseLineOptions(const config::Node& node);

// Appends one JSON line per event to `out`.
void AppendLines(std::span<const event::EventPtr> batch, const event::EncodeOptions& options,
                 std::string* out);

// Writes all of `data` to `fd`, retrying short writes and EINTR.
Result<void> WriteAll(int fd, std::string_view data);

}  // namespace kv::sinks::common
