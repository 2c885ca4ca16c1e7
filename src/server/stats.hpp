// Message and byte counters. Each I/O thread owns one set and is its only writer, so a bump is
// a plain load+store on a thread-private cache line; readers (monitoring) sum all sets.
#pragma once

#include <atomic>
#include <cstdint>

namespace gnatsd::server {

class Counter {
 public:
  void add(std::uint64_t n) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

struct alignas(64) TrafficStats {
  Counter in_msgs;
  Counter in_bytes;
  Counter out_msgs;
  Counter out_bytes;
  Counter slow_consumers;
};

struct TrafficTotals {
  std::uint64_t in_msgs = 0, in_bytes = 0, out_msgs = 0, out_bytes = 0, slow_consumers = 0;
  void add(const TrafficStats& s) {
    in_msgs += s.in_msgs.get();
    in_bytes += s.in_bytes.get();
    out_msgs += s.out_msgs.get();
    out_bytes += s.out_bytes.get();
    slow_consumers += s.slow_consumers.get();
  }
};

}  // namespace gnatsd::server
