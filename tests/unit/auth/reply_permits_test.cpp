// allow_responses permits: one per delivered reply subject, used up after max_msgs publishes,
// gone after `expires`, renewed by a new delivery, and a map that stays bounded.
#include "auth/reply_permits.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gnatsd::auth {
namespace {

using namespace std::chrono_literals;
using Clock = ReplyPermits::Clock;

config::ResponsePermission permission(std::int64_t max_msgs, std::chrono::nanoseconds expires) {
  return config::ResponsePermission{max_msgs, expires};
}

TEST(ReplyPermitsTest, OneResponseByDefault) {
  ReplyPermits permits(config::ResponsePermission{});
  const auto t0 = Clock::now();
  EXPECT_FALSE(permits.use("_INBOX.a", t0));  // never delivered
  permits.record("_INBOX.a", t0);
  EXPECT_FALSE(permits.use("_INBOX.b", t0));
  EXPECT_TRUE(permits.use("_INBOX.a", t0));
  EXPECT_FALSE(permits.use("_INBOX.a", t0));
  EXPECT_EQ(permits.size(), 0u);
}

TEST(ReplyPermitsTest, MaxMsgsResponses) {
  ReplyPermits permits(permission(3, 2min));
  const auto t0 = Clock::now();
  permits.record("r", t0);
  EXPECT_TRUE(permits.use("r", t0));
  EXPECT_TRUE(permits.use("r", t0));
  // Delivering the reply subject again starts the count afresh, as nats-server.
  permits.record("r", t0);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(permits.use("r", t0)) << i;
  EXPECT_FALSE(permits.use("r", t0));
}

TEST(ReplyPermitsTest, ExpiresAfterTheDelivery) {
  ReplyPermits permits(permission(5, 500ms));
  const auto t0 = Clock::now();
  permits.record("r", t0);
  EXPECT_TRUE(permits.use("r", t0 + 500ms));  // nats-server refuses only past the duration
  EXPECT_FALSE(permits.use("r", t0 + 501ms));
  EXPECT_FALSE(permits.use("r", t0));  // forgotten, not just refused
}

TEST(ReplyPermitsTest, NegativeLimitsMeanNone) {
  ReplyPermits permits(permission(-1, -1s));
  const auto t0 = Clock::now();
  permits.record("r", t0);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(permits.use("r", t0 + 24h));
}

TEST(ReplyPermitsTest, SpentPermitsArePrunedPastTheLimit) {
  ReplyPermits permits(permission(1, 1s));
  const auto t0 = Clock::now();
  for (std::size_t i = 0; i < ReplyPermits::kPruneAbove; ++i) {
    permits.record("old." + std::to_string(i), t0);
  }
  EXPECT_EQ(permits.size(), ReplyPermits::kPruneAbove);
  // Two seconds on, the next record drops every expired permit.
  permits.record("new", t0 + 2s);
  EXPECT_EQ(permits.size(), 1u);
  EXPECT_TRUE(permits.use("new", t0 + 2s));
}

TEST(ReplyPermitsTest, LiveEntriesAreBoundedOldestFirst) {
  ReplyPermits permits(permission(-1, -1s));  // nothing ever expires
  const auto t0 = Clock::now();
  const std::size_t total = ReplyPermits::kMaxEntries + 10;
  for (std::size_t i = 0; i < total; ++i) {
    permits.record("r." + std::to_string(i), t0 + std::chrono::microseconds(i));
    ASSERT_LE(permits.size(), ReplyPermits::kMaxEntries);
  }
  EXPECT_FALSE(permits.use("r.0", t0));
  EXPECT_TRUE(permits.use("r." + std::to_string(total - 1), t0));
}

TEST(ReplyPermitsTest, RecordedBytesAreBoundedOldestFirst) {
  ReplyPermits permits(permission(-1, -1s));  // nothing ever expires
  const auto t0 = Clock::now();
  const std::string long_tail(4000, 'x');  // reply subjects as long as a control line allows
  const std::size_t total = ReplyPermits::kMaxBytes / long_tail.size() + 10;
  for (std::size_t i = 0; i < total; ++i) {
    permits.record("r." + std::to_string(i) + "." + long_tail, t0 + std::chrono::microseconds(i));
    ASSERT_LE(permits.bytes(), ReplyPermits::kMaxBytes);
  }
  EXPECT_LT(permits.size(), total);
  EXPECT_FALSE(permits.use("r.0." + long_tail, t0));
  EXPECT_TRUE(permits.use("r." + std::to_string(total - 1) + "." + long_tail, t0));
  // Used and forgotten entries give their bytes back.
  const std::size_t before = permits.bytes();
  permits.record("short", t0 + std::chrono::hours(1));
  EXPECT_EQ(permits.bytes(), before + 5);
}

}  // namespace
}  // namespace gnatsd::auth
