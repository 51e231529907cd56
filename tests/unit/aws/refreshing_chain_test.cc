// The credential cache's refresh rules on a FakeClock, and the chain's
// order with fake providers.
#include <gtest/gtest.h>

#include <deque>

#include "aws/providers.h"
#include "aws/refreshing.h"

namespace kv::aws {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const auto kStart = std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 50));

Credentials Creds(std::string key, std::optional<std::chrono::system_clock::time_point> exp) {
  Credentials c;
  c.access_key_id = std::move(key);
  c.secret_access_key = "s";
  c.expiration = exp;
  c.source = "fake";
  return c;
}

// A fetch that hands out scripted answers and counts calls.
struct Script {
  std::deque<Result<Credentials>> answers;
  int calls = 0;
  RefreshingProvider::Fetch Fetch() {
    return [this]() -> Result<Credentials> {
      ++calls;
      if (answers.empty()) return Fail(ErrorCode::kInternal, "script ran out");
      Result<Credentials> r = answers.front();
      answers.pop_front();
      return r;
    };
  }
};

TEST(Refreshing, CachesUntilTheRefreshWindow) {
  FakeClock clock(kStart);
  Script script;
  script.answers = {Creds("A", kStart + minutes(60)), Creds("B", kStart + minutes(120))};
  RefreshingProvider p(script.Fetch(), clock);
  EXPECT_EQ(p.Get()->access_key_id, "A");
  clock.Advance(minutes(54));  // 6 min left: still outside the 5-min window
  EXPECT_EQ(p.Get()->access_key_id, "A");
  EXPECT_EQ(script.calls, 1);
  clock.Advance(minutes(2));  // 4 min left: refreshed early
  EXPECT_EQ(p.Get()->access_key_id, "B");
  EXPECT_EQ(script.calls, 2);
}

TEST(Refreshing, KeysWithoutExpiryAreFetchedOnce) {
  FakeClock clock(kStart);
  Script script;
  script.answers = {Creds("A", std::nullopt)};
  RefreshingProvider p(script.Fetch(), clock);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(p.Get()->access_key_id, "A");
    clock.Advance(std::chrono::hours(100));
  }
  EXPECT_EQ(script.calls, 1);
}

TEST(Refreshing, FailedEarlyRefreshKeepsTheValidCredentials) {
  FakeClock clock(kStart);
  Script script;
  script.answers = {Creds("A", kStart + minutes(10)), Fail(ErrorCode::kUnavailable, "sts down"),
                    Fail(ErrorCode::kUnavailable, "sts down"), Creds("B", kStart + minutes(70))};
  RefreshingProvider p(script.Fetch(), clock);
  ASSERT_EQ(p.Get()->access_key_id, "A");
  clock.Advance(minutes(6));  // inside the window
  auto r = p.Get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->access_key_id, "A");
  EXPECT_EQ(script.calls, 2);
  // Not asked again before the retry interval...
  clock.Advance(seconds(2));
  EXPECT_EQ(p.Get()->access_key_id, "A");
  EXPECT_EQ(script.calls, 2);
  // ...then asked, fails again, still served.
  clock.Advance(seconds(4));
  EXPECT_EQ(p.Get()->access_key_id, "A");
  EXPECT_EQ(script.calls, 3);
  clock.Advance(seconds(6));
  EXPECT_EQ(p.Get()->access_key_id, "B");
  EXPECT_EQ(script.calls, 4);
}

TEST(Refreshing, ExpiredCredentialsAreNeverServed) {
  FakeClock clock(kStart);
  Script script;
  script.answers = {Creds("A", kStart + minutes(10)), Fail(ErrorCode::kUnavailable, "down"),
                    Fail(ErrorCode::kUnavailable, "down")};
  RefreshingProvider p(script.Fetch(), clock);
  ASSERT_TRUE(p.Get());
  clock.Advance(minutes(9) + seconds(40));  // 20 s left: within the 30-s margin
  auto r = p.Get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  // With nothing usable cached, every Get() tries (no retry interval).
  EXPECT_FALSE(p.Get());
  EXPECT_EQ(script.calls, 3);
}

TEST(Refreshing, ShortLivedCredentialsAreNotFetchedOnEveryCall) {
  FakeClock clock(kStart);
  Script script;
  script.answers = {Creds("A", kStart + minutes(2)), Creds("B", kStart + minutes(2) + seconds(5))};
  RefreshingProvider p(script.Fetch(), clock);
  EXPECT_EQ(p.Get()->access_key_id, "A");  // already inside the window
  EXPECT_EQ(p.Get()->access_key_id, "A");
  EXPECT_EQ(script.calls, 1);
  clock.Advance(seconds(5));
  EXPECT_EQ(p.Get()->access_key_id, "B");
}

TEST(Refreshing, NotFoundPassesThrough) {
  FakeClock clock(kStart);
  Script script;
  script.answers = {Fail(ErrorCode::kNotFound, "not configured")};
  RefreshingProvider p(script.Fetch(), clock);
  EXPECT_EQ(p.Get().error().code, ErrorCode::kNotFound);
}

// A provider whose answer the test sets.
class Fake final : public CredentialProvider {
 public:
  explicit Fake(Result<Credentials> answer) : answer(std::move(answer)) {}
  Result<Credentials> Get() override {
    ++calls;
    return answer;
  }
  Result<Credentials> answer;
  int calls = 0;
};

