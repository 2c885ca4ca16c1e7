// The subject trie (SubjectIndex) and the per-thread result cache in front of it (MatchCache).
// Semantics follow nats-server's server/sublist.go: Insert, Remove, matchLevel, addNodeToResults.
#include "subjects/subject_index.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <functional>
#include <mutex>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "common/flat_string_map.hpp"
#include "subjects/subject.hpp"

namespace gnatsd::subjects {
namespace {

// Flat: a level of 100,000 siblings (a new peer's interest, a publisher over many subjects) is
// probed without chasing a heap node per entry and grows without relinking one.
template <typename Value>
using StringMap = common::FlatStringMap<Value>;

// The subscriptions of one node (or one queue group of it): contiguous, so building a match
// result is a plain copy, with O(1) insert and erase. Most subjects have a handful of
// subscribers, so the pointer-to-position index is only built once a set outgrows a linear scan.
class SubscriptionSet {
 public:
  bool empty() const noexcept { return items_.empty(); }
  const std::vector<SubscriptionPtr>& items() const noexcept { return items_; }

  bool insert(const SubscriptionPtr& sub) {
    if (find(sub.get()) != kNotFound) return false;
    items_.push_back(sub);
    if (!positions_.empty()) {
      positions_.emplace(sub.get(), items_.size() - 1);
    } else if (items_.size() > kLinearMax) {
      for (std::size_t i = 0; i < items_.size(); ++i) positions_.emplace(items_[i].get(), i);
    }
    return true;
  }

  bool erase(const Subscription* sub) {
    const std::size_t pos = find(sub);
    if (pos == kNotFound) return false;
    // Swap-and-pop: order within a node carries no meaning (nats-server iterates a Go map).
    if (pos != items_.size() - 1) {
      items_[pos] = std::move(items_.back());
      if (!positions_.empty()) positions_[items_[pos].get()] = pos;
    }
    items_.pop_back();
    if (!positions_.empty()) {
      positions_.erase(sub);
      // Hysteresis: a set hovering around the threshold must not rebuild the index each time.
      if (items_.size() <= kLinearMax / 2) positions_ = {};
    }
    return true;
  }

 private:
  static constexpr std::size_t kLinearMax = 16;
  static constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

  std::size_t find(const Subscription* sub) const {
    if (!positions_.empty()) {
      const auto it = positions_.find(sub);
      return it == positions_.end() ? kNotFound : it->second;
    }
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].get() == sub) return i;
    }
    return kNotFound;
  }

  std::vector<SubscriptionPtr> items_;
  absl::flat_hash_map<const Subscription*, std::size_t> positions_;  // empty while small
};

// A published subject with an empty token cannot match anything (nats-server returns its
// empty result for it rather than an error).
bool has_empty_token(std::string_view subject) noexcept {
  return subject.empty() || subject.front() == '.' || subject.back() == '.' ||
         subject.find("..") != std::string_view::npos;
}

const MatchResultPtr& empty_result() {
  // Shared like nats-server's emptyResult: a publish nobody listens to allocates nothing.
  static const MatchResultPtr empty = std::make_shared<const MatchResult>();
  return empty;
}

}  // namespace

// One subject's subscriptions, or one queue group's on that subject: local subscribers and
// routes apart, so that a match result lists them apart without looking at each one.
struct SplitSet {
  SubscriptionSet local;
  SubscriptionSet remote;

  bool empty() const noexcept { return local.empty() && remote.empty(); }
  SubscriptionSet& side(const Subscription& sub) { return sub.is_remote() ? remote : local; }
  std::size_t size() const noexcept { return local.items().size() + remote.items().size(); }
};

struct SubjectIndex::Node {
  std::unique_ptr<Level> next;  // null while no longer subject passes through this node
  SplitSet plain;
  StringMap<SplitSet> queues;  // by queue name; a group is erased when it empties

  bool empty() const noexcept { return plain.empty() && queues.empty() && !next; }
};

struct SubjectIndex::Level {
  StringMap<std::unique_ptr<Node>> literals;
  std::unique_ptr<Node> single_wildcard;  // '*'
  std::unique_ptr<Node> full_wildcard;    // '>'

  bool empty() const noexcept { return literals.empty() && !single_wildcard && !full_wildcard; }

  // The child slot for a subscription token; '*' and '>' only as whole tokens.
  std::unique_ptr<Node>& slot(std::string_view token) {
    if (is_single_char_token(token, '*')) return single_wildcard;
    if (is_single_char_token(token, '>')) return full_wildcard;
    // One lookup: inserting is where a level grows (a new peer's 100,000 RS+, a client's many
    // SUBs); the key string is only made when the token is new.
    return literals.try_emplace(token).first->second;
  }

