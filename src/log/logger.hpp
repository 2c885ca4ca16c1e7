// Logging adapter over spdlog producing nats-server's line format:
//   [pid] 2016/01/10 08:54:16.178798 [INF] message      (or "[pid] [INF] message" without time)
#pragma once

#include <atomic>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace gnatsd::log {

struct LogOptions {
  bool debug = false;   // -D: DBG lines
  bool trace = false;   // -V: TRC lines, the raw protocol per connection
  bool logtime = true;  // -T: timestamp each line
};

void init(const LogOptions& options);

enum class Level { Trace, Debug, Info, Warn, Error, Fatal };
void write(Level level, std::string_view message);

// Cheap checks for hot paths: formatting happens only when the level is on.
inline std::atomic<bool> g_debug{false};
inline std::atomic<bool> g_trace{false};
inline bool debug_enabled() noexcept {
  return g_debug.load(std::memory_order_relaxed);
}
inline bool trace_enabled() noexcept {
  return g_trace.load(std::memory_order_relaxed);
}

template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::Warn, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::Error, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void fatal(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::Fatal, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (debug_enabled()) write(Level::Debug, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void trace(fmt::format_string<Args...> f, Args&&... args) {
  if (trace_enabled()) write(Level::Trace, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace gnatsd::log
