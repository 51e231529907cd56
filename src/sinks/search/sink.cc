#include "sinks/search/sink.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "aws/credentials.h"
#include "aws/sigv4.h"
#include "http/client.h"
#include "sinks/common/aws_access.h"
#include "sinks/search/encoder.h"
#include "sinks/search/hosts.h"
#include "sinks/search/request.h"
#include "sinks/search/response.h"
#include "sinks/search/sniff.h"
#include "util/files.h"

namespace kv::sinks::search {

namespace {

// A secret read from a file at each send (rotated files are picked up),
// without its trailing newline.
Result<std::string> ReadSecretFile(const std::string& path) {
  auto text = files::Read(path);
  if (!text) return text;
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
  return text;
}

class SearchSink final : public Sink {
 public:
  SearchSink(SearchConfig config, std::string receiver, Clock& clock,
             std::shared_ptr<::kv::aws::CredentialProvider> credentials, std::string region)
      : config_(std::move(config)),
        receiver_(std::move(receiver)),
        clock_(clock),
        hosts_(config_.hosts, clock),
        credentials_(std::move(credentials)) {
    if (config_.aws) {
      ::kv::aws::SignOptions options;
      options.region = std::move(region);
      options.service = config_.aws->service;
      // Serverless requires the payload hash as a header; it does no harm elsewhere.
      options.add_content_sha256_header = config_.aws->service == "aoss";
      signer_ = std::make_unique<::kv::aws::Signer>(options);
    }
  }

  // Defaults, not a ceiling (_bulk has none of its own): delivery.batch*
  // replaces them.
  BatchLimits limits() const override {
    return BatchLimits{kDefaultBatchEvents, kDefaultBatchBytes, kDefaultBatchLinger};
  }

  void Abort() override { client_.Abort(); }

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    if (batch.empty()) return {};  // nothing to send: delivered, no reason to log
    EncodeBulk(batch, config_, with_type_, clock_.WallNow(), &body_);
    if (body_.sent.empty()) {
      SendOutcome out;
      out.items = body_.items;
      out.item_reasons = body_.item_reasons;
      out.reason = "no event of the batch could be encoded: " + FirstReason();
      return out;
    }
    HeaderAuth auth;
    if (auto r = ResolveAuth(auth); !r) {
      SendOutcome out;
      out.request = Verdict::kRetry;
      out.reason = r.error().message;
      return out;
    }
    if (config_.sniff && (!next_sniff_ || clock_.SteadyNow() >= *next_sniff_)) Sniff(auth);
    Result<http::Response> response = Fail(ErrorCode::kUnavailable, "no host");
    std::string what;
    for (size_t i : hosts_.Order()) {
      what = "POST " + DisplayHost(hosts_.host(i)) + "/_bulk";
      http::Request req = BuildBulkRequest(hosts_.host(i), body_.ndjson, config_, auth);
      if (auto signed_ok = Sign(req); !signed_ok) {
        SendOutcome out;
        out.request = Verdict::kRetry;
        out.reason = signed_ok.error().message;
        return out;
      }
      response = client_.Do(req, config_.tls);
      if (!ShouldFailOver(response)) {
        hosts_.MarkOk(i);
        break;
      }
      hosts_.MarkFailed(i);
      if (hosts_.size() > 1) {
        spdlog::warn(
            "receiver {}: {} failed ({}); trying the next host", receiver_, what,
            response ? "HTTP " + std::to_string(response->status) : response.error().message);
      }
    }
    if (response && with_type_ && !config_.type.empty() && RejectsMappingType(*response)) {
      with_type_ = false;
      spdlog::warn(
          "receiver {}: the server does not accept mapping types; `type: {}` is ignored from now "
          "on",
          receiver_, config_.type);
      SendOutcome out;
      out.request = Verdict::kRetry;
      out.reason = what + ": mapping type refused; resending without it";
      return out;
    }
    return ClassifyBulk(response, what, body_);
  }

 private:
  // SigV4 when configured; a no-op otherwise.
  Result<void> Sign(http::Request& req) {
    if (!signer_) return {};
    auto creds = credentials_->Get();
    if (!creds) return Fail(ErrorCode::kUnavailable, "AWS credentials: " + creds.error().message);
    signer_->Sign(req, *creds, clock_.WallNow());
    return {};
  }

