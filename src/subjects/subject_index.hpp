// The subject index: a trie by token of every subscription, matched for each published
// subject. Shared by all I/O threads; each thread reads it through its own MatchCache.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/string_hash.hpp"
#include "subjects/subscription.hpp"

namespace gnatsd::subjects {

template <typename NodeT>
class ResultBuilder;

// Subscriptions that matched, local subscribers first and then remote ones (routes). A
// message from a client goes to both; a message from a route goes to the local ones only, so
// it travels one hop.
class MatchedSubscriptions {
 public:
  std::span<const SubscriptionPtr> local() const noexcept { return {items_.data(), local_count_}; }
  std::span<const SubscriptionPtr> remote() const noexcept {
    return {items_.data() + local_count_, items_.size() - local_count_};
  }
  // Sum of the remote members' weights: in a queue group, a route's interest stands for that
  // many members of the remote server (RS+ weight).
  std::uint64_t remote_weight() const noexcept { return remote_weight_; }

  // All of them, local first.
  std::size_t size() const noexcept { return items_.size(); }
  bool empty() const noexcept { return items_.empty(); }
  const SubscriptionPtr& operator[](std::size_t i) const noexcept { return items_[i]; }
  const SubscriptionPtr& front() const noexcept { return items_.front(); }
  auto begin() const noexcept { return items_.begin(); }
  auto end() const noexcept { return items_.end(); }

 private:
  template <typename>
  friend class ResultBuilder;
  std::vector<SubscriptionPtr> items_;
  std::size_t local_count_ = 0;
  std::uint64_t remote_weight_ = 0;
};

// Everything a published subject reaches. Immutable once built; shared between caches.
struct MatchResult {
  MatchedSubscriptions plain;                      // each gets its own copy
  std::vector<MatchedSubscriptions> queue_groups;  // one member of each gets it
};
using MatchResultPtr = std::shared_ptr<const MatchResult>;

struct SubjectIndexStats {
  std::size_t num_subscriptions = 0;
  std::uint64_t num_inserts = 0;
  std::uint64_t num_removes = 0;
  std::uint64_t num_matches = 0;  // matches computed from the trie (cache misses)
};

class SubjectIndex {
 public:
  SubjectIndex();
  ~SubjectIndex();
  SubjectIndex(const SubjectIndex&) = delete;
  SubjectIndex& operator=(const SubjectIndex&) = delete;

  // All members are thread-safe. `sub->subject` must satisfy is_valid_subscription_subject().
  // Inserting a subscription that is already in the index changes nothing.
  void insert(const SubscriptionPtr& sub);
  // Returns false when the subscription was not in the index.
  bool remove(const SubscriptionPtr& sub);
  // Computes the match from the trie (no caching; see MatchCache).
  MatchResultPtr match(std::string_view subject) const;

  // Counts inserts and removes: a cached match is valid while this is unchanged.
  std::uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }
  // Calls fn(subject) with the subject of every change after generation `since` up to `until`
  // (both values of generation()), so that a cache drops only the entries those changes
  // affect, as nats-server's sublist patches its cache. Returns false, having called nothing,
  // when the log no longer reaches back to `since`: the caller must then drop everything.
  template <typename Fn>
  bool changes_since(std::uint64_t since, std::uint64_t until, Fn&& fn) const;
  SubjectIndexStats stats() const;
  // Trie nodes currently allocated, counted by a walk: for tests and diagnostics (shows that
  // remove prunes what it empties), not for a hot path.
  std::size_t node_count() const;

 private:
  struct Node;
  struct Level;
  mutable std::shared_mutex mutex_;
  std::unique_ptr<Level> root_;
  std::atomic<std::uint64_t> generation_{0};
  // The subject of change number g at [(g - 1) % size]; written under the unique lock.
  static constexpr std::size_t kChangeLogSize = 1024;
  std::array<std::string, kChangeLogSize> change_log_;
  void record_change(std::string_view subject);
  std::size_t count_ = 0;
  std::uint64_t inserts_ = 0;
  std::uint64_t removes_ = 0;
  mutable std::atomic<std::uint64_t> matches_{0};
};

template <typename Fn>
bool SubjectIndex::changes_since(std::uint64_t since, std::uint64_t until, Fn&& fn) const {
  std::shared_lock lock(mutex_);
  // Entries after `since` are intact while no more than a log's worth of changes came after it.
  if (generation_.load(std::memory_order_relaxed) - since > kChangeLogSize) return false;
  for (std::uint64_t g = since + 1; g <= until; ++g) fn(change_log_[(g - 1) % kChangeLogSize]);
  return true;
}

// A bounded, per-thread cache of match results in front of a shared SubjectIndex. Not
// thread-safe: each I/O thread owns one. When the index changes, the cache drops the entries
// the change can affect (the one subject of a literal subscription, the subjects a wildcard
// matches) and keeps the rest, so a steady subscription set costs one atomic load per lookup
// and no lock, and subscription churn on one subject leaves every other entry warm.
class MatchCache {
 public:
  explicit MatchCache(const SubjectIndex& index, std::size_t capacity = 4096);

  // The result stays valid until the next call on this cache.
  const MatchResult& match(std::string_view subject);

  std::size_t size() const noexcept { return entries_.size(); }
  std::uint64_t hits() const noexcept { return hits_; }
  std::uint64_t misses() const noexcept { return misses_; }
  // Largest and summed fan-out (plain subscribers + queue groups) of the cached results, as
  // nats-server's /subsz max_fanout and avg_fanout count them. Walks the cache: not for hot paths.
  struct Fanout {
    std::size_t max = 0;
    std::uint64_t total = 0;
  };
  Fanout fanout() const;

 private:
  void drop_all();
  void apply_changes(std::uint64_t generation);
  void drop_affected(std::string_view changed_subject, std::size_t& budget);
  void remember(std::string_view subject, const MatchResult& result);

  const SubjectIndex& index_;
  std::size_t capacity_;      // >= 1; eviction runs before an insert, never on the entry returned
  std::uint64_t generation_;  // of the index whose changes `entries_` reflects
  common::StringMap<MatchResultPtr> entries_;
  // The last subject looked up and its entry: publishers usually repeat a subject, and a
  // compare is cheaper than hashing. Cleared whenever entries may be erased.
  std::string last_subject_;
  const MatchResult* last_result_ = nullptr;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace gnatsd::subjects
