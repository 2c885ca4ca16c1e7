// The process's resident memory and CPU use, from /proc/self, as /varz reports them ("mem" in
// bytes, "cpu" in percent of one core).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace gnatsd::monitor {

class ProcessUsage {
 public:
  struct Sample {
    std::int64_t rss_bytes = 0;
    double cpu_percent = 0;
  };

  ProcessUsage();

  // Thread-safe. CPU is averaged since the previous sample that is at least kMinWindow old
  // (since construction at first), so that back-to-back requests still see a meaningful figure.
  Sample sample();

 private:
  static constexpr std::chrono::seconds kMinWindow{1};

  std::mutex mutex_;
  std::chrono::steady_clock::time_point window_start_;
  double window_start_cpu_seconds_ = 0;
  double last_percent_ = 0;
};

}  // namespace gnatsd::monitor
