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
  if (entries_.size() > prune_at_) prune(now);
}

bool ReplyPermits::use(std::string_view subject, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(subject);
  if (it == entries_.end()) return false;
  Entry& entry = it->second;
  if (expired(entry, now) || used_up(entry)) {
    entries_.erase(it);
    return false;
  }
  ++entry.uses;
  // The last allowed response: nothing more can come of the entry (nats-server keeps it until
  // the next attempt or prune, which refuses that attempt all the same).
  if (used_up(entry)) entries_.erase(it);
  return true;
}

std::size_t ReplyPermits::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void ReplyPermits::prune(Clock::time_point now) {
  std::erase_if(entries_, [&](const auto& item) {
    return expired(item.second, now) || used_up(item.second);
  });
  if (entries_.size() > kMaxEntries) {
    // Keep the newest 3/4 of the bound; entries recorded at the cutoff instant stay too.
    std::vector<Clock::time_point> times;
    times.reserve(entries_.size());
    for (const auto& [reply, entry] : entries_) times.push_back(entry.recorded);
    const std::size_t evict = entries_.size() - kMaxEntries / 4 * 3;
    std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(evict),
                     times.end());
    const Clock::time_point cutoff = times[evict];
    std::erase_if(entries_, [&](const auto& item) { return item.second.recorded < cutoff; });
  }
  // Prune again once the map has doubled: each prune's cost is paid for by the records since
  // the last one, while nats-server prunes at every record past kPruneAbove.
  prune_at_ = std::clamp(2 * entries_.size(), kPruneAbove, kMaxEntries);
}

}  // namespace gnatsd::auth
