// Standard base64 (RFC 4648, with padding), as Kubernetes and AWS use it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kv::base64 {

std::string Encode(std::string_view data);
// Ignores whitespace; nullopt on any other character outside the alphabet.
std::optional<std::string> Decode(std::string_view text);

}  // namespace kv::base64
