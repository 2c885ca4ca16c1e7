// Small pieces every nats-bench mode shares: this process's CPU time, elapsed seconds, and the
// status line a terminal shows while a run is in progress.
#pragma once

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "connection.hpp"

namespace nats_bench {

inline double process_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

// "10 s", "2.5 s": a duration for a message.
inline std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", seconds);
  return text;
}

inline double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Rewrites one status line on the terminal a few times a second while it lives; does
// nothing when disabled (stdout is not a terminal, or JSON output was asked for).
class ProgressLine {
 public:
  ProgressLine(bool enabled, std::function<std::string()> status);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

 private:
  std::function<std::string()> status_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace nats_bench
