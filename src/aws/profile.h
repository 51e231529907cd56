// Profiles of the AWS shared config file (~/.aws/config, $AWS_CONFIG_FILE)
// and credentials file (~/.aws/credentials, $AWS_SHARED_CREDENTIALS_FILE).
// Pure once loaded; thread-safe to read.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "aws/environment.h"
#include "aws/ini.h"
#include "util/result.h"

namespace kv::aws {

class ProfileSet {
 public:
  // Merges the two files' texts. In the config file a profile is
  // "[profile NAME]" (or "[default]"; "[profile default]" wins over it),
  // other sections (sso-session, services, …) are not profiles; in the
  // credentials file a section is a profile of that name. For a key set in
  // both files, the credentials file wins.
  static ProfileSet FromText(std::string_view config_text, std::string_view credentials_text);

  // Reads both files (a missing file is empty). $HOME locates the defaults.
  // kIo if a file exists but cannot be read.
  static Result<ProfileSet> Load(const Getenv& getenv);

  // The profile's keys, or nullptr if no file defines it.
  const IniSection* Find(const std::string& name) const;

  // Value of `key` in profile `name`, "" if either is missing.
  std::string Value(const std::string& name, const std::string& key) const;

 private:
  std::map<std::string, IniSection> profiles_;
};

// The profile to use: `configured` if set, else $AWS_PROFILE, else
// "default". `explicit_name` tells whether it was named (then a missing
// profile is an error rather than "not configured").
struct ProfileName {
  std::string name;
  bool explicit_name = false;
};
ProfileName ResolveProfileName(const std::string& configured, const Getenv& getenv);

}  // namespace kv::aws
