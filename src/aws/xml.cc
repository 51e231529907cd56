#include "aws/xml.h"

#include <cstdint>
#include <cstdlib>

namespace kv::aws::xml {

namespace {

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x110000) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Finds the next opening tag `<tag>`, `<tag …>` or `<tag/>` at or after
// `from`. Returns the position of '<' and sets `content` to just after '>'
// and `empty` for a self-closing one.
size_t FindOpen(std::string_view doc, std::string_view tag, size_t from, size_t* content,
                bool* empty) {
  while (true) {
    size_t lt = doc.find('<', from);
    if (lt == std::string_view::npos) return lt;
    size_t name_end = lt + 1 + tag.size();
    if (doc.compare(lt + 1, tag.size(), tag) == 0 && name_end < doc.size()) {
      char next = doc[name_end];
      if (next == '>' || next == '/' || next == ' ' || next == '\t' || next == '\n' ||
          next == '\r') {
        size_t gt = doc.find('>', name_end);
        if (gt == std::string_view::npos) return std::string_view::npos;
        *empty = doc[gt - 1] == '/';
        *content = gt + 1;
        return lt;
      }
    }
    from = lt + 1;
  }
}

}  // namespace

std::string DecodeEntities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += text[i];
      continue;
    }
    std::string_view name = text.substr(i + 1, semi - i - 1);
    if (name == "amp") {
      out += '&';
    } else if (name == "lt") {
      out += '<';
    } else if (name == "gt") {
      out += '>';
    } else if (name == "quot") {
      out += '"';
    } else if (name == "apos") {
      out += '\'';
    } else if (name.size() > 1 && name[0] == '#') {
      std::string digits(name.substr(1));
      int base = 10;
      if (!digits.empty() && (digits[0] == 'x' || digits[0] == 'X')) {
        base = 16;
        digits.erase(0, 1);
      }
      char* end = nullptr;
      unsigned long cp = std::strtoul(digits.c_str(), &end, base);
      if (digits.empty() || *end != '\0') {
        out.append(text.substr(i, semi - i + 1));
      } else {
        AppendUtf8(out, static_cast<uint32_t>(cp));
      }
    } else {
      out.append(text.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

std::optional<std::string> Text(std::string_view doc, std::string_view tag) {
  size_t content = 0;
  bool empty = false;
  size_t open = FindOpen(doc, tag, 0, &content, &empty);
  if (open == std::string_view::npos) return std::nullopt;
  if (empty) return std::string();
  std::string close = "</" + std::string(tag) + ">";
  size_t end = doc.find(close, content);
  if (end == std::string_view::npos) return std::nullopt;
  return DecodeEntities(doc.substr(content, end - content));
}

std::vector<std::string_view> Elements(std::string_view doc, std::string_view tag) {
  std::vector<std::string_view> out;
  std::string close = "</" + std::string(tag) + ">";
  size_t from = 0;
  while (true) {
    size_t content = 0;
    bool empty = false;
    size_t open = FindOpen(doc, tag, from, &content, &empty);
    if (open == std::string_view::npos) break;
    if (empty) {
      out.emplace_back();
      from = content;
      continue;
    }
    size_t end = doc.find(close, content);
    if (end == std::string_view::npos) break;
    out.push_back(doc.substr(content, end - content));
    from = end + close.size();
  }
  return out;
}

}  // namespace kv::aws::xml
