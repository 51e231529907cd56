// STS requests and answers, the XML reader and the AWS error classifier.
// The answers are shaped as STS's API reference documents them.
#include <gtest/gtest.h>

#include "aws/errors.h"
#include "aws/sts.h"
#include "aws/xml.h"
#include "util/time.h"

namespace kv::aws {
namespace {

constexpr std::string_view kWebIdentityAnswer =
    R"(<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:ns:sa</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:s</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE&amp;x</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <Expiration>2014-10-24T23:00:23Z</Expiration>
      <AccessKeyId>ASIAJEXAMPLEXEG2JICEA</AccessKeyId>
    </Credentials>
    <Provider>www.amazon.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>)";

TEST(Sts, ParsesCredentialsFromTheAnswer) {
  auto c = sts::ParseCredentials(kWebIdentityAnswer, "web-identity");
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAJEXAMPLEXEG2JICEA");
  EXPECT_EQ(c->secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  EXPECT_EQ(c->session_token, "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE&x");
  ASSERT_TRUE(c->expiration);
  EXPECT_EQ(timeutil::FormatRfc3339(*c->expiration), "2014-10-24T23:00:23Z");
  EXPECT_EQ(c->source, "web-identity");
}

TEST(Sts, IncompleteAnswersAreCorrupt) {
  EXPECT_EQ(sts::ParseCredentials("<x/>", "s").error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(sts::ParseCredentials("<Credentials><AccessKeyId>A</AccessKeyId></Credentials>", "s")
                .error()
                .code,
            ErrorCode::kCorrupt);
  std::string bad_time(kWebIdentityAnswer);
  bad_time.replace(bad_time.find("2014-10-24T23:00:23Z"), 20, "tomorrow");
  EXPECT_EQ(sts::ParseCredentials(bad_time, "s").error().code, ErrorCode::kCorrupt);
}

TEST(Sts, RequestBodiesAreFormEncoded) {
  sts::AssumeRoleParams p{.role_arn = "arn:aws:iam::1:role/a b",
                          .session_name = "s@x",
                          .external_id = "ext/1",
                          .duration = std::chrono::seconds(900)};
  EXPECT_EQ(sts::AssumeRoleBody(p),
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b"
            "&RoleSessionName=s%40x&DurationSeconds=900&ExternalId=ext%2F1");
  p.external_id.clear();
  p.duration = std::chrono::seconds(0);
  EXPECT_EQ(sts::AssumeRoleWithWebIdentityBody(p, "tok.en+="),
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
            "&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b&RoleSessionName=s%40x"
            "&WebIdentityToken=tok.en%2B%3D");
}

TEST(Sts, EndpointResolution) {
  auto env = [](std::map<std::string, std::string> vars) -> Getenv {
    return [vars](const std::string& n) -> std::optional<std::string> {
      auto it = vars.find(n);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  };
  EXPECT_EQ(sts::ResolveEndpoint("", "", env({})).url, "https://sts.amazonaws.com");
  EXPECT_EQ(sts::ResolveEndpoint("", "", env({})).signing_region, "us-east-1");
  EXPECT_EQ(sts::ResolveEndpoint("", "eu-west-1", env({})).url,
            "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(sts::ResolveEndpoint("", "cn-north-1", env({})).url,
            "https://sts.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(sts::ResolveEndpoint("", "eu-west-1", env({{"AWS_ENDPOINT_URL", "http://all/"}})).url,
            "http://all");
  EXPECT_EQ(sts::ResolveEndpoint(
                "", "eu-west-1",
                env({{"AWS_ENDPOINT_URL", "http://all"}, {"AWS_ENDPOINT_URL_STS", "http://sts"}}))
                .url,
            "http://sts");
  EXPECT_EQ(
      sts::ResolveEndpoint("http://opt", "eu-west-1", env({{"AWS_ENDPOINT_URL_STS", "http://sts"}}))
          .url,
      "http://opt");
  EXPECT_EQ(sts::ResolveEndpoint("", "eu-west-1",
                                 env({{"AWS_ENDPOINT_URL_STS", "http://sts"},
                                      {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}}))
                .url,
            "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(sts::ResolveEndpoint("http://opt", "eu-west-1", env({})).signing_region, "eu-west-1");
}

TEST(Xml, TextElementsAndEntities) {
  EXPECT_EQ(xml::Text("<a><b x=\"1\">v&lt;&#65;&#x42;&quot;</b></a>", "b").value(), "v<AB\"");
  EXPECT_EQ(xml::Text("<a><bb>no</bb><b>yes</b></a>", "b").value(), "yes");
  EXPECT_EQ(xml::Text("<a><b/></a>", "b").value(), "");
  EXPECT_FALSE(xml::Text("<a></a>", "b"));
  EXPECT_FALSE(xml::Text("<a><b>unclosed</a>", "b"));
  auto members = xml::Elements("<l><member>1</member><member>2</member><member/></l>", "member");
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0], "1");
  EXPECT_EQ(members[1], "2");
  EXPECT_EQ(members[2], "");
  EXPECT_EQ(xml::DecodeEntities("&amp;amp; &unknown; &#233;"), "&amp; &unknown; \xC3\xA9");
}

TEST(AwsErrors, QueryXmlError) {
  auto e = ParseAwsError(
      "<ErrorResponse "
      "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
      "<Code>InvalidIdentityToken</Code><Message>No OpenIDConnect provider found</Message></Error>"
      "<RequestId>r-1</RequestId></ErrorResponse>");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "InvalidIdentityToken");
  EXPECT_EQ(e->message, "No OpenIDConnect provider found");
  EXPECT_EQ(e->request_id, "r-1");
  Error err = ToError("sts", 400, e);
  EXPECT_EQ(err.code, ErrorCode::kUnauthorized);
  EXPECT_EQ(err.message, "sts: HTTP 400 InvalidIdentityToken: No OpenIDConnect provider found");
}

TEST(AwsErrors, JsonErrors) {
  auto e = ParseAwsError(
      R"({"__type":"com.amazonaws.kinesis#ProvisionedThroughputExceededException","message":"Rate exceeded"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "ProvisionedThroughputExceededException");
  EXPECT_EQ(ToError("kinesis", 400, e).code, ErrorCode::kUnavailable);
  e = ParseAwsError(R"({"code":"AccessDeniedException","Message":"nope"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "AccessDeniedException");
  EXPECT_EQ(e->message, "nope");
  EXPECT_EQ(ToError("x", 400, e).code, ErrorCode::kUnauthorized);
  e = ParseAwsError("{}", "QueueDoesNotExist:http://internal.amazon.com/");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "QueueDoesNotExist");
  EXPECT_EQ(ToError("sqs", 400, e).code, ErrorCode::kRejected);
}

TEST(AwsErrors, StatusAloneDecidesWithoutACode) {
  EXPECT_FALSE(ParseAwsError("<html>bad gateway</html>"));
  EXPECT_FALSE(ParseAwsError(""));
  EXPECT_FALSE(ParseAwsError("{not json"));
  EXPECT_EQ(ToError("x", 503, std::nullopt).code, ErrorCode::kUnavailable);
  EXPECT_EQ(ToError("x", 429, std::nullopt).code, ErrorCode::kUnavailable);
  EXPECT_EQ(ToError("x", 403, std::nullopt).code, ErrorCode::kUnauthorized);
  EXPECT_EQ(ToError("x", 400, std::nullopt).code, ErrorCode::kRejected);
  EXPECT_EQ(ToError("x", 400, std::nullopt).http_status, 400);
}

TEST(AwsErrors, ThrottlingAndExpiredTokensAreRetryable) {
  for (const char* code :
       {"Throttling", "ThrottlingException", "RequestLimitExceeded", "ExpiredToken",
        "ExpiredTokenException", "RequestExpired", "ServiceUnavailable", "InternalFailure"}) {
    EXPECT_TRUE(IsRetryableAwsCode(code)) << code;
    EXPECT_EQ(ToError("x", 400, AwsError{code, "", ""}).code, ErrorCode::kUnavailable) << code;
  }
  for (const char* code : {"SignatureDoesNotMatch", "InvalidClientTokenId", "AccessDenied"}) {
    EXPECT_TRUE(IsAuthAwsCode(code)) << code;
    EXPECT_EQ(ToError("x", 403, AwsError{code, "", ""}).code, ErrorCode::kUnauthorized) << code;
  }
}

}  // namespace
}  // namespace kv::aws
