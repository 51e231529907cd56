// FaultEnv: an Env for tests that passes every call on to a real one (a
// PosixEnv over a TempDir, usually) and can
//  - fail the N-th call of a given operation (optionally only on paths
//    containing some text) with ENOSPC, EIO, or a short write (half the
//    bytes go in, then ENOSPC), once or several times in a row;
//  - simulate a power loss: every byte written through it that was not
//    synced (File::Sync/SyncAll) is dropped, and, unless asked to keep
//    them, every creation, rename and removal of a name whose directory was
//    not synced (Env::SyncDir) since is undone.
//
// The model of the disk: a file's content survives a power loss as of its
// last sync (a file first seen through this Env counts as synced as it was
// then); a name survives once its directory was synced after the change.
// That is what POSIX promises, no more (real file systems often keep more).
//
// Thread-safe: one mutex, held across each call on the base Env (tests
// need no parallel I/O). A File it opened must not outlive it.
#pragma once

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "util/env.h"

namespace kv::testing {

// The operations a fault can be put at (Env and File calls).
enum class FsOp {
  kOpen,
  kAppend,
  kWrite,
  kRead,
  kTruncate,
  kSync,  // File::Sync and File::SyncAll
  kSize,
  kClose,
  kReadFile,
  kFileExists,
  kFileSize,
  kRename,
  kUnlink,
  kSyncDir,
  kListDir,
  kCreateDirs,
};

enum class Fault {
  kNoSpace,     // ENOSPC
  kIo,          // EIO
  kShortWrite,  // Append/Write: half the bytes are written, then ENOSPC (else: as kNoSpace)
};

struct FaultRule {
  FsOp op = FsOp::kAppend;
  Fault fault = Fault::kIo;
  int nth = 1;                  // the nth matching call from now on fails (1: the next one)...
  int times = 1;                // ...and so do the times-1 matching calls after it
  std::string path_contains{};  // only calls on paths containing this count ("": all)
};

enum class PowerLossMode {
  kDropUnsyncedDataAndNames,  // undo unsynced data and unsynced name changes
  kDropUnsyncedData,          // undo unsynced data only; names all survive
};

class FaultEnv final : public Env {
 public:
  explicit FaultEnv(Env& base) : base_(base) {}

  // Adds a rule; counting starts with the next call.
  void Inject(FaultRule rule) {
    std::lock_guard lock(mu_);
    rules_.push_back({std::move(rule), 0});
  }
  void ClearFaults() {
    std::lock_guard lock(mu_);
    rules_.clear();
  }
  // Calls of `op` so far (failed ones included).
  size_t calls(FsOp op) {
    std::lock_guard lock(mu_);
    return calls_[op];
  }
  // Faults that fired so far.
  size_t injected() {
    std::lock_guard lock(mu_);
    return injected_;
  }

  // The machine loses power and comes back: the files touched through this
  // Env are put back to what the disk model says survived. Call it when
  // every File opened through it is closed (their owners are gone, as after
  // a crash); later calls see the surviving state.
  void PowerLoss(PowerLossMode mode = PowerLossMode::kDropUnsyncedDataAndNames) {
    std::lock_guard lock(mu_);
    EXPECT_EQ(open_files_, 0) << "PowerLoss with files still open";
    if (mode == PowerLossMode::kDropUnsyncedDataAndNames) {
      for (auto it = name_ops_.rbegin(); it != name_ops_.rend(); ++it) Undo(*it);
    }
    name_ops_.clear();
    for (const auto& path : touched_) {
      std::error_code ec;
      auto it = durable_.find(path);
      if (it == durable_.end()) {
        std::filesystem::remove(path, ec);
        continue;
      }
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << it->second;
      EXPECT_TRUE(out.good()) << "cannot restore " << path;
    }
  }

