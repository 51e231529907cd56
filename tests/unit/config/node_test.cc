#include "config/node.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace kv::config {
namespace {

struct Parsed {
  std::shared_ptr<Diagnostics> diag = std::make_shared<Diagnostics>();
  Node root;
  explicit Parsed(const std::string& yaml) : root(ParseYaml(yaml, "cfg.yaml", diag)) {}
  std::string Problems() const {
    std::string out;
    for (const auto& p : diag->problems()) out += p.ToString() + "\n";
    return out;
  }
};

TEST(Node, TypedGettersReturnValuesAndDefaults) {
  Parsed p("a: hello\nb: 42\nc: true\nd: 1.5\n");
  EXPECT_EQ(p.root.String("a"), "hello");
  EXPECT_EQ(p.root.Int("b", 0, 0, 100), 42);
  EXPECT_TRUE(p.root.Bool("c"));
  EXPECT_DOUBLE_EQ(p.root.Double("d", 0, 0, 10), 1.5);
  EXPECT_EQ(p.root.String("missing", "def"), "def");
  EXPECT_FALSE(p.diag->HasErrors());
}

TEST(Node, WrongTypesAreReportedWithLineColumnAndKeyPath) {
  Parsed p("top:\n  count: many\n  flag: maybe\n");
  Node top = p.root.Child("top");
  EXPECT_EQ(top.Int("count", 7, 0, 100), 7);
  EXPECT_FALSE(top.Bool("flag", false));
  EXPECT_EQ(p.Problems(),
            "cfg.yaml:2:3: top.count: expected a whole number, got 'many'\n"
            "cfg.yaml:3:3: top.flag: expected true or false, got 'maybe'\n");
}

TEST(Node, OutOfRangeIsReported) {
  Parsed p("n: 500\n");
  EXPECT_EQ(p.root.Int("n", 1, 0, 100), 1);
  EXPECT_EQ(p.Problems(), "cfg.yaml:1:1: n: must be between 0 and 100, got 500\n");
}

TEST(Node, UnknownKeysSuggestTheNearestKnownOne) {
  Parsed p("logLevl: debug\nzzzzzz: 1\n");
  p.root.RejectUnknownKeys({"logLevel", "logFormat"});
  EXPECT_EQ(p.Problems(),
            "cfg.yaml:1:1: logLevl: unknown key (did you mean 'logLevel'?)\n"
            "cfg.yaml:2:1: zzzzzz: unknown key\n");
}

TEST(Node, SyntaxErrorsCarryLineAndColumn) {
  Parsed p("a: [1, 2\nb: c\n");
  ASSERT_TRUE(p.diag->HasErrors());
  EXPECT_NE(p.Problems().find("cfg.yaml:"), std::string::npos);
  EXPECT_NE(p.Problems().find("invalid YAML"), std::string::npos);
}

TEST(Node, SequencesAndMapsHaveIndexedPaths) {
  Parsed p("list:\n  - x: 1\n  - x: oops\n");
  auto items = p.root.Child("list").Items();
  ASSERT_EQ(items.size(), 2u);
  items[1].Int("x", 0, 0, 10);
  EXPECT_EQ(p.Problems(), "cfg.yaml:3:5: list[1].x: expected a whole number, got 'oops'\n");
}

TEST(Node, MissingChildIsUndefinedNotAnError) {
  Parsed p("a: 1\n");
  Node missing = p.root.Child("nope").Child("deeper");
  EXPECT_FALSE(missing.Defined());
  EXPECT_EQ(missing.String("x", "d"), "d");
  EXPECT_FALSE(p.diag->HasErrors());
}

TEST(ExpandEnvironment, BracedReferencesDefaultsAndFiles) {
  setenv("KV_TEST_SET", "value", 1);
  setenv("KV_TEST_EMPTY", "", 1);
  unsetenv("KV_TEST_UNSET");
  std::string err;
  EXPECT_EQ(ExpandEnvironment("a-${KV_TEST_SET}-b", &err), "a-value-b");
  EXPECT_EQ(ExpandEnvironment("${KV_TEST_UNSET:-fallback}", &err), "fallback");
  EXPECT_EQ(ExpandEnvironment("${KV_TEST_EMPTY:-fallback}", &err), "fallback");
  EXPECT_EQ(ExpandEnvironment("${KV_TEST_EMPTY}", &err), "");
  EXPECT_EQ(ExpandEnvironment("keep $bare and {{ $x := 1 }}", &err),
            "keep $bare and {{ $x := 1 }}");
  EXPECT_EQ(err, "");
  char path[] = "/tmp/kvsecretXXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "s3cret\n", 7), 7);
  close(fd);
  EXPECT_EQ(ExpandEnvironment(std::string("${file:") + path + "}", &err), "s3cret");
  unlink(path);
}

// A fresh directory under /tmp, removed with what the test put in it.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/kvsecretdirXXXXXX";
    const char* made = mkdtemp(tmpl);
    path = made != nullptr ? made : "";
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string file = path + "/" + name;
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }
};