  Node* find(std::string_view token) const {
    if (is_single_char_token(token, '*')) return single_wildcard.get();
    if (is_single_char_token(token, '>')) return full_wildcard.get();
    const auto it = literals.find(token);
    return it == literals.end() ? nullptr : it->second.get();
  }

  void erase(std::string_view token) {
    if (is_single_char_token(token, '*')) {
      single_wildcard.reset();
    } else if (is_single_char_token(token, '>')) {
      full_wildcard.reset();
    } else if (const auto it = literals.find(token); it != literals.end()) {
      literals.erase(it);
    }
  }
};

// Accumulates one match. Queue subscriptions are grouped by queue name across all matching
// nodes (nats-server's findQSlot): "q" on "foo.*" and "q" on "foo.bar" are one group for
// "foo.bar", so a message reaches one member of "q", not one per pattern. The matching nodes are
// gathered first and copied at the end so that every vector of the result is allocated once, at
// its final size.
template <typename NodeT>
class ResultBuilder {
 public:
  void add_node(const NodeT& node) {
    if (count_ < inline_nodes_.size()) {
      inline_nodes_[count_] = &node;
    } else {
      overflow_nodes_.push_back(&node);
    }
    ++count_;
  }

  // Must run while the trie is still locked: it reads the nodes and their queue names.
  MatchResultPtr finish() {
    std::size_t plain_size = 0;
    bool has_queues = false;
    for_each_node([&](const NodeT& node) {
      plain_size += node.plain.size();
      has_queues = has_queues || !node.queues.empty();
    });
    if (plain_size == 0 && !has_queues) return empty_result();

    MatchResult result;
    result.plain.items_.reserve(plain_size);
    for_each_node([&](const NodeT& node) { append(result.plain, node.plain.local); });
    result.plain.local_count_ = result.plain.items_.size();
    for_each_node([&](const NodeT& node) { append_remote(result.plain, node.plain.remote); });
    if (has_queues) {
      // First pass sizes each group, second fills it; a node's queue sets are never empty.
      for_each_node([&](const NodeT& node) {
        for (const auto& [name, set] : node.queues) groups_[group_slot(name)].size += set.size();
      });
      result.queue_groups.resize(groups_.size());
      for (std::size_t i = 0; i < groups_.size(); ++i) {
        result.queue_groups[i].items_.reserve(groups_[i].size);
      }
      for_each_node([&](const NodeT& node) {
        for (const auto& [name, set] : node.queues) {
          append(result.queue_groups[group_slot(name)], set.local);
        }
      });
      for (auto& group : result.queue_groups) group.local_count_ = group.items_.size();
      for_each_node([&](const NodeT& node) {
        for (const auto& [name, set] : node.queues) {
          append_remote(result.queue_groups[group_slot(name)], set.remote);
        }
      });
    }
    return std::make_shared<const MatchResult>(std::move(result));
  }

 private:
  // A subject meets few queue groups as a rule, so a linear scan; a map takes over for many.
  static constexpr std::size_t kLinearGroups = 8;

  struct Group {
    std::string_view name;  // views the trie's key: valid while the lock is held
    std::size_t size = 0;
  };

  static void append(MatchedSubscriptions& out, const SubscriptionSet& set) {
    const auto& items = set.items();
    out.items_.insert(out.items_.end(), items.begin(), items.end());
  }

  static void append_remote(MatchedSubscriptions& out, const SubscriptionSet& set) {
    append(out, set);
    for (const auto& sub : set.items()) {
      out.remote_weight_ += static_cast<std::uint64_t>(std::max<std::int32_t>(sub->weight, 0));
    }
  }

  template <typename Fn>
  void for_each_node(Fn&& fn) const {
    const std::size_t inline_count = std::min(count_, inline_nodes_.size());
    for (std::size_t i = 0; i < inline_count; ++i) fn(*inline_nodes_[i]);
    for (const NodeT* node : overflow_nodes_) fn(*node);
  }

  std::size_t group_slot(std::string_view name) {
    if (by_name_.empty()) {
      for (std::size_t i = 0; i < groups_.size(); ++i) {
        if (groups_[i].name == name) return i;
      }
    } else if (const auto it = by_name_.find(name); it != by_name_.end()) {
      return it->second;
    }
    const std::size_t slot = groups_.size();
    groups_.push_back(Group{name});
    if (!by_name_.empty()) {
      by_name_.emplace(name, slot);
    } else if (groups_.size() > kLinearGroups) {
      for (std::size_t i = 0; i < groups_.size(); ++i) by_name_.emplace(groups_[i].name, i);
    }
    return slot;
  }

