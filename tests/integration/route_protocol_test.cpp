// The route protocol on the wire, through a raw socket posing as a peer: the acceptor's INFO,
// the interest dump and updates (RS+ with queue weights), RMSG both ways (reply, queue list),
// PING/PONG, and the errors that close only the offending route. Expected bytes are nats-server
// 2.9.10's (route-protocol.md); every test passes with GNATSD_TEST_BINARY=<nats-server 2.9.10>.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "cluster_harness.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace gnatsd::test {
namespace {

using cluster::Client;
using cluster::Node;
using json = nlohmann::json;

constexpr std::string_view kFakeConnect =
    "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"tls_required\":false,"
    "\"headers\":true,\"name\":\"NFAKEPEER\",\"cluster\":\"C\",\"lnoc\":true}\r\n";
constexpr std::string_view kFakeInfo =
    "INFO {\"server_id\":\"NFAKEPEER\",\"server_name\":\"fake\",\"version\":\"2.9.10\","
    "\"proto\":1,\"host\":\"127.0.0.1\",\"port\":1,\"headers\":true,\"max_payload\":1048576,"
    "\"cluster\":\"C\",\"lnoc\":true}\r\n";

// Sends PING and reads until its PONG: everything sent before has been processed.
bool round_trip(RawClient& peer) {
  if (!peer.send("PING\r\n")) return false;
  return peer.read_until("PONG\r\n").find("PONG\r\n") != std::string::npos;
}

// Past the acceptor's INFO, the fake peer's CONNECT and INFO, and a round trip.
bool join_as_fake_peer(RawClient& peer) {
  peer.read_line();
  return peer.send(std::string(kFakeConnect) + std::string(kFakeInfo)) && round_trip(peer);
}

// Reads lines until each of `wanted` has been one of them (any order), within a few seconds.
::testing::AssertionResult read_lines_until(RawClient& peer, std::vector<std::string> wanted) {
  std::string lines;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!wanted.empty() && Clock::now() < deadline) {
    const std::string line = peer.read_line(std::chrono::milliseconds(200));
    lines += line;
    std::erase_if(wanted, [&](const std::string& w) { return line == w + "\r\n" || line == w; });
  }
  if (wanted.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "missing \"" << wanted.front() << "\" in:\n" << lines;
}

TEST(RouteProtocol, AcceptorGreetsFirstAndTheRouteCarriesInterestAndMessages) {
  Node a(Node::Config("A"));
  RawClient peer(a.cluster_port());
  // The acceptor speaks first: its INFO, before the peer has sent anything.
  const std::string line = peer.read_line();
  ASSERT_EQ(line.rfind("INFO {", 0), 0u) << line;
  const json info = json::parse(line.substr(5));
  EXPECT_EQ(info.value("server_name", ""), "A");
  EXPECT_EQ(info.value("cluster", ""), "C");
  EXPECT_EQ(info.value("headers", false), true);
  EXPECT_GE(info.value("proto", 0), 1);
  EXPECT_EQ(info.value("port", 0), a.cluster_port());
  EXPECT_FALSE(info.value("server_id", "").empty());

  // A client's interest from before the route: dumped once the peer's INFO is in.
  Client client(a.port());
  client.sub("tx.plain", "1");
  client.sub("tx.q", "2", "grp");
  client.sub("tx.q", "3", "grp");
  ASSERT_TRUE(client.flush());
  ASSERT_TRUE(peer.send(std::string(kFakeConnect) + std::string(kFakeInfo)));
  // In no particular order (and among a Go peer's $SYS interest).
  EXPECT_TRUE(read_lines_until(peer, {"RS+ $G tx.plain", "RS+ $G tx.q grp 2"}));
  std::string seen;

  // Interest changes: a second plain subscriber adds nothing, a queue member leaving lowers
  // the weight, the last plain subscriber leaving withdraws the subject.
  client.sub("tx.plain", "4");
  client.unsub("3");
  ASSERT_TRUE(client.flush());
  seen = peer.read_until("RS+ $G tx.q grp 1\r\n");
  EXPECT_NE(seen.find("RS+ $G tx.q grp 1\r\n"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("RS+ $G tx.plain"), std::string::npos) << seen;
  client.unsub("1");
  client.unsub("4");
  ASSERT_TRUE(client.flush());
  seen = peer.read_until("RS- $G tx.plain\r\n");
  EXPECT_NE(seen.find("RS- $G tx.plain\r\n"), std::string::npos) << seen;

  // The peer's interest: a client's message goes to it as RMSG, with the reply.
  ASSERT_TRUE(peer.send("RS+ $G tx.in\r\n"));
  ASSERT_TRUE(round_trip(peer));
  client.pub("tx.in", "hello", "reply.1");
  ASSERT_TRUE(client.flush());
  seen = peer.read_until("hello\r\n");
  EXPECT_NE(seen.find("RMSG $G tx.in reply.1 5\r\nhello\r\n"), std::string::npos) << seen;

  // Messages from the peer: to plain subscribers, and to the queue group it names.
  client.sub("tx.out", "5");
  ASSERT_TRUE(client.flush());
  ASSERT_TRUE(peer.send("RMSG $G tx.out r.x 3\r\nabc\r\nRMSG $G tx.q | grp 2\r\nhi\r\n"));
  ASSERT_EQ(cluster::collect({&client}, 2), 2u);
  EXPECT_EQ(client.deliveries()[0].subject, "tx.out");
  EXPECT_EQ(client.deliveries()[0].reply, "r.x");
  EXPECT_EQ(client.deliveries()[0].payload, "abc");
  EXPECT_EQ(client.deliveries()[1].sid, "2");
  EXPECT_EQ(client.deliveries()[1].payload, "hi");
}

TEST(RouteProtocol, BadRouteInputClosesThatRouteOnly) {
  Node a(Node::Config("A"));
  Client client(a.port());
  RawClient peer(a.cluster_port());
  ASSERT_TRUE(join_as_fake_peer(peer));
  // MSG is a client op: on a route it is an unknown protocol operation.
  ASSERT_TRUE(peer.send("MSG foo 1 5\r\nhello\r\n"));
  EXPECT_NE(peer.read_until("-ERR 'Unknown Protocol Operation'").find("Unknown Protocol"),
            std::string::npos);
  EXPECT_TRUE(peer.expect_closed());
  EXPECT_TRUE(client.flush());  // the server goes on
}

// nats-server logs a subject its sublist refuses ("Could not insert subscription") and keeps the
// route: one client's odd SUB on a peer must not cut the cluster apart.
TEST(RouteProtocol, InterestInAnInvalidSubjectIsIgnoredAndTheRouteStays) {
  Node a(Node::Config("A"));
  Client client(a.port());
  RawClient peer(a.cluster_port());
  ASSERT_TRUE(join_as_fake_peer(peer));
  ASSERT_TRUE(peer.send("RS+ $G foo..bar\r\nRS+ $G foo.>.bar\r\nRS+ $G fo\fo\r\nRS+ $G ok.x\r\n"));
  ASSERT_TRUE(round_trip(peer));
  // The valid interest took: a client's message reaches the peer.
  client.pub("ok.x", "hi");
  ASSERT_TRUE(client.flush());
  const std::string seen = peer.read_until("hi\r\n");
  EXPECT_NE(seen.find("RMSG $G ok.x 2\r\nhi\r\n"), std::string::npos) << seen;
  EXPECT_TRUE(round_trip(peer));
}

TEST(RouteProtocol, ClientOnTheRoutePortIsTurnedAway) {
  Node a(Node::Config("A"));
  RawClient stray(a.cluster_port());
  stray.read_line();
  ASSERT_TRUE(stray.send("CONNECT {\"verbose\":false,\"lang\":\"go\",\"version\":\"1.22.0\"}\r\n"));
  EXPECT_NE(stray.read_until("-ERR 'attempted to connect to route port'")
                .find("attempted to connect to route port"),
            std::string::npos);
  EXPECT_TRUE(stray.expect_closed());
}

TEST(RouteProtocol, ClusterNameMismatchInConnectIsRefused) {
  Node a(Node::Config("A"));
  RawClient peer(a.cluster_port());
  peer.read_line();
  ASSERT_TRUE(
      peer.send("CONNECT {\"verbose\":false,\"name\":\"NFAKE\",\"cluster\":\"OTHER\"}\r\n"));
  const std::string answer = peer.read_until("'\r\n");
  EXPECT_NE(answer.find("-ERR 'Rejecting connection, cluster name \"OTHER\" does not match \"C\"'"),
            std::string::npos)
      << answer;
  EXPECT_TRUE(peer.expect_closed());
}

}  // namespace
}  // namespace gnatsd::test
