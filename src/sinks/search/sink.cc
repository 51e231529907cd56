#include "sinks/search/sink.h"

#include <spdlog/spdlog.h>

#include <functional>
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
             std::shared_ptr<::kv::aws::CredentialProvider> credentials, std::string region,
             std::function<void(uint64_t)> count_reshaped)
      : config_(std::move(config)),
        receiver_(std::move(receiver)),
        clock_(clock),
        count_reshaped_(std::move(count_reshaped)),
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
    const auto now = clock_.WallNow();
    EncodeBulk(batch, config_, with_type_, now, &body_);
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
    std::string what, sign_error;
    Result<http::Response> response = Post(body_.ndjson, auth, &what, &sign_error);
    if (!sign_error.empty()) {
      SendOutcome out;
      out.request = Verdict::kRetry;
      out.reason = sign_error;
      return out;
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
    std::vector<size_t> conflicts;
    SendOutcome out = ClassifyBulk(response, what, body_, &conflicts);
    if (!conflicts.empty()) ResendReshaped(batch, now, auth, std::move(conflicts), &out);
    return out;
  }

 private:
  // POSTs `ndjson` to the next host in turn, failing over as hosts_ says.
  // `what` names the last request made. A request that cannot be signed is
  // not sent: `sign_error` says why.
  Result<http::Response> Post(const std::string& ndjson, const HeaderAuth& auth, std::string* what,
                              std::string* sign_error) {
    Result<http::Response> response = Fail(ErrorCode::kUnavailable, "no host");
    for (size_t i : hosts_.Order()) {
      *what = "POST " + DisplayHost(hosts_.host(i)) + "/_bulk";
      http::Request req = BuildBulkRequest(hosts_.host(i), ndjson, config_, auth);
      if (auto signed_ok = Sign(req); !signed_ok) {
        *sign_error = signed_ok.error().message;
        return response;
      }
      response = client_.Do(req, config_.tls);
      if (!ShouldFailOver(response)) {
        hosts_.MarkOk(i);
        break;
      }
      hosts_.MarkFailed(i);
      if (hosts_.size() > 1) {
        spdlog::warn(
            "receiver {}: {} failed ({}); trying the next host", receiver_, *what,
            response ? "HTTP " + std::to_string(response->status) : response.error().message);
      }
    }
    return response;
  }

  // The items of `batch` at `conflicts` were refused for a mapping conflict
  // (response.h). Each is sent again with its labels and annotations
  // de-dotted, and what is still refused so once more with them as text
  // (encoder.h, Reshape); same _id, same index. A try that would send the
  // same document again is skipped. Their verdicts and reasons in `out` are
  // replaced by the last try's; what is still refused is rejected as before.
  void ResendReshaped(std::span<const event::EventPtr> batch,
                      std::chrono::system_clock::time_point now, const HeaderAuth& auth,
                      std::vector<size_t> conflicts, SendOutcome* out) {
    // The document each conflicting event was last sent as.
    std::vector<std::string> last(batch.size());
    {
      auto docs = BulkDocuments(body_);
      for (size_t k = 0; k < body_.sent.size() && k < docs.size(); ++k) {
        last[body_.sent[k]] = std::string(docs[k]);
      }
    }
    size_t tried = 0, delivered = 0;  // distinct documents
    std::vector<bool> resent(batch.size(), false);
    std::string first_conflict = out->item_reasons[conflicts.front()];
    for (Reshape shape : {Reshape::kDeDot, Reshape::kMapsAsText}) {
      if (conflicts.empty()) break;
      // Keep the events whose document this shape changes.
      std::vector<event::EventPtr> events;
      for (size_t at : conflicts) events.push_back(batch[at]);
      EncodeBulk(events, config_, with_type_, now, &reshape_body_, shape);
      auto docs = BulkDocuments(reshape_body_);
      std::vector<size_t> changed;  // batch indices
      for (size_t k = 0; k < reshape_body_.sent.size() && k < docs.size(); ++k) {
        size_t at = conflicts[reshape_body_.sent[k]];
        if (docs[k] != last[at]) changed.push_back(at);
      }
      if (changed.empty()) continue;
      if (changed.size() != events.size()) {
        events.clear();
        for (size_t at : changed) events.push_back(batch[at]);
        EncodeBulk(events, config_, with_type_, now, &reshape_body_, shape);
        docs = BulkDocuments(reshape_body_);
      }
      for (size_t k = 0; k < reshape_body_.sent.size() && k < docs.size(); ++k) {
        last[changed[reshape_body_.sent[k]]] = std::string(docs[k]);
      }
      for (size_t at : changed) {
        if (resent[at]) continue;
        resent[at] = true;
        ++tried;
      }
      std::string what, sign_error;
      Result<http::Response> response = Post(reshape_body_.ndjson, auth, &what, &sign_error);
      if (!sign_error.empty()) response = Fail(ErrorCode::kUnavailable, sign_error);
      std::vector<size_t> again;  // indices into `changed`
      SendOutcome sub = ClassifyBulk(response, what, reshape_body_, &again);
      for (size_t k = 0; k < changed.size(); ++k) {
        size_t at = changed[k];
        Verdict v = sub.items.empty() ? sub.request : sub.items[k];
        out->items[at] = v;
        out->item_reasons[at] = sub.items.empty() || sub.item_reasons[k].empty()
                                    ? (v == Verdict::kDelivered ? std::string() : sub.reason)
                                    : sub.item_reasons[k];
        if (v == Verdict::kDelivered) ++delivered;
      }
      if (sub.retry_after && !out->retry_after) out->retry_after = sub.retry_after;
      conflicts.clear();
      for (size_t k : again) conflicts.push_back(changed[k]);
    }
    if (tried == 0) return;
    out->reason += "; " + std::to_string(tried) +
                   " sent again reshaped after a mapping conflict, " + std::to_string(delivered) +
                   " taken";
    if (delivered == 0) return;
    if (count_reshaped_) count_reshaped_(delivered);
    if (!warned_reshape_) {
      warned_reshape_ = true;
      spdlog::warn(
          "receiver {}: {} {} refused for a mapping conflict on their labels or "
          "annotations ({}) and taken once reshaped (keys de-dotted, or the maps as text); so "
          "they stop being reshaped, set deDot: true on the receiver, or create an index "
          "template mapping labels as flat/keyword: see docs/receivers/opensearch.md#mapping-"
          "conflicts",
          receiver_, delivered, delivered == 1 ? "document was" : "documents were", first_conflict);
    }
  }

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
  const std::function<void(uint64_t)> count_reshaped_;
  std::unique_ptr<::kv::aws::Signer> signer_;
  // Owned by the worker thread.
  HostPool hosts_;
  std::shared_ptr<::kv::aws::CredentialProvider> credentials_;
  // Bulk answers with a long error per item and sniffed node lists of big
  // clusters pass 1 MiB; a 64 MiB answer must not.
  http::Client client_{8 * http::kClassifyBodyBytes};
  BulkBody body_;
  BulkBody reshape_body_;  // the tries after a mapping conflict
  bool warned_reshape_ = false;
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
  if (ctx.count_reshaped) ctx.count_reshaped(0);
  return std::unique_ptr<Sink>(new SearchSink(config, ctx.receiver_name, *ctx.clock,
                                              std::move(access.credentials), access.region,
                                              ctx.count_reshaped));
}

}  // namespace kv::sinks::search
