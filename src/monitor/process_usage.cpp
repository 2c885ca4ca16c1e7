// /proc/self readings for /varz mem and cpu.
#include "monitor/process_usage.hpp"

#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

namespace gnatsd::monitor {
namespace {

// User + system CPU time of the whole process (all threads), from /proc/self/stat.
double cpu_seconds() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return 0;
  // The command name (field 2) may hold spaces; fields are counted after its closing ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Field 3 is the state; utime and stime are fields 14 and 15.
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) utime = std::stoull(field);
    if (index == 15) stime = std::stoull(field);
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  return ticks > 0 ? static_cast<double>(utime + stime) / static_cast<double>(ticks) : 0;
}

std::int64_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  long long size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  return resident * static_cast<std::int64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

ProcessUsage::ProcessUsage()
    : window_start_(std::chrono::steady_clock::now()), window_start_cpu_seconds_(cpu_seconds()) {}

ProcessUsage::Sample ProcessUsage::sample() {
  Sample out;
  out.rss_bytes = rss_bytes();
  const auto now = std::chrono::steady_clock::now();
  const double cpu = cpu_seconds();
  std::lock_guard lock(mutex_);
  const double elapsed = std::chrono::duration<double>(now - window_start_).count();
  if (elapsed > 0) {
    // One decimal, as ps(1) and nats-server show it.
    last_percent_ = std::round((cpu - window_start_cpu_seconds_) / elapsed * 1000.0) / 10.0;
  }
  if (now - window_start_ >= kMinWindow) {
    window_start_ = now;
    window_start_cpu_seconds_ = cpu;
  }
  out.cpu_percent = last_percent_;
  return out;
}

}  // namespace gnatsd::monitor