  // Most subjects meet a handful of nodes; the array spares an allocation per match.
  std::array<const NodeT*, 16> inline_nodes_{};
  std::vector<const NodeT*> overflow_nodes_;
  std::size_t count_ = 0;
  std::vector<Group> groups_;
  std::unordered_map<std::string_view, std::size_t> by_name_;
};

namespace {

// Walks the trie for the literal tokens in `rest` (non-empty). Per level: a '>' child matches
// everything from here on; a '*' child consumes exactly this token; a literal child must equal
// it. Each trie node is reached by one path only, so no node (and no subscription) is added twice.
template <typename LevelT, typename Builder>
void collect(const LevelT* level, std::string_view rest, Builder& out) {
  bool more = true;
  while (level != nullptr) {
    const std::string_view token = next_token(rest, more);
    if (level->full_wildcard) out.add_node(*level->full_wildcard);
    const auto* star = level->single_wildcard.get();
    if (star != nullptr && more && star->next) collect(star->next.get(), rest, out);
    // Only the literal children: a published "*" or ">" is an ordinary token here, and the
    // wildcard children were handled above.
    const auto it = level->literals.find(token);
    if (!more) {
      // At the last token nats-server adds the literal node before the '*' node; keeping its
      // order keeps delivery order (and the no-responders sid) the same as nats-server's.
      if (it != level->literals.end()) out.add_node(*it->second);
      if (star != nullptr) out.add_node(*star);
      return;
    }
    if (it == level->literals.end()) return;
    level = it->second->next.get();
  }
}

}  // namespace

SubjectIndex::SubjectIndex() : root_(std::make_unique<Level>()) {}
SubjectIndex::~SubjectIndex() = default;

void SubjectIndex::insert(const SubscriptionPtr& sub) {
  // Tolerated in release builds: an invalid subject lands on a path match() never walks.
  assert(is_valid_subscription_subject(sub->subject));
  std::unique_lock lock(mutex_);
  Level* level = root_.get();
  Node* node = nullptr;
  std::string_view rest = sub->subject;
  bool more = true;
  while (more) {
    const std::string_view token = next_token(rest, more);
    auto& slot = level->slot(token);
    if (!slot) slot = std::make_unique<Node>();
    node = slot.get();
    if (more) {
      if (!node->next) node->next = std::make_unique<Level>();
      level = node->next.get();
    }
  }
  SplitSet& set = sub->queue.empty() ? node->plain : node->queues[sub->queue];
  if (!set.side(*sub).insert(sub)) return;  // already present: cached results stay valid
  ++count_;
  ++inserts_;
  record_change(sub->subject);
}

namespace {

// Removes `sub` below `level` along the tokens of `rest`, pruning nodes and levels it leaves
// empty on the way back up. Recursion depth is the token count.
template <typename LevelT>
bool remove_from(LevelT& level, std::string_view rest, const Subscription& sub) {
  bool more = true;
  const std::string_view token = next_token(rest, more);
  auto* node = level.find(token);
  if (node == nullptr) return false;
  bool removed = false;
  if (more) {
    if (!node->next || !remove_from(*node->next, rest, sub)) return false;
    if (node->next->empty()) node->next.reset();
    removed = true;
  } else if (sub.queue.empty()) {
    removed = node->plain.side(sub).erase(&sub);
  } else if (const auto it = node->queues.find(sub.queue); it != node->queues.end()) {
    removed = it->second.side(sub).erase(&sub);
    if (it->second.empty()) node->queues.erase(it);
  }
  if (removed && node->empty()) level.erase(token);
  return removed;
}

}  // namespace

bool SubjectIndex::remove(const SubscriptionPtr& sub) {
  std::unique_lock lock(mutex_);
  if (!remove_from(*root_, sub->subject, *sub)) return false;
  --count_;
  ++removes_;
  record_change(sub->subject);
  return true;
}

void SubjectIndex::record_change(std::string_view subject) {
  // Under the unique lock: the slot is written before the new generation is published.
  const std::uint64_t generation = generation_.load(std::memory_order_relaxed) + 1;
  change_log_[(generation - 1) % kChangeLogSize].assign(subject);
  generation_.store(generation, std::memory_order_release);
}

