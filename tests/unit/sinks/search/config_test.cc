#include "sinks/search/config.h"

#include <gtest/gtest.h>

#include "sinks/search/elasticsearch/sink.h"
#include "sinks/search/opensearch/sink.h"
#include "test_events.h"

namespace kv::sinks::search {
namespace {

using testing::ParseBody;

// Parses a receiver block "name: x\n<kind>:\n  ..." with that kind's parser.
std::string ReceiverProblems(const std::string& yaml) {
  auto diag = std::make_shared<config::Diagnostics>();
  config::Node root = config::ParseYaml(yaml, "r.yaml", diag);
  if (root.Has("opensearch")) opensearch::Parse(root.Child("opensearch"));
  if (root.Has("elasticsearch")) elasticsearch::Parse(root.Child("elasticsearch"));
  std::string out;
  for (const auto& p : diag->problems()) out += p.ToString() + "\n";
  return out;
}

TEST(SearchConfig, UnsetKeysKeepTheStructsDefaults) {
  std::string problems;
  SearchConfig c = ParseBody("hosts: [http://h:9200]\nindex: ev\naws: {}\n", &problems);
  EXPECT_EQ(problems, "");
  const SearchConfig defaults;
  EXPECT_EQ(c.timeout, defaults.timeout);
  EXPECT_EQ(c.sniff, defaults.sniff);
  EXPECT_EQ(c.sniff_interval, defaults.sniff_interval);
  EXPECT_EQ(c.document_id, defaults.document_id);
  EXPECT_EQ(c.op_type, defaults.op_type);
  EXPECT_EQ(c.index_time, defaults.index_time);
  EXPECT_EQ(c.tls.insecure_skip_verify, defaults.tls.insecure_skip_verify);
  EXPECT_EQ(c.format.encode.dedot, defaults.format.encode.dedot);
  ASSERT_TRUE(c.aws);
  EXPECT_EQ(c.aws->service, AwsSigning{}.service);
}

TEST(SearchConfig, ReferenceOpenSearchBlockIsAccepted) {
  std::string p = ReceiverProblems(
      "name: os\nopensearch:\n  hosts: [https://search.example:443]\n  username: admin\n"
      "  password: pw\n  useEventID: true\n  deDot: true\n  indexFormat: kube-events-{2006-01-02}\n"
      "  tls:\n    insecureSkipVerify: false\n    caFile: /ca.pem\n"
      "  layout:\n    msg: '{{ .Message }}'\n");
  EXPECT_EQ(p, "");
}

TEST(SearchConfig, ReferenceElasticsearchBlockIsAccepted) {
  std::string p = ReceiverProblems(
      "name: es\nelasticsearch:\n  hosts: [http://es:9200]\n  apiKey: abc\n  index: kube-events\n"
      "  type: _doc\n  headers: {X-Tenant: t1}\n");
  EXPECT_EQ(p, "");
}

TEST(SearchConfig, MissingHostsAndIndexAreNamed) {
  std::string p = ReceiverProblems("name: os\nopensearch:\n  username: u\n");
  EXPECT_NE(p.find("opensearch.hosts: missing required key"), std::string::npos) << p;
  EXPECT_NE(p.find("opensearch.index: missing required key"), std::string::npos) << p;
}

TEST(SearchConfig, UnknownKeyAndApiKeyOnOpenSearchAreRejected) {
  std::string p = ReceiverProblems(
      "name: os\nopensearch:\n  hosts: [http://h]\n  index: i\n  indx: x\n  apiKey: k\n");
  EXPECT_NE(p.find("opensearch.indx: unknown key"), std::string::npos) << p;
  EXPECT_NE(p.find("opensearch.apiKey: unknown key"), std::string::npos) << p;
}

TEST(SearchConfig, DocumentIdDefaultsToEventVersionAndFollowsUseEventId) {
  std::string problems;
  EXPECT_EQ(ParseBody("hosts: [http://h]\nindex: i\n", &problems).document_id,
            DocumentId::kEventVersion);
  EXPECT_EQ(ParseBody("hosts: [http://h]\nindex: i\nuseEventID: true\n", &problems).document_id,
            DocumentId::kEvent);
  EXPECT_EQ(ParseBody("hosts: [http://h]\nindex: i\ndocumentId: auto\n", &problems).document_id,
            DocumentId::kAuto);
  ParseBody("hosts: [http://h]\nindex: i\nuseEventID: true\ndocumentId: auto\n", &problems);
  EXPECT_NE(problems.find("useEventID: true means documentId: event"), std::string::npos);
  ParseBody("hosts: [http://h]\nindex: i\ndocumentId: uid\n", &problems);
  EXPECT_NE(problems.find("expected one of eventVersion, event, auto"), std::string::npos);
}

TEST(SearchConfig, AwsSigningIsCheckedAndExcludesOtherCredentials) {
  std::string problems;
  SearchConfig c = ParseBody(
      "hosts: [https://x.aoss.amazonaws.com]\nindex: i\naws: {region: eu-west-1, service: aoss}\n",
      &problems);
  EXPECT_EQ(problems, "");
  ASSERT_TRUE(c.aws);
  EXPECT_EQ(c.aws->service, "aoss");
  ParseBody("hosts: [http://h]\nindex: i\naws: {service: s3}\n", &problems);
  EXPECT_NE(problems.find("aws.service: expected es"), std::string::npos) << problems;
  ParseBody("hosts: [http://h]\nindex: i\nusername: u\naws: {region: r}\n", &problems);
  EXPECT_NE(problems.find("aws signing replaces"), std::string::npos) << problems;
}

TEST(SearchConfig, HostsMustBeUrlsAndLoseTheirTrailingSlash) {
  std::string problems;
  SearchConfig c = ParseBody("hosts: [http://a:9200/, 'b:9200']\nindex: i\n", &problems);
  EXPECT_EQ(c.hosts, std::vector<std::string>{"http://a:9200"});
  EXPECT_NE(problems.find("expected http:// or https:// URLs"), std::string::npos) << problems;
}

TEST(SearchConfig, ElasticsearchCloudIdReplacesHosts) {
  std::string p = ReceiverProblems(
      "name: es\nelasticsearch:\n  cloudID: 'x:ZXUuZXhhbXBsZSRhYmMkZGVm'\n  index: i\n");
  EXPECT_EQ(p, "");
  p = ReceiverProblems(
      "name: es\nelasticsearch:\n  cloudID: 'x:ZXUuZXhhbXBsZSRhYmMkZGVm'\n  hosts: [http://h]\n"
      "  index: i\n");
  EXPECT_NE(p.find("set hosts or cloudID, not both"), std::string::npos) << p;
}

TEST(SearchConfig, SecretsNeverAppearInProblems) {
  std::string p = ReceiverProblems(
      "name: os\nopensearch:\n  hosts: [http://h]\n  index: i\n  password: hunter2-secret\n"
      "  passwordFile: /p\n");
  EXPECT_NE(p.find("set password or passwordFile"), std::string::npos) << p;
  EXPECT_EQ(p.find("hunter2"), std::string::npos) << p;
}

TEST(SearchConfig, SniffIsOffByDefaultAndItsIntervalIsChecked) {
  std::string problems;
  SearchConfig c = ParseBody("hosts: [http://h]\nindex: i\n", &problems);
  EXPECT_FALSE(c.sniff);
  EXPECT_EQ(c.sniff_interval, std::chrono::seconds(300));
  c = ParseBody("hosts: [http://h]\nindex: i\nsniff: true\nsniffIntervalSeconds: 60\n", &problems);
  EXPECT_EQ(problems, "");
  EXPECT_TRUE(c.sniff);
  EXPECT_EQ(c.sniff_interval, std::chrono::seconds(60));
  ParseBody("hosts: [http://h]\nindex: i\nsniff: yes please\n", &problems);
  EXPECT_NE(problems.find("r.yaml:3:1: sniff: expected true or false"), std::string::npos)
      << problems;
  ParseBody("hosts: [http://h]\nindex: i\nsniff: true\nsniffIntervalSeconds: 0\n", &problems);
  EXPECT_NE(problems.find("r.yaml:4:1: sniffIntervalSeconds: must be between 1 and 86400"),
            std::string::npos)
      << problems;
  ParseBody("hosts: [http://h]\nindex: i\nsniffIntervalSeconds: 60\n", &problems);
  EXPECT_NE(problems.find("only applies with sniff: true"), std::string::npos) << problems;
}

TEST(SearchConfig, SniffIsRefusedWhereNodesCannotBeReached) {
  std::string problems;
  ParseBody("hosts: [https://x]\nindex: i\nsniff: true\naws: {region: r, service: aoss}\n",
            &problems);
  EXPECT_NE(problems.find("sniff: OpenSearch Serverless has no _nodes API"), std::string::npos)
      << problems;
  std::string p = ReceiverProblems(
      "name: es\nelasticsearch:\n  cloudID: 'x:ZXUuZXhhbXBsZSRhYmMkZGVm'\n  index: i\n"
      "  sniff: true\n");
  EXPECT_NE(p.find("sniffing does not work with cloudID"), std::string::npos) << p;
}

}  // namespace
}  // namespace kv::sinks::search
