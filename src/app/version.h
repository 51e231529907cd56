#pragma once

namespace kv::app {
// Set by CMake from project(VERSION).
inline constexpr const char* kVersion = KUBEVENTS_VERSION;
}  // namespace kv::app
