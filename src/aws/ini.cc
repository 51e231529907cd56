#include "aws/ini.h"

#include <algorithm>
#include <cctype>

namespace kv::aws {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

// Cuts an inline comment: '#' or ';' preceded by whitespace.
std::string_view StripComment(std::string_view s) {
  for (size_t i = 1; i < s.size(); ++i) {
    if ((s[i] == '#' || s[i] == ';') && IsBlank(s[i - 1])) return s.substr(0, i);
  }
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

IniFile ParseIni(std::string_view text) {
  IniFile file;
  IniSection* section = nullptr;
  std::string last_key;       // the property an indented line belongs to
  bool in_sub_block = false;  // last_key had an empty value
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == ';') continue;

    if (IsBlank(line[0]) && section != nullptr && !last_key.empty()) {
      std::string_view value = Trim(StripComment(trimmed));
      if (in_sub_block) {
        size_t eq = value.find('=');
        if (eq == std::string_view::npos) continue;
        std::string sub = Lower(Trim(value.substr(0, eq)));
        if (!sub.empty())
          (*section)[last_key + "." + sub] = std::string(Trim(value.substr(eq + 1)));
      } else {
        std::string& v = (*section)[last_key];
        v.append("\n").append(value);
      }
      continue;
    }

    if (trimmed[0] == '[') {
      size_t close = trimmed.find(']');
      last_key.clear();
      if (close == std::string_view::npos) {
        section = nullptr;  // a broken header: skip its properties too
        continue;
      }
      section = &file[std::string(Trim(trimmed.substr(1, close - 1)))];
      continue;
    }

    size_t eq = trimmed.find('=');
    if (section == nullptr || eq == std::string_view::npos) {
      last_key.clear();
      continue;
    }
    std::string key = Lower(Trim(trimmed.substr(0, eq)));
    if (key.empty()) {
      last_key.clear();
      continue;
    }
    std::string value(Trim(StripComment(trimmed.substr(eq + 1))));
    in_sub_block = value.empty();
    (*section)[key] = std::move(value);
    last_key = std::move(key);
  }
  return file;
}

}  // namespace kv::aws
