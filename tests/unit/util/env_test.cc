#include "util/env.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "../support/temp_dir.h"
#include "../testing/fault_env.h"
#include "util/files.h"

namespace kv {
namespace {

using kv::testing::Fault;
using kv::testing::FaultEnv;
using kv::testing::FsOp;
using kv::testing::PowerLossMode;

std::string ReadAll(File& f) {
  std::string out(*f.Size(), '\0');
  EXPECT_EQ(*f.PRead(0, out.data(), out.size()), out.size());
  return out;
}

TEST(PosixEnv, AppendsReadsTruncatesAndSizesAFile) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  auto f = env.OpenFile(tmp.path() / "f", {.create = true, .append = true});
  ASSERT_TRUE(f.has_value()) << f.error().message;
  const std::string_view parts[] = {"head", "", "-body"};
  size_t written = 0;
  ASSERT_TRUE((*f)->Append(parts, &written).has_value());
  EXPECT_EQ(written, 9u);
  ASSERT_TRUE((*f)->Append("!").has_value());
  EXPECT_EQ(ReadAll(**f), "head-body!");
  ASSERT_TRUE((*f)->Truncate(4).has_value());
  ASSERT_TRUE((*f)->Sync().has_value());
  EXPECT_EQ(ReadAll(**f), "head");
  char buf[16];
  EXPECT_EQ(*(*f)->PRead(2, buf, sizeof buf), 2u) << "short only at the end of the file";
  ASSERT_TRUE((*f)->Close().has_value());
  EXPECT_FALSE((*f)->Close().has_value());

  auto g = env.OpenFile(tmp.path() / "f", {});  // not append: Write goes where it is told
  ASSERT_TRUE(g.has_value());
  ASSERT_TRUE((*g)->Write(0, "HE").has_value());
  ASSERT_TRUE((*g)->SyncAll().has_value());
  EXPECT_EQ(*env.ReadFile(tmp.path() / "f"), "HEad");
  EXPECT_EQ(*env.FileSize(tmp.path() / "f"), 4u);
}

TEST(PosixEnv, NamesAndDirectories) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  ASSERT_TRUE(env.CreateDirs(tmp.path() / "a" / "b").has_value());
  ASSERT_TRUE(env.CreateDirs(tmp.path() / "a" / "b").has_value());
  ASSERT_TRUE(files::WriteAtomic(env, tmp.path() / "a" / "x", "1").has_value());
  ASSERT_TRUE(env.Rename(tmp.path() / "a" / "x", tmp.path() / "a" / "y").has_value());
  ASSERT_TRUE(env.SyncDir(tmp.path() / "a").has_value());
  auto names = *env.ListDir(tmp.path() / "a");
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"b", "y"}));
  EXPECT_TRUE(*env.FileExists(tmp.path() / "a" / "y"));
  ASSERT_TRUE(env.Unlink(tmp.path() / "a" / "y").has_value());
  EXPECT_FALSE(*env.FileExists(tmp.path() / "a" / "y"));
}

TEST(PosixEnv, FailuresAreKIoWithThePathAndTheErrnoText) {
  kv::testing::TempDir tmp;
  PosixEnv env;
  auto f = env.OpenFile(tmp.path() / "missing", {});
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code, ErrorCode::kIo);
  EXPECT_NE(f.error().message.find((tmp.path() / "missing").string()), std::string::npos);
  EXPECT_NE(f.error().message.find("No such file or directory"), std::string::npos);
  EXPECT_FALSE(env.Unlink(tmp.path() / "missing").has_value());
  EXPECT_FALSE(env.ListDir(tmp.path() / "missing").has_value());
  EXPECT_FALSE(env.ReadFile(tmp.path() / "missing").has_value());
}

TEST(FaultEnv, FailsExactlyTheNthMatchingCall) {
  kv::testing::TempDir tmp;
  PosixEnv posix;
  FaultEnv env(posix);
  env.Inject({.op = FsOp::kAppend, .fault = Fault::kIo, .nth = 2, .path_contains = "b.log"});
  auto a = *env.OpenFile(tmp.path() / "a.log", {.create = true, .append = true});
  auto b = *env.OpenFile(tmp.path() / "b.log", {.create = true, .append = true});
  EXPECT_TRUE(a->Append("x").has_value());
  EXPECT_TRUE(b->Append("1").has_value());
  EXPECT_TRUE(a->Append("x").has_value());
  auto failed = b->Append("2");
  ASSERT_FALSE(failed.has_value());
  EXPECT_NE(failed.error().message.find("Input/output error"), std::string::npos);
  EXPECT_TRUE(b->Append("3").has_value());
  EXPECT_EQ(env.injected(), 1u);
  EXPECT_EQ(env.calls(FsOp::kAppend), 5u);
  EXPECT_EQ(ReadAll(*b), "13");
}

