// The terminal status line of nats-bench.
#include "run_support.hpp"

#include <cstdio>

namespace nats_bench {

ProgressLine::ProgressLine(bool enabled, std::function<std::string()> status)
    : status_(std::move(status)) {
  if (!enabled) return;
  thread_ = std::thread([this] {
    while (!stop_.load(std::memory_order_relaxed)) {
      // Sleep in small steps so the destructor never waits long.
      for (int i = 0; i < 25 && !stop_.load(std::memory_order_relaxed); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::string line = status_();
      std::fprintf(stdout, "\r\033[K%s", line.c_str());
      std::fflush(stdout);
    }
  });
}

ProgressLine::~ProgressLine() {
  if (!thread_.joinable()) return;
  stop_.store(true);
  thread_.join();
  std::fprintf(stdout, "\r\033[K");
  std::fflush(stdout);
}

}  // namespace nats_bench
