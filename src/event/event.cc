#include "event/event.h"

namespace kv::event {

int64_t Event::LastSeenMicros() const {
  if (last_timestamp_micros != 0) return last_timestamp_micros;
  if (series_last_observed_micros != 0) return series_last_observed_micros;
  if (event_time_micros != 0) return event_time_micros;
  return first_timestamp_micros;
}

}  // namespace kv::event