Result<Credentials> NotFound(const std::string& why) { return Fail(ErrorCode::kNotFound, why); }

TEST(Chain, FirstSourceThatAnswersWinsAndIsRemembered) {
  auto a = std::make_shared<Fake>(NotFound("a: not set"));
  auto b = std::make_shared<Fake>(Creds("B", std::nullopt));
  auto c = std::make_shared<Fake>(Creds("C", std::nullopt));
  auto chain = ChainOf({a, b, c});
  EXPECT_EQ(chain->Get()->access_key_id, "B");
  EXPECT_EQ(chain->Get()->access_key_id, "B");
  EXPECT_EQ(a->calls, 1);  // the walk happened once
  EXPECT_EQ(b->calls, 2);
  EXPECT_EQ(c->calls, 0);
}

TEST(Chain, WinnerThatLosesItsConfigurationHandsOver) {
  auto a = std::make_shared<Fake>(Creds("A", std::nullopt));
  auto b = std::make_shared<Fake>(Creds("B", std::nullopt));
  auto chain = ChainOf({a, b});
  EXPECT_EQ(chain->Get()->access_key_id, "A");
  a->answer = NotFound("gone");
  EXPECT_EQ(chain->Get()->access_key_id, "B");
}

TEST(Chain, WinnerFailingTransientlyIsNotReplaced) {
  auto a = std::make_shared<Fake>(Creds("A", std::nullopt));
  auto b = std::make_shared<Fake>(Creds("B", std::nullopt));
  auto chain = ChainOf({a, b});
  ASSERT_TRUE(chain->Get());
  a->answer = Fail(ErrorCode::kUnavailable, "sts throttled");
  EXPECT_EQ(chain->Get().error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(b->calls, 0);
  a->answer = Creds("A2", std::nullopt);
  EXPECT_EQ(chain->Get()->access_key_id, "A2");
}

TEST(Chain, ConfiguredButBrokenSourceStopsTheWalk) {
  auto a = std::make_shared<Fake>(Fail(ErrorCode::kInvalidConfig, "half configured"));
  auto b = std::make_shared<Fake>(Creds("B", std::nullopt));
  auto chain = ChainOf({a, b});
  auto r = chain->Get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidConfig);
  EXPECT_EQ(b->calls, 0);
}

TEST(Chain, NothingConfiguredNamesEverySourceAndKeepsTheLastCode) {
  auto a = std::make_shared<Fake>(NotFound("env: not set"));
  auto b = std::make_shared<Fake>(Fail(ErrorCode::kNotFound, "imds: no role"));
  auto r = ChainOf({a, b})->Get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("env: not set"), std::string::npos);
  EXPECT_NE(r.error().message.find("imds: no role"), std::string::npos);
}

Getenv EnvOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(EnvironmentSource, ReadsTheThreeVariables) {
  ChainOptions o;
  o.getenv = EnvOf(
      {{"AWS_ACCESS_KEY_ID", "AK"}, {"AWS_SECRET_ACCESS_KEY", "SK"}, {"AWS_SESSION_TOKEN", "ST"}});
  auto r = EnvironmentProvider(o)->Get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->access_key_id, "AK");
  EXPECT_EQ(r->secret_access_key, "SK");
  EXPECT_EQ(r->session_token, "ST");
  EXPECT_EQ(r->source, "environment");
  o.getenv = EnvOf({});
  EXPECT_EQ(EnvironmentProvider(o)->Get().error().code, ErrorCode::kNotFound);
  o.getenv = EnvOf({{"AWS_SECRET_ACCESS_KEY", "SK"}});
  EXPECT_EQ(EnvironmentProvider(o)->Get().error().code, ErrorCode::kInvalidConfig);
}

TEST(DefaultChainOrder, EnvironmentBeatsProfileAndImdsIsNeverAskedWhenDisabled) {
  FakeClock clock(kStart);
  ChainOptions o;
  o.getenv = EnvOf({{"AWS_ACCESS_KEY_ID", "AK"},
                    {"AWS_SECRET_ACCESS_KEY", "SK"},
                    {"HOME", "/nonexistent"},
                    {"AWS_EC2_METADATA_DISABLED", "true"}});
  EXPECT_EQ(DefaultChain(o, clock)->Get()->source, "environment");
  o.getenv = EnvOf({{"HOME", "/nonexistent"}, {"AWS_EC2_METADATA_DISABLED", "true"}});
  auto r = DefaultChain(o, clock)->Get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST(RegionLookup, OptionsThenEnvironment) {
  ChainOptions o;
  o.getenv = EnvOf({{"AWS_REGION", "r1"}, {"AWS_DEFAULT_REGION", "r2"}, {"HOME", "/nonexistent"}});
  EXPECT_EQ(RegionWithoutImds(o), "r1");
  o.region = "r0";
  EXPECT_EQ(DefaultRegion(o).value(), "r0");
  o.region = "";
  o.getenv = EnvOf({{"AWS_DEFAULT_REGION", "r2"}, {"HOME", "/nonexistent"}});
  EXPECT_EQ(RegionWithoutImds(o), "r2");
  o.getenv = EnvOf({{"HOME", "/nonexistent"}, {"AWS_EC2_METADATA_DISABLED", "true"}});
  EXPECT_EQ(DefaultRegion(o).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace kv::aws