TEST(FaultEnv, AShortWriteLeavesHalfAndSaysHowMuch) {
  kv::testing::TempDir tmp;
  PosixEnv posix;
  FaultEnv env(posix);
  auto f = *env.OpenFile(tmp.path() / "f", {.create = true, .append = true});
  env.Inject({.op = FsOp::kAppend, .fault = Fault::kShortWrite});
  size_t written = 99;
  auto r = f->Append("abcdef", &written);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("No space left on device"), std::string::npos);
  EXPECT_EQ(written, 3u);
  EXPECT_EQ(ReadAll(*f), "abc");
}

TEST(FaultEnv, APowerLossUndoesARenameWhoseDirectoryWasNotSynced) {
  kv::testing::TempDir tmp;
  PosixEnv posix;
  FaultEnv env(posix);
  auto path = tmp.path() / "checkpoint.json";
  tmp.Write("checkpoint.json", "old");
  tmp.Write("next", "new");
  ASSERT_TRUE(env.Rename(tmp.path() / "next", path).has_value());
  EXPECT_EQ(*env.ReadFile(path), "new");
  env.PowerLoss();
  EXPECT_EQ(*env.ReadFile(path), "old");
  EXPECT_EQ(*env.ReadFile(tmp.path() / "next"), "new");

  ASSERT_TRUE(env.Rename(tmp.path() / "next", path).has_value());
  ASSERT_TRUE(env.SyncDir(tmp.path()).has_value());
  env.PowerLoss();
  EXPECT_EQ(*env.ReadFile(path), "new");
}

TEST(FaultEnv, WriteAtomicSurvivesAPowerLossOnceItReturns) {
  kv::testing::TempDir tmp;
  PosixEnv posix;
  FaultEnv env(posix);
  auto path = tmp.path() / "checkpoint.json";
  tmp.Write("checkpoint.json", "old");
  ASSERT_TRUE(files::WriteAtomic(env, path, "new").has_value());
  env.PowerLoss();
  EXPECT_EQ(*env.ReadFile(path), "new");
  EXPECT_FALSE(*env.FileExists(tmp.path() / "checkpoint.json.tmp"));
}

TEST(FaultEnv, APowerLossKeepsSyncedDataAndUndoesUnsyncedCreatesAndRemovals) {
  kv::testing::TempDir tmp;
  PosixEnv posix;
  FaultEnv env(posix);
  tmp.Write("kept", "k");
  {
    auto f = *env.OpenFile(tmp.path() / "f", {.create = true, .append = true});
    ASSERT_TRUE(f->Append("synced").has_value());
    ASSERT_TRUE(f->Sync().has_value());
    ASSERT_TRUE(f->Append("+lost").has_value());
  }
  ASSERT_TRUE(env.Unlink(tmp.path() / "kept").has_value());
  env.PowerLoss(PowerLossMode::kDropUnsyncedData);
  EXPECT_EQ(*env.ReadFile(tmp.path() / "f"), "synced");
  EXPECT_FALSE(*env.FileExists(tmp.path() / "kept")) << "names survive in this mode";

  tmp.Write("kept", "k");
  {
    auto g = *env.OpenFile(tmp.path() / "g", {.create = true, .append = true});
    ASSERT_TRUE(g->Append("synced").has_value());
    ASSERT_TRUE(g->Sync().has_value());
  }
  ASSERT_TRUE(env.Unlink(tmp.path() / "kept").has_value());
  env.PowerLoss(PowerLossMode::kDropUnsyncedDataAndNames);
  EXPECT_FALSE(*env.FileExists(tmp.path() / "g")) << "created; directory never synced";
  EXPECT_EQ(*env.ReadFile(tmp.path() / "kept"), "k") << "removal undone";
  EXPECT_EQ(*env.ReadFile(tmp.path() / "f"), "synced");
}

}  // namespace
}  // namespace kv
