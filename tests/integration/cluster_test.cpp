// Clustering over real processes: routes between servers on ephemeral ports, messages (reply
// subjects, headers) crossing them, one-hop delivery in a full mesh, queue groups exactly once
// cluster-wide, interest withdrawn on UNSUB and disconnect, route to self, cluster name
// mismatch, reconnect after the seed restarts, /routez and /varz, gossip, and clusters mixing
// gnatsd with nats-server 2.9.10 (MixedCluster.*: pairs both ways, interest withdrawal, gossip
// through either kind of seed). Calibrated against nats-server 2.9.10: every test passes with
// GNATSD_TEST_BINARY=<build>/reference/nats-server-2.9.10, the MixedCluster tests then running
// nats-server against nats-server. Interest crosses a route asynchronously, so tests wait for it
// with probe messages (cluster_harness.hpp), never with sleeps.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cluster_harness.hpp"
#include "eventually.hpp"
#include "monitor_support.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

namespace gnatsd::test {
namespace {

using cluster::await_interest;
using cluster::Client;
using cluster::collect;
using cluster::Delivery;
using cluster::each_delivered_once;
using cluster::Node;
using cluster::settle;
using cluster::total_deliveries;
using cluster::unused_tcp_port;
using cluster::wait_for_routes;

// A header block as clients send it with HPUB: version line, fields, blank line.
constexpr std::string_view kHeaders = "NATS/1.0\r\nX-Trace: 42\r\nX-Multi: a b c\r\n\r\n";

// Publishes "m<first>".."m<first+n-1>" on `subject` in one write, then waits for the PONG
// that shows the server has taken them all in.
void publish_indexed(Client& publisher, std::string_view subject, int n, int first = 0) {
  std::string batch;
  for (int i = first; i < first + n; ++i) {
    const std::string payload = "m" + std::to_string(i);
    batch += "PUB " + std::string(subject) + " " + std::to_string(payload.size()) + "\r\n" +
             payload + "\r\n";
  }
  ASSERT_TRUE(publisher.send(batch));
  ASSERT_TRUE(publisher.flush());
}

size_t count_of(const std::string& haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// The whole log line holding `needle`, or "".
std::string log_line_with(const std::string& log, std::string_view needle) {
  const size_t at = log.find(needle);
  if (at == std::string::npos) return "";
  const size_t begin = log.rfind('\n', at) + 1;  // npos + 1 == 0: the first line
  return log.substr(begin, log.find('\n', at) - begin);
}

TEST(ClusterTest, MessagesCrossTheRouteBothWaysWithReplyAndHeaders) {
  Node a(Node::Config("A"));
  Node b(Node::Config("B").route(a.route_url()));
  ASSERT_TRUE(wait_for_routes(a, 1));
  ASSERT_TRUE(wait_for_routes(b, 1));

  Client on_a(a.port(), /*headers=*/true);
  Client on_b(b.port(), /*headers=*/true);
  on_b.sub("to.b", "1");
  on_a.sub("to.a", "2");
  ASSERT_TRUE(on_b.flush());
  ASSERT_TRUE(on_a.flush());
  ASSERT_TRUE(await_interest(on_a, "to.b", {&on_b}));
  ASSERT_TRUE(await_interest(on_b, "to.a", {&on_a}));

  on_a.pub("to.b", "hello from A", "reply.a");
  on_a.hpub("to.b", kHeaders, "headers from A", "reply.h");
  on_b.pub("to.a", "hello from B", "reply.b");
  on_b.pub("to.a", "");  // an empty payload, no reply
  ASSERT_EQ(collect({&on_b}, 2), 2u);
  ASSERT_EQ(collect({&on_a}, 2), 2u);
  settle({&on_a, &on_b});

  ASSERT_EQ(on_b.deliveries().size(), 2u);
  const Delivery& plain = on_b.deliveries()[0];
  EXPECT_EQ(plain.op, "MSG");
  EXPECT_EQ(plain.subject, "to.b");
  EXPECT_EQ(plain.sid, "1");
  EXPECT_EQ(plain.reply, "reply.a");
  EXPECT_EQ(plain.payload, "hello from A");
  const Delivery& with_headers = on_b.deliveries()[1];
  EXPECT_EQ(with_headers.op, "HMSG");
  EXPECT_EQ(with_headers.subject, "to.b");
  EXPECT_EQ(with_headers.sid, "1");
  EXPECT_EQ(with_headers.reply, "reply.h");
  EXPECT_EQ(with_headers.headers, kHeaders);
  EXPECT_EQ(with_headers.payload, "headers from A");

  ASSERT_EQ(on_a.deliveries().size(), 2u);
  EXPECT_EQ(on_a.deliveries()[0].op, "MSG");
  EXPECT_EQ(on_a.deliveries()[0].subject, "to.a");
  EXPECT_EQ(on_a.deliveries()[0].sid, "2");
  EXPECT_EQ(on_a.deliveries()[0].reply, "reply.b");
  EXPECT_EQ(on_a.deliveries()[0].payload, "hello from B");
  EXPECT_EQ(on_a.deliveries()[1].reply, "");
  EXPECT_EQ(on_a.deliveries()[1].payload, "");
  EXPECT_TRUE(on_a.errors().empty() && on_b.errors().empty());
}

TEST(ClusterTest, HeadersAreStrippedForASubscriberWithoutHeaderSupport) {
  Node a(Node::Config("A"));
  Node b(Node::Config("B").route(a.route_url()));
  ASSERT_TRUE(wait_for_routes(b, 1));
  Client pub(a.port(), /*headers=*/true);
  Client legacy(b.port(), /*headers=*/false);
  legacy.sub("h", "1");
  ASSERT_TRUE(legacy.flush());
  ASSERT_TRUE(await_interest(pub, "h", {&legacy}));
  pub.hpub("h", kHeaders, "body");
  ASSERT_EQ(collect({&legacy}, 1), 1u);
  EXPECT_EQ(legacy.deliveries()[0].op, "MSG");
  EXPECT_EQ(legacy.deliveries()[0].headers, "");
  EXPECT_EQ(legacy.deliveries()[0].payload, "body");
}

TEST(ClusterTest, FullMeshDeliversEachMessageOnceOverOneHop) {
  // C names both A and B: the mesh is complete without gossip, and a message from A could
  // reach C directly and (wrongly) again through B, which has interest of its own.
  Node a(Node::Config("A"));
  Node b(Node::Config("B").route(a.route_url()));
  Node c(Node::Config("C").route(a.route_url()).route(b.route_url()));
  for (const Node* n : {&a, &b, &c}) ASSERT_TRUE(wait_for_routes(*n, 2));

  Client pub(a.port());
  Client sub_b(b.port());
  Client sub_c(c.port());
  sub_b.sub("mesh", "1");
  sub_c.sub("mesh", "1");
  ASSERT_TRUE(sub_b.flush());
  ASSERT_TRUE(sub_c.flush());
  ASSERT_TRUE(await_interest(pub, "mesh", {&sub_c}));
  ASSERT_TRUE(await_interest(pub, "mesh", {&sub_b}));

  publish_indexed(pub, "mesh", 100);
  EXPECT_EQ(collect({&sub_c}, 100), 100u);
  EXPECT_EQ(collect({&sub_b}, 100), 100u);
  settle({&pub, &sub_b, &sub_c});
  EXPECT_TRUE(each_delivered_once({&sub_c}, 100));
  EXPECT_TRUE(each_delivered_once({&sub_b}, 100));
}

TEST(ClusterTest, QueueGroupSplitAcrossServersGetsEachMessageOnce) {
  Node a(Node::Config("A"));
  Node b(Node::Config("B").route(a.route_url()));
  ASSERT_TRUE(wait_for_routes(a, 1));
  ASSERT_TRUE(wait_for_routes(b, 1));

  Client pub(a.port());
  Client qa1(a.port()), qa2(a.port()), qb1(b.port()), qb2(b.port());
  const std::vector<Client*> on_a = {&qa1, &qa2};
  const std::vector<Client*> on_b = {&qb1, &qb2};
  const std::vector<Client*> members = {&qa1, &qa2, &qb1, &qb2};
  for (auto* m : members) {
    m->sub("work", "1", "q");
    ASSERT_TRUE(m->flush());
  }
  ASSERT_TRUE(await_interest(pub, "work", on_b));

  publish_indexed(pub, "work", 200);
  EXPECT_EQ(collect(members, 200), 200u);
  settle({&pub, &qa1, &qa2, &qb1, &qb2});
  EXPECT_TRUE(each_delivered_once(members, 200));
  // The publishing server draws over local members and the route's weight alike (no local
  // preference at the origin): both servers' members get a share.
  EXPECT_GT(total_deliveries(on_a), 0u);
  EXPECT_GT(total_deliveries(on_b), 0u);
}

TEST(ClusterTest, QueueGroupOnlyOnTheRemoteServerGetsEveryMessage) {
  Node a(Node::Config("A"));
  Node b(Node::Config("B").route(a.route_url()));
  ASSERT_TRUE(wait_for_routes(a, 1));
  ASSERT_TRUE(wait_for_routes(b, 1));

  Client pub(a.port());
  Client qb1(b.port()), qb2(b.port());
  const std::vector<Client*> members = {&qb1, &qb2};
  for (auto* m : members) {
    m->sub("work", "1", "q");
    ASSERT_TRUE(m->flush());
  }
  ASSERT_TRUE(await_interest(pub, "work", members));

  publish_indexed(pub, "work", 200);
  EXPECT_EQ(collect(members, 200), 200u);
  settle({&pub, &qb1, &qb2});
  EXPECT_TRUE(each_delivered_once(members, 200));
  // B picks among its local members for each routed message.
  EXPECT_GT(qb1.deliveries().size(), 0u);
  EXPECT_GT(qb2.deliveries().size(), 0u);
}

TEST(ClusterTest, UnsubscribeAndDisconnectWithdrawTheInterest) {
  Node a(Node::Config("A"));
  Node b(Node::Config("B").route(a.route_url()));
  ASSERT_TRUE(wait_for_routes(a, 1));
  ASSERT_TRUE(wait_for_routes(b, 1));
  const std::string b_id = b.server_id();

  // The fence: a subscriber on B whose message, published after the others on A, arrives after
  // anything A forwarded before it (one route, in order).
  Client pub(a.port());
  Client fence(b.port());
  fence.sub("fence", "1");
  ASSERT_TRUE(fence.flush());
  ASSERT_TRUE(await_interest(pub, "fence", {&fence}));

  // A's view of B's interest: the route's subscription count in /routez and the total in /subsz
  // (which holds remote subscriptions too). Baselines include nats-server's $SYS interest.
  auto route_subs = [&] {
    json r = a.route_to(b_id);
    return r.is_object() ? r.value("subscriptions", -1) : -1;
  };
  auto all_subs = [&] {
    json s = a.get("/subsz");
    return s.is_object() ? s.value("num_subscriptions", -1) : -1;
  };
  const int route0 = route_subs();
  const int subs0 = all_subs();
  ASSERT_GE(route0, 1);
  ASSERT_GE(subs0, 1);
  auto interest_is = [&](int extra) {
    return eventually([&] { return route_subs() == route0 + extra && all_subs() == subs0 + extra; },
                      std::chrono::seconds(5), std::chrono::milliseconds(20));
  };

  {
    Client sub(b.port());
    sub.sub("gone", "7");
    ASSERT_TRUE(sub.flush());
    ASSERT_TRUE(await_interest(pub, "gone", {&sub}));
    EXPECT_TRUE(interest_is(1)) << "route subs " << route_subs() << " (was " << route0
                                << "), subsz " << all_subs() << " (was " << subs0 << ")";
    pub.pub("gone", "before");
    ASSERT_EQ(collect({&sub}, 1), 1u);

    sub.unsub("7");
    ASSERT_TRUE(sub.flush());
    EXPECT_TRUE(interest_is(0)) << "after UNSUB: route subs " << route_subs() << " (was " << route0
                                << "), subsz " << all_subs() << " (was " << subs0 << ")";
    // A keeps the messages now: its route's out_msgs grows by the fence (plus whatever $SYS
    // traffic nats-server sends meanwhile, a few at most), not by the 20.
    const json out_before = a.route_to(b_id);
    for (int i = 0; i < 20; ++i) pub.pub("gone", "after");
    pub.pub("fence", "done");
    ASSERT_TRUE(pub.flush());
    ASSERT_EQ(collect({&fence}, 1), 1u);
    const json out_after = a.route_to(b_id);
    ASSERT_TRUE(out_before.is_object() && out_after.is_object());
    EXPECT_LT(out_after.value("out_msgs", 0L) - out_before.value("out_msgs", 0L), 11)
        << "before " << out_before.dump() << "\nafter " << out_after.dump();
    settle({&sub, &fence});
    ASSERT_EQ(sub.deliveries().size(), 1u);
    EXPECT_EQ(sub.deliveries()[0].payload, "before");
  }

  auto closing = std::make_unique<Client>(b.port());
  closing->sub("closing", "1");
  closing->sub("closing.q", "2", "grp");
  ASSERT_TRUE(closing->flush());
  ASSERT_TRUE(await_interest(pub, "closing", {closing.get()}));
  ASSERT_TRUE(await_interest(pub, "closing.q", {closing.get()}));
  EXPECT_TRUE(interest_is(2)) << "route subs " << route_subs() << ", subsz " << all_subs();
  closing.reset();  // the connection closes without UNSUB
  EXPECT_TRUE(interest_is(0)) << "after close: route subs " << route_subs() << " (was " << route0
                              << "), subsz " << all_subs() << " (was " << subs0 << ")";
}

TEST(ClusterTest, RouteToSelfIsDetectedAndIgnored) {
  // The server's --routes names its own route port, so the port must be known before it starts.
  const int port = unused_tcp_port();
  const std::string self = "nats://127.0.0.1:" + std::to_string(port);
  Node s(Node::Config("S").route(self).route_port(port).flag("-D"));
  ASSERT_EQ(s.cluster_port(), port);

  // nats-server dials, both ends see its own server_id, both close as a duplicate route, and
  // the solicited URL is dropped (the last line is at debug level, hence -D).
  const std::string detected = "Detected route to self, ignoring \"" + self + "\"";
  ASSERT_TRUE(s.wait_for_log(detected, std::chrono::seconds(5))) << s.log();
  EXPECT_NE(s.log().find("Router connection closed: Duplicate Route"), std::string::npos)
      << s.log();

  // No more dialling: an explicit route is otherwise redialled about 1 s after it drops.
  const size_t created = count_of(s.log(), "Route connection created");
  EXPECT_FALSE(eventually([&] { return count_of(s.log(), "Route connection created") > created; },
                          std::chrono::milliseconds(1500), std::chrono::milliseconds(50)))
      << s.log();
  EXPECT_EQ(s.num_routes(), 0);

  // Clients are served as usual.
  Client c(s.port());
  c.sub("self", "1");
  c.pub("self", "m0");
  EXPECT_EQ(collect({&c}, 1), 1u);
  EXPECT_TRUE(each_delivered_once({&c}, 1));
}

TEST(ClusterTest, ClusterNameMismatchRejectsTheRoute) {
  Node x(Node::Config("X").cluster("X"));
  Node y(Node::Config("Y").cluster("Y").route(x.route_url()));

  // The accepting side checks the CONNECT's cluster name; the soliciting side sees the INFO's.
  const std::string rejected = "Rejecting connection, cluster name \"Y\" does not match \"X\"";
  ASSERT_TRUE(x.wait_for_log(rejected, std::chrono::seconds(5))) << x.log();
  EXPECT_NE(log_line_with(x.log(), rejected).find("[ERR] "), std::string::npos) << x.log();
  EXPECT_TRUE(
      x.wait_for_log("Router connection closed: Cluster Name Conflict", std::chrono::seconds(1)))
      << x.log();
  EXPECT_TRUE(
      y.wait_for_log("Router connection closed: Cluster Name Conflict", std::chrono::seconds(2)))
      << y.log();
  // The route is explicit, so Y tries again (about every second) and is refused again.
  EXPECT_TRUE(eventually([&] { return count_of(x.log(), rejected) >= 2; }, std::chrono::seconds(5),
                         std::chrono::milliseconds(20)))
      << x.log();
  EXPECT_EQ(x.num_routes(), 0);
  EXPECT_EQ(y.num_routes(), 0);

  Client on_x(x.port()), on_y(y.port());
  on_x.sub("across", "1");
  ASSERT_TRUE(on_x.flush());
  on_y.pub("across", "m0");
  settle({&on_y, &on_x});
  EXPECT_EQ(on_x.deliveries().size(), 0u);
}

TEST(ClusterTest, RouteComesBackAfterTheSeedRestarts) {
  Node a(Node::Config("A"));
  Node b(Node::Config("B").route(a.route_url()));
  ASSERT_TRUE(wait_for_routes(a, 1));
  ASSERT_TRUE(wait_for_routes(b, 1));
  const int seed_port = a.cluster_port();
  const std::string first_id = a.server_id();

  a.stop();
  ASSERT_TRUE(wait_for_routes(b, 0, std::chrono::seconds(5)));
  a.restart();  // same route port, new process (and new server_id)
  ASSERT_EQ(a.cluster_port(), seed_port);
  const std::string second_id = a.server_id();
  EXPECT_NE(second_id, first_id);

  // B retries its configured route about once a second.
  ASSERT_TRUE(wait_for_routes(b, 1, std::chrono::seconds(15)));
  ASSERT_TRUE(wait_for_routes(a, 1, std::chrono::seconds(5)));
  json route = b.route_to(second_id);
  ASSERT_TRUE(route.is_object()) << b.get("/routez").dump(2);
  EXPECT_EQ(route.value("did_solicit", false), true);
  EXPECT_EQ(route.value("is_configured", false), true);

  Client on_a(a.port()), on_b(b.port());
  on_b.sub("again", "1");
  on_a.sub("again.back", "1");
  ASSERT_TRUE(on_b.flush());
  ASSERT_TRUE(on_a.flush());
  ASSERT_TRUE(await_interest(on_a, "again", {&on_b}));
  ASSERT_TRUE(await_interest(on_b, "again.back", {&on_a}));
  publish_indexed(on_a, "again", 10);
  publish_indexed(on_b, "again.back", 10);
  EXPECT_EQ(collect({&on_b}, 10), 10u);
  EXPECT_EQ(collect({&on_a}, 10), 10u);
  settle({&on_a, &on_b});
  EXPECT_TRUE(each_delivered_once({&on_b}, 10));
  EXPECT_TRUE(each_delivered_once({&on_a}, 10));
}

TEST(ClusterTest, RoutezAndVarzDescribeTheRoute) {
  Node a(Node::Config("A"));
  Node b(Node::Config("B").route(a.route_url()));
  ASSERT_TRUE(wait_for_routes(a, 1));
  ASSERT_TRUE(wait_for_routes(b, 1));
  const std::string a_id = a.server_id();
  const std::string b_id = b.server_id();
  ASSERT_FALSE(a_id.empty());
  ASSERT_FALSE(b_id.empty());
  ASSERT_NE(a_id, b_id);

  json routez = a.get("/routez");
  ASSERT_TRUE(routez.is_object());
  EXPECT_EQ(routez.value("server_id", ""), a_id);
  EXPECT_TRUE(is_go_time(routez["now"])) << routez["now"];
  EXPECT_EQ(routez.value("num_routes", -1), 1);
  ASSERT_TRUE(routez["routes"].is_array());
  ASSERT_EQ(routez["routes"].size(), 1u);
  json r = routez["routes"][0];
  EXPECT_TRUE(r["rid"].is_number_unsigned() && r["rid"].get<int>() > 0) << r.dump(2);
  EXPECT_EQ(r.value("remote_id", ""), b_id);
  // A accepted the route: not solicited, not configured; the port is B's ephemeral end.
  EXPECT_EQ(r["did_solicit"], false);
  EXPECT_EQ(r["is_configured"], false);
  EXPECT_EQ(r.value("ip", ""), "127.0.0.1");
  EXPECT_TRUE(r["port"].is_number_unsigned() && r["port"].get<int>() > 0) << r.dump(2);
  EXPECT_TRUE(is_go_time(r["start"])) << r.dump(2);
  EXPECT_TRUE(is_go_time(r["last_activity"])) << r.dump(2);
  EXPECT_TRUE(is_uptime(r["uptime"])) << r.dump(2);
  EXPECT_TRUE(is_uptime(r["idle"])) << r.dump(2);
  for (const char* f :
       {"pending_size", "in_msgs", "out_msgs", "in_bytes", "out_bytes", "subscriptions"}) {
    EXPECT_TRUE(r[f].is_number_unsigned()) << f << ": " << r.dump(2);
  }

  // B solicited the configured route, to A's route port.
  json from_b = b.route_to(a_id);
  ASSERT_TRUE(from_b.is_object()) << b.get("/routez").dump(2);
  EXPECT_EQ(from_b["did_solicit"], true);
  EXPECT_EQ(from_b["is_configured"], true);
  EXPECT_EQ(from_b.value("port", -1), a.cluster_port());

  // Traffic A -> B shows in A's out_ and B's in_ counters (which also count nats-server's own
  // $SYS messages, so only the growth is checked) and in the subscription list.
  Client pub(a.port()), sub(b.port());
  sub.sub("counted", "1");
  ASSERT_TRUE(sub.flush());
  ASSERT_TRUE(await_interest(pub, "counted", {&sub}));
  json listed = a.route_to(b_id, "?subs=1");
  ASSERT_TRUE(listed.is_object());
  ASSERT_TRUE(listed["subscriptions_list"].is_array()) << listed.dump(2);
  bool found = false;
  for (const auto& s : listed["subscriptions_list"]) found = found || s == "counted";
  EXPECT_TRUE(found) << listed.dump(2);

  const json a_before = a.route_to(b_id);
  const json b_before = b.route_to(a_id);
  const std::string payload(100, 'x');
  for (int i = 0; i < 10; ++i) pub.pub("counted", payload);
  ASSERT_TRUE(pub.flush());
  ASSERT_EQ(collect({&sub}, 10), 10u);
  auto grew = [](const json& before, const json& now, const char* field, int by) {
    return before.is_object() && now.is_object() &&
           now.value(field, 0L) >= before.value(field, 0L) + by;
  };
  json a_after, b_after;
  EXPECT_TRUE(eventually(
      [&] {
        a_after = a.route_to(b_id);
        b_after = b.route_to(a_id);
        return grew(a_before, a_after, "out_msgs", 10) &&
               grew(a_before, a_after, "out_bytes", 1000) &&
               grew(b_before, b_after, "in_msgs", 10) && grew(b_before, b_after, "in_bytes", 1000);
      },
      std::chrono::seconds(5), std::chrono::milliseconds(20)))
      << "A before " << a_before.dump() << "\nA after " << a_after.dump() << "\nB before "
      << b_before.dump() << "\nB after " << b_after.dump();

  for (const Node* n : {&a, &b}) {
    json varz = n->get("/varz");
    ASSERT_TRUE(varz.is_object());
    EXPECT_EQ(varz.value("routes", -1), 1);
    EXPECT_EQ(varz["cluster"].value("name", ""), "C") << varz["cluster"];
    EXPECT_EQ(varz["cluster"].value("cluster_port", -1), n->cluster_port()) << varz["cluster"];
    EXPECT_EQ(varz["cluster"].value("addr", ""), "127.0.0.1") << varz["cluster"];
  }
  // The configured routes, as host:port.
  json b_cluster = b.get("/varz")["cluster"];
  EXPECT_EQ(b_cluster["urls"], json::array({"127.0.0.1:" + std::to_string(a.cluster_port())}))
      << b_cluster;
}

// UNSUB <sid> <max> is a local matter: the route carries the plain interest, the subscriber's
// server stops at max, and the interest then leaves the publisher's server too.
TEST(ClusterTest, AutoUnsubscribeLimitHoldsAcrossTheRoute) {
  Node a(Node::Config("A"));
  Node b(Node::Config("B").route(a.route_url()));
  ASSERT_TRUE(wait_for_routes(a, 1));
  Client pub(a.port());
  Client sub(b.port());
  // The limit counts every delivery, so the probe goes to another subject; interest crosses a
  // route in order, so once "probe.b" is known at A, "limited" is too.
  sub.send("SUB limited 1\r\nUNSUB 1 5\r\nSUB probe.b 9\r\n");
  ASSERT_TRUE(sub.flush());
  ASSERT_TRUE(await_interest(pub, "probe.b", {&sub}));
  for (int i = 0; i < 10; ++i) pub.pub("limited", "m" + std::to_string(i));
  ASSERT_TRUE(pub.flush());
  collect({&sub}, 5);
  settle({&sub});
  EXPECT_TRUE(each_delivered_once({&sub}, 5));
  const std::string b_id = b.server_id();
  EXPECT_TRUE(eventually(
      [&] {
        json r = a.route_to(b_id, "?subs=1");
        if (!r.is_object()) return false;
        for (const auto& s : r.value("subscriptions_list", json::array())) {
          if (s == "limited") return false;
        }
        return true;
      },
      std::chrono::seconds(5)))
      << a.route_to(b_id, "?subs=1").dump();
}

// The largest payload (1 MB) crosses intact with and without headers, and a burst of 20,000
// small messages arrives complete and in publish order.
TEST(ClusterTest, LargeAndManyMessagesCrossIntactAndInOrder) {
  Node a(Node::Config("A"));
  Node b(Node::Config("B").route(a.route_url()));
  ASSERT_TRUE(wait_for_routes(a, 1));
  Client pub(a.port(), /*headers=*/true);
  Client sub(b.port(), /*headers=*/true);
  sub.sub("big", "1");
  sub.sub("many", "2");
  ASSERT_TRUE(sub.flush());
  ASSERT_TRUE(await_interest(pub, "big", {&sub}));
  ASSERT_TRUE(await_interest(pub, "many", {&sub}));

  std::string large(1024 * 1024, '\0');
  for (size_t i = 0; i < large.size(); ++i)
    large[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  pub.pub("big", large, "r.big");
  const std::string headers = "NATS/1.0\r\nBig: yes\r\n\r\n";
  const std::string body = large.substr(0, large.size() - headers.size());
  pub.hpub("big", headers, body);
  ASSERT_TRUE(pub.flush());
  ASSERT_EQ(collect({&sub}, 2, std::chrono::seconds(10)), 2u);
  const Delivery& plain = sub.deliveries()[0];
  EXPECT_EQ(plain.op, "MSG");
  EXPECT_EQ(plain.reply, "r.big");
  EXPECT_TRUE(plain.payload == large);
  const Delivery& with_headers = sub.deliveries()[1];
  EXPECT_EQ(with_headers.op, "HMSG");
  EXPECT_EQ(with_headers.headers, headers);
  EXPECT_TRUE(with_headers.payload == body);

  constexpr int kMany = 20000;
  std::string burst;
  for (int i = 0; i < kMany; ++i) {
    const std::string payload = "m" + std::to_string(i);
    burst += "PUB many " + std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
  }
  ASSERT_TRUE(pub.send(burst));
  ASSERT_TRUE(pub.flush());
  ASSERT_EQ(collect({&sub}, 2 + kMany, std::chrono::seconds(20)), 2u + kMany);
  for (int i = 0; i < kMany; ++i) {
    ASSERT_EQ(sub.deliveries()[2 + i].payload, "m" + std::to_string(i)) << "at " << i;
  }
  settle({&sub});
  EXPECT_EQ(sub.deliveries().size(), 2u + kMany);
}

// SIGHUP with a changed routes list: a removed route is closed and not dialled again, an added
// one is dialled, as nats-server's reload does.
TEST(ClusterTest, ReloadAddsAndRemovesRoutes) {
  Node a(Node::Config("A"));
  TempDir dir;
  const std::string conf = dir.path() + "/routes.conf";
  const int port = unused_tcp_port();
  auto write_routes = [&](const std::string& routes) {
    // Name and listen address in the file too: nats-server's reload compares the file alone
    // with what the flags set at start.
    std::ofstream(conf) << "cluster { name: C, listen: \"127.0.0.1:" << port << "\", routes: ["
                        << routes << "] }\n";
  };
  write_routes("\"" + a.route_url() + "\"");
  // No -n either: nats-server 2.9 refuses a reload when a flag set the server name.
  Node b(Node::Config("").cluster("").route_port(port).flag("-c").flag(conf));
  ASSERT_TRUE(wait_for_routes(a, 1));

  write_routes("");
  b.process().signal(SIGHUP);
  ASSERT_TRUE(b.wait_for_log("Removed route " + a.route_url(), std::chrono::seconds(5))) << b.log();
  EXPECT_TRUE(b.wait_for_log("Router connection closed: Route Removed", std::chrono::seconds(5)))
      << b.log();
  ASSERT_TRUE(wait_for_routes(a, 0));
  // Not dialled again: still no route after more than a reconnect delay.
  EXPECT_FALSE(eventually([&] { return a.num_routes() != 0; }, std::chrono::milliseconds(1500)));

  write_routes("\"" + a.route_url() + "\"");
  b.process().signal(SIGHUP);
  EXPECT_TRUE(wait_for_routes(a, 1));
  EXPECT_TRUE(wait_for_routes(b, 1));
}

TEST(ClusterTest, GossipCompletesTheMesh) {
  // B and C name only the seed A; A tells B about C, and the two connect on their own.
  Node a(Node::Config("A"));
  Node b(Node::Config("B").route(a.route_url()));
  ASSERT_TRUE(wait_for_routes(b, 1));
  Node c(Node::Config("C").route(a.route_url()));
  for (const Node* n : {&a, &b, &c}) ASSERT_TRUE(wait_for_routes(*n, 2));

  const std::string b_id = b.server_id();
  const std::string c_id = c.server_id();
  json b_to_c = b.route_to(c_id);
  json c_to_b = c.route_to(b_id);
  ASSERT_TRUE(b_to_c.is_object()) << b.get("/routez").dump(2);
  ASSERT_TRUE(c_to_b.is_object()) << c.get("/routez").dump(2);
  // Learned, not configured, on both ends.
  EXPECT_EQ(b_to_c["is_configured"], false);
  EXPECT_EQ(c_to_b["is_configured"], false);

  Client pub(b.port()), sub(c.port());
  sub.sub("gossip", "1");
  ASSERT_TRUE(sub.flush());
  ASSERT_TRUE(await_interest(pub, "gossip", {&sub}));
  publish_indexed(pub, "gossip", 50);
  EXPECT_EQ(collect({&sub}, 50), 50u);
  settle({&pub, &sub});
  EXPECT_TRUE(each_delivered_once({&sub}, 50));
}

// Five servers from one seed: gossip builds the full mesh (four routes each), a queue group
// spread over all five gets each message once, and a plain subscriber on the last gets each once.
TEST(ClusterTest, FiveNodesFromOneSeedFormAFullMesh) {
  Node seed(Node::Config("N0"));
  std::vector<std::unique_ptr<Node>> others;
  for (int i = 1; i < 5; ++i) {
    others.push_back(
        std::make_unique<Node>(Node::Config("N" + std::to_string(i)).route(seed.route_url())));
  }
  ASSERT_TRUE(wait_for_routes(seed, 4));
  for (const auto& n : others) ASSERT_TRUE(wait_for_routes(*n, 4));

  std::vector<std::unique_ptr<Client>> members;
  std::vector<Client*> watchers;
  for (const Node* n : {&seed, others[0].get(), others[1].get(), others[2].get()}) {
    members.push_back(std::make_unique<Client>(n->port()));
    members.back()->sub("five.work", "1", "q");
    ASSERT_TRUE(members.back()->flush());
    watchers.push_back(members.back().get());
  }
  Client plain(others[3]->port());
  plain.sub("five.plain", "1");
  ASSERT_TRUE(plain.flush());
  Client pub(others[3]->port());
  // Every member's server must be known at the publisher's before counting.
  for (Client* member : watchers) ASSERT_TRUE(await_interest(pub, "five.work", {member}));
  Client far_pub(seed.port());
  ASSERT_TRUE(await_interest(far_pub, "five.plain", {&plain}));
  const size_t probes_seen = total_deliveries(watchers);
  ASSERT_EQ(probes_seen, 0u);  // probes are counted apart

  publish_indexed(pub, "five.work", 200);
  publish_indexed(far_pub, "five.plain", 100);
  EXPECT_EQ(collect(watchers, 200), 200u);
  EXPECT_EQ(collect({&plain}, 100), 100u);
  std::vector<Client*> everyone = watchers;
  everyone.push_back(&plain);
  settle(everyone);
  EXPECT_TRUE(each_delivered_once(watchers, 200));
  EXPECT_TRUE(each_delivered_once({&plain}, 100));
}

// Two servers of different implementations in one cluster: messages with replies and headers
// both ways, then a queue group with members on both, fed from both, exactly once.
void exercise_mixed_pair(const Node& x, const Node& y) {
  ASSERT_TRUE(wait_for_routes(x, 1));
  ASSERT_TRUE(wait_for_routes(y, 1));

  Client on_x(x.port(), /*headers=*/true), on_y(y.port(), /*headers=*/true);
  on_y.sub("to.y", "1");
  on_x.sub("to.x", "1");
  ASSERT_TRUE(on_y.flush());
  ASSERT_TRUE(on_x.flush());
  ASSERT_TRUE(await_interest(on_x, "to.y", {&on_y}));
  ASSERT_TRUE(await_interest(on_y, "to.x", {&on_x}));
  on_x.pub("to.y", "from x", "reply.x");
  on_x.hpub("to.y", kHeaders, "hx", "reply.hx");
  on_y.pub("to.x", "from y", "reply.y");
  on_y.hpub("to.x", kHeaders, "hy");
  ASSERT_EQ(collect({&on_y}, 2), 2u);
  ASSERT_EQ(collect({&on_x}, 2), 2u);
  const auto& at_y = on_y.deliveries();
  EXPECT_EQ(at_y[0].op, "MSG");
  EXPECT_EQ(at_y[0].reply, "reply.x");
  EXPECT_EQ(at_y[0].payload, "from x");
  EXPECT_EQ(at_y[1].op, "HMSG");
  EXPECT_EQ(at_y[1].reply, "reply.hx");
  EXPECT_EQ(at_y[1].headers, kHeaders);
  EXPECT_EQ(at_y[1].payload, "hx");
  const auto& at_x = on_x.deliveries();
  EXPECT_EQ(at_x[0].op, "MSG");
  EXPECT_EQ(at_x[0].reply, "reply.y");
  EXPECT_EQ(at_x[0].payload, "from y");
  EXPECT_EQ(at_x[1].op, "HMSG");
  EXPECT_EQ(at_x[1].reply, "");
  EXPECT_EQ(at_x[1].headers, kHeaders);
  EXPECT_EQ(at_x[1].payload, "hy");

  Client qx1(x.port()), qx2(x.port()), qy1(y.port()), qy2(y.port());
  const std::vector<Client*> members = {&qx1, &qx2, &qy1, &qy2};
  for (auto* m : members) {
    m->sub("jobs", "1", "workers");
    ASSERT_TRUE(m->flush());
  }
  ASSERT_TRUE(await_interest(on_x, "jobs", {&qy1, &qy2}));
  ASSERT_TRUE(await_interest(on_y, "jobs", {&qx1, &qx2}));
  publish_indexed(on_x, "jobs", 100, 0);
  publish_indexed(on_y, "jobs", 100, 100);
  EXPECT_EQ(collect(members, 200), 200u);
  settle({&on_x, &on_y, &qx1, &qx2, &qy1, &qy2});
  EXPECT_TRUE(each_delivered_once(members, 200));
  EXPECT_GT(total_deliveries({&qx1, &qx2}), 0u);
  EXPECT_GT(total_deliveries({&qy1, &qy2}), 0u);
}

TEST(MixedCluster, GnatsdSeedsNatsServerJoins) {
  Node gnatsd(Node::Config("gnatsd"));
  Node nats(Node::Config("nats-server").route(gnatsd.route_url()).binary_path(reference_binary()));
  exercise_mixed_pair(gnatsd, nats);
}

// nats-server 2.10 opens a pool of routes per peer and a dedicated one for its system account;
// with a peer that speaks neither (a 2.9 server, or gnatsd) it keeps one route, which must carry
// everything.
TEST(MixedCluster, GnatsdSeedsNatsServer210Joins) {
  Node gnatsd(Node::Config("gnatsd"));
  Node nats(Node::Config("nats-server-2.10")
                .route(gnatsd.route_url())
                .binary_path(reference_binary_210()));
  exercise_mixed_pair(gnatsd, nats);
}

TEST(MixedCluster, NatsServer210SeedsGnatsdJoins) {
  Node nats(Node::Config("nats-server-2.10").binary_path(reference_binary_210()));
  Node gnatsd(Node::Config("gnatsd").route(nats.route_url()));
  exercise_mixed_pair(gnatsd, nats);
}

TEST(MixedCluster, NatsServerSeedsGnatsdJoins) {
  Node nats(Node::Config("nats-server").binary_path(reference_binary()));
  Node gnatsd(Node::Config("gnatsd").route(nats.route_url()));
  exercise_mixed_pair(gnatsd, nats);
}

// Withdrawn interest crosses in both directions: after UNSUB on one server, the other's /routez
// entry for it counts one subscription fewer, and (for a queue member) the same on disconnect.
TEST(MixedCluster, InterestIsWithdrawnBothWays) {
  Node gnatsd(Node::Config("gnatsd"));
  Node nats(Node::Config("nats-server").route(gnatsd.route_url()).binary_path(reference_binary()));
  ASSERT_TRUE(wait_for_routes(gnatsd, 1));
  ASSERT_TRUE(wait_for_routes(nats, 1));

  using Direction = std::pair<const Node*, const Node*>;  // publisher's server, subscriber's
  for (auto [from, to] : std::vector<Direction>{{&gnatsd, &nats}, {&nats, &gnatsd}}) {
    SCOPED_TRACE(to == &nats ? "subscriber on nats-server" : "subscriber on gnatsd");
    const std::string to_id = to->server_id();
    auto route_subs = [&] {
      json r = from->route_to(to_id);
      return r.is_object() ? r.value("subscriptions", -1) : -1;
    };
    auto subs_are = [&](int n) {
      return eventually([&] { return route_subs() == n; }, std::chrono::seconds(5),
                        std::chrono::milliseconds(20));
    };
    Client pub(from->port());
    auto sub = std::make_unique<Client>(to->port());
    const int before = route_subs();
    ASSERT_GE(before, 0);
    sub->sub("withdrawn", "1");
    sub->sub("withdrawn.q", "2", "grp");
    ASSERT_TRUE(sub->flush());
    ASSERT_TRUE(await_interest(pub, "withdrawn", {sub.get()}));
    ASSERT_TRUE(await_interest(pub, "withdrawn.q", {sub.get()}));
    EXPECT_TRUE(subs_are(before + 2)) << route_subs() << " (was " << before << ")";
    sub->unsub("1");
    ASSERT_TRUE(sub->flush());
    EXPECT_TRUE(subs_are(before + 1)) << route_subs() << " (was " << before << ")";
    sub.reset();  // the queue member goes with its connection
    EXPECT_TRUE(subs_are(before)) << route_subs() << " (was " << before << ")";
  }
}

// Three servers where both joiners name only the seed. When the second joiner's route comes up,
// the seed forwards its INFO (with "ip" filled in) to the first, which dials it: the joiners end
// up routed to each other, and messages between them cross exactly once.
void exercise_mixed_gossip(std::optional<std::string> seed_binary,
                           std::optional<std::string> first_binary,
                           std::optional<std::string> second_binary) {
  Node::Config seed_config("seed");
  seed_config.binary = std::move(seed_binary);
  Node seed(seed_config);
  Node::Config first_config("first");
  first_config.route(seed.route_url()).binary = std::move(first_binary);
  Node first(first_config);
  ASSERT_TRUE(wait_for_routes(first, 1));
  Node::Config second_config("second");
  second_config.route(seed.route_url()).binary = std::move(second_binary);
  Node second(second_config);
  for (const Node* n : {&seed, &first, &second}) ASSERT_TRUE(wait_for_routes(*n, 2));
  EXPECT_TRUE(first.route_to(second.server_id()).is_object()) << first.get("/routez").dump(2);
  EXPECT_TRUE(second.route_to(first.server_id()).is_object()) << second.get("/routez").dump(2);

  Client on_first(first.port()), on_second(second.port()), on_seed(seed.port());
  on_second.sub("spread", "1");
  on_first.sub("spread", "1");
  ASSERT_TRUE(on_second.flush());
  ASSERT_TRUE(on_first.flush());
  ASSERT_TRUE(await_interest(on_first, "spread", {&on_second}));
  ASSERT_TRUE(await_interest(on_seed, "spread", {&on_second}));
  ASSERT_TRUE(await_interest(on_seed, "spread", {&on_first}));
  ASSERT_TRUE(await_interest(on_second, "spread", {&on_first}));
  publish_indexed(on_first, "spread", 25, 0);
  publish_indexed(on_second, "spread", 25, 25);
  publish_indexed(on_seed, "spread", 25, 50);
  // Each subscriber gets all 75 once: its own server's, and the other two servers' directly.
  EXPECT_EQ(collect({&on_first}, 75), 75u);
  EXPECT_EQ(collect({&on_second}, 75), 75u);
  settle({&on_seed, &on_first, &on_second});
  EXPECT_TRUE(each_delivered_once({&on_first}, 75));
  EXPECT_TRUE(each_delivered_once({&on_second}, 75));
}

// gnatsd forwards the newcomer's INFO; nats-server parses it and dials the other nats-server.
TEST(MixedCluster, GossipThroughAGnatsdSeed) {
  exercise_mixed_gossip(std::nullopt, reference_binary(), reference_binary());
}

// nats-server forwards the newcomer's INFO; gnatsd parses it and dials that nats-server.
TEST(MixedCluster, GossipThroughANatsServerSeedToGnatsd) {
  exercise_mixed_gossip(reference_binary(), std::nullopt, reference_binary());
}

}  // namespace
}  // namespace gnatsd::test
