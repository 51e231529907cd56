// The shared config/credentials file dialect (aws/ini.h) and how profiles
// come out of the two files (aws/profile.h).
#include <gtest/gtest.h>

#include "../support/temp_dir.h"
#include "aws/ini.h"
#include "aws/profile.h"

namespace kv::aws {
namespace {

TEST(Ini, SectionsKeysAndComments) {
  IniFile f = ParseIni(
      "# leading comment\n"
      "; another\n"
      "orphan = ignored\n"
      "[ default ]  # after the header\n"
      "Region=eu-west-1\n"
      "  \n"
      "output = json ; inline comment\n"
      "url = http://h/#frag\n"
      "semi = a;b\n"
      "[other]\r\n"
      "key = value\r\n");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f["default"]["region"], "eu-west-1");
  EXPECT_EQ(f["default"]["output"], "json");
  EXPECT_EQ(f["default"]["url"], "http://h/#frag");  // no whitespace before '#': kept
  EXPECT_EQ(f["default"]["semi"], "a;b");
  EXPECT_EQ(f["other"]["key"], "value");
  EXPECT_EQ(f["default"].count("orphan"), 0u);
}

TEST(Ini, ContinuationAndSubProperties) {
  IniFile f = ParseIni(
      "[p]\n"
      "s3 =\n"
      "  max_concurrent_requests = 10\n"
      "  Addressing_Style = path\n"
      "long = first\n"
      "  second\n"
      "after = x\n");
  EXPECT_EQ(f["p"]["s3"], "");
  EXPECT_EQ(f["p"]["s3.max_concurrent_requests"], "10");
  EXPECT_EQ(f["p"]["s3.addressing_style"], "path");
  EXPECT_EQ(f["p"]["long"], "first\nsecond");
  EXPECT_EQ(f["p"]["after"], "x");
}

TEST(Ini, RepeatedSectionsMergeAndLastKeyWins) {
  IniFile f = ParseIni("[a]\nk = 1\nx = 1\n[b]\n[a]\nk = 2\n");
  EXPECT_EQ(f["a"]["k"], "2");
  EXPECT_EQ(f["a"]["x"], "1");
}

TEST(Ini, BrokenLinesAreSkipped) {
  IniFile f = ParseIni("[a\nk = 1\n[b]\nnot a property\n= novalue\nk = 2\n");
  EXPECT_EQ(f.count("a"), 0u);
  EXPECT_EQ(f["b"].size(), 1u);
  EXPECT_EQ(f["b"]["k"], "2");
}

TEST(Profiles, ConfigUsesProfilePrefixAndCredentialsFileWins) {
  ProfileSet set = ProfileSet::FromText(
      "[default]\nregion = us-east-1\n"
      "[profile default]\nregion = eu-west-1\n"
      "[profile dev]\nrole_arn = arn:aws:iam::1:role/r\naws_access_key_id = FROMCONFIG\n"
      "[sso-session corp]\nsso_region = x\n"
      "[notaprofile]\nk = v\n",
      "[dev]\naws_access_key_id = FROMCREDS\n"
      "[profile weird]\nk = v\n");
  EXPECT_EQ(set.Value("default", "region"), "eu-west-1");
  EXPECT_EQ(set.Value("dev", "role_arn"), "arn:aws:iam::1:role/r");
  EXPECT_EQ(set.Value("dev", "aws_access_key_id"), "FROMCREDS");
  EXPECT_EQ(set.Find("corp"), nullptr);
  EXPECT_EQ(set.Find("sso-session corp"), nullptr);
  EXPECT_EQ(set.Find("notaprofile"), nullptr);
  // In the credentials file the section name is the profile name, as written.
  EXPECT_NE(set.Find("profile weird"), nullptr);
}

TEST(Profiles, LoadReadsTheFilesTheEnvironmentNames) {
  kv::testing::TempDir dir;
  dir.Write("home/.aws/config", "[profile a]\nregion = r1\n");
  dir.Write("home/.aws/credentials", "[a]\naws_access_key_id = K\n");
  dir.Write("other/conf", "[profile b]\nregion = r2\n");
  std::map<std::string, std::string> env = {{"HOME", (dir.path() / "home").string()}};
  Getenv getenv = [&](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto set = ProfileSet::Load(getenv);
  ASSERT_TRUE(set) << set.error().ToString();
  EXPECT_EQ(set->Value("a", "region"), "r1");
  EXPECT_EQ(set->Value("a", "aws_access_key_id"), "K");
  env["AWS_CONFIG_FILE"] = (dir.path() / "other/conf").string();
  env["AWS_SHARED_CREDENTIALS_FILE"] = (dir.path() / "missing").string();
  set = ProfileSet::Load(getenv);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->Find("a"), nullptr);
  EXPECT_EQ(set->Value("b", "region"), "r2");
}

TEST(Profiles, NameComesFromOptionsThenEnvironment) {
  Getenv none = [](const std::string&) { return std::nullopt; };
  Getenv with = [](const std::string& n) -> std::optional<std::string> {
    if (n == "AWS_PROFILE") return "envprof";
    return std::nullopt;
  };
  EXPECT_EQ(ResolveProfileName("", none).name, "default");
  EXPECT_FALSE(ResolveProfileName("", none).explicit_name);
  EXPECT_EQ(ResolveProfileName("", with).name, "envprof");
  EXPECT_TRUE(ResolveProfileName("", with).explicit_name);
  EXPECT_EQ(ResolveProfileName("opt", with).name, "opt");
}

}  // namespace
}  // namespace kv::aws
