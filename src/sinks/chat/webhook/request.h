// A webhook batch -> the HTTP requests that carry it (pure).
//
// - One event per request unless `batch.format` is set; then consecutive
//   events share a request up to batch.maxEvents events and batch.maxBytes
//   bytes of body (an event bigger than that goes alone).
// - Headers: Content-Type (application/json, or application/x-ndjson),
//   User-Agent: kubevents, then the configured headers rendered against
//   the request's first event (a configured Content-Type or User-Agent
//   replaces the default), then Authorization from basicAuth/bearerToken,
//   then kIdempotencyHeader: the event's uid/resourceVersion, or for a
//   batch the first event's (each event's own key is in its body as
//   metadata.uid and metadata.resourceVersion, or `{{ .IdempotencyKey }}`
//   in a layout).
// - An event its layout cannot render is rejected alone and not sent.
#pragma once

#include <span>
#include <string_view>

#include "event/event.h"
#include "sinks/chat/per_event_sink.h"
#include "sinks/chat/webhook/config.h"

namespace kv::sinks::chat::webhook {

inline constexpr std::string_view kIdempotencyHeader = "X-Kubevents-Idempotency-Key";
inline constexpr std::string_view kUserAgent = "kubevents";

chat::Plan PlanRequests(std::span<const event::EventPtr> batch, const WebhookConfig& cfg);

}  // namespace kv::sinks::chat::webhook
