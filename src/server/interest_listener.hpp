// Who hears about every change of local client interest: the cluster, which keeps its routes
// told (RS+/RS-). Called by Interest on the subscribing connection's loop thread, after the
// subject index changed.
#pragma once

#include "subjects/subscription.hpp"

namespace gnatsd::server {

class InterestListener {
 public:
  virtual void subscribed(const subjects::Subscription& sub) = 0;
  virtual void unsubscribed(const subjects::Subscription& sub) = 0;

 protected:
  ~InterestListener() = default;
};

}  // namespace gnatsd::server
