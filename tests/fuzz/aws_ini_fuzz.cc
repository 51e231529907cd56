// ~/.aws/config and ~/.aws/credentials are user-written files: the INI
// reader and the profile merge must take any text. Property: a key the
// credentials file sets in a section is what that profile answers (the
// credentials file wins over the config file).
//
// Input: <config text>\0<credentials text>; without a NUL byte the input
// is the config file and the credentials file is empty.
#include <cstdint>
#include <string_view>

#include "aws/ini.h"
#include "aws/profile.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  std::string_view config = in.substr(0, nul);
  std::string_view credentials =
      nul == std::string_view::npos ? std::string_view() : in.substr(nul + 1);

  kv::aws::IniFile config_ini = kv::aws::ParseIni(config);
  kv::aws::IniFile credentials_ini = kv::aws::ParseIni(credentials);
  auto profiles = kv::aws::ProfileSet::FromText(config, credentials);

  for (const auto& [section, keys] : credentials_ini) {
    for (const auto& [key, value] : keys) {
      FUZZ_CHECK(profiles.Value(section, key) == value);
    }
  }
  for (const auto& [section, keys] : config_ini) {
    std::string name = section.rfind("profile ", 0) == 0 ? section.substr(8) : section;
    if (const auto* p = profiles.Find(name)) {
      for (const auto& [key, value] : *p) (void)profiles.Value(name, key);
    }
  }
  (void)profiles.Value("default", "region");
  return 0;
}
