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

TEST(MatchCacheTest, ALiteralChangeDropsOnlyItsOwnSubject) {
  // Invalidation is per entry, as nats-server's sublist patches its cache: a subscription on
  // "c" can only change the result of "c".
  SubjectIndex index;
  MatchCache cache(index);
  cache.match("a");
  cache.match("b");
  cache.match("c");
  EXPECT_EQ(cache.size(), 3u);
  auto c = make_sub("c");
  index.insert(c);
  EXPECT_EQ(cache.match("a").plain.size(), 0u);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.misses(), 3u);  // "a" was a hit
  const MatchResult& r = cache.match("c");
  ASSERT_EQ(r.plain.size(), 1u);
  EXPECT_EQ(r.plain[0], c);
  EXPECT_EQ(cache.misses(), 4u);
  EXPECT_TRUE(index.remove(c));
  EXPECT_TRUE(cache.match("c").plain.empty());
  EXPECT_EQ(cache.size(), 3u);
}

TEST(MatchCacheTest, AWildcardChangeDropsEveryEntryItMatches) {
  SubjectIndex index;
  MatchCache cache(index);
  for (const char* subject : {"a.b", "a.c", "a.b.c", "b.b"}) cache.match(subject);
  auto star = make_sub("a.*");
  index.insert(star);
  cache.match("b.b");           // applies the change
  EXPECT_EQ(cache.size(), 2u);  // "a.b.c" and "b.b" kept
  EXPECT_EQ(members(cache.match("a.b")), (std::multiset<const Subscription*>{star.get()}));
  EXPECT_EQ(members(cache.match("a.c")), (std::multiset<const Subscription*>{star.get()}));
  EXPECT_TRUE(members(cache.match("a.b.c")).empty());
  auto all = make_sub(">");
  index.insert(all);
  EXPECT_EQ(members(cache.match("b.b")), (std::multiset<const Subscription*>{all.get()}));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(MatchCacheTest, FallingBehindTheChangeLogDropsEverything) {
  SubjectIndex index;
  MatchCache cache(index);
  auto keep = make_sub("keep");
  index.insert(keep);
  EXPECT_EQ(cache.match("keep").plain.size(), 1u);
  std::vector<SubscriptionPtr> subs;
  for (int i = 0; i < 3000; ++i) {
    subs.push_back(make_sub("other." + std::to_string(i)));
    index.insert(subs.back());
  }
  EXPECT_EQ(cache.match("keep").plain.size(), 1u);
  EXPECT_EQ(cache.misses(), 2u);  // dropped, not patched
  EXPECT_EQ(cache.match("other.7").plain.size(), 1u);
}

TEST(MatchCacheTest, LocalAndRemoteSubscribersAreListedApart) {
  SubjectIndex index;
  auto local = make_sub("foo");
  auto remote = make_sub("foo");
  remote->subscriber = std::make_shared<testing::RouteSubscriber>();
  auto remote_q = make_sub("foo", "q");
  remote_q->subscriber = remote->subscriber;
  remote_q->weight = 3;
  auto local_q = make_sub("foo", "q");
  index.insert(remote);
  index.insert(local);
  index.insert(remote_q);
  index.insert(local_q);
  MatchCache cache(index);
  const MatchResult& r = cache.match("foo");
  ASSERT_EQ(r.plain.local().size(), 1u);
  EXPECT_EQ(r.plain.local()[0], local);
  ASSERT_EQ(r.plain.remote().size(), 1u);
  EXPECT_EQ(r.plain.remote()[0], remote);
  EXPECT_EQ(r.plain.remote_weight(), 1u);
  ASSERT_EQ(r.queue_groups.size(), 1u);
  const auto& group = r.queue_groups[0];
  ASSERT_EQ(group.local().size(), 1u);
  EXPECT_EQ(group.local()[0], local_q);
  ASSERT_EQ(group.remote().size(), 1u);
  EXPECT_EQ(group.remote()[0], remote_q);
  EXPECT_EQ(group.remote_weight(), 3u);
  EXPECT_TRUE(index.remove(remote));
  EXPECT_TRUE(cache.match("foo").plain.remote().empty());
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
