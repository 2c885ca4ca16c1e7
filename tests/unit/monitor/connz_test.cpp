// /connz selection without a server: sort orders, ties, paging, cid, states; option checks.
#include "monitor/connz.hpp"

#include <gtest/gtest.h>

namespace gnatsd::monitor {
namespace {

using namespace std::chrono_literals;
using server::ConnInfo;
using server::WallClock;

const WallClock::time_point kNow = WallClock::time_point(1'700'000'000s);

ConnInfo conn(std::uint64_t cid) {
  ConnInfo c;
  c.cid = cid;
  c.start = kNow - std::chrono::seconds(100 - cid);    // later cids started later
  c.last_activity = kNow - std::chrono::seconds(cid);  // later cids idle longer
  return c;
}

std::vector<std::uint64_t> cids(const ConnzPage& page) {
  std::vector<std::uint64_t> out;
  for (const auto& c : page.connections) out.push_back(c.cid);
  return out;
}

ConnzOptions sorted_by(std::string key, ConnState state = ConnState::Open) {
  ConnzOptions o;
  o.sort = std::move(key);
  o.state = state;
  return o;
}

TEST(ConnzSelectTest, SortKeysAndDirections) {
  std::vector<ConnInfo> open = {conn(3), conn(1), conn(2)};
  open[0].num_subs = 5;   // cid 3
  open[1].in_msgs = 7;    // cid 1
  open[2].out_bytes = 9;  // cid 2
  auto select = [&](std::string key) {
    return cids(select_connections(open, 3, {}, sorted_by(std::move(key)), kNow));
  };
  EXPECT_EQ(select("cid"), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(select("start"), (std::vector<std::uint64_t>{1, 2, 3}));
  // Largest first; ties stay in cid order.
  EXPECT_EQ(select("subs"), (std::vector<std::uint64_t>{3, 1, 2}));
  EXPECT_EQ(select("msgs_from"), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(select("bytes_to"), (std::vector<std::uint64_t>{2, 1, 3}));
  EXPECT_EQ(select("last"), (std::vector<std::uint64_t>{1, 2, 3}));    // most recent first
  EXPECT_EQ(select("idle"), (std::vector<std::uint64_t>{3, 2, 1}));    // most idle first
  EXPECT_EQ(select("uptime"), (std::vector<std::uint64_t>{3, 2, 1}));  // newest first
}

TEST(ConnzSelectTest, ClosedStatesAndTheirKeys) {
  std::vector<ConnInfo> closed = {conn(4), conn(5)};
  closed[0].stop = kNow - 1s;
  closed[0].reason = "Slow Consumer (Pending Bytes)";
  closed[1].stop = kNow - 2s;
  closed[1].reason = "Client Closed";
  std::vector<ConnInfo> open = {conn(1)};
  EXPECT_EQ(cids(select_connections(open, 1, closed, sorted_by("stop", ConnState::Closed), kNow)),
            (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(cids(select_connections(open, 1, closed, sorted_by("reason", ConnState::Closed), kNow)),
            (std::vector<std::uint64_t>{5, 4}));
  auto all = select_connections(open, 1, closed, sorted_by("cid", ConnState::All), kNow);
  EXPECT_EQ(all.total, 3u);
  EXPECT_EQ(cids(all), (std::vector<std::uint64_t>{1, 4, 5}));
  EXPECT_EQ(select_connections(open, 1, closed, sorted_by("cid"), kNow).total, 1u);
}

TEST(ConnzSelectTest, PagingAndCid) {
  std::vector<ConnInfo> open;
  for (std::uint64_t i = 1; i <= 10; ++i) open.push_back(conn(i));
  ConnzOptions o;
  o.offset = 8;
  o.limit = 5;
  auto page = select_connections(open, 10, {}, o, kNow);
  EXPECT_EQ(page.total, 10u);
  EXPECT_EQ(cids(page), (std::vector<std::uint64_t>{9, 10}));
  o.offset = 50;
  EXPECT_TRUE(select_connections(open, 10, {}, o, kNow).connections.empty());
  ConnzOptions by_cid;
  by_cid.cid = 7;
  by_cid.limit = 1;
  EXPECT_EQ(cids(select_connections(open, 10, {}, by_cid, kNow)), (std::vector<std::uint64_t>{7}));
}

TEST(ConnzOptionsTest, DefaultsAndNatsServerErrors) {
  auto d = parse_connz_options({});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value.sort, "cid");
  EXPECT_EQ(d.value.limit, 1024);
  EXPECT_EQ(d.value.state, ConnState::Open);
  auto by_cid = parse_connz_options({{"cid", "12"}, {"limit", "50"}});
  EXPECT_EQ(by_cid.value.cid, 12u);
  EXPECT_EQ(by_cid.value.limit, 1);
  EXPECT_EQ(parse_connz_options({{"sort", "rtt"}}).error, "invalid sorting option: rtt");
  EXPECT_EQ(parse_connz_options({{"sort", "stop"}}).error,
            "sort by stop only valid on closed connections");
  EXPECT_TRUE(parse_connz_options({{"sort", "stop"}, {"state", "closed"}}).ok());
  // The first argument that fails to decode is the one reported, in nats-server's order.
  EXPECT_EQ(parse_connz_options({{"limit", "x"}, {"auth", "y"}}).error,
            R"(Error decoding boolean for 'auth': strconv.ParseBool: parsing "y": invalid syntax)");
}

TEST(ConnzRenderTest, FieldsInNatsServerOrder) {
  ConnInfo c = conn(1);
  c.ip = "127.0.0.1";
  c.port = 4000;
  c.rtt = 603456ns;
  c.name = "n";
  c.subs.push_back({"foo", "", "1", 2, 0, 1});
  ConnzOptions o;
  o.subs.list = true;
  ConnzPage page;
  page.total = 1;
  page.connections.push_back(c);
  Json out = render_connz("SID", o, page, kNow);
  std::vector<std::string> keys;
  for (const auto& [key, value] : out.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"server_id", "now", "num_connections", "total",
                                            "offset", "limit", "connections"}));
  keys.clear();
  for (const auto& [key, value] : out["connections"][0].items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "cid", "kind", "type", "ip", "port", "start", "last_activity", "rtt",
                      "uptime", "idle", "pending_bytes", "in_msgs", "out_msgs", "in_bytes",
                      "out_bytes", "subscriptions", "name", "subscriptions_list"}));
  EXPECT_EQ(out["connections"][0]["rtt"], "603µs");
  EXPECT_EQ(out["connections"][0]["uptime"], "1m39s");
  EXPECT_EQ(out["connections"][0]["idle"], "1s");
}

}  // namespace
}  // namespace gnatsd::monitor
