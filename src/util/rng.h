// Randomness comes through an Rng so tests can make it predictable.
#pragma once

#include <mutex>
#include <random>

namespace kv {

class Rng {
 public:
  virtual ~Rng() = default;
  // Uniform in [0, 1).
  virtual double Uniform() = 0;
};

// A seeded Mersenne twister. Thread-safe.
class DefaultRng final : public Rng {
 public:
  DefaultRng() : engine_(std::random_device{}()) {}
  explicit DefaultRng(uint64_t seed) : engine_(seed) {}
  double Uniform() override {
    std::lock_guard lock(mu_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
  }

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

}  // namespace kv