  // Asks the cluster for its HTTP nodes and makes them the hosts. Tries the
  // current hosts in turn, then the configured ones that are no longer
  // among them (so a cluster whose sniffed nodes all went away is found
  // again). Any failure keeps the hosts and logs one warning: sniffing never
  // fails a batch. The next sniff is due sniffIntervalSeconds from now
  // either way.
  void Sniff(const HeaderAuth& auth) {
    next_sniff_ = clock_.SteadyNow() + config_.sniff_interval;
    std::vector<std::string> candidates;
    std::vector<std::optional<size_t>> in_pool;
    for (size_t i : hosts_.Order()) {
      candidates.push_back(hosts_.host(i));
      in_pool.push_back(i);
    }
    for (const auto& h : config_.hosts) {
      if (!hosts_.Contains(h)) {
        candidates.push_back(h);
        in_pool.emplace_back();
      }
    }
    std::string why = "no host";
    std::string what;
    for (size_t k = 0; k < candidates.size(); ++k) {
      const std::string& host = candidates[k];
      what = "GET " + DisplayHost(host) + "/_nodes/http";
      http::Request req = BuildSniffRequest(host, config_, auth);
      if (auto signed_ok = Sign(req); !signed_ok) {
        why = signed_ok.error().message;
        break;
      }
      auto response = client_.Do(req, config_.tls);
      if (ShouldFailOver(response)) {
        if (in_pool[k]) hosts_.MarkFailed(*in_pool[k]);
        why = what + ": " +
              (response ? "HTTP " + std::to_string(response->status) : response.error().message);
        continue;
      }
      if (response->status < 200 || response->status >= 300) {
        why = what + ": HTTP " + std::to_string(response->status);
        break;
      }
      auto nodes = ParseSniffedNodes(response->body, SniffUrlBase(host));
      if (!nodes) {
        why = what + ": " + nodes.error().message;
        break;
      }
      if (nodes->urls.empty()) {
        why = what + ": no node publishes a usable HTTP address (" +
              std::to_string(nodes->skipped) + " skipped)";
        break;
      }
      hosts_.Replace(nodes->urls);
      std::string list;
      for (const auto& u : nodes->urls) list += (list.empty() ? "" : ", ") + DisplayHost(u);
      spdlog::info("receiver {}: sniffed {} nodes: {}{}", receiver_, nodes->urls.size(), list,
                   nodes->skipped ? " (" + std::to_string(nodes->skipped) + " skipped)" : "");
      return;
    }
    std::string kept;
    for (size_t i = 0; i < hosts_.size(); ++i) {
      kept += (kept.empty() ? "" : ", ") + DisplayHost(hosts_.host(i));
    }
    spdlog::warn("receiver {}: sniffing failed ({}); keeping the hosts {}", receiver_, why, kept);
  }

  std::string FirstReason() const {
    for (const auto& r : body_.item_reasons) {
      if (!r.empty()) return r;
    }
    return {};
  }

  Result<void> ResolveAuth(HeaderAuth& auth) const {
    auth.username = config_.username;
    auth.password = config_.password;
    auth.api_key = config_.api_key;
    auth.bearer_token = config_.bearer_token;
    if (!config_.password_file.empty()) {
      auto p = ReadSecretFile(config_.password_file);
      if (!p) return Fail(ErrorCode::kUnavailable, "passwordFile: " + p.error().message);
      auth.password = std::move(*p);
    }
    if (!config_.bearer_token_file.empty()) {
      auto t = ReadSecretFile(config_.bearer_token_file);
      if (!t) return Fail(ErrorCode::kUnavailable, "bearerTokenFile: " + t.error().message);
      auth.bearer_token = std::move(*t);
    }
    return {};
  }

  // Constant after construction.
  const SearchConfig config_;
  const std::string receiver_;
  Clock& clock_;
  std::unique_ptr<::kv::aws::Signer> signer_;
  // Owned by the worker thread.
  HostPool hosts_;
  std::shared_ptr<::kv::aws::CredentialProvider> credentials_;
  // Bulk answers with a long error per item and sniffed node lists of big
  // clusters pass 1 MiB; a 64 MiB answer must not.
  http::Client client_{8 * http::kClassifyBodyBytes};
  BulkBody body_;
  bool with_type_ = true;  // until the server refuses `_type`
  std::optional<std::chrono::steady_clock::time_point> next_sniff_;  // unset: at the first send
};

}  // namespace

Result<std::unique_ptr<Sink>> BuildSearchSink(const SearchConfig& config, const SinkContext& ctx) {
  common::AwsAccess access;
  if (config.aws) {
    common::AwsAccessConfig wanted;
    wanted.region = config.aws->region;
    wanted.role_arn = config.aws->role_arn;
    wanted.sts_endpoint = config.aws->sts_endpoint;
    wanted.region_key = "aws.region";
    if (!ctx.aws) return Fail(ErrorCode::kInternal, "no AWS access in this receiver's context");
    auto resolved = ctx.aws->Resolve(wanted, ctx.receiver_name);
    if (!resolved) return tl::unexpected(resolved.error());
    access = std::move(*resolved);
  }
  return std::unique_ptr<Sink>(new SearchSink(config, ctx.receiver_name, *ctx.clock,
                                              std::move(access.credentials), access.region));
}

}  // namespace kv::sinks::search