  Result<std::unique_ptr<File>> OpenFile(const std::filesystem::path& path,
                                         const OpenOptions& options) override {
    std::lock_guard lock(mu_);
    if (auto f = CheckLocked(FsOp::kOpen, path)) return Failure("cannot open", path, *f);
    bool existed = TrackLocked(path);
    auto file = base_.OpenFile(path, options);
    if (!file) return file;
    if (!existed) {
      name_ops_.push_back({NameOp::kCreate, path, {}, {}});
      durable_[path] = "";
    }
    ++open_files_;
    return std::unique_ptr<File>(new FaultFile(*this, std::move(*file)));
  }
  Result<std::string> ReadFile(const std::filesystem::path& path) override {
    std::lock_guard lock(mu_);
    if (auto f = CheckLocked(FsOp::kReadFile, path)) return Failure("cannot read", path, *f);
    return base_.ReadFile(path);
  }
  Result<bool> FileExists(const std::filesystem::path& path) override {
    std::lock_guard lock(mu_);
    if (auto f = CheckLocked(FsOp::kFileExists, path)) return Failure("cannot stat", path, *f);
    return base_.FileExists(path);
  }
  Result<uint64_t> FileSize(const std::filesystem::path& path) override {
    std::lock_guard lock(mu_);
    if (auto f = CheckLocked(FsOp::kFileSize, path)) return Failure("cannot stat", path, *f);
    return base_.FileSize(path);
  }
  Result<void> Rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    std::lock_guard lock(mu_);
    if (auto f = CheckLocked(FsOp::kRename, to)) return Failure("cannot rename to", to, *f);
    TrackLocked(from);
    TrackLocked(to);
    auto r = base_.Rename(from, to);
    if (!r) return r;
    NameOp op{NameOp::kRename, from, to, {}};
    if (auto it = durable_.find(to); it != durable_.end()) op.saved = it->second;
    name_ops_.push_back(std::move(op));
    MoveDurable(from, to);
    return r;
  }
  Result<void> Unlink(const std::filesystem::path& path) override {
    std::lock_guard lock(mu_);
    if (auto f = CheckLocked(FsOp::kUnlink, path)) return Failure("cannot remove", path, *f);
    TrackLocked(path);
    auto r = base_.Unlink(path);
    if (!r) return r;
    NameOp op{NameOp::kUnlink, path, {}, {}};
    if (auto it = durable_.find(path); it != durable_.end()) {
      op.saved = it->second;
      durable_.erase(it);
    }
    name_ops_.push_back(std::move(op));
    return r;
  }
  Result<void> SyncDir(const std::filesystem::path& dir) override {
    std::lock_guard lock(mu_);
    if (auto f = CheckLocked(FsOp::kSyncDir, dir)) return Failure("cannot sync", dir, *f);
    auto r = base_.SyncDir(dir);
    if (!r) return r;
    std::erase_if(name_ops_, [&](const NameOp& op) {
      const auto& p = op.kind == NameOp::kRename ? op.to : op.path;
      return p.parent_path() == dir;
    });
    return r;
  }
  Result<std::vector<std::string>> ListDir(const std::filesystem::path& dir) override {
    std::lock_guard lock(mu_);
    if (auto f = CheckLocked(FsOp::kListDir, dir)) return Failure("cannot read directory", dir, *f);
    return base_.ListDir(dir);
  }
  Result<void> CreateDirs(const std::filesystem::path& dir) override {
    std::lock_guard lock(mu_);
    if (auto f = CheckLocked(FsOp::kCreateDirs, dir)) {
      return Failure("cannot create directory", dir, *f);
    }
    return base_.CreateDirs(dir);  // directories are taken to survive a power loss
  }

 private:
  struct NameOp {
    enum Kind { kCreate, kRename, kUnlink } kind;
    std::filesystem::path path;        // created, unlinked, or renamed from
    std::filesystem::path to;          // renamed to
    std::optional<std::string> saved;  // rename: what `to` held; unlink: what `path` held
  };
  struct ActiveRule {
    FaultRule rule;
    int seen;
  };

