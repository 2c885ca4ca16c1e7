// Shared by the subject index unit tests: a detached subscription (no client) to put in an index.
#pragma once

#include <memory>
#include <string>

#include "subjects/subscription.hpp"

namespace gnatsd::subjects::testing {

// Stands for a cluster route in the index: a subscriber of the remote kind.
class RouteSubscriber : public Subscriber {
 public:
  RouteSubscriber() : Subscriber(SubscriberKind::Route) {}
};

inline SubscriptionPtr make_sub(std::string subject, std::string queue = {}) {
  auto sub = std::make_shared<Subscription>();
  sub->subject = std::move(subject);
  sub->queue = std::move(queue);
  return sub;
}

}  // namespace gnatsd::subjects::testing
