// MatchCache: hits, invalidation on every index change (never a stale result), capacity bound.
#include "subjects/subject_index.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "subjects_test_support.hpp"

namespace gnatsd::subjects {
namespace {

using testing::make_sub;

std::multiset<const Subscription*> members(const MatchResult& r) {
  std::multiset<const Subscription*> out;
  for (const auto& s : r.plain) out.insert(s.get());
  for (const auto& g : r.queue_groups) {
    for (const auto& s : g) out.insert(s.get());
  }
  return out;
}

TEST(MatchCacheTest, SecondLookupIsAHitOnTheSameResult) {
  SubjectIndex index;
  auto sub = make_sub("foo.*");
  index.insert(sub);
  MatchCache cache(index);
  const MatchResult& first = cache.match("foo.bar");
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 0u);
  const MatchResult& second = cache.match("foo.bar");
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(&first, &second);
  ASSERT_EQ(second.plain.size(), 1u);
  EXPECT_EQ(second.plain[0], sub);
  // Hits do not reach the trie.
  EXPECT_EQ(index.stats().num_matches, 1u);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(MatchCacheTest, InsertInvalidatesSoNoInterestIsMissed) {
  SubjectIndex index;
  MatchCache cache(index);
  EXPECT_TRUE(cache.match("foo.bar").plain.empty());
  auto sub = make_sub("foo.>");
  index.insert(sub);
  const MatchResult& r = cache.match("foo.bar");
  ASSERT_EQ(r.plain.size(), 1u);
  EXPECT_EQ(r.plain[0], sub);
}

TEST(MatchCacheTest, RemoveInvalidatesSoNoRemovedSubscriptionIsReturned) {
  SubjectIndex index;
  auto plain = make_sub("foo.bar");
  auto queued = make_sub("*.bar", "q");
  index.insert(plain);
  index.insert(queued);
  MatchCache cache(index);
  EXPECT_EQ(members(cache.match("foo.bar")).size(), 2u);
  EXPECT_TRUE(index.remove(queued));
  const MatchResult& r = cache.match("foo.bar");
  EXPECT_TRUE(r.queue_groups.empty());
  EXPECT_EQ(members(r), (std::multiset<const Subscription*>{plain.get()}));
  EXPECT_TRUE(index.remove(plain));
  EXPECT_TRUE(members(cache.match("foo.bar")).empty());
}

TEST(MatchCacheTest, AnyChangeDropsEveryEntry) {
  // Invalidation is by generation, not by subject: an unrelated insert empties the cache too.
  SubjectIndex index;
  MatchCache cache(index);
  cache.match("a");
  cache.match("b");
  EXPECT_EQ(cache.size(), 2u);
  index.insert(make_sub("unrelated"));
  cache.match("a");
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.misses(), 3u);
}

TEST(MatchCacheTest, SizeNeverExceedsCapacityAndResultsStayCorrect) {
  SubjectIndex index;
  std::vector<SubscriptionPtr> subs;
  for (int i = 0; i < 100; ++i) {
    subs.push_back(make_sub("s." + std::to_string(i)));
    index.insert(subs.back());
  }
  auto all = make_sub("s.>");
  index.insert(all);
  MatchCache cache(index, 8);
  std::mt19937 rng(3);
  for (int round = 0; round < 2000; ++round) {
    const int i = static_cast<int>(rng() % 100);
    const MatchResult& r = cache.match("s." + std::to_string(i));
    ASSERT_LE(cache.size(), 8u);
    ASSERT_EQ(members(r), (std::multiset<const Subscription*>{subs[i].get(), all.get()}));
  }
  EXPECT_GT(cache.hits(), 0u);
  EXPECT_GT(cache.misses(), 8u);
}

TEST(MatchCacheTest, ZeroCapacityStillReturnsAValidResult) {
  SubjectIndex index;
  auto sub = make_sub("foo");
  index.insert(sub);
  MatchCache cache(index, 0);
  for (int i = 0; i < 3; ++i) {
    const MatchResult& r = cache.match(i % 2 ? "foo" : "bar");
    EXPECT_LE(cache.size(), 1u);
    EXPECT_EQ(r.plain.size(), i % 2 ? 1u : 0u);
  }
}

TEST(MatchCacheTest, AgreesWithTheIndexUnderRandomChurn) {
  SubjectIndex index;
  MatchCache cache(index, 16);
  std::mt19937 rng(99);
  const std::vector<std::string> patterns = {"a.b", "a.*", "*.b", ">", "a.>", "c.d", "*.*"};
  const std::vector<std::string> subjects = {"a.b", "a.c", "c.b", "c.d", "a", "a.b.c"};
  std::vector<SubscriptionPtr> live;
  for (int round = 0; round < 5000; ++round) {
    const unsigned op = rng() % 10;
    if (op == 0 || live.empty()) {
      live.push_back(make_sub(patterns[rng() % patterns.size()], rng() % 2 ? "q" : ""));
      index.insert(live.back());
    } else if (op == 1) {
      const std::size_t i = rng() % live.size();
      ASSERT_TRUE(index.remove(live[i]));
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
    }
    const std::string& subject = subjects[rng() % subjects.size()];
    ASSERT_EQ(members(cache.match(subject)), members(*index.match(subject))) << subject;
  }
  EXPECT_GT(cache.hits(), 1000u);  // the steady stretches between changes are served cached
}

}  // namespace
}  // namespace gnatsd::subjects
