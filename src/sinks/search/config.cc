#include "sinks/search/config.h"

#include <algorithm>

#include "sinks/common/tls_config.h"

namespace kv::sinks::search {

namespace {

std::vector<std::string> ParseHosts(const config::Node& node) {
  std::vector<std::string> hosts;
  if (!node.Has("hosts")) return hosts;
  for (std::string h : node.StringList("hosts")) {
    if (h.rfind("http://", 0) != 0 && h.rfind("https://", 0) != 0) {
      node.Report("expected http:// or https:// URLs, got '" + h + "'", "hosts");
      continue;
    }
    while (!h.empty() && h.back() == '/') h.pop_back();
    hosts.push_back(std::move(h));
  }
  return hosts;
}

std::optional<AwsSigning> ParseAws(const config::Node& body) {
  if (!body.Has("aws")) return std::nullopt;
  config::Node node = body.Child("aws");
  if (!node.Defined()) return AwsSigning{};
  if (!node.IsMap()) {
    body.Report("expected a map", "aws");
    return std::nullopt;
  }
  node.RejectUnknownKeys({"region", "service", "roleArn", "stsEndpoint"});
  AwsSigning aws;
  aws.region = node.String("region");
  aws.service = node.String("service", aws.service);
  if (aws.service != "es" && aws.service != "aoss") {
    node.Report("expected es (Amazon OpenSearch Service) or aoss (OpenSearch Serverless)",
                "service");
  }
  aws.role_arn = node.String("roleArn");
  if (!aws.role_arn.empty() && aws.role_arn.rfind("arn:", 0) != 0) {
    node.Report("expected an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", "roleArn");
  }
  aws.sts_endpoint = node.String("stsEndpoint");
  return aws;
}

// A duration default as the whole seconds its key is written in.
template <typename Rep, typename Period>
int64_t Seconds(std::chrono::duration<Rep, Period> d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

template <typename E>
E ParseEnum(const config::Node& node, std::string_view key, E def,
            std::initializer_list<std::pair<std::string_view, E>> names) {
  if (!node.Has(key)) return def;
  std::string v = node.String(key);
  std::string expected;
  for (const auto& [name, value] : names) {
    if (v == name) return value;
    expected += expected.empty() ? "" : ", ";
    expected += name;
  }
  node.Report("expected one of " + expected + ", got '" + v + "'", key);
  return def;
}

void ParseIdentity(const config::Node& node, SearchConfig& c) {
  bool use_event_id = node.Bool("useEventID", false);  // false: not asked for
  // Without either key: the struct's default, one document per event
  // version, so a redelivery overwrites instead of duplicating (the
  // reference let the server pick ids).
  if (use_event_id) c.document_id = DocumentId::kEvent;
  c.document_id = ParseEnum<DocumentId>(node, "documentId", c.document_id,
                                        {{"eventVersion", DocumentId::kEventVersion},
                                         {"event", DocumentId::kEvent},
                                         {"auto", DocumentId::kAuto}});
  if (use_event_id && c.document_id != DocumentId::kEvent) {
    node.Report("useEventID: true means documentId: event; remove one of them", "documentId");
  }
  c.op_type = ParseEnum<OpType>(node, "opType", c.op_type,
                                {{"index", OpType::kIndex}, {"create", OpType::kCreate}});
  if (c.op_type == OpType::kCreate && c.document_id == DocumentId::kEvent) {
    node.Warn(
        "opType create with documentId event keeps only the first version of each event: "
        "later updates are answered 409 and dropped as duplicates",
        "opType");
  }
}

void ParseAuth(const config::Node& node, SearchConfig& c) {
  c.username = node.String("username");
  c.password = node.String("password");
  c.password_file = node.String("passwordFile");
  c.bearer_token = node.String("bearerToken");
  c.bearer_token_file = node.String("bearerTokenFile");
  if (!c.password.empty() && !c.password_file.empty()) {
    node.Report("set password or passwordFile, not both", "passwordFile");
  }
  if (!c.bearer_token.empty() && !c.bearer_token_file.empty()) {
    node.Report("set bearerToken or bearerTokenFile, not both", "bearerTokenFile");
  }
  for (const auto& [k, v] : node.StringMap("headers")) c.headers.emplace_back(k, v);
  c.aws = ParseAws(node);
  bool header_auth = !c.username.empty() || !c.password.empty() || !c.password_file.empty() ||
                     !c.bearer_token.empty() || !c.bearer_token_file.empty();
  if (c.aws && header_auth) {
    node.Report("aws signing replaces username/password and bearer tokens: remove those", "aws");
  }
  for (const auto& [k, v] : c.headers) {
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (c.aws && (lower == "authorization" || lower == "host" || lower.rfind("x-amz-", 0) == 0)) {
      node.Report("header '" + k + "' conflicts with aws signing", "headers");
    }
  }
}

void ParseSniff(const config::Node& node, SearchConfig& c) {
  c.sniff = node.Bool("sniff", c.sniff);
  c.sniff_interval =
      std::chrono::seconds(node.Int("sniffIntervalSeconds", Seconds(c.sniff_interval), 1, 86400));
  if (!c.sniff && node.Has("sniffIntervalSeconds")) {
    node.Warn("sniffIntervalSeconds only applies with sniff: true", "sniffIntervalSeconds");
  }
  if (c.sniff && c.aws && c.aws->service == "aoss") {
    node.Report("OpenSearch Serverless has no _nodes API: remove sniff", "sniff");
  } else if (c.sniff && c.aws) {
    node.Warn(
        "Amazon OpenSearch Service does not expose its nodes: sniffing will fail and keep the "
        "configured hosts",
        "sniff");
  }
}

}  // namespace

const std::vector<std::string_view>& SharedKeys() {
  static const std::vector<std::string_view> keys = {"hosts",       "username",
                                                     "password",    "passwordFile",
                                                     "bearerToken", "bearerTokenFile",
                                                     "headers",     "aws",
                                                     "useEventID",  "documentId",
                                                     "opType",      "deDot",
                                                     "index",       "indexFormat",
                                                     "indexTime",   "type",
                                                     "pipeline",    "tls",
                                                     "layout",      "timeoutSeconds",
                                                     "sniff",       "sniffIntervalSeconds"};
  return keys;
}

SearchConfig ParseSearchConfig(const config::Node& node, Engine engine,
                               const std::vector<std::string_view>& extra_keys) {
  std::vector<std::string_view> known = SharedKeys();
  known.insert(known.end(), extra_keys.begin(), extra_keys.end());
  node.RejectUnknownKeys(known);

  SearchConfig c;
  c.engine = engine;
  c.hosts = ParseHosts(node);
  ParseAuth(node, c);
  ParseIdentity(node, c);
  c.index = node.String("index");
  std::string format = node.String("indexFormat");
  if (!format.empty()) c.index_format = IndexPattern(format);
  if (c.index.empty() && format.empty()) {
    node.Report("missing required key (the index, alias or data stream to write to)", "index");
  }
  c.index_time =
      ParseEnum<IndexTime>(node, "indexTime", c.index_time,
                           {{"processing", IndexTime::kProcessing}, {"event", IndexTime::kEvent}});
  if (c.index_time == IndexTime::kEvent && format.empty()) {
    node.Warn("indexTime only applies to indexFormat", "indexTime");
  }
  c.type = node.String("type");
  c.pipeline = node.String("pipeline");
  c.tls = common::ParseTls(node);
  c.format = common::ParseLineFormat(node);
  c.timeout = std::chrono::seconds(node.Int("timeoutSeconds", Seconds(c.timeout), 1, 3600));
  ParseSniff(node, c);
  return c;
}

}  // namespace kv::sinks::search
