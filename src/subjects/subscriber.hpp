// What the subject index stores interest for: anything that can take a delivery. A client's
// connection is one; a cluster route (standing for a whole remote server's interest) is another.
// The index never knows which concrete type it holds; it only tells the kinds apart, so that a
// match separates local subscribers from remote ones (a message from a route goes to local
// subscribers only: one hop).
#pragma once

#include <cstdint>

namespace gnatsd::subjects {

enum class SubscriberKind : std::uint8_t {
  Client,  // a local client connection (TCP, TLS or, later, WebSocket)
  Route,   // a cluster route: the interest of the server at its other end
};

class Subscriber {
 public:
  explicit Subscriber(SubscriberKind kind) noexcept : kind_(kind) {}
  SubscriberKind kind() const noexcept { return kind_; }
  bool is_remote() const noexcept { return kind_ != SubscriberKind::Client; }

 protected:
  ~Subscriber() = default;  // owned through the concrete type's shared_ptr

 private:
  const SubscriberKind kind_;
};

}  // namespace gnatsd::subjects