MatchResultPtr SubjectIndex::match(std::string_view subject) const {
  matches_.fetch_add(1, std::memory_order_relaxed);
  if (has_empty_token(subject)) return empty_result();
  ResultBuilder<Node> builder;
  std::shared_lock lock(mutex_);
  collect(root_.get(), subject, builder);
  return builder.finish();
}

SubjectIndexStats SubjectIndex::stats() const {
  SubjectIndexStats stats;
  {
    std::shared_lock lock(mutex_);
    stats.num_subscriptions = count_;
    stats.num_inserts = inserts_;
    stats.num_removes = removes_;
  }
  stats.num_matches = matches_.load(std::memory_order_relaxed);
  return stats;
}

namespace {

template <typename LevelT>
std::size_t count_nodes(const LevelT& level) {
  std::size_t count = 0;
  const auto visit = [&count](const auto& node) {
    ++count;
    if (node.next) count += count_nodes(*node.next);
  };
  for (const auto& [token, node] : level.literals) visit(*node);
  if (level.single_wildcard) visit(*level.single_wildcard);
  if (level.full_wildcard) visit(*level.full_wildcard);
  return count;
}

}  // namespace

std::size_t SubjectIndex::node_count() const {
  std::shared_lock lock(mutex_);
  return count_nodes(*root_);
}

MatchCache::MatchCache(const SubjectIndex& index, std::size_t capacity)
    : index_(index),
      capacity_(std::max<std::size_t>(capacity, 1)),
      generation_(index.generation()) {}

MatchCache::Fanout MatchCache::fanout() const {
  Fanout out;
  for (const auto& [subject, result] : entries_) {
    const std::size_t n = result->plain.size() + result->queue_groups.size();
    out.max = std::max(out.max, n);
    out.total += n;
  }
  return out;
}

void MatchCache::drop_all() {
  last_result_ = nullptr;
  // clear() also zeroes the whole bucket array, which stays at its high-water size; with
  // subscriptions churning (old-style requests: SUB+UNSUB each) the cache is emptied while
  // nearly empty, so erasing the few entries one by one is the cheaper way.
  if (entries_.size() * 16 < entries_.bucket_count()) {
    for (auto it = entries_.begin(); it != entries_.end();) it = entries_.erase(it);
  } else {
    entries_.clear();
  }
}

void MatchCache::apply_changes(std::uint64_t generation) {
  last_result_ = nullptr;
  // Scanning the cache for a wildcard change costs a match per entry; past this many, dropping
  // everything and refilling is cheaper.
  std::size_t budget = 4 * capacity_;
  if (!entries_.empty() &&
      !index_.changes_since(generation_, generation,
                            [&](std::string_view changed) { drop_affected(changed, budget); })) {
    drop_all();
  }
  generation_ = generation;
}

void MatchCache::drop_affected(std::string_view changed_subject, std::size_t& budget) {
  if (entries_.empty()) return;
  if (!has_wildcard(changed_subject)) {
    // A literal subscription is in the result of its own subject only.
    if (const auto it = entries_.find(changed_subject); it != entries_.end()) entries_.erase(it);
    return;
  }
  if (budget < entries_.size()) {
    drop_all();
    return;
  }
  budget -= entries_.size();
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = subject_matches(changed_subject, it->first) ? entries_.erase(it) : std::next(it);
  }
}

const MatchResult& MatchCache::match(std::string_view subject) {
  // Read the generation before matching: a result computed after a concurrent change is then
  // filed under the older generation, and that change drops it at the next call.
  const std::uint64_t generation = index_.generation();
  if (generation != generation_) [[unlikely]]
    apply_changes(generation);
  if (last_result_ != nullptr && subject == last_subject_) {
    ++hits_;
    return *last_result_;
  }
  if (const auto it = entries_.find(subject); it != entries_.end()) {
    ++hits_;
    remember(subject, *it->second);
    return *it->second;
  }
  ++misses_;
  if (entries_.size() >= capacity_) {
    last_result_ = nullptr;
    // Drop an arbitrary half, like nats-server's cache sweep: one pass per capacity/2 misses
    // keeps eviction O(1) amortised without LRU bookkeeping on the hit path.
    auto it = entries_.begin();
    while (entries_.size() > capacity_ / 2) it = entries_.erase(it);
  }
  // Inserted after eviction, so the entry returned lives until the next call at least.
  const auto it = entries_.emplace(std::string(subject), index_.match(subject)).first;
  remember(subject, *it->second);
  return *it->second;
}

void MatchCache::remember(std::string_view subject, const MatchResult& result) {
  last_subject_.assign(subject);  // reuses its capacity: no allocation once warm
  last_result_ = &result;
}

}  // namespace gnatsd::subjects
