// Queue member selection: always in range, spread evenly, independent per thread.
#include "subjects/queue_selection.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <set>
#include <thread>
#include <vector>

namespace gnatsd::subjects {
namespace {

TEST(QueueSelectionTest, AlwaysInRange) {
  QueueRandom random(1);
  for (std::size_t n :
       {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, std::size_t{1000},
        std::size_t{1} << 40, std::numeric_limits<std::size_t>::max()}) {
    for (int i = 0; i < 10000; ++i) ASSERT_LT(random.below(n), n) << n;
  }
  for (std::size_t n = 1; n < 200; ++n) ASSERT_LT(pick_index(n), n);
}

TEST(QueueSelectionTest, SingleMemberAlwaysPicked) {
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(pick_index(1), 0u);
}

TEST(QueueSelectionTest, SpreadsEvenlyOverMembers) {
  // Loose bound: 600k picks over 6 members expect 100k each with a standard deviation near 290;
  // a 3% band (about 10 sigma) never trips by chance but catches a biased or stuck generator.
  constexpr std::size_t kMembers = 6;
  constexpr int kPicks = 600000;
  std::vector<int> counts(kMembers, 0);
  for (int i = 0; i < kPicks; ++i) ++counts[pick_index(kMembers)];
  for (std::size_t m = 0; m < kMembers; ++m) {
    EXPECT_NEAR(counts[m], kPicks / kMembers, kPicks / kMembers * 0.03) << "member " << m;
  }
}

TEST(QueueSelectionTest, DoesNotRepeatInLockstep) {
  // Consecutive picks over two members must not simply alternate or repeat.
  QueueRandom random(42);
  int same = 0;
  int prev = static_cast<int>(random.below(2));
  for (int i = 0; i < 100000; ++i) {
    const int cur = static_cast<int>(random.below(2));
    same += cur == prev;
    prev = cur;
  }
  EXPECT_NEAR(same, 50000, 1500);
}

TEST(QueueSelectionTest, SameSeedSameSequence) {
  QueueRandom a(7);
  QueueRandom b(7);
  QueueRandom c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    ASSERT_EQ(x, b.next());
    differs |= x != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(QueueSelectionTest, ThreadsGetDifferentSequences) {
  constexpr int kThreads = 4;
  std::vector<std::uint64_t> first(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&first, t] { first[t] = thread_queue_random().next(); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::uint64_t>(first.begin(), first.end()).size(), first.size());
}

}  // namespace
}  // namespace gnatsd::subjects
