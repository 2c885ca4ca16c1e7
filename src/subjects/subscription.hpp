// One subscriber's interest in a subject: what the subject index stores and a match returns.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "subjects/subscriber.hpp"

namespace gnatsd::subjects {

struct Subscription {
  std::string subject;
  std::string queue;  // empty for a plain subscription
  std::string sid;    // the client's id for it; for a route, the interest's key
  // Who takes the deliveries. Shared so that a match result still held by another thread keeps
  // the subscriber valid after it closed; delivery checks `closed` first. Null in unit tests
  // (counted as a local subscriber).
  std::shared_ptr<Subscriber> subscriber;
  // A route's queue interest stands for this many members on the remote server (RS+ weight).
  std::int32_t weight = 1;

  // Set once the subscription leaves the index; racing deliveries skip it.
  std::atomic<bool> closed{false};
  // Auto-unsubscribe (UNSUB sid max): -1 none. Both guarded by the subscriber's outbound lock.
  std::int64_t max_msgs = -1;
  std::uint64_t delivered = 0;

  bool is_remote() const noexcept { return subscriber != nullptr && subscriber->is_remote(); }
};

using SubscriptionPtr = std::shared_ptr<Subscription>;

}  // namespace gnatsd::subjects
