// The reply-subject permits of allow_responses (server/client.go deliverMsg, pubAllowedFullCheck
// and pruneReplyPerms semantics), bounded.
#include "auth/reply_permits.hpp"

#include <algorithm>
#include <vector>

namespace gnatsd::auth {

ReplyPermits::ReplyPermits(const config::ResponsePermission& permission)
    : max_msgs_(permission.max_msgs),
      expires_(std::chrono::duration_cast<Clock::duration>(permission.expires)) {}

void ReplyPermits::record(std::string_view reply, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (const auto it = entries_.find(reply); it != entries_.end()) {
    it->second = Entry{now, 0};
    return;
  }
  entries_.emplace(std::string(reply), Entry{now, 0});
  bytes_ += reply.size();
  if (entries_.size() > prune_at_ || bytes_ > kMaxBytes) prune(now);
}

bool ReplyPermits::use(std::string_view subject, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(subject);
  if (it == entries_.end()) return false;
  Entry& entry = it->second;
  if (expired(entry, now) || used_up(entry)) {
    bytes_ -= it->first.size();
    entries_.erase(it);
    return false;
  }
  ++entry.uses;
  // The last allowed response: nothing more can come of the entry (nats-server keeps it until
  // the next attempt or prune, which refuses that attempt all the same).
  if (used_up(entry)) {
    bytes_ -= it->first.size();
    entries_.erase(it);
  }
  return true;
}

std::size_t ReplyPermits::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t ReplyPermits::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

template <class Drop>
void ReplyPermits::erase_if(Drop drop) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (drop(*it)) {
      bytes_ -= it->first.size();
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

void ReplyPermits::prune(Clock::time_point now) {
  erase_if([&](const auto& item) { return expired(item.second, now) || used_up(item.second); });
  if (entries_.size() > kMaxEntries || bytes_ > kMaxBytes) {
    // Forget the oldest until both the count and the bytes are down to 3/4 of their bounds;
    // entries recorded at the cutoff instant stay too.
    std::vector<std::pair<Clock::time_point, std::size_t>> ages;
    ages.reserve(entries_.size());
    for (const auto& [reply, entry] : entries_) ages.emplace_back(entry.recorded, reply.size());
    std::sort(ages.begin(), ages.end());
    std::size_t count = entries_.size();
    std::size_t bytes = bytes_;
    std::size_t evict = 0;
    while (evict < ages.size() && (count > kMaxEntries / 4 * 3 || bytes > kMaxBytes / 4 * 3)) {
      --count;
      bytes -= ages[evict].second;
      ++evict;
    }
    if (evict < ages.size()) {
      const Clock::time_point cutoff = ages[evict].first;
      erase_if([&](const auto& item) { return item.second.recorded < cutoff; });
    } else {
      erase_if([](const auto&) { return true; });
    }
  }
  // Prune again once the map has doubled: each prune's cost is paid for by the records since
  // the last one, while nats-server prunes at every record past kPruneAbove.
  prune_at_ = std::clamp(2 * entries_.size(), kPruneAbove, kMaxEntries);
}

}  // namespace gnatsd::auth
