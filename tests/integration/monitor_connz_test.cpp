// /connz over real HTTP against the real binary: per-connection figures, paging and every sort
// key on 50 connections with distinct figures, subscription lists, and closed connections with
// their reasons. Calibrated against nats-server 2.9.10 (GNATSD_TEST_BINARY=/usr/sbin/nats-server).
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "monitor_support.hpp"

namespace gnatsd::test {
namespace {

constexpr int kConns = 50;

// Fifty connections, conn i (1-based) made to stand apart on every sort key:
//   subscriptions i; in_msgs 53-i and in_bytes 51+99i (its own publishes); out_msgs i+1 and
//   out_bytes 5100-99i (what a driver sends it); connected, and active for the last time, in
//   order of i. Each is set up completely before the next connects, so that starts are spread
//   wider than the final round of activity.
class FiftyConnections : public ::testing::Test {
 protected:
  void SetUp() override {
    driver_ = open_connected(s_.process);
    for (int i = 1; i <= kConns; ++i) {
      std::uint64_t cid = 0;
      const std::string n = std::to_string(i);
      auto c = connect_with_cid(
          s_.process, cid,
          R"({"verbose":false,"name":"conn-)" + n + R"(","lang":"test","version":"1.)" + n + "\"}");
      ASSERT_NE(cid, 0u);
      std::string subs = "SUB to." + n + " 1\r\n";
      for (int k = 2; k <= i; ++k) {
        subs += "SUB x." + n + "." + std::to_string(k) + " " + std::to_string(k) + "\r\n";
      }
      ASSERT_EQ(roundtrip(*c, subs), "PONG\r\n");

      std::string deliveries, expected;
      for (int k = 0; k < i; ++k) {
        deliveries += "PUB to." + n + " 1\r\nx\r\n";
        expected += msg("to." + n, "1", "x");
      }
      const std::string big((kConns + 1 - i) * 100, 'b');
      deliveries += "PUB to." + n + " " + std::to_string(big.size()) + "\r\n" + big + "\r\n";
      expected += msg("to." + n, "1", big);
      ASSERT_EQ(roundtrip(*driver_, deliveries), "PONG\r\n");
      ASSERT_EQ(c->read_frames(expected.size()), expected);

      std::string publishes;
      for (int k = 0; k < kConns + 1 - i; ++k) publishes += "PUB none 1\r\ny\r\n";
      const std::string own(100 * i, 'p');
      publishes += "PUB none " + std::to_string(own.size()) + "\r\n" + own + "\r\n";
      ASSERT_EQ(roundtrip(*c, publishes), "PONG\r\n");
      cids_.push_back(cid);
      conns_.push_back(std::move(c));
    }
    for (auto& c : conns_) ASSERT_EQ(roundtrip(*c, "PUB none 0\r\n\r\n"), "PONG\r\n");
  }

  // Our fifty cids in the order /connz?<query> lists them (the driver left out).
  std::vector<std::uint64_t> order(const std::string& query) {
    json connz = s_.get("/connz?" + query);
    std::vector<std::uint64_t> out;
    if (!connz.is_object()) return out;
    const std::set<std::uint64_t> ours(cids_.begin(), cids_.end());
    for (const auto& c : connz["connections"]) {
      if (ours.count(c["cid"].get<std::uint64_t>())) out.push_back(c["cid"]);
    }
    return out;
  }
  // cids_ in the order given by `rank(i)` ascending, i = 1..50.
  std::vector<std::uint64_t> by_index(bool ascending_i) const {
    std::vector<std::uint64_t> out = cids_;
    if (!ascending_i) std::reverse(out.begin(), out.end());
    return out;
  }

