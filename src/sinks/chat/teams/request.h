// Event -> Teams request, in both styles (pure).
//
// Connector (the reference's text, as a legacy MessageCard):
//   {"@type":"MessageCard","@context":"https://schema.org/extensions",
//    "summary":"event","text":"Event: <message> \nStatus: <reason> \nMetadata: <metadata>"}
//   where message, reason and metadata are those top-level keys of the
//   event's JSON (the layout's output when there is one, else the full
//   event): strings as they are, anything else as compact JSON, a missing
//   key as "". (The reference prints metadata with Go's %s of a map,
//   `map[name:… uid:…]`; kubevents writes JSON.)
// Workflows (an Adaptive Card in a message, the shape the "When a Teams
//   webhook request is received" trigger takes):
//   {"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",
//    "contentUrl":null,"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json",
//    "type":"AdaptiveCard","version":"1.4","body":[
//      {"type":"TextBlock","text":<title>,"weight":"Bolder","size":"Medium","wrap":true},
//      {"type":"TextBlock","text":<message>,"wrap":true},
//      {"type":"FactSet","facts":[{"title":…,"value":…}]}]}}]}
//   the title block only when the title renders non-empty, the FactSet
//   only with facts.
// Headers: Content-Type: application/json, User-Agent: kubevents, then the
// configured ones rendered for the event.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "event/event.h"
#include "http/client.h"
#include "sinks/chat/teams/config.h"
#include "util/result.h"

namespace kv::sinks::chat::teams {

// The connector text from an event's JSON document.
std::string ConnectorText(std::string_view event_json);
std::string EncodeMessageCard(std::string_view text);

std::string EncodeAdaptiveCard(std::string_view title, std::string_view message,
                               const std::vector<std::pair<std::string, std::string>>& facts);

Result<http::Request> BuildRequest(const TeamsConfig& cfg, const event::EventPtr& event);

}  // namespace kv::sinks::chat::teams
