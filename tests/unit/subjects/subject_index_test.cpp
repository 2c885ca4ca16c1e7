// SubjectIndex: insert/match/remove, wildcard positions, queue grouping, pruning, generation.
#include "subjects/subject_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "subjects/subject.hpp"

#include "subjects_test_support.hpp"

namespace gnatsd::subjects {
namespace {

using testing::make_sub;

using SubSet = std::set<const Subscription*>;

SubSet plain_set(const MatchResult& r) {
  SubSet out;
  for (const auto& s : r.plain) out.insert(s.get());
  return out;
}

// Queue groups keyed by name; fails the test if a group mixes names or is empty.
std::map<std::string, SubSet> group_map(const MatchResult& r) {
  std::map<std::string, SubSet> out;
  for (const auto& group : r.queue_groups) {
    EXPECT_FALSE(group.empty());
    if (group.empty()) continue;
    const std::string& name = group.front()->queue;
    EXPECT_EQ(out.count(name), 0u) << "queue group " << name << " split in two";
    for (const auto& s : group) {
      EXPECT_EQ(s->queue, name);
      out[name].insert(s.get());
    }
  }
  return out;
}

std::size_t total_entries(const MatchResult& r) {
  std::size_t n = r.plain.size();
  for (const auto& g : r.queue_groups) n += g.size();
  return n;
}

void expect_no_duplicates(const MatchResult& r) {
  std::set<const Subscription*> seen;
  for (const auto& s : r.plain) EXPECT_TRUE(seen.insert(s.get()).second) << s->subject;
  for (const auto& g : r.queue_groups) {
    for (const auto& s : g) EXPECT_TRUE(seen.insert(s.get()).second) << s->subject;
  }
}

TEST(SubjectIndexTest, EmptyIndexMatchesNothing) {
  SubjectIndex index;
  const auto r = index.match("foo");
  EXPECT_TRUE(r->plain.empty());
  EXPECT_TRUE(r->queue_groups.empty());
  EXPECT_EQ(index.node_count(), 0u);
}

TEST(SubjectIndexTest, InsertMatchRemoveLiteral) {
  SubjectIndex index;
  auto sub = make_sub("foo.bar");
  index.insert(sub);
  EXPECT_EQ(plain_set(*index.match("foo.bar")), SubSet{sub.get()});
  EXPECT_TRUE(index.match("foo")->plain.empty());
  EXPECT_TRUE(index.match("foo.bar.baz")->plain.empty());
  EXPECT_TRUE(index.match("foo.baz")->plain.empty());
  EXPECT_TRUE(index.remove(sub));
  EXPECT_TRUE(index.match("foo.bar")->plain.empty());
  EXPECT_FALSE(index.remove(sub));
}

TEST(SubjectIndexTest, WildcardsAtEveryPosition) {
  SubjectIndex index;
  // Every pattern that should match "a.b.c", and near misses that should not.
  const std::vector<std::string> matching = {
      "a.b.c", "*.b.c", "a.*.c", "a.b.*", "*.*.c", "*.b.*", "a.*.*", "*.*.*",
      ">",     "a.>",   "a.b.>", "*.>",   "*.*.>", "a.*.>", "*.b.>",
  };
  const std::vector<std::string> non_matching = {
      "a.b.c.>", "a.b",   "a",     "a.b.c.d", "*.*", "*",     "*.*.*.*", "x.b.c",
      "a.x.c",   "a.b.x", "*.x.c", "a.b.c.*", "x.>", "a.x.>", "b.>",     "a.b.c.d.>",
  };
  SubSet expected;
  for (const auto& s : matching) {
    auto sub = make_sub(s);
    index.insert(sub);
    expected.insert(sub.get());
  }
  std::vector<SubscriptionPtr> keep;
  for (const auto& s : non_matching) {
    keep.push_back(make_sub(s));
    index.insert(keep.back());
  }
  const auto r = index.match("a.b.c");
  expect_no_duplicates(*r);
  EXPECT_EQ(plain_set(*r), expected);
  EXPECT_EQ(r->plain.size(), matching.size());
}

TEST(SubjectIndexTest, SubjectMeetingManyNodes) {
  // Every literal/'*' choice per position of "a.b.c.d.e" (32 patterns), plus '>' after every
  // such prefix (31 more): far more matching nodes than the builder keeps inline.
  SubjectIndex index;
  const std::vector<std::string> literal = {"a", "b", "c", "d", "e"};
  SubSet expected;
  std::vector<SubscriptionPtr> subs;
  for (int len = 0; len <= 5; ++len) {
    for (unsigned mask = 0; mask < (1u << len); ++mask) {
      std::string prefix;
      for (int i = 0; i < len; ++i) {
        if (i) prefix += '.';
        prefix += (mask >> i) & 1 ? std::string("*") : literal[i];
      }
      std::vector<std::string> patterns;
      if (len == 5) patterns.push_back(prefix);
      if (len < 5) patterns.push_back(len == 0 ? std::string(">") : prefix + ".>");
      for (const auto& pattern : patterns) {
        subs.push_back(make_sub(pattern, subs.size() % 4 == 0 ? "q" : ""));
        index.insert(subs.back());
        expected.insert(subs.back().get());
      }
    }
  }
  ASSERT_EQ(subs.size(), 63u);
  const auto r = index.match("a.b.c.d.e");
  expect_no_duplicates(*r);
  SubSet all = plain_set(*r);
  for (const auto& [name, members] : group_map(*r)) all.insert(members.begin(), members.end());
  EXPECT_EQ(all, expected);
  EXPECT_EQ(r->queue_groups.size(), 1u);
}

TEST(SubjectIndexTest, FullWildcardNeedsAtLeastOneToken) {
  SubjectIndex index;
  auto sub = make_sub("foo.>");
  index.insert(sub);
  EXPECT_TRUE(index.match("foo")->plain.empty());
  EXPECT_EQ(index.match("foo.bar")->plain.size(), 1u);
  EXPECT_EQ(index.match("foo.bar.baz.qux")->plain.size(), 1u);
}

TEST(SubjectIndexTest, WildcardCharactersInsideTokensAreLiteral) {
  SubjectIndex index;
  auto star = make_sub("foo.*-");
  auto full = make_sub("foo.>-");
  index.insert(star);
  index.insert(full);
  EXPECT_TRUE(index.match("foo.bar")->plain.empty());
  EXPECT_EQ(plain_set(*index.match("foo.*-")), SubSet{star.get()});
  EXPECT_EQ(plain_set(*index.match("foo.>-")), SubSet{full.get()});
  // Removing a different subscription on a subject that would match leaves them alone.
  EXPECT_FALSE(index.remove(make_sub("foo.bar")));
  EXPECT_EQ(index.stats().num_subscriptions, 2u);
}

TEST(SubjectIndexTest, PublishedWildcardTokenIsLiteral) {
  // A PUB to "foo.*" is allowed outside pedantic mode; it reaches "foo.*" and "foo.>" subscribers
  // but not "foo.bar", and the '*' subscription must appear once, not twice.
  SubjectIndex index;
  auto star = make_sub("foo.*");
  auto full = make_sub("foo.>");
  auto lit = make_sub("foo.bar");
  index.insert(star);
  index.insert(full);
  index.insert(lit);
  const auto r = index.match("foo.*");
  expect_no_duplicates(*r);
  EXPECT_EQ(plain_set(*r), (SubSet{star.get(), full.get()}));
}

TEST(SubjectIndexTest, SubjectsWithEmptyTokensMatchNothing) {
  SubjectIndex index;
  auto all = make_sub(">");
  index.insert(all);
  for (const char* s : {"", ".", "foo.", ".foo", "foo..bar"}) {
    EXPECT_TRUE(index.match(s)->plain.empty()) << '"' << s << '"';
  }
  EXPECT_EQ(index.match("foo")->plain.size(), 1u);
}

TEST(SubjectIndexTest, QueueSubscriptionsGroupByNameAcrossNodes) {
  SubjectIndex index;
  auto q1 = make_sub("foo.*", "workers");
  auto q2 = make_sub("foo.bar", "workers");
  auto q3 = make_sub(">", "workers");
  auto q4 = make_sub("foo.bar", "workers");
  auto r1 = make_sub("foo.bar", "reporters");
  auto r2 = make_sub("*.bar", "reporters");
  auto p1 = make_sub("foo.bar");
  auto p2 = make_sub("foo.*");
  for (const auto& s : {q1, q2, q3, q4, r1, r2, p1, p2}) index.insert(s);

  const auto r = index.match("foo.bar");
  expect_no_duplicates(*r);
  EXPECT_EQ(plain_set(*r), (SubSet{p1.get(), p2.get()}));
  const auto groups = group_map(*r);
  ASSERT_EQ(r->queue_groups.size(), 2u);
  EXPECT_EQ(groups.at("workers"), (SubSet{q1.get(), q2.get(), q3.get(), q4.get()}));
  EXPECT_EQ(groups.at("reporters"), (SubSet{r1.get(), r2.get()}));

  // A subject that reaches only some nodes gets only their members, still in one group.
  const auto other = group_map(*index.match("foo.baz"));
  EXPECT_EQ(other.at("workers"), (SubSet{q1.get(), q3.get()}));
  EXPECT_EQ(other.count("reporters"), 0u);

  // A group disappears from results when its last member on the path leaves.
  EXPECT_TRUE(index.remove(r1));
  EXPECT_TRUE(index.remove(r2));
  const auto after = index.match("foo.bar");
  EXPECT_EQ(after->queue_groups.size(), 1u);
  EXPECT_EQ(group_map(*after).count("reporters"), 0u);
}

TEST(SubjectIndexTest, ManyQueueGroupsOnOneSubject) {
  // More groups than the builder's linear scan handles, spread over several nodes.
  SubjectIndex index;
  std::vector<SubscriptionPtr> subs;
  for (int g = 0; g < 40; ++g) {
    for (const char* pattern : {"a.b", "a.*", ">"}) {
      subs.push_back(make_sub(pattern, "g" + std::to_string(g)));
      index.insert(subs.back());
    }
  }
  const auto r = index.match("a.b");
  expect_no_duplicates(*r);
  const auto groups = group_map(*r);
  EXPECT_EQ(groups.size(), 40u);
  for (const auto& [name, members] : groups) EXPECT_EQ(members.size(), 3u) << name;
}

TEST(SubjectIndexTest, InsertingTheSameSubscriptionTwiceIsANoOp) {
  SubjectIndex index;
  auto sub = make_sub("foo");
  auto qsub = make_sub("foo", "q");
  index.insert(sub);
  index.insert(qsub);
  const auto generation = index.generation();
  index.insert(sub);
  index.insert(qsub);
  EXPECT_EQ(index.generation(), generation);
  EXPECT_EQ(index.stats().num_subscriptions, 2u);
  const auto r = index.match("foo");
  EXPECT_EQ(total_entries(*r), 2u);
  EXPECT_TRUE(index.remove(sub));
  EXPECT_TRUE(index.remove(qsub));
  EXPECT_EQ(total_entries(*index.match("foo")), 0u);
}

TEST(SubjectIndexTest, RemoveNeedsTheSameSubscriptionObjectAndQueue) {
  SubjectIndex index;
  auto sub = make_sub("foo", "q");
  index.insert(sub);
  EXPECT_FALSE(index.remove(make_sub("foo", "q")));  // equal fields, other object
  EXPECT_FALSE(index.remove(make_sub("foo")));       // not a plain subscription
  EXPECT_FALSE(index.remove(make_sub("foo.bar", "q")));
  EXPECT_FALSE(index.remove(make_sub("", "q")));
  EXPECT_EQ(index.stats().num_subscriptions, 1u);
  EXPECT_TRUE(index.remove(sub));
}

TEST(SubjectIndexTest, RemovePrunesEmptyNodes) {
  SubjectIndex index;
  auto deep = make_sub("a.b.c.d");
  auto sibling = make_sub("a.b.x");
  auto star = make_sub("a.*.c");
  auto full = make_sub("a.>");
  auto queue = make_sub("a.b.c.d", "q");
  for (const auto& s : {deep, sibling, star, full, queue}) index.insert(s);
  // a, b, c, d, x, *, c (under *), >
  EXPECT_EQ(index.node_count(), 8u);

  EXPECT_TRUE(index.remove(deep));
  EXPECT_EQ(index.node_count(), 8u);  // the queue subscription still holds a.b.c.d
  EXPECT_TRUE(index.remove(queue));
  EXPECT_EQ(index.node_count(), 6u);  // c and d under a.b gone
  EXPECT_TRUE(index.remove(star));
  EXPECT_EQ(index.node_count(), 4u);  // a, b, x, >
  EXPECT_TRUE(index.remove(full));
  EXPECT_EQ(index.node_count(), 3u);
  EXPECT_TRUE(index.remove(sibling));
  EXPECT_EQ(index.node_count(), 0u);

  // The pruned trie is fully usable again.
  index.insert(deep);
  EXPECT_EQ(index.match("a.b.c.d")->plain.size(), 1u);
  EXPECT_EQ(index.node_count(), 4u);
}

TEST(SubjectIndexTest, FailedRemoveKeepsInteriorNodes) {
  SubjectIndex index;
  auto sub = make_sub("a.b");
  index.insert(sub);
  EXPECT_FALSE(index.remove(make_sub("a")));  // interior node without subscriptions
  EXPECT_FALSE(index.remove(make_sub("a.b.c")));
  EXPECT_EQ(index.node_count(), 2u);
  EXPECT_EQ(index.match("a.b")->plain.size(), 1u);
}

TEST(SubjectIndexTest, GenerationMovesOnEveryChangeOnly) {
  SubjectIndex index;
  auto sub = make_sub("foo");
  std::uint64_t g = index.generation();
  index.insert(sub);
  EXPECT_NE(index.generation(), g);
  g = index.generation();
  index.match("foo");
  EXPECT_EQ(index.generation(), g);
  EXPECT_FALSE(index.remove(make_sub("bar")));
  EXPECT_EQ(index.generation(), g);
  EXPECT_TRUE(index.remove(sub));
  EXPECT_NE(index.generation(), g);
}

TEST(SubjectIndexTest, StatsCountSubscriptionsAndOperations) {
  SubjectIndex index;
  auto a = make_sub("foo");
  auto b = make_sub("foo.*", "q");
  auto c = make_sub(">");
  index.insert(a);
  index.insert(b);
  index.insert(c);
  index.match("foo");
  index.match("foo.bar");
  index.remove(b);
  index.remove(b);  // not there any more: not counted
  const auto stats = index.stats();
  EXPECT_EQ(stats.num_subscriptions, 2u);
  EXPECT_EQ(stats.num_inserts, 3u);
  EXPECT_EQ(stats.num_removes, 1u);
  EXPECT_EQ(stats.num_matches, 2u);
}

TEST(SubjectIndexTest, ManySubscriptionsOnOneSubject) {
  // Large sets switch to the hashed position index; remove in a shuffled order and check the
  // exact membership at checkpoints, including while shrinking back below the threshold.
  SubjectIndex index;
  std::vector<SubscriptionPtr> plain;
  std::vector<SubscriptionPtr> queued;
  for (int i = 0; i < 2000; ++i) {
    plain.push_back(make_sub("orders.new"));
    queued.push_back(make_sub("orders.new", "q"));
    index.insert(plain.back());
    index.insert(queued.back());
  }
  std::mt19937 rng(7);
  std::shuffle(plain.begin(), plain.end(), rng);
  std::shuffle(queued.begin(), queued.end(), rng);
  while (!plain.empty()) {
    const std::size_t n = plain.size() > 50 ? 97 : 1;
    for (std::size_t i = 0; i < n && !plain.empty(); ++i) {
      ASSERT_TRUE(index.remove(plain.back()));
      ASSERT_TRUE(index.remove(queued.back()));
      plain.pop_back();
      queued.pop_back();
    }
    const auto r = index.match("orders.new");
    expect_no_duplicates(*r);
    SubSet expected_plain;
    SubSet expected_queue;
    for (const auto& s : plain) expected_plain.insert(s.get());
    for (const auto& s : queued) expected_queue.insert(s.get());
    ASSERT_EQ(plain_set(*r), expected_plain);
    if (queued.empty()) {
      ASSERT_TRUE(r->queue_groups.empty());
    } else {
      ASSERT_EQ(group_map(*r).at("q"), expected_queue);
    }
  }
  EXPECT_EQ(index.node_count(), 0u);
}

// Random subscriptions over a small alphabet so that wildcards overlap a lot, checked against
// a brute-force matcher built on subject_matches().
TEST(SubjectIndexTest, AgreesWithBruteForceOnRandomSubjects) {
  std::mt19937 rng(12345);
  const std::vector<std::string> tokens = {"a", "b", "c", "*", ">"};
  auto random_pattern = [&] {
    const int len = 1 + static_cast<int>(rng() % 4);
    std::string s;
    for (int i = 0; i < len; ++i) {
      if (i) s += '.';
      const auto& t = tokens[rng() % (i + 1 == len ? 5 : 4)];  // '>' only last
      s += t;
    }
    return s;
  };
  auto random_literal = [&] {
    const int len = 1 + static_cast<int>(rng() % 4);
    std::string s;
    for (int i = 0; i < len; ++i) {
      if (i) s += '.';
      s += tokens[rng() % 3];
    }
    return s;
  };

  SubjectIndex index;
  std::vector<SubscriptionPtr> live;
  for (int round = 0; round < 3000; ++round) {
    if (live.empty() || rng() % 3 != 0) {
      const std::string queue = rng() % 3 == 0 ? "q" + std::to_string(rng() % 3) : "";
      auto sub = make_sub(random_pattern(), queue);
      ASSERT_TRUE(is_valid_subject(sub->subject)) << sub->subject;
      index.insert(sub);
      live.push_back(sub);
    } else {
      const std::size_t i = rng() % live.size();
      ASSERT_TRUE(index.remove(live[i]));
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
    }
    const std::string subject = random_literal();
    const auto r = index.match(subject);
    expect_no_duplicates(*r);
    SubSet expected_plain;
    std::map<std::string, SubSet> expected_groups;
    for (const auto& s : live) {
      if (!subject_matches(s->subject, subject)) continue;
      if (s->queue.empty()) {
        expected_plain.insert(s.get());
      } else {
        expected_groups[s->queue].insert(s.get());
      }
    }
    ASSERT_EQ(plain_set(*r), expected_plain) << subject;
    ASSERT_EQ(group_map(*r), expected_groups) << subject;
  }
  EXPECT_EQ(index.stats().num_subscriptions, live.size());
  for (const auto& s : live) ASSERT_TRUE(index.remove(s));
  EXPECT_EQ(index.node_count(), 0u);
}

}  // namespace
}  // namespace gnatsd::subjects

namespace gnatsd::subjects {
namespace {

// nats-server delivers in trie order: '>' first, then at the last token the literal before
// '*'. Clients see it as the order of MSGs and as the sid of a no-responders status.
TEST(SubjectIndexTest, MatchOrderFollowsNatsServer) {
  SubjectIndex index;
  auto literal = make_sub("foo");
  auto star = make_sub("*");
  auto gt = make_sub(">");
  for (const auto& sub : {literal, star, gt}) index.insert(sub);
  auto result = index.match("foo");
  ASSERT_EQ(result->plain.size(), 3u);
  EXPECT_EQ(result->plain[0], gt);
  EXPECT_EQ(result->plain[1], literal);
  EXPECT_EQ(result->plain[2], star);
}

}  // namespace
}  // namespace gnatsd::subjects
