// One client's interest in a subject: what the subject index stores and a match returns.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace gnatsd::server {
class ClientSession;
}

namespace gnatsd::routing {

struct Subscription {
  std::string subject;
  std::string queue;  // empty for a plain subscription
  std::string sid;
  // The subscriber. Shared so that a match result still held by another thread keeps the
  // session object valid after it closed; delivery checks `closed` first. Null in unit tests.
  std::shared_ptr<server::ClientSession> client;

  // Set once the subscription leaves the index; racing deliveries skip it.
  std::atomic<bool> closed{false};
  // Auto-unsubscribe (UNSUB sid max): -1 none. Both guarded by the client's outbound lock.
  std::int64_t max_msgs = -1;
  std::uint64_t delivered = 0;
};

using SubscriptionPtr = std::shared_ptr<Subscription>;

}  // namespace gnatsd::routing
