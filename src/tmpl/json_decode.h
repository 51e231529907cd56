// sprig's fromJson: JSON text → Value as encoding/json decodes into
// interface{} (objects map[string]interface{}, arrays []interface{},
// numbers float64). Null on malformed input, as sprig returns nil.
#pragma once

#include <string_view>

#include "tmpl/value.h"

namespace kv::tmpl {

Value DecodeJson(std::string_view json);

}  // namespace kv::tmpl
