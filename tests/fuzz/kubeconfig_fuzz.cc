// Any kubeconfig text yields a ClientConfig or an error, never a crash.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "kube/client_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/kubevents-fuzz-kubeconfig-" + std::to_string(getpid());
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  (void)kv::kube::LoadKubeconfig(path, "");
  return 0;
}