TEST(ReadSecretFile, ReadsARegularFile) {
  TempDir dir;
  ASSERT_FALSE(dir.path.empty());
  std::string file = dir.Write("password", "s3cret\n");
  std::string content;
  EXPECT_EQ(ReadSecretFile(file, &content), "");
  EXPECT_EQ(content, "s3cret\n");
  // Exactly at the cap is still accepted.
  std::string full = dir.Write("full", std::string(kMaxSecretFileBytes, 'x'));
  EXPECT_EQ(ReadSecretFile(full, &content), "");
  EXPECT_EQ(content.size(), kMaxSecretFileBytes);
}

TEST(ReadSecretFile, RefusesDevicesFifosAndDirectories) {
  TempDir dir;
  ASSERT_FALSE(dir.path.empty());
  std::string content = "left over";
  // /dev/zero never ends: reading it would fill memory.
  EXPECT_EQ(ReadSecretFile("/dev/zero", &content), "secret file /dev/zero is not a regular file");
  EXPECT_EQ(content, "");
  // A FIFO with no writer: a blocking open would wait forever.
  std::string fifo = dir.path + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(ReadSecretFile(fifo, &content), "secret file " + fifo + " is not a regular file");
  EXPECT_EQ(ReadSecretFile(dir.path, &content),
            "secret file " + dir.path + " is not a regular file");
  EXPECT_EQ(ReadSecretFile(dir.path + "/missing", &content),
            "cannot read secret file " + dir.path + "/missing: No such file or directory");
}

TEST(ReadSecretFile, RefusesAFileLargerThanTheCap) {
  TempDir dir;
  ASSERT_FALSE(dir.path.empty());
  std::string big = dir.Write("big", std::string(kMaxSecretFileBytes + 1, 'x'));
  std::string content;
  EXPECT_EQ(ReadSecretFile(big, &content), "secret file " + big + " is larger than 1048576 bytes");
  EXPECT_EQ(content, "");
}

TEST(ExpandEnvironment, BadSecretFileIsReportedWithLineAndKey) {
  TempDir dir;
  ASSERT_FALSE(dir.path.empty());
  std::string fifo = dir.path + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Parsed p("user: admin\npassword: ${file:" + fifo + "}\ntoken: ${file:/dev/zero}\n");
  EXPECT_EQ(p.root.String("password"), "");
  EXPECT_EQ(p.root.String("token"), "");
  EXPECT_EQ(p.Problems(), "cfg.yaml:2:1: password: secret file " + fifo +
                              " is not a regular file\n"
                              "cfg.yaml:3:1: token: secret file /dev/zero is not a regular file\n");
}

TEST(ExpandEnvironment, UnsetVariableIsReportedWithLineAndKey) {
  unsetenv("KV_TEST_UNSET");
  Parsed p("password: ${KV_TEST_UNSET}\n");
  EXPECT_EQ(p.root.String("password"), "");
  EXPECT_EQ(p.Problems(),
            "cfg.yaml:1:1: password: environment variable KV_TEST_UNSET is not set "
            "(write ${KV_TEST_UNSET:-} for an empty default)\n");
}

TEST(ExpandEnvironment, AnUnsetVariableIsAWarningWhenTheCheckAllowsIt) {
  // check-config without --strict-env: the variable is set at run time.
  unsetenv("KV_TEST_UNSET");
  Parsed p("password: ${KV_TEST_UNSET}\nqps: ${KV_TEST_UNSET}\nuser: ${KV_TEST_UNSET:-x}\n");
  p.diag->set_unset_env_is_warning(true);
  EXPECT_EQ(p.root.String("password"), "");
  // A problem with the value it left empty is a warning too.
  EXPECT_EQ(p.root.Int("qps", 7, 0, 100), 7);
  EXPECT_EQ(p.root.String("user"), "x");
  EXPECT_FALSE(p.diag->HasErrors()) << p.Problems();
  ASSERT_EQ(p.diag->problems().size(), 3u) << p.Problems();
  for (const auto& problem : p.diag->problems()) EXPECT_TRUE(problem.warning);
  EXPECT_NE(p.Problems().find("password: environment variable KV_TEST_UNSET is not set here; it "
                              "must be set at run time"),
            std::string::npos)
      << p.Problems();
  EXPECT_NE(p.Problems().find("qps: expected a whole number, got '' (the value has a variable "
                              "not set here)"),
            std::string::npos)
      << p.Problems();

  // Other problems stay errors: a missing secret file, another key.
  Parsed q("token: ${file:/nonexistent/kv-secret}\nport: ${KV_TEST_UNSET}\nother: x\n");
  q.diag->set_unset_env_is_warning(true);
  q.root.String("token");
  q.root.String("port");
  q.root.Report("bad", "other");
  EXPECT_TRUE(q.diag->HasErrors());
  size_t errors = 0;
  for (const auto& problem : q.diag->problems()) errors += problem.warning ? 0 : 1;
  EXPECT_EQ(errors, 2u) << q.Problems();
}

TEST(ExpandEnvironment, TypedValuesExpandToo) {
  setenv("KV_TEST_QPS", "42", 1);
  Parsed p("qps: ${KV_TEST_QPS}\n");
  EXPECT_EQ(p.root.Int("qps", 0, 0, 100), 42);
}

TEST(NearestKey, FindsCloseSpellingsOnly) {
  EXPECT_EQ(NearestKey("recievers", {"receivers", "route"}), "receivers");
  EXPECT_EQ(NearestKey("completely", {"receivers", "route"}), "");
}

}  // namespace
}  // namespace kv::config
