// What the HTTP notification receivers (webhook, chime, slack, teams,
// opsgenie) read from their config the same way: endpoint URLs, `tls`,
// `timeoutSeconds`, templated `headers`, and message templates with a
// default. Parse-time only: nothing here does I/O (libcurl reads the TLS
// files at each request, so a rotated certificate is picked up).
//
// Problems go to the node's diagnostics, as for every Parse().
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/node.h"
#include "http/client.h"
#include "sinks/common/tls_config.h"
#include "tmpl/template.h"
#include "tmpl/value.h"
#include "util/result.h"

namespace kv::sinks::chat {

// The one-line text every chat kind sends unless told otherwise, e.g.
// "[prod] Warning BackOff Pod default/web-1: Back-off restarting failed container".
inline constexpr std::string_view kDefaultText =
    "{{ if .ClusterName }}[{{ .ClusterName }}] {{ end }}{{ .Type }} {{ .Reason }} "
    "{{ .InvolvedObject.Kind }} {{ if .InvolvedObject.Namespace }}{{ .InvolvedObject.Namespace }}/"
    "{{ end }}{{ .InvolvedObject.Name }}: {{ .Message }}";

// Default for `timeoutSeconds`: the whole request, connect included.
inline constexpr int64_t kDefaultTimeoutSeconds = 30;

// The `tls:` block: sinks/common/tls_config.h.
using common::ParseTls;

// Reads `key` as an http:// or https:// URL. Reports a missing required key
// or another scheme; returns "" then.
std::string ParseUrl(const config::Node& body, std::string_view key, bool required);

// `timeoutSeconds`, 1..3600, default kDefaultTimeoutSeconds.
std::chrono::milliseconds ParseTimeout(const config::Node& body);

// A header whose value is a template rendered per event (the reference's
// webhook headers). A value that does not compile is sent as written, as
// the reference does, with a warning at load.
struct HeaderTemplate {
  std::string name;
  std::string text;                     // as written
  std::optional<tmpl::Template> value;  // nullopt: send `text` literally
};

// Reads the map at `key` (header name -> value template).
std::vector<HeaderTemplate> ParseHeaders(const config::Node& body, std::string_view key);

// Renders each header against `event`. A value whose rendering fails is
// sent as written (the reference's rule); never fails.
http::Headers RenderHeaders(const std::vector<HeaderTemplate>& headers, const tmpl::Value& event);

// Compiles the template at `key`, or `def` when the key is absent (nullopt
// with `def` empty: nothing configured). A compile error is reported with
// the key path; the result is then nullopt.
std::optional<tmpl::Template> ParseTemplate(const config::Node& body, std::string_view key,
                                            std::string_view def = {});

// A map at `key` of names to value templates (Slack's fields, Teams'
// facts, Opsgenie's details), sorted by name in byte order as the reference
// does; empty when the key is absent. `what` names the map's keys and
// values in the error for a non-map ("field titles"). A value that does not
// compile is reported with its key path and left out.
using NamedTemplates = std::vector<std::pair<std::string, tmpl::Template>>;
NamedTemplates ParseTemplateMap(const config::Node& body, std::string_view key,
                                std::string_view what);

// Renders `t` (nullopt renders ""). Error kInvalidConfig naming `what`.
Result<std::string> Render(const std::optional<tmpl::Template>& t, const tmpl::Value& event,
                           std::string_view what);

// The first `max` Unicode code points of UTF-8 `s`; when `s` is longer, the
// last kept one is replaced by "…" (U+2026) so the result has exactly `max`.
std::string TruncateCodePoints(std::string_view s, size_t max);

// "https://host:port/…" for reasons and logs: paths and queries of
// notification URLs often hold their secret (Slack, Chime, Teams, Workflows).
std::string RedactUrl(std::string_view url);

}  // namespace kv::sinks::chat
