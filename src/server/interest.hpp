// The one place a connection's interest changes: SUB, UNSUB, an auto-unsubscribe that reached
// its count, a reload that withdrew a permission, and close all come here. It keeps the
// connection's subscriptions by id and updates the server's subject index, which in turn
// invalidates the match-cache entries the change affects, and tells the cluster (routes learn
// of local interest through the listener).
//
// Owner thread only: deliveries on other workers never change interest; an auto-unsubscribe
// they complete is handed to the owner through the outbound side (Outbound::expire).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "common/string_hash.hpp"
#include "server/interest_listener.hpp"
#include "subjects/subscription.hpp"

namespace gnatsd::subjects {
class SubjectIndex;
}

namespace gnatsd::server {

class Interest {
 public:
  // `listener`: null when no cluster is configured.
  Interest(subjects::SubjectIndex& index, InterestListener* listener)
      : index_(index), listener_(listener) {}

  enum class AddResult {
    Added,
    RepeatedId,  // a subscription with this id exists: ignored, as nats-server does
    OverLimit,   // max_subscriptions reached
  };
  // `max_subs` 0: no limit.
  AddResult add(const subjects::SubscriptionPtr& sub, std::size_t max_subs);
  // Removes `sub` if it is still this connection's; false when it was already gone.
  bool remove(const subjects::SubscriptionPtr& sub);
  // Every subscription leaves (close).
  void remove_all();

  subjects::SubscriptionPtr find(std::string_view id) const;
  std::size_t size() const noexcept { return by_id_.size(); }
  // A copy: callers may remove while they walk it.
  std::vector<subjects::SubscriptionPtr> list() const;
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const auto& [id, sub] : by_id_) visit(sub);
  }

 private:
  subjects::SubjectIndex& index_;
  InterestListener* const listener_;
  common::StringMap<subjects::SubscriptionPtr> by_id_;
};

}  // namespace gnatsd::server
