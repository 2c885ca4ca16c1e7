// Query decoding with Go's strconv rules and nats-server's 400 texts.
#include "monitor/query.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <utility>

namespace gnatsd::monitor {
namespace {

Params one(std::string name, std::string value) {
  return {{std::move(name), std::move(value)}};
}

TEST(QueryTest, AbsentOrEmptyDecodeToZero) {
  EXPECT_TRUE(decode_bool({}, "subs").ok());
  EXPECT_FALSE(decode_bool(one("subs", ""), "subs").value);
  EXPECT_EQ(decode_int({}, "limit").value, 0);
  EXPECT_EQ(decode_uint64(one("cid", ""), "cid").value, 0u);
}

TEST(QueryTest, BoolSpellingsOfParseBool) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    EXPECT_TRUE(decode_bool(one("subs", t), "subs").value) << t;
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    auto d = decode_bool(one("subs", f), "subs");
    EXPECT_TRUE(d.ok() && !d.value) << f;
  }
  EXPECT_EQ(
      decode_bool(one("subs", "yes"), "subs").error,
      R"(Error decoding boolean for 'subs': strconv.ParseBool: parsing "yes": invalid syntax)");
}

TEST(QueryTest, IntsAsAtoi) {
  EXPECT_EQ(decode_int(one("limit", "+12"), "limit").value, 12);
  EXPECT_EQ(decode_int(one("limit", "-3"), "limit").value, -3);
  EXPECT_EQ(decode_int(one("limit", "9223372036854775807"), "limit").value, INT64_MAX);
  EXPECT_EQ(
      decode_int(one("limit", "9223372036854775808"), "limit").error,
      R"(Error decoding int for 'limit': strconv.Atoi: parsing "9223372036854775808": value out of range)");
  EXPECT_EQ(decode_int(one("limit", "1e3"), "limit").error,
            R"(Error decoding int for 'limit': strconv.Atoi: parsing "1e3": invalid syntax)");
  EXPECT_FALSE(decode_int(one("limit", "-"), "limit").ok());
  EXPECT_FALSE(decode_int(one("limit", " 1"), "limit").ok());
}

TEST(QueryTest, Uint64AsParseUint) {
  EXPECT_EQ(decode_uint64(one("cid", "18446744073709551615"), "cid").value, UINT64_MAX);
  EXPECT_EQ(decode_uint64(one("cid", "+1"), "cid").error,
            R"(Error decoding uint64 for 'cid': strconv.ParseUint: parsing "+1": invalid syntax)");
  EXPECT_EQ(
      decode_uint64(one("cid", "18446744073709551616"), "cid").error,
      R"(Error decoding uint64 for 'cid': strconv.ParseUint: parsing "18446744073709551616": value out of range)");
}

TEST(QueryTest, StateAndSubs) {
  EXPECT_EQ(decode_state(one("state", "CLOSED")).value, ConnState::Closed);
  EXPECT_EQ(decode_state(one("state", "any")).value, ConnState::All);
  EXPECT_EQ(decode_state(one("state", "gone")).error, "Error decoding state for gone");
  EXPECT_TRUE(decode_subs(one("subs", "Detail")).value.detail);
  EXPECT_TRUE(decode_subs(one("subs", "1")).value.list);
  EXPECT_FALSE(decode_subs(one("subs", "x")).ok());
}

TEST(QueryTest, FirstValueOfARepeatedArgumentCounts) {
  Params p = {{"limit", "2"}, {"limit", "x"}};
  EXPECT_EQ(decode_int(p, "limit").value, 2);
}

// Found reading what the query arguments feed, while writing their fuzz target: /connz and /subsz
// computed the page end as min(first + limit, size), which overflowed for
// offset=1&limit=9223372036854775807.
TEST(QueryTest, PageBoundsNeverOverflowOrLeaveTheList) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  auto bounds = [](std::int64_t offset, std::int64_t limit, std::int64_t size) {
    const PageBounds b = page_bounds(offset, limit, size);
    return std::pair{b.first, b.last};
  };
  EXPECT_EQ(bounds(1, kMax, 5), (std::pair<std::int64_t, std::int64_t>{1, 5}));
  EXPECT_EQ(bounds(kMax, kMax, 5), (std::pair<std::int64_t, std::int64_t>{5, 5}));
  EXPECT_EQ(bounds(0, 2, 5), (std::pair<std::int64_t, std::int64_t>{0, 2}));
  EXPECT_EQ(bounds(4, 2, 5), (std::pair<std::int64_t, std::int64_t>{4, 5}));
  EXPECT_EQ(bounds(-3, 2, 5), (std::pair<std::int64_t, std::int64_t>{0, 2}));
  EXPECT_EQ(bounds(2, -1, 5), (std::pair<std::int64_t, std::int64_t>{2, 2}));
  EXPECT_EQ(bounds(0, 1, 0), (std::pair<std::int64_t, std::int64_t>{0, 0}));
}

}  // namespace
}  // namespace gnatsd::monitor
