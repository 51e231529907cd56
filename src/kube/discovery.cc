#include "kube/discovery.h"

#include <simdjson.h>

#include "kube/client.h"
#include "util/url.h"

namespace kv::kube {

namespace {

// A group version as written in apiVersion: "v1" or "group/version", with
// only the characters Kubernetes allows there (it becomes part of a path).
bool ValidGroupVersion(const std::string& gv) {
  if (gv.empty() || gv.front() == '/' || gv.back() == '/') return false;
  int slashes = 0;
  for (char c : gv) {
    if (c == '/') {
      ++slashes;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
      return false;
    }
  }
  return slashes <= 1 && gv.find("..") == std::string::npos;
}

std::string ListPath(const std::string& gv) {
  return gv.find('/') == std::string::npos ? "/api/" + gv : "/apis/" + gv;
}

}  // namespace

// Reads an APIResourceList's top-level resources (not subresources).
Result<std::map<std::string, ResourceInfo>> ParseResourceList(const std::string& gv,
                                                              std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(body.data(), body.size()).get(root); err) {
    return Fail(ErrorCode::kCorrupt, "resource list of " + gv + " is not JSON");
  }
  simdjson::dom::array resources;
  if (root["resources"].get_array().get(resources) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kCorrupt, "resource list of " + gv + " has no resources");
  }
  std::map<std::string, ResourceInfo> out;
  for (simdjson::dom::element r : resources) {
    std::string_view name, kind;
    bool namespaced = false;
    if (r["name"].get_string().get(name) != simdjson::SUCCESS ||
        r["kind"].get_string().get(kind) != simdjson::SUCCESS) {
      continue;
    }
    if (name.find('/') != std::string_view::npos) continue;  // pods/log, deployments/scale
    if (r["namespaced"].get_bool().get(namespaced) != simdjson::SUCCESS) namespaced = false;
    out.emplace(std::string(kind), ResourceInfo{gv, std::string(name), namespaced});
  }
  return out;
}

Discovery::Discovery(DiscoveryOptions options, DiscoveryFetch fetch, Clock& clock)
    : options_(options), fetch_(std::move(fetch)), clock_(clock) {}

Result<void> Discovery::Fetch(const std::string& group_version, GroupVersion* gv) {
  gv->attempted = clock_.SteadyNow();
  ++fetches_;
  auto resp = fetch_(ListPath(group_version));
  if (!resp) return tl::unexpected(resp.error());
  if (resp->status == 404) {  // no such group version (yet)
    gv->by_kind.clear();
    gv->loaded = true;
    return {};
  }
  if (resp->status != 200) {
    ErrorCode code = (resp->status == 401 || resp->status == 403) ? ErrorCode::kUnauthorized
                                                                  : ErrorCode::kUnavailable;
    return Fail(code, "discovery of " + group_version + ": " + DescribeFailure(*resp),
                static_cast<int>(resp->status));
  }
  auto parsed = ParseResourceList(group_version, resp->body);
  if (!parsed) return tl::unexpected(parsed.error());
  gv->by_kind = std::move(*parsed);
  gv->loaded = true;
  return {};
}

Result<ResourceInfo> Discovery::Resolve(const std::string& api_version, const std::string& kind) {
  const std::string gv_name = api_version.empty() ? "v1" : api_version;
  if (!ValidGroupVersion(gv_name)) {
    return Fail(ErrorCode::kRejected, "malformed apiVersion '" + api_version + "'");
  }
  auto now = clock_.SteadyNow();
  auto [it, inserted] = group_versions_.try_emplace(gv_name);
  GroupVersion& gv = it->second;
  auto found = gv.by_kind.find(kind);
  bool known = found != gv.by_kind.end();
  auto since = now - gv.attempted;
  bool fetch = inserted || (known && since >= options_.refresh_interval) ||
               (!known && since >= options_.miss_refetch_interval);
  Result<void> fetched;
  if (fetch) fetched = Fetch(gv_name, &gv);
  found = gv.by_kind.find(kind);
  if (found != gv.by_kind.end()) return found->second;
  if (!gv.loaded && !fetched) return tl::unexpected(fetched.error());
  if (!gv.loaded) return Fail(ErrorCode::kUnavailable, "discovery of " + gv_name + " failed");
  return Fail(ErrorCode::kRejected, "the API server serves no kind " + kind + " in " + gv_name);
}

std::string ObjectPath(const ResourceInfo& resource, const std::string& ns,
                       const std::string& name) {
  std::string path = ListPath(resource.group_version);
  if (resource.namespaced) path += "/namespaces/" + url::PercentEncode(ns);
  path += "/" + resource.plural + "/" + url::PercentEncode(name);
  return path;
}

}  // namespace kv::kube
