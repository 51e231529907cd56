// Event -> Firehose record. Pure.
#pragma once

#include <string>

#include "event/event.h"
#include "sinks/aws/firehose/config.h"
#include "util/result.h"

namespace kv::sinks::aws::firehose {

// The event JSON followed by '\n': Firehose concatenates records into its
// S3 objects, so each record ends its line and the objects stay
// newline-delimited JSON (the reference sends no separator).
// Error kInvalidConfig when the layout cannot render the event.
Result<std::string> Encode(const event::EventPtr& ev, const FirehoseConfig& config);

}  // namespace kv::sinks::aws::firehose
