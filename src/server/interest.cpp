#include "server/interest.hpp"

#include "subjects/subject_index.hpp"

namespace gnatsd::server {

Interest::AddResult Interest::add(const subjects::SubscriptionPtr& sub, std::size_t max_subs) {
  if (by_id_.find(sub->sid) != by_id_.end()) return AddResult::RepeatedId;
  if (max_subs > 0 && by_id_.size() >= max_subs) return AddResult::OverLimit;
  by_id_.emplace(sub->sid, sub);
  index_.insert(sub);
  if (listener_ != nullptr) listener_->subscribed(*sub);
  return AddResult::Added;
}

bool Interest::remove(const subjects::SubscriptionPtr& sub) {
  sub->closed.store(true, std::memory_order_release);
  const auto it = by_id_.find(sub->sid);
  if (it == by_id_.end() || it->second != sub) return false;
  by_id_.erase(it);
  index_.remove(sub);
  if (listener_ != nullptr) listener_->unsubscribed(*sub);
  return true;
}

void Interest::remove_all() {
  // Moved out first: dropping the table breaks the connection <-> subscription cycle.
  auto all = std::move(by_id_);
  by_id_.clear();
  for (auto& [id, sub] : all) {
    sub->closed.store(true, std::memory_order_release);
    index_.remove(sub);
    if (listener_ != nullptr) listener_->unsubscribed(*sub);
  }
}

subjects::SubscriptionPtr Interest::find(std::string_view id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

std::vector<subjects::SubscriptionPtr> Interest::list() const {
  std::vector<subjects::SubscriptionPtr> subs;
  subs.reserve(by_id_.size());
  for (const auto& [id, sub] : by_id_) subs.push_back(sub);
  return subs;
}

}  // namespace gnatsd::server
