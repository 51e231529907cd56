// The signer against the examples AWS publishes (the SigV4 test suite's
// get-vanilla, get-vanilla-query-order-key-case and
// post-x-www-form-urlencoded cases, and the IAM user guide's ListUsers
// example), plus the canonicalisation rules one by one. The randomised
// comparison with botocore is tests/integration/aws/test_sigv4_botocore.py.
#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include "aws/canonical.h"

namespace kv::aws {
namespace {

// 2015-08-30T12:36:00Z, the time of every published example.
const auto kExampleTime = std::chrono::system_clock::time_point(std::chrono::seconds(1440938160));

Credentials ExampleCredentials() {
  Credentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  return c;
}

std::string HeaderOf(const http::Request& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "<none>";
}

TEST(Sigv4, GetVanillaMatchesThePublishedSignature) {
  Signer signer({.region = "us-east-1", .service = "service"});
  http::Request r;
  r.url = "https://example.amazonaws.com/";
  signer.Sign(r, ExampleCredentials(), kExampleTime);
  EXPECT_EQ(HeaderOf(r, "host"), "example.amazonaws.com");
  EXPECT_EQ(HeaderOf(r, "x-amz-date"), "20150830T123600Z");
  EXPECT_EQ(HeaderOf(r, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(Sigv4, QueryParametersAreSortedBeforeSigning) {
  Signer signer({.region = "us-east-1", .service = "service"});
  http::Request r;
  r.url = "https://example.amazonaws.com/?Param2=value2&Param1=value1";
  signer.Sign(r, ExampleCredentials(), kExampleTime);
  EXPECT_NE(HeaderOf(r, "authorization")
                .find("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
            std::string::npos);
}

TEST(Sigv4, FormPostMatchesThePublishedSignature) {
  Signer signer({.region = "us-east-1", .service = "service"});
  http::Request r;
  r.method = "POST";
  r.url = "https://example.amazonaws.com/";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  r.body = "Param1=value1";
  signer.Sign(r, ExampleCredentials(), kExampleTime);
  EXPECT_EQ(HeaderOf(r, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST(Sigv4, IamUserGuideListUsersExample) {
  Signer signer({.region = "us-east-1", .service = "iam"});
  http::Request r;
  r.url = "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  signer.Sign(r, ExampleCredentials(), kExampleTime);
  EXPECT_EQ(HeaderOf(r, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST(Sigv4, EmptyPayloadHashIsThePublishedConstant) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sigv4, SessionTokenIsSentAndSigned) {
  Signer signer({.region = "eu-west-1", .service = "sns"});
  Credentials c = ExampleCredentials();
  c.session_token = "session/token+=";
  http::Request r;
  r.url = "https://sns.eu-west-1.amazonaws.com/";
  signer.Sign(r, c, kExampleTime);
  EXPECT_EQ(HeaderOf(r, "x-amz-security-token"), "session/token+=");
  EXPECT_NE(
      HeaderOf(r, "authorization").find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
      std::string::npos);
}

TEST(Sigv4, ResigningReplacesTheOldAuthHeaders) {
  Signer signer({.region = "eu-west-1", .service = "sns"});
  Credentials c = ExampleCredentials();
  c.session_token = "t1";
  http::Request r;
  r.url = "https://sns.eu-west-1.amazonaws.com/";
  signer.Sign(r, c, kExampleTime);
  http::Request first = r;
  c.session_token = "t2";
  signer.Sign(r, c, kExampleTime + std::chrono::seconds(5));
  int auth = 0, token = 0, date = 0;
  for (const auto& [n, v] : r.headers) {
    auth += n == "authorization";
    token += n == "x-amz-security-token";
    date += n == "x-amz-date";
  }
  EXPECT_EQ(auth, 1);
  EXPECT_EQ(token, 1);
  EXPECT_EQ(date, 1);
  EXPECT_EQ(HeaderOf(r, "x-amz-date"), "20150830T123605Z");
  EXPECT_NE(HeaderOf(r, "authorization"), HeaderOf(first, "authorization"));
}

TEST(Sigv4, UnsignedPayloadIsDeclaredAndSigned) {
  Signer signer({.region = "us-east-1", .service = "s3", .unsigned_payload = true});
  http::Request r;
  r.method = "PUT";
  r.url = "https://bucket.s3.amazonaws.com/key";
  r.body = "streamed later";
  signer.Sign(r, ExampleCredentials(), kExampleTime);
  EXPECT_EQ(HeaderOf(r, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_NE(HeaderOf(r, "authorization").find("x-amz-content-sha256"), std::string::npos);
}

TEST(Sigv4, ContentSha256HeaderCarriesThePayloadHash) {
  Signer signer({.region = "us-east-1", .service = "aoss", .add_content_sha256_header = true});
  http::Request r;
  r.method = "POST";
  r.url = "https://x.us-east-1.aoss.amazonaws.com/_bulk";
  r.body = "{}";
  signer.Sign(r, ExampleCredentials(), kExampleTime);
  EXPECT_EQ(HeaderOf(r, "x-amz-content-sha256"), Sha256Hex("{}"));
}

TEST(Sigv4, CallersOwnPayloadHashHeaderIsSigned) {
  Signer signer({.region = "us-east-1", .service = "s3"});
  http::Request r;
  r.method = "PUT";
  r.url = "https://bucket.s3.amazonaws.com/key";
  r.headers = {{"X-Amz-Content-SHA256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}};
  r.body = "ignored for the hash";
  http::Request same = r;
  same.body = "another body";
  signer.Sign(r, ExampleCredentials(), kExampleTime);
  signer.Sign(same, ExampleCredentials(), kExampleTime);
  EXPECT_EQ(HeaderOf(r, "authorization"), HeaderOf(same, "authorization"));
}

TEST(Sigv4, DerivedKeyCacheFollowsDateAndSecret) {
  Signer signer({.region = "us-east-1", .service = "service"});
  auto sign = [&](const Credentials& c, std::chrono::system_clock::time_point t) {
    http::Request r;
    r.url = "https://example.amazonaws.com/";
    signer.Sign(r, c, t);
    return HeaderOf(r, "authorization");
  };
  const std::string day1 = sign(ExampleCredentials(), kExampleTime);
  EXPECT_EQ(sign(ExampleCredentials(), kExampleTime), day1);  // cached key, same answer
  // Next day: a new key; and back, the same answer as a fresh signer gives.
  const auto next_day = kExampleTime + std::chrono::hours(24);
  const std::string day2 = sign(ExampleCredentials(), next_day);
  Signer fresh({.region = "us-east-1", .service = "service"});
  http::Request r;
  r.url = "https://example.amazonaws.com/";
  fresh.Sign(r, ExampleCredentials(), next_day);
  EXPECT_EQ(day2, HeaderOf(r, "authorization"));
  Credentials other = ExampleCredentials();
  other.secret_access_key = "another-secret";
  EXPECT_NE(sign(other, kExampleTime), day1);
  EXPECT_EQ(sign(ExampleCredentials(), kExampleTime), day1);
}

TEST(Canonical, SplitUrlDropsDefaultPortsAndUserInfo) {
  UrlParts p = SplitUrl("HTTPS://User:pw@Example.COM:443/a/b?x=1#frag");
  EXPECT_EQ(p.scheme, "https");
  EXPECT_EQ(p.host, "example.com");
  EXPECT_EQ(p.path, "/a/b");
  EXPECT_EQ(p.query, "x=1");
  EXPECT_EQ(SplitUrl("http://127.0.0.1:4566").host, "127.0.0.1:4566");
  EXPECT_EQ(SplitUrl("http://127.0.0.1:4566").path, "");
  EXPECT_EQ(SplitUrl("http://h:80/").host, "h");
}

TEST(Canonical, PathIsNormalisedAndEncodedTwice) {
  EXPECT_EQ(CanonicalPath(""), "/");
  EXPECT_EQ(CanonicalPath("/"), "/");
  EXPECT_EQ(CanonicalPath("/a/./b/../c//d/"), "/a/c/d/");
  EXPECT_EQ(CanonicalPath("/.."), "/");
  EXPECT_EQ(CanonicalPath("/my%20doc"), "/my%2520doc");
  EXPECT_EQ(CanonicalPath("/a b/ü"), "/a%20b/%C3%BC");
  EXPECT_EQ(CanonicalPath("/~user/$x"), "/~user/%24x");
}

TEST(Canonical, QueryIsReencodedAndSorted) {
  EXPECT_EQ(CanonicalQuery(""), "");
  EXPECT_EQ(CanonicalQuery("b=2&a=1&a=0"), "a=0&a=1&b=2");
  EXPECT_EQ(CanonicalQuery("flag&x="), "flag=&x=");
  EXPECT_EQ(CanonicalQuery("k=a b/c"), "k=a%20b%2Fc");
  EXPECT_EQ(CanonicalQuery("k=%2f%7E"), "k=%2F~");
  EXPECT_EQ(CanonicalQuery("a=1&&b=2"), "a=1&b=2");
  // Sorted by encoded name: "%" (0x25) sorts before letters.
  EXPECT_EQ(CanonicalQuery("z=1&%C3%A9=2&A=3"), "%C3%A9=2&A=3&z=1");
}

TEST(Canonical, HeadersAreTrimmedMergedAndSorted) {
  http::Headers h = {{"X-B", "  two   words\there "}, {"x-a", "1"},  {"X-A", "2"},
                     {"User-Agent", "curl"},          {"Host", "h"}, {"x-empty", ""}};
  CanonicalHeaders c = CanonicalizeHeaders(h);
  EXPECT_EQ(c.canonical, "host:h\nx-a:1,2\nx-b:two words here\nx-empty:\n");
  EXPECT_EQ(c.signed_names, "host;x-a;x-b;x-empty");
}

}  // namespace
}  // namespace kv::aws