  MonitoredServer s_;
  std::unique_ptr<RawClient> driver_;
  std::vector<std::unique_ptr<RawClient>> conns_;
  std::vector<std::uint64_t> cids_;  // cids_[i-1] is conn i
};

TEST_F(FiftyConnections, EveryConnectionReportsExactlyItsTraffic) {
  json connz = s_.get("/connz");
  ASSERT_TRUE(connz.is_object());
  EXPECT_EQ(connz["server_id"], s_.get("/varz")["server_id"]);
  EXPECT_TRUE(is_go_time(connz["now"]));
  EXPECT_EQ(connz["num_connections"], kConns + 1);
  EXPECT_EQ(connz["total"], kConns + 1);
  EXPECT_EQ(connz["offset"], 0);
  EXPECT_EQ(connz["limit"], 1024);
  for (int i = 1; i <= kConns; ++i) {
    json c = find_conn(connz, cids_[i - 1]);
    ASSERT_FALSE(c.is_null()) << "conn " << i;
    const std::string n = std::to_string(i);
    EXPECT_EQ(c["kind"], "Client");
    EXPECT_EQ(c["type"], "nats");
    EXPECT_EQ(c["ip"], "127.0.0.1");
    EXPECT_TRUE(c["port"].is_number_integer());
    EXPECT_TRUE(is_go_time(c["start"])) << c["start"];
    EXPECT_TRUE(is_go_time(c["last_activity"])) << c["last_activity"];
    EXPECT_TRUE(is_go_duration(c["rtt"])) << c["rtt"];
    EXPECT_NE(c["rtt"], "0s");  // measured from INFO to CONNECT
    EXPECT_TRUE(is_uptime(c["uptime"])) << c["uptime"];
    EXPECT_TRUE(is_uptime(c["idle"])) << c["idle"];
    EXPECT_EQ(c["pending_bytes"], 0);
    EXPECT_EQ(c["subscriptions"], i) << "conn " << i;
    EXPECT_EQ(c["in_msgs"], 53 - i) << "conn " << i;
    EXPECT_EQ(c["in_bytes"], 51 + 99 * i) << "conn " << i;
    EXPECT_EQ(c["out_msgs"], i + 1) << "conn " << i;
    EXPECT_EQ(c["out_bytes"], 5100 - 99 * i) << "conn " << i;
    EXPECT_EQ(c["name"], "conn-" + n);
    EXPECT_EQ(c["lang"], "test");
    EXPECT_EQ(c["version"], "1." + n);
    EXPECT_FALSE(c.contains("subscriptions_list"));
    EXPECT_FALSE(c.contains("stop"));
    EXPECT_FALSE(c.contains("reason"));
  }
}

TEST_F(FiftyConnections, EverySortKeyOrdersAsNatsServer) {
  // Ascending cid (start orders the same); every other key largest first, uptime shortest
  // first.
  EXPECT_EQ(order("sort=cid"), by_index(true));
  EXPECT_EQ(order("sort=start"), by_index(true));
  EXPECT_EQ(order(""), by_index(true));
  EXPECT_EQ(order("sort=subs"), by_index(false));
  EXPECT_EQ(order("sort=msgs_from"), by_index(true));
  EXPECT_EQ(order("sort=bytes_from"), by_index(false));
  EXPECT_EQ(order("sort=msgs_to"), by_index(false));
  EXPECT_EQ(order("sort=bytes_to"), by_index(true));
  EXPECT_EQ(order("sort=last"), by_index(false));
  EXPECT_EQ(order("sort=idle"), by_index(true));
  EXPECT_EQ(order("sort=uptime"), by_index(false));
  // Every connection is drained: pending is 0 for all, and the list is still complete.
  auto pending = order("sort=pending");
  std::sort(pending.begin(), pending.end());
  EXPECT_EQ(pending, by_index(true));
}

TEST_F(FiftyConnections, PagesCoverTheListExactlyOnce) {
  std::vector<std::uint64_t> all;
  json full = s_.get("/connz?sort=cid");
  for (const auto& c : full["connections"]) all.push_back(c["cid"]);
  ASSERT_EQ(all.size(), static_cast<size_t>(kConns + 1));

  std::vector<std::uint64_t> paged;
  for (int offset = 0; offset < 100; offset += 7) {
    json page = s_.get("/connz?sort=cid&limit=7&offset=" + std::to_string(offset));
    ASSERT_TRUE(page.is_object());
    EXPECT_EQ(page["offset"], offset);
    EXPECT_EQ(page["limit"], 7);
    EXPECT_EQ(page["total"], kConns + 1);
    const int expected = std::clamp(kConns + 1 - offset, 0, 7);
    EXPECT_EQ(page["num_connections"], expected) << "offset " << offset;
    ASSERT_EQ(page["connections"].size(), static_cast<size_t>(expected));
    if (expected == 0) break;
    for (const auto& c : page["connections"]) paged.push_back(c["cid"]);
  }
  EXPECT_EQ(paged, all);

  // Paging applies after sorting: the second page of the busiest subscribers.
  EXPECT_EQ(order("sort=subs&limit=5&offset=5"),
            std::vector<std::uint64_t>(cids_.rbegin() + 5, cids_.rbegin() + 10));
}

TEST_F(FiftyConnections, CidSelectsOneConnection) {
  json one = s_.get("/connz?cid=" + std::to_string(cids_[9]));
  ASSERT_TRUE(one.is_object());
  EXPECT_EQ(one["num_connections"], 1);
  EXPECT_EQ(one["total"], kConns + 1);
  EXPECT_EQ(one["limit"], 1);
  ASSERT_EQ(one["connections"].size(), 1u);
  EXPECT_EQ(one["connections"][0]["cid"], cids_[9]);
  EXPECT_EQ(one["connections"][0]["subscriptions"], 10);

  json none = s_.get("/connz?cid=999999");
  EXPECT_EQ(none["num_connections"], 0);
  EXPECT_EQ(none["connections"], json::array());
}

TEST_F(FiftyConnections, SubsListsEachConnectionsSubscriptions) {
  const std::string cid3 = std::to_string(cids_[2]);
  json listed = s_.get("/connz?subs=1&cid=" + cid3);
  ASSERT_EQ(listed["connections"].size(), 1u);
  std::vector<std::string> subjects = listed["connections"][0]["subscriptions_list"];
  std::sort(subjects.begin(), subjects.end());
  EXPECT_EQ(subjects, (std::vector<std::string>{"to.3", "x.3.2", "x.3.3"}));
  EXPECT_FALSE(listed["connections"][0].contains("subscriptions_list_detail"));

  json detailed = s_.get("/connz?subs=detail&cid=" + cid3);
  ASSERT_EQ(detailed["connections"].size(), 1u);
  const json& c = detailed["connections"][0];
  EXPECT_FALSE(c.contains("subscriptions_list"));
  std::map<std::string, json> by_sid;
  for (const auto& sub : c["subscriptions_list_detail"]) by_sid[sub["sid"]] = sub;
  ASSERT_EQ(by_sid.size(), 3u) << c.dump(2);
  EXPECT_EQ(by_sid["1"]["subject"], "to.3");
  EXPECT_EQ(by_sid["1"]["msgs"], 4);  // 3 small + 1 big from the driver
  EXPECT_EQ(by_sid["1"]["cid"], cids_[2]);
  EXPECT_FALSE(by_sid["1"].contains("qgroup"));
  EXPECT_FALSE(by_sid["1"].contains("max"));
  EXPECT_EQ(by_sid["2"]["subject"], "x.3.2");
  EXPECT_EQ(by_sid["2"]["msgs"], 0);
  EXPECT_EQ(by_sid["3"]["subject"], "x.3.3");

  // A connection without subscriptions gets no list at all.
  json all = s_.get("/connz?subs=1");
  for (const auto& conn : all["connections"]) {
    EXPECT_EQ(conn.contains("subscriptions_list"), conn["subscriptions"] != 0) << conn.dump(2);
  }
}

// ---- closed connections ---------------------------------------------------------------------

json wait_closed(const MonitoredServer& s, std::uint64_t cid, const std::string& query = "") {
  json connz = poll_json(
      s, "/connz?state=closed" + query,
      [&](const json& body) { return !find_conn(body, cid).is_null(); },
      "closed cid " + std::to_string(cid));
  return connz.is_null() ? connz : find_conn(connz, cid);
}

TEST(MonitorClosedConnectionsTest, ClosedConnectionsKeepTheirFiguresAndReason) {
  MonitoredServer s;
  std::uint64_t client_closed = 0, max_payload = 0, parse_error = 0, bad_protocol = 0;
  {
    auto c = connect_with_cid(s.process, client_closed, R"({"verbose":false,"name":"leaving"})");
    ASSERT_EQ(roundtrip(*c, "SUB foo 1\r\nSUB bar 2\r\nPUB foo 3\r\nabc\r\n"),
              msg("foo", "1", "abc") + "PONG\r\n");
  }  // a clean close
  {
    RawClient c(s.process.port());
    max_payload = read_info_cid(c);
    ASSERT_TRUE(c.send("CONNECT {\"verbose\":false}\r\nPUB foo 2000000\r\n"));
    EXPECT_EQ(c.read_frame(), kErrMaxPayload);
    EXPECT_TRUE(c.expect_closed());
  }
  {
    RawClient c(s.process.port());
    parse_error = read_info_cid(c);
    ASSERT_TRUE(c.send("FOO\r\n"));
    EXPECT_EQ(c.read_frame(), kErrUnknownOp);
    EXPECT_TRUE(c.expect_closed());
  }
  {
    RawClient c(s.process.port());
    bad_protocol = read_info_cid(c);
    ASSERT_TRUE(c.send("CONNECT {\"verbose\":false,\"protocol\":5}\r\n"));
    EXPECT_EQ(c.read_frame(), kErrInvalidProtocol);
    EXPECT_TRUE(c.expect_closed());
  }
  const std::map<std::uint64_t, std::string> reasons = {
      {client_closed, "Client Closed"},
      {max_payload, "Maximum Message Payload Exceeded"},
      {parse_error, "Protocol Violation"},
      {bad_protocol, "Bad Client Protocol Version"}};
  for (const auto& [cid, reason] : reasons) {
    json c = wait_closed(s, cid);
    ASSERT_FALSE(c.is_null());
    EXPECT_EQ(c["reason"], reason) << "cid " << cid;
    EXPECT_TRUE(is_go_time(c["stop"])) << c.dump(2);
    EXPECT_TRUE(is_uptime(c["uptime"]));
    EXPECT_TRUE(is_uptime(c["idle"]));
  }

  // The cleanly closed one keeps its figures and, on request, its subscriptions.
  json leaving = wait_closed(s, client_closed, "&subs=1");
  EXPECT_EQ(leaving["name"], "leaving");
  EXPECT_EQ(leaving["subscriptions"], 2);
  EXPECT_EQ(leaving["in_msgs"], 1);
  EXPECT_EQ(leaving["in_bytes"], 3);
  EXPECT_EQ(leaving["out_msgs"], 1);
  EXPECT_EQ(leaving["out_bytes"], 3);
  std::vector<std::string> subjects = leaving["subscriptions_list"];
  std::sort(subjects.begin(), subjects.end());
  EXPECT_EQ(subjects, (std::vector<std::string>{"bar", "foo"}));

  // Open ones are not listed as closed, nor closed ones as open; state=all has both.
  std::uint64_t open_cid = 0;
  auto still_open = connect_with_cid(s.process, open_cid);
  json closed = s.get("/connz?state=closed");
  EXPECT_EQ(closed["total"], 4);
  EXPECT_TRUE(find_conn(closed, open_cid).is_null());
  json open = s.get("/connz");
  EXPECT_EQ(open["total"], 1);
  EXPECT_TRUE(find_conn(open, client_closed).is_null());
  json all = s.get("/connz?state=all");
  EXPECT_EQ(all["total"], 5);
  EXPECT_FALSE(find_conn(all, open_cid).is_null());
  EXPECT_FALSE(find_conn(all, bad_protocol).is_null());
  json one_closed = s.get("/connz?state=closed&cid=" + std::to_string(parse_error));
  ASSERT_EQ(one_closed["connections"].size(), 1u);
  EXPECT_EQ(one_closed["connections"][0]["reason"], "Protocol Violation");

  // sort=reason (alphabetical) and sort=stop (latest first) on closed connections.
  std::vector<std::string> by_reason;
  const json reason_sorted = s.get("/connz?state=closed&sort=reason");
  for (const auto& c : reason_sorted["connections"]) {
    by_reason.push_back(c["reason"]);
  }
  EXPECT_TRUE(std::is_sorted(by_reason.begin(), by_reason.end())) << json(by_reason).dump();
  json latest = s.get("/connz?state=closed&sort=stop&limit=1");
  ASSERT_EQ(latest["connections"].size(), 1u);
  EXPECT_EQ(latest["connections"][0]["cid"], bad_protocol);  // the last one closed
}

// A subscriber that never reads, flooded past the server's limits; returns its reason once
// the server has closed it. The subscriber's socket is never read: draining it would let the
// server's writes progress again.
std::string flood_a_stuck_subscriber(const MonitoredServer& s) {
  RawClient stuck(s.process.port(), {.rcvbuf = 4096});
  const std::uint64_t cid = read_info_cid(stuck);
  EXPECT_TRUE(stuck.send("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n"));
  EXPECT_EQ(stuck.read_until_pong(), "PONG\r\n");
  auto pub = open_connected(s.process);
  const std::string payload(8000, 'x');
  std::string flood;
  for (int i = 0; i < 2000; ++i) flood += "PUB flood 8000\r\n" + payload + "\r\n";
  EXPECT_TRUE(pub->send(flood, std::chrono::seconds(20)));
  json closed = wait_closed(s, cid);
  return closed.is_null() ? std::string() : closed["reason"].get<std::string>();
}

TEST(MonitorClosedConnectionsTest, SlowConsumerOverMaxPending) {
  TempFile conf("max_pending: 65536\nmax_payload: 8192\nwrite_deadline: \"2s\"\n");
  MonitoredServer s({"-c", conf.path()});
  EXPECT_EQ(flood_a_stuck_subscriber(s), "Slow Consumer (Pending Bytes)");
  EXPECT_EQ(s.get("/varz")["slow_consumers"], 1);
}

TEST(MonitorClosedConnectionsTest, SlowConsumerPastWriteDeadline) {
  TempFile conf("write_deadline: \"200ms\"\n");
  MonitoredServer s({"-c", conf.path()});
  EXPECT_EQ(flood_a_stuck_subscriber(s), "Slow Consumer (Write Deadline)");
  EXPECT_EQ(s.get("/varz")["slow_consumers"], 1);
}

TEST(MonitorClosedConnectionsTest, StaleConnection) {
  TempFile conf("ping_interval: \"100ms\"\nping_max: 1\n");
  MonitoredServer s({"-c", conf.path()});
  RawClient c(s.process.port());
  const std::uint64_t cid = read_info_cid(c);
  ASSERT_TRUE(c.send("CONNECT {\"verbose\":false}\r\n"));
  EXPECT_TRUE(c.expect_closed(std::chrono::seconds(5)));  // never answers PING
  json info = wait_closed(s, cid);
  ASSERT_FALSE(info.is_null());
  EXPECT_EQ(info["reason"], "Stale Connection");
}

TEST(MonitorClosedConnectionsTest, AuthenticationFailureAndAuthorizedUser) {
  MonitoredServer s({"--user", "derek", "--pass", "s3cr3t"});
  RawClient c(s.process.port());
  const std::uint64_t cid = read_info_cid(c);
  ASSERT_TRUE(c.send(R"(CONNECT {"verbose":false,"user":"derek","pass":"wrong"})"
                     "\r\n"));
  EXPECT_EQ(c.read_frame(), "-ERR 'Authorization Violation'\r\n");
  EXPECT_TRUE(c.expect_closed());
  json info = wait_closed(s, cid);
  ASSERT_FALSE(info.is_null());
  EXPECT_EQ(info["reason"], "Authentication Failure");

  // auth=1 names the user a connection authenticated as; without it the field is left out.
  std::uint64_t good = 0;
  auto ok =
      connect_with_cid(s.process, good, R"({"verbose":false,"user":"derek","pass":"s3cr3t"})");
  json with_auth = find_conn(s.get("/connz?auth=1"), good);
  ASSERT_FALSE(with_auth.is_null());
  EXPECT_EQ(with_auth["authorized_user"], "derek");
  EXPECT_FALSE(find_conn(s.get("/connz"), good).contains("authorized_user"));
  EXPECT_EQ(s.get("/varz")["auth_required"], true);
}

}  // namespace
}  // namespace gnatsd::test

namespace gnatsd::test {
namespace {

TEST(MonitorClosedConnectionsTest, MaxClosedClientsBoundsTheRing) {
  // nats-server 2.11's max_closed_clients: the ring keeps the latest N closed connections.
  TempFile conf("max_closed_clients: 2\n");
  MonitoredServer s({"-c", conf.path()});
  std::vector<std::uint64_t> cids(3);
  for (auto& cid : cids) {
    {
      auto c = connect_with_cid(s.process, cid, R"({"verbose":false})");
      ASSERT_EQ(roundtrip(*c, ""), "PONG\r\n");
    }
    ASSERT_FALSE(wait_closed(s, cid).is_null());  // closed in this order
  }
  json closed = s.get("/connz?state=closed");
  EXPECT_EQ(closed["total"], 2);
  EXPECT_TRUE(find_conn(closed, cids[0]).is_null()) << "the oldest left the ring";
  EXPECT_FALSE(find_conn(closed, cids[1]).is_null());
}

}  // namespace
}  // namespace gnatsd::test
