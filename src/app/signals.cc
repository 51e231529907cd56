#include "app/signals.h"

#include <spdlog/spdlog.h>

#include <thread>

namespace kv::app {

void WakeQueue::Push(Wake w) {
  {
    std::lock_guard lock(mu_);
    q_.push_back(w);
  }
  cv_.notify_one();
}

Wake WakeQueue::Pop() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !q_.empty(); });
  Wake w = q_.front();
  q_.pop_front();
  return w;
}

sigset_t BlockSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return set;
}

void StartSignalThread(sigset_t signals, WakeQueue& wake) {
  std::thread([signals, &wake] {
    for (;;) {
      int sig = 0;
      sigwait(&signals, &sig);
      if (sig == SIGHUP) {
        wake.Push(Wake::kReloadSignal);
        continue;
      }
      spdlog::info("signal {}: shutting down", sig);
      wake.Push(Wake::kTerminate);
      return;
    }
  }).detach();  // blocked in sigwait until the process ends
}

}  // namespace kv::app
