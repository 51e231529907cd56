// Just enough XML for AWS Query-protocol answers (STS, SNS, SQS's XML
// mode, IAM): the text of an element found by its tag name. AWS answers
// are flat, generated documents without CDATA or namespace prefixes on
// the elements we read; this is not a general XML parser. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kv::aws::xml {

// The decoded text of the first <tag>…</tag> in `doc` (attributes on the
// opening tag allowed), entities (&amp; &lt; &gt; &quot; &apos; &#N; &#xH;)
// decoded. "" for <tag/>; nullopt if there is no such element.
std::optional<std::string> Text(std::string_view doc, std::string_view tag);

// The raw inner XML of every <tag>…</tag> in `doc`, in order (not
// nested: an element inside another of the same name is not found). For
// lists such as <member>…</member> or <BatchResultErrorEntry>.
std::vector<std::string_view> Elements(std::string_view doc, std::string_view tag);

// Decodes the five named entities and numeric character references.
std::string DecodeEntities(std::string_view text);

}  // namespace kv::aws::xml
