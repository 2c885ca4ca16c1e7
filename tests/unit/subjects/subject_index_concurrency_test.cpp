// SubjectIndex + MatchCache under concurrent readers and writers (also meant for
// -fsanitize=thread).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "subjects/subject.hpp"
#include "subjects/subject_index.hpp"

#include "subjects_test_support.hpp"

namespace gnatsd::subjects {
namespace {

using testing::make_sub;

std::vector<const Subscription*> sorted_members(const MatchResult& r) {
  std::vector<const Subscription*> out;
  for (const auto& s : r.plain) out.push_back(s.get());
  for (const auto& g : r.queue_groups) {
    for (const auto& s : g) out.push_back(s.get());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SubjectIndexConcurrencyTest, CachedReadersNeverSeeRemovedOrMissStableInterest) {
  constexpr int kReaders = 3;
  constexpr int kWriters = 2;
  constexpr int kSubsPerWriter = 3000;
  constexpr int kLiveWindow = 40;  // each writer keeps this many of its subscriptions inserted
  constexpr int kMinLookupsPerReader = 2000;

  const std::vector<std::string> subjects = {"a.b.c", "a.b.d", "a.x.c", "z.b.c", "a.b", "a"};
  const std::vector<std::string> churn_patterns = {"a.b.c", "a.*.c", "a.>", "*.b.*", ">",
                                                   "a.b",   "*",     "z.>", "a.b.d"};

  SubjectIndex index;

  // Stable subscriptions: inserted before the threads start, never removed, so every lookup
  // must contain each one that matches its subject.
  std::vector<SubscriptionPtr> stable = {make_sub("a.b.c"), make_sub("a.*.*", "q"),
                                         make_sub("*.b.>"), make_sub(">", "q")};
  for (const auto& s : stable) index.insert(s);

  // Churn subscriptions, each inserted once and removed once. removed_seq records when its
  // remove() returned on a global clock; 0 while not removed yet.
  std::vector<std::vector<SubscriptionPtr>> churn(kWriters);
  std::unordered_map<const Subscription*, std::size_t> churn_id;
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kSubsPerWriter; ++i) {
      const std::string queue = i % 3 == 0 ? "q" : (i % 3 == 1 ? "r" : "");
      churn[w].push_back(make_sub(churn_patterns[(i + w) % churn_patterns.size()], queue));
      churn_id.emplace(churn[w].back().get(), churn_id.size());
    }
  }
  std::vector<std::atomic<std::uint64_t>> removed_seq(churn_id.size());
  std::atomic<std::uint64_t> clock{0};

  std::vector<std::unique_ptr<MatchCache>> caches;
  // One cache smaller than the subject set, so eviction races with invalidation too.
  for (int r = 0; r < kReaders; ++r) {
    caches.push_back(std::make_unique<MatchCache>(index, r == 0 ? 4 : 64));
  }

  std::atomic<bool> writers_done{false};
  std::atomic<int> failures{0};
  std::atomic<std::uint64_t> total_lookups{0};

  auto reader = [&](int id) {
    MatchCache& cache = *caches[id];
    std::uint64_t lookups = 0;
    for (std::size_t i = id; !writers_done.load() || lookups < kMinLookupsPerReader; ++i) {
      const std::string& subject = subjects[i % subjects.size()];
      const std::uint64_t start = clock.load();
      const MatchResult& r = cache.match(subject);
      ++lookups;
      const auto members = sorted_members(r);
      if (std::adjacent_find(members.begin(), members.end()) != members.end()) ++failures;
      for (const auto& group : r.queue_groups) {
        for (const auto& s : group) {
          if (s->queue != group.front()->queue) ++failures;
        }
      }
      for (const Subscription* s : members) {
        if (!subject_matches(s->subject, subject)) ++failures;
        const auto it = churn_id.find(s);
        if (it == churn_id.end()) continue;
        // Removed before this lookup began, yet still delivered to: a stale result.
        const std::uint64_t removed = removed_seq[it->second].load();
        if (removed != 0 && removed <= start) ++failures;
      }
      for (const auto& s : stable) {
        if (subject_matches(s->subject, subject) &&
            !std::binary_search(members.begin(), members.end(), s.get())) {
          ++failures;
        }
      }
    }
    total_lookups += lookups;
  };

  auto writer = [&](int id) {
    auto& mine = churn[id];
    auto remove_one = [&](const SubscriptionPtr& s) {
      if (!index.remove(s)) ++failures;
      removed_seq[churn_id.at(s.get())].store(clock.fetch_add(1) + 1);
    };
    for (int i = 0; i < kSubsPerWriter; ++i) {
      index.insert(mine[i]);
      clock.fetch_add(1);
      if (i >= kLiveWindow) remove_one(mine[i - kLiveWindow]);
    }
    for (int i = kSubsPerWriter - kLiveWindow; i < kSubsPerWriter; ++i) remove_one(mine[i]);
  };

  std::vector<std::thread> readers;
  std::vector<std::thread> writers;
  for (int r = 0; r < kReaders; ++r) readers.emplace_back(reader, r);
  for (int w = 0; w < kWriters; ++w) writers.emplace_back(writer, w);
  for (auto& t : writers) t.join();
  writers_done = true;
  for (auto& t : readers) t.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(total_lookups.load(), static_cast<std::uint64_t>(kReaders) * kMinLookupsPerReader);

  // Quiescent: every cache, whatever it held, now answers exactly what the trie does, and the
  // trie holds only the stable subscriptions.
  EXPECT_EQ(index.stats().num_subscriptions, stable.size());
  for (const auto& subject : subjects) {
    const auto truth = sorted_members(*index.match(subject));
    std::vector<const Subscription*> expected;
    for (const auto& s : stable) {
      if (subject_matches(s->subject, subject)) expected.push_back(s.get());
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(truth, expected) << subject;
    for (auto& cache : caches) EXPECT_EQ(sorted_members(cache->match(subject)), truth) << subject;
  }
}

}  // namespace
}  // namespace gnatsd::subjects
