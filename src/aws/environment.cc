#include "aws/environment.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace kv::aws {

Getenv ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string EnvValue(const Getenv& getenv, const std::string& name) {
  std::optional<std::string> v = getenv ? getenv(name) : ProcessEnvironment()(name);
  return v.value_or("");
}

bool EnvTrue(const Getenv& getenv, const std::string& name) {
  std::string v = EnvValue(getenv, name);
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v == "true" || v == "1" || v == "yes";
}

std::string ConfiguredEndpointUrl(const Getenv& getenv, std::string_view service_id) {
  if (EnvTrue(getenv, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) return "";
  std::string name = "AWS_ENDPOINT_URL_";
  for (char c : service_id) {
    name += c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  std::string url = EnvValue(getenv, name);
  return url.empty() ? EnvValue(getenv, "AWS_ENDPOINT_URL") : url;
}

}  // namespace kv::aws
