#include "aws/profile.h"

#include <filesystem>
#include <system_error>

#include "util/files.h"

namespace kv::aws {

namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void MergeInto(IniSection& into, const IniSection& from) {
  for (const auto& [k, v] : from) into[k] = v;
}

Result<std::string> ReadIfExists(const std::string& path) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec)) return std::string();
  return files::Read(path);
}

std::string ExpandHome(const std::string& path, const std::string& home) {
  if (path.starts_with("~/") && !home.empty()) return home + path.substr(1);
  return path;
}

}  // namespace

ProfileSet ProfileSet::FromText(std::string_view config_text, std::string_view credentials_text) {
  ProfileSet set;
  IniFile config = ParseIni(config_text);
  // [default] first, so "[profile default]" merged after it wins.
  if (auto it = config.find("default"); it != config.end()) set.profiles_["default"] = it->second;
  for (const auto& [section, values] : config) {
    std::string_view name(section);
    if (!name.starts_with("profile ") && !name.starts_with("profile\t")) continue;
    name = TrimSpaces(name.substr(8));
    if (name.empty()) continue;
    MergeInto(set.profiles_[std::string(name)], values);
  }
  for (const auto& [section, values] : ParseIni(credentials_text)) {
    MergeInto(set.profiles_[section], values);
  }
  return set;
}

Result<ProfileSet> ProfileSet::Load(const Getenv& getenv) {
  const std::string home = EnvValue(getenv, "HOME");
  std::string config_path = EnvValue(getenv, "AWS_CONFIG_FILE");
  std::string credentials_path = EnvValue(getenv, "AWS_SHARED_CREDENTIALS_FILE");
  if (config_path.empty() && !home.empty()) config_path = home + "/.aws/config";
  if (credentials_path.empty() && !home.empty()) credentials_path = home + "/.aws/credentials";
  Result<std::string> config = ReadIfExists(ExpandHome(config_path, home));
  if (!config) return tl::unexpected(config.error());
  Result<std::string> credentials = ReadIfExists(ExpandHome(credentials_path, home));
  if (!credentials) return tl::unexpected(credentials.error());
  return FromText(*config, *credentials);
}

const IniSection* ProfileSet::Find(const std::string& name) const {
  auto it = profiles_.find(name);
  return it == profiles_.end() ? nullptr : &it->second;
}

std::string ProfileSet::Value(const std::string& name, const std::string& key) const {
  const IniSection* profile = Find(name);
  if (profile == nullptr) return "";
  auto it = profile->find(key);
  return it == profile->end() ? "" : it->second;
}

ProfileName ResolveProfileName(const std::string& configured, const Getenv& getenv) {
  if (!configured.empty()) return {configured, true};
  std::string env = EnvValue(getenv, "AWS_PROFILE");
  if (!env.empty()) return {env, true};
  return {"default", false};
}

}  // namespace kv::aws