  class FaultFile final : public File {
   public:
    FaultFile(FaultEnv& env, std::unique_ptr<File> base)
        : File(base->path()), env_(env), base_(std::move(base)) {}
    ~FaultFile() override {
      std::lock_guard lock(env_.mu_);
      base_.reset();
      --env_.open_files_;
    }
    using File::Append;
    Result<void> Append(std::span<const std::string_view> parts, size_t* written) override {
      std::lock_guard lock(env_.mu_);
      if (written) *written = 0;
      if (auto f = env_.CheckLocked(FsOp::kAppend, path())) {
        if (*f == Fault::kShortWrite) {
          std::string all;
          for (auto p : parts) all += p;
          size_t half = 0;
          (void)base_->Append(std::string_view(all).substr(0, all.size() / 2), &half);
          if (written) *written = half;
        }
        return Failure("cannot write", path(), *f);
      }
      return base_->Append(parts, written);
    }
    Result<void> Write(uint64_t offset, std::string_view data) override {
      std::lock_guard lock(env_.mu_);
      if (auto f = env_.CheckLocked(FsOp::kWrite, path())) {
        if (*f == Fault::kShortWrite) (void)base_->Write(offset, data.substr(0, data.size() / 2));
        return Failure("cannot write", path(), *f);
      }
      return base_->Write(offset, data);
    }
    Result<size_t> PRead(uint64_t offset, char* buf, size_t n) override {
      std::lock_guard lock(env_.mu_);
      if (auto f = env_.CheckLocked(FsOp::kRead, path())) return Failure("cannot read", path(), *f);
      return base_->PRead(offset, buf, n);
    }
    Result<void> Truncate(uint64_t size) override {
      std::lock_guard lock(env_.mu_);
      if (auto f = env_.CheckLocked(FsOp::kTruncate, path())) {
        return Failure("cannot truncate", path(), *f);
      }
      return base_->Truncate(size);
    }
    Result<void> Sync() override { return DoSync(false); }
    Result<void> SyncAll() override { return DoSync(true); }
    Result<uint64_t> Size() override {
      std::lock_guard lock(env_.mu_);
      if (auto f = env_.CheckLocked(FsOp::kSize, path())) return Failure("cannot stat", path(), *f);
      return base_->Size();
    }
    Result<void> Close() override {
      std::lock_guard lock(env_.mu_);
      if (auto f = env_.CheckLocked(FsOp::kClose, path())) {
        (void)base_->Close();
        return Failure("cannot close", path(), *f);
      }
      return base_->Close();
    }

   private:
    Result<void> DoSync(bool all) {
      std::lock_guard lock(env_.mu_);
      if (auto f = env_.CheckLocked(FsOp::kSync, path())) return Failure("cannot sync", path(), *f);
      auto r = all ? base_->SyncAll() : base_->Sync();
      if (!r) return r;
      // What the file holds now survives; a file already removed has no
      // name left to survive under.
      if (auto content = env_.base_.ReadFile(path()); content && env_.durable_.count(path())) {
        env_.durable_[path()] = std::move(*content);
      }
      return r;
    }

    FaultEnv& env_;
    std::unique_ptr<File> base_;
  };

  static tl::unexpected<Error> Failure(std::string_view what, const std::filesystem::path& path,
                                       Fault fault) {
    return IoError(what, path, fault == Fault::kIo ? EIO : ENOSPC);
  }

  // Counts the call; the fault to inject, if a rule says so.
  std::optional<Fault> CheckLocked(FsOp op, const std::filesystem::path& path) {
    ++calls_[op];
    std::optional<Fault> out;
    for (auto& r : rules_) {
      if (r.rule.op != op) continue;
      if (!r.rule.path_contains.empty() &&
          path.string().find(r.rule.path_contains) == std::string::npos) {
        continue;
      }
      ++r.seen;
      if (!out && r.seen >= r.rule.nth && r.seen < r.rule.nth + r.rule.times) out = r.rule.fault;
    }
    if (out) ++injected_;
    return out;
  }

  // Starts following `path` (its present content counts as durable).
  // Whether it exists.
  bool TrackLocked(const std::filesystem::path& path) {
    auto exists = base_.FileExists(path);
    touched_.insert(path);
    if (!exists || !*exists) return false;
    if (!durable_.count(path)) {  // made behind this Env's back: taken as durable
      if (auto content = base_.ReadFile(path)) durable_[path] = std::move(*content);
    }
    return true;
  }

  void MoveDurable(const std::filesystem::path& from, const std::filesystem::path& to) {
    auto it = durable_.find(from);
    if (it == durable_.end()) {
      durable_.erase(to);
      return;
    }
    durable_[to] = std::move(it->second);
    durable_.erase(from);
  }

  void Undo(const NameOp& op) {
    switch (op.kind) {
      case NameOp::kCreate:
        durable_.erase(op.path);
        break;
      case NameOp::kRename:
        MoveDurable(op.to, op.path);
        if (op.saved) durable_[op.to] = *op.saved;
        break;
      case NameOp::kUnlink:
        if (op.saved) durable_[op.path] = *op.saved;
        break;
    }
  }

  Env& base_;
  std::mutex mu_;  // guards everything below, and every call on base_
  std::vector<ActiveRule> rules_;
  std::map<FsOp, size_t> calls_;
  size_t injected_ = 0;
  int open_files_ = 0;
  // The disk model: what survives a power loss under each path now.
  std::map<std::filesystem::path, std::string> durable_;
  std::set<std::filesystem::path> touched_;  // every path seen: restored at PowerLoss
  std::vector<NameOp> name_ops_;             // name changes whose directory is not synced
};

}  // namespace kv::testing
