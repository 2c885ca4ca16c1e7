// Response permission (allow_responses): the reply subjects a client may publish to because it
// was sent a request carrying them, each for a bounded number of publishes and time
// (nats-server's per-client `replies` map).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/string_hash.hpp"
#include "config/options.hpp"

namespace gnatsd::auth {

// Threading: deliveries record from the publishers' worker threads while the client's own
// thread uses the permits for its PUBs, so the map has its own lock. Only sessions whose
// permissions allow responses have one, so no one else ever takes that lock.
class ReplyPermits {
 public:
  using Clock = std::chrono::steady_clock;
  // nats-server prunes its map once it holds more than this (client.go replyPermLimit).
  static constexpr std::size_t kPruneAbove = 4096;
  // gnatsd's own hard bound: nats-server's map grows without limit while requests arrive faster
  // than they expire; past this many live entries the oldest are forgotten, down to 3/4 of it.
  static constexpr std::size_t kMaxEntries = 16 * kPruneAbove;
  // The same for the subjects' bytes: reply subjects run up to max_control_line, so a count
  // alone would let other clients' requests pin hundreds of megabytes here.
  static constexpr std::size_t kMaxBytes = 16 * 1024 * 1024;

  explicit ReplyPermits(const config::ResponsePermission& permission);

  // A message with `reply` was queued for the client: it may answer from now on, max_msgs
  // times. Delivering the same reply subject again starts it afresh, as nats-server does.
  void record(std::string_view reply, Clock::time_point now);
  // Whether a PUB to `subject` is an allowed response; counts it when it is. A permit used up
  // or expired is forgotten.
  bool use(std::string_view subject, Clock::time_point now);

  std::size_t size() const;
  std::size_t bytes() const;  // of the recorded subjects

 private:
  struct Entry {
    Clock::time_point recorded;
    std::int64_t uses = 0;
  };
  bool expired(const Entry& entry, Clock::time_point now) const noexcept {
    return expires_ > Clock::duration::zero() && now - entry.recorded > expires_;
  }
  bool used_up(const Entry& entry) const noexcept {
    return max_msgs_ > 0 && entry.uses >= max_msgs_;
  }
  // Drops what can no longer be used and, past kMaxEntries or kMaxBytes, the oldest. Lock held.
  void prune(Clock::time_point now);
  // Removes entries matching `drop`, keeping bytes_ exact. Lock held.
  template <class Drop>
  void erase_if(Drop drop);

  const std::int64_t max_msgs_;    // <= 0: any number of responses
  const Clock::duration expires_;  // <= 0: never expires
  mutable std::mutex mutex_;
  common::StringMap<Entry> entries_;    // guarded
  std::size_t prune_at_ = kPruneAbove;  // guarded
  std::size_t bytes_ = 0;               // guarded
};

}  // namespace gnatsd::auth
