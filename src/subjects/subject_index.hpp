// The subject index: a trie by token of every subscription, matched for each published
// subject. Shared by all I/O threads; each thread reads it through its own MatchCache.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "subjects/subscription.hpp"

namespace gnatsd::subjects {

// Everything a published subject reaches. Immutable once built; shared between caches.
struct MatchResult {
  std::vector<SubscriptionPtr> plain;                      // each gets its own copy
  std::vector<std::vector<SubscriptionPtr>> queue_groups;  // one member of each gets it
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

  // All members are thread-safe. `sub->subject` must satisfy is_valid_subject(). Inserting a
  // subscription that is already in the index changes nothing.
  void insert(const SubscriptionPtr& sub);
  // Returns false when the subscription was not in the index.
  bool remove(const SubscriptionPtr& sub);
  // Computes the match from the trie (no caching; see MatchCache).
  MatchResultPtr match(std::string_view subject) const;

  // Changes on every insert and remove: a cached match is valid while this is unchanged.
  std::uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }
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
  std::size_t count_ = 0;
  std::uint64_t inserts_ = 0;
  std::uint64_t removes_ = 0;
  mutable std::atomic<std::uint64_t> matches_{0};
};

// A bounded, per-thread cache of match results in front of a shared SubjectIndex. Not
// thread-safe: each I/O thread owns one. Entries are dropped whenever the index's generation
// moves, so a cached result is never stale; a steady subscription set costs one atomic load
// per lookup and no lock.
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
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  void drop_all();
  void remember(std::string_view subject, const MatchResult& result);

  const SubjectIndex& index_;
  std::size_t capacity_;      // >= 1; eviction runs before an insert, never on the entry returned
  std::uint64_t generation_;  // of the index when `entries_` was last emptied
  std::unordered_map<std::string, MatchResultPtr, StringHash, std::equal_to<>> entries_;
  // The last subject looked up and its entry: publishers usually repeat a subject, and a
  // compare is cheaper than hashing. Cleared whenever entries may be erased.
  std::string last_subject_;
  const MatchResult* last_result_ = nullptr;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace gnatsd::subjects
