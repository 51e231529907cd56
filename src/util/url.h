// Percent-encoding for URL path segments and query values (RFC 3986:
// everything but unreserved characters is escaped).
#pragma once

#include <string>
#include <string_view>

namespace kv::url {

std::string PercentEncode(std::string_view s);

}  // namespace kv::url
