// The most recently closed connections, for /connz?state=closed: a bounded ring filled by the
// I/O threads as connections close (never per message) and copied out by monitoring.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "server/conn_info.hpp"

namespace gnatsd::server {

class ClosedConnections {
 public:
  // nats-server keeps the last 10,000 (server/const.go DEFAULT_MAX_CLOSED_CLIENTS).
  static constexpr std::size_t kDefaultCapacity = 10000;

  explicit ClosedConnections(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // Any thread.
  void add(ConnInfo info) {
    std::lock_guard lock(mutex_);
    if (capacity_ == 0) return;
    if (ring_.size() == capacity_) ring_.pop_front();
    ring_.push_back(std::move(info));
  }
  // Oldest first.
  std::vector<ConnInfo> list() const {
    std::lock_guard lock(mutex_);
    return {ring_.begin(), ring_.end()};
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return ring_.size();
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<ConnInfo> ring_;
};

}  // namespace gnatsd::server
