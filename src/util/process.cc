#include "util/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>

extern char** environ;

namespace kv::process {

namespace {

// This process's environment with `extra` set over it, as "K=V" strings.
std::vector<std::string> MergedEnvironment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string s = *e;
    auto eq = s.find('=');
    if (eq != std::string::npos) env[s.substr(0, eq)] = s.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

// A null-terminated char* view of `strings` (which must outlive it).
std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

struct Child {
  pid_t pid = 0;
  int out = -1;  // read ends of its stdout and stderr
  int err = -1;
};

// A clean start for the child: no blocked signals (the spawning thread has
// them blocked for the signal thread), every signal at its default
// (SIGPIPE is ignored here), and a process group of its own (pgid = its
// pid) so that a timeout can kill whatever it started too.
void CleanStart(posix_spawnattr_t* attr) {
  posix_spawnattr_init(attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(attr, &none);
  sigset_t all;
  sigfillset(&all);
  sigdelset(&all, SIGKILL);  // cannot be changed anyway
  sigdelset(&all, SIGSTOP);
  posix_spawnattr_setsigdefault(attr, &all);
  posix_spawnattr_setpgroup(attr, 0);
  posix_spawnattr_setflags(attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
}

// Starts argv[0] (looked up in PATH) with stdin from /dev/null and its
// stdout and stderr piped back.
Result<Child> Spawn(std::vector<std::string> argv, std::vector<std::string> env) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Fail(ErrorCode::kIo, std::strerror(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return Fail(ErrorCode::kIo, std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> argp = CStrings(argv);
  std::vector<char*> envp = CStrings(env);
  posix_spawnattr_t attr;
  CleanStart(&attr);
  Child child;
  int rc = posix_spawnp(&child.pid, argp[0], &actions, &attr, argp.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return Fail(ErrorCode::kIo, "cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  child.out = out_pipe[0];
  child.err = err_pipe[0];
  return child;
}

enum class Collected { kDone, kTimedOut, kTooMuch };

// The helper's own deadline, on the steady clock: it bounds blocking
// poll() calls, which an injected clock could not interrupt.
using Deadline = std::chrono::steady_clock::time_point;

int MillisLeft(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, INT32_MAX));
}

// Waits until `pid` exits or `deadline` passes (false then): a helper may
// close its stdout and stderr and run on. Without pidfds (Linux < 5.3) it
// waits in waitpid() instead, unbounded.
bool AwaitExit(pid_t pid, Deadline deadline) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return true;
  pollfd p{pidfd, POLLIN, 0};
  int n;
  do {
    n = poll(&p, 1, MillisLeft(deadline));
  } while (n < 0 && errno == EINTR);
  close(pidfd);
  return n > 0;
}

// Reads the child's stdout and stderr until both close, `timeout` passes
// or one exceeds its cap (`*which` then names it). Closes both
// descriptors.
Collected Collect(const Child& child, Deadline deadline, Output* output, std::string* which) {
  pollfd fds[2] = {{child.out, POLLIN, 0}, {child.err, POLLIN, 0}};
  std::string* sinks[2] = {&output->out, &output->err};
  const size_t caps[2] = {kMaxStdoutBytes, kMaxStderrBytes};
  int open_fds = 2;
  Collected result = Collected::kDone;
  char buf[4096];
  while (open_fds > 0 && result == Collected::kDone) {
    int left = MillisLeft(deadline);
    if (left <= 0) {
      result = Collected::kTimedOut;
      break;
    }
    int n = poll(fds, 2, left);
    if (n <= 0) continue;  // EINTR, or the deadline (checked above)
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        if (sinks[i]->size() + static_cast<size_t>(got) > caps[i]) {
          *which = i == 0 ? "stdout" : "stderr";
          result = Collected::kTooMuch;
          break;
        }
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  return result;
}

}  // namespace

Result<Output> Run(const std::vector<std::string>& argv,
                   const std::vector<std::pair<std::string, std::string>>& extra_env,
                   std::chrono::milliseconds timeout) {
  if (argv.empty()) return Fail(ErrorCode::kInternal, "process::Run: empty argv");
  auto child = Spawn(argv, MergedEnvironment(extra_env));
  if (!child) return tl::unexpected(child.error());
  Output output;
  std::string which;
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  Collected collected = Collect(*child, deadline, &output, &which);
  if (collected == Collected::kDone && !AwaitExit(child->pid, deadline)) {
    collected = Collected::kTimedOut;
  }
  // The whole group: a helper's own children (a shell's background job)
  // must not outlive it. Before the reap, so the group id is still ours.
  if (collected != Collected::kDone) kill(-child->pid, SIGKILL);
  int status = 0;
  while (waitpid(child->pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (collected == Collected::kTimedOut) {
    return Fail(ErrorCode::kIo,
                argv[0] + " did not finish within " + std::to_string(timeout.count() / 1000) + "s");
  }
  if (collected == Collected::kTooMuch) {
    size_t cap = which == "stdout" ? kMaxStdoutBytes : kMaxStderrBytes;
    return Fail(ErrorCode::kIo, argv[0] + ": output larger than " + std::to_string(cap) +
                                    " bytes on " + which + "; stopped");
  }
  output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return output;
}

}  // namespace kv::process
