// Clustering beyond plain routes: route authorization, route TLS (mutual, before any NATS
// byte), route permissions, and what clients learn of the cluster (INFO connect_urls and the
// async INFO updates protocol-1 clients get when servers join, leave or enter lame duck mode).
// Calibrated against nats-server 2.9.10 like cluster_test.cpp: every test passes with
// GNATSD_TEST_BINARY=<build>/reference/nats-server-2.9.10, and the Mixed* tests pair gnatsd
// with nats-server.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster_harness.hpp"
#include "eventually.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"
#include "tls_support.hpp"

namespace gnatsd::test {
namespace {

using cluster::await_interest;
using cluster::Client;
using cluster::Node;
using cluster::wait_for_routes;
using json = nlohmann::json;

// The binaries a test pairs: the one under test with itself, and with nats-server 2.9.10.
std::vector<std::optional<std::string>> peers() {
  return {std::nullopt, reference_binary()};
}

Node::Config with_binary(Node::Config config, const std::optional<std::string>& binary) {
  if (binary) config.binary_path(*binary);
  return config;
}

// One message from `from`'s client reaches a subscriber on `to`.
void expect_messages_cross(const Node& from, const Node& to) {
  Client sub(to.port());
  sub.sub("crossing", "1");
  ASSERT_TRUE(sub.flush());
  Client pub(from.port());
  ASSERT_TRUE(await_interest(pub, "crossing", {&sub}));
}

TEST(ClusterSecurity, RouteAuthorizationAdmitsTheRightCredentialsOnly) {
  for (const auto& seed_binary : peers()) {
    SCOPED_TRACE(seed_binary ? "seed is nats-server" : "seed is the binary under test");
    Node a(with_binary(Node::Config("A").route_auth("ruser:s3cret").flag("-D"), seed_binary));
    Node good(Node::Config("B").route("nats://ruser:s3cret@127.0.0.1:" +
                                      std::to_string(a.cluster_port())));
    ASSERT_TRUE(wait_for_routes(a, 1));
    ASSERT_TRUE(wait_for_routes(good, 1));
    expect_messages_cross(good, a);

    Node bad(Node::Config("C").route("nats://ruser:wrong@127.0.0.1:" +
                                     std::to_string(a.cluster_port())));
    EXPECT_TRUE(a.wait_for_log("authentication error", std::chrono::seconds(5))) << a.log();
    EXPECT_TRUE(
        a.wait_for_log("Router connection closed: Authentication Failure", std::chrono::seconds(5)))
        << a.log();
    // (The dialler may register A for a moment: A's INFO comes before A checks the CONNECT.)
    EXPECT_TRUE(a.route_to(bad.server_id()).is_null());
    EXPECT_EQ(a.num_routes(), 1);
  }
}

TEST(ClusterSecurity, RouteWithoutCredentialsTimesOutOrIsRefused) {
  Node a(Node::Config("A").route_auth("ruser:s3cret"));
  RawClient raw(a.cluster_port());
  // The accepting side speaks first (its INFO says auth is required), then waits for CONNECT.
  const std::string info = raw.read_line();
  EXPECT_EQ(info.rfind("INFO {", 0), 0u) << info;
  EXPECT_NE(info.find("\"auth_required\":true"), std::string::npos) << info;
  ASSERT_TRUE(raw.send("INFO {\"server_id\":\"NFAKE\",\"cluster\":\"C\"}\r\n"));
  EXPECT_NE(raw.read_until("-ERR 'Authorization Violation'").find("Authorization Violation"),
            std::string::npos);
  EXPECT_TRUE(raw.expect_closed());
}

// A PKI whose route certificate serves both ends of a route (server and client auth).
std::string write_route_tls_conf(const TestPki& pki, const TempDir& dir, std::string_view cert,
                                 std::string_view key) {
  const std::string path = dir.path() + "/route-tls-" + std::string(cert) + ".conf";
  std::ofstream(path) << "cluster { tls { cert_file: \"" << pki.path(cert) << "\", key_file: \""
                      << pki.path(key) << "\", ca_file: \"" << pki.path("ca.pem")
                      << "\", timeout: 2 } }\n";
  return path;
}

TEST(ClusterSecurity, RouteTlsIsMutualAndComesFirst) {
  TestPki pki;
  TempDir dir;
  const std::string conf = write_route_tls_conf(pki, dir, "route-cert.pem", "route-key.pem");
  for (const auto& seed_binary : peers()) {
    SCOPED_TRACE(seed_binary ? "seed is nats-server" : "seed is the binary under test");
    Node a(with_binary(Node::Config("A").flag("-c").flag(conf), seed_binary));
    Node b(Node::Config("B").flag("-c").flag(conf).route(a.route_url()));
    ASSERT_TRUE(wait_for_routes(a, 1));
    ASSERT_TRUE(wait_for_routes(b, 1));
    expect_messages_cross(a, b);
    expect_messages_cross(b, a);

    // TLS before any NATS byte: a plaintext peer hears nothing, not even INFO.
    RawClient plain(a.cluster_port());
    EXPECT_EQ(plain.read_bytes(1, std::chrono::milliseconds(300)), "");

    // A certificate from another CA is refused by the accepting side.
    const std::string rogue = write_route_tls_conf(pki, dir, "rogue-cert.pem", "rogue-key.pem");
    Node c(Node::Config("C").flag("-c").flag(rogue).route(a.route_url()));
    // "TLS route handshake error: tls: failed to verify client certificate: …", or "…: tls:
    // client didn't provide a certificate" from a Go dialler, which offers no certificate the
    // accepting side's CA list does not name.
    EXPECT_TRUE(a.wait_for_log("TLS route handshake error: tls: ", std::chrono::seconds(5)))
        << a.log();
    EXPECT_EQ(c.num_routes(), 0);
    EXPECT_EQ(a.num_routes(), 1);
  }
}

// Route subjects `node` lists for `remote` (/routez?subs=1), a Go peer's $SYS ones left out.
std::vector<std::string> route_subjects(const Node& node, const std::string& remote) {
  std::vector<std::string> subjects;
  json r = node.route_to(remote, "?subs=1");
  if (r.is_object() && r["subscriptions_list"].is_array()) {
    for (const auto& s : r["subscriptions_list"]) {
      const std::string subject = s.get<std::string>();
      if (subject.rfind("$", 0) != 0) subjects.push_back(subject);
    }
  }
  std::sort(subjects.begin(), subjects.end());
  return subjects;
}

TEST(ClusterSecurity, RoutePermissionsFilterInterestBothWays) {
  TempDir dir;
  const std::string conf = dir.path() + "/perm.conf";
  std::ofstream(conf) << "cluster { permissions { import: { allow: [\"imp.>\"] }, "
                         "export: { allow: [\"exp.>\"] } } }\n";
  for (const auto& peer_binary : peers()) {
    SCOPED_TRACE(peer_binary ? "peer is nats-server" : "peer is the binary under test");
    Node a(Node::Config("A").flag("-c").flag(conf));
    Node b(with_binary(Node::Config("B").route(a.route_url()), peer_binary));
    ASSERT_TRUE(wait_for_routes(a, 1));
    ASSERT_TRUE(wait_for_routes(b, 1));
    Client on_a(a.port());
    Client on_b(b.port());
    for (Client* c : {&on_a, &on_b}) {
      c->sub("imp.x", "1");
      c->sub("exp.y", "2");
      c->sub("other", "3");
      ASSERT_TRUE(c->flush());
    }
    // A's clients' interest reaches B only where A imports; B's reaches A only where A exports.
    const std::string a_id = a.server_id(), b_id = b.server_id();
    EXPECT_TRUE(
        eventually([&] { return route_subjects(b, a_id) == std::vector<std::string>{"imp.x"}; },
                   std::chrono::seconds(5)))
        << json(route_subjects(b, a_id)).dump();
    EXPECT_TRUE(
        eventually([&] { return route_subjects(a, b_id) == std::vector<std::string>{"exp.y"}; },
                   std::chrono::seconds(5)))
        << json(route_subjects(a, b_id)).dump();
  }
}

// A reload that changes cluster { permissions } applies to the routes that are up: interest now
// imported is announced, interest no longer exported is dropped, and the peer (told by an INFO
// update) sends what it may now export — both ways, as nats-server's reloadClusterPermissions.
TEST(ClusterSecurity, ReloadedRoutePermissionsApplyToRunningRoutes) {
  for (const auto& peer_binary : peers()) {
    SCOPED_TRACE(peer_binary ? "peer is nats-server" : "peer is the binary under test");
    TempDir dir;
    const std::string conf = dir.path() + "/perm.conf";
    const int port = cluster::unused_tcp_port();
    auto write = [&](std::string_view import, std::string_view exports) {
      // Name and listen in the file: nats-server's reload compares the file with the flags.
      std::ofstream(conf) << "cluster { name: C, listen: \"127.0.0.1:" << port
                          << "\", permissions { import: { allow: [\"" << import
                          << "\"] }, export: { allow: [\"" << exports << "\"] } } }\n";
    };
    write("imp.>", "exp.>");
    Node a(Node::Config("").cluster("").route_port(port).flag("-c").flag(conf));
    Node b(with_binary(Node::Config("B").route(a.route_url()), peer_binary));
    ASSERT_TRUE(wait_for_routes(a, 1));
    ASSERT_TRUE(wait_for_routes(b, 1));
    Client on_a(a.port()), on_b(b.port());
    for (Client* c : {&on_a, &on_b}) {
      c->sub("imp.x", "1");
      c->sub("exp.y", "2");
      c->sub("other", "3");
      ASSERT_TRUE(c->flush());
    }
    const std::string a_id = a.server_id(), b_id = b.server_id();
    using List = std::vector<std::string>;
    auto lists_become = [&](const List& at_b, const List& at_a) {
      return eventually(
          [&] { return route_subjects(b, a_id) == at_b && route_subjects(a, b_id) == at_a; },
          std::chrono::seconds(5));
    };
    EXPECT_TRUE(lists_become({"imp.x"}, {"exp.y"}));
    write(">", ">");
    a.process().signal(SIGHUP);
    EXPECT_TRUE(lists_become({"exp.y", "imp.x", "other"}, {"exp.y", "imp.x", "other"}))
        << json(route_subjects(b, a_id)).dump() << " " << json(route_subjects(a, b_id)).dump();
    write("imp.>", "exp.>");
    a.process().signal(SIGHUP);
    EXPECT_TRUE(lists_become({"imp.x"}, {"exp.y"}))
        << json(route_subjects(b, a_id)).dump() << " " << json(route_subjects(a, b_id)).dump();
  }
}

// The async INFOs a protocol-1 client reads, until one satisfies `done`.
bool read_info_until(RawClient& client, const std::function<bool(const json&)>& done,
                     std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    const std::string line = client.read_line(std::chrono::milliseconds(200));
    if (line.rfind("PING", 0) == 0) client.send("PONG\r\n");
    if (line.rfind("INFO ", 0) != 0) continue;
    json info = json::parse(line.substr(5), nullptr, false);
    if (!info.is_discarded() && done(info)) return true;
  }
  return false;
}

bool lists_url(const json& info, int port) {
  if (!info.contains("connect_urls")) return false;
  for (const auto& url : info["connect_urls"]) {
    if (url.get<std::string>() == "127.0.0.1:" + std::to_string(port)) return true;
  }
  return false;
}

TEST(ClusterSecurity, ClientsLearnTheClusterThroughInfo) {
  for (const auto& peer_binary : peers()) {
    SCOPED_TRACE(peer_binary ? "peer is nats-server" : "peer is the binary under test");
    Node a(Node::Config("A"));
    RawClient client(a.port());
    const json first = json::parse(client.read_line().substr(5));
    EXPECT_FALSE(first.contains("connect_urls")) << first.dump();  // alone: no list
    EXPECT_EQ(first.value("cluster", ""), "C");
    ASSERT_TRUE(client.send("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n"));
    ASSERT_NE(client.read_until_pong().find("PONG"), std::string::npos);

    auto b =
        std::make_unique<Node>(with_binary(Node::Config("B").route(a.route_url()), peer_binary));
    const int b_port = b->port();
    EXPECT_TRUE(read_info_until(
        client,
        [&](const json& info) { return lists_url(info, a.port()) && lists_url(info, b_port); },
        std::chrono::seconds(5)));
    b.reset();  // B leaves: the list keeps only A
    EXPECT_TRUE(read_info_until(
        client,
        [&](const json& info) { return lists_url(info, a.port()) && !lists_url(info, b_port); },
        std::chrono::seconds(5)));
  }
}

// Client test suites start servers with `cluster { name: X }` and no port: accepted, no route
// listener, and the name in INFO as nats-server shows it.
TEST(ClusterSecurity, ClusterNameWithoutAPortStartsNoListener) {
  TempFile conf("cluster { name: X }\n");
  ServerProcess server({"-c", conf.path()});
  RawClient client(server.port());
  const json info = json::parse(client.read_line().substr(5));
  EXPECT_EQ(info.value("cluster", ""), "X");
  EXPECT_FALSE(info.contains("connect_urls"));
  EXPECT_EQ(server.log().find("Listening for route connections"), std::string::npos)
      << server.log();
}

TEST(ClusterSecurity, LameDuckServerIsDroppedFromThePeersInfo) {
  for (const auto& peer_binary : peers()) {
    SCOPED_TRACE(peer_binary ? "peer is nats-server" : "peer is the binary under test");
    Node a(Node::Config("A"));
    Node b(with_binary(Node::Config("B").route(a.route_url()), peer_binary));
    ASSERT_TRUE(wait_for_routes(a, 1));
    RawClient on_a(a.port());  // keeps A in lame duck mode instead of exiting at once
    on_a.read_line();
    ASSERT_TRUE(on_a.send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
    on_a.read_until_pong();
    RawClient on_b(b.port());
    on_b.read_line();
    ASSERT_TRUE(on_b.send("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n"));
    on_b.read_until_pong();
    ASSERT_TRUE(
        eventually([&] { return b.get("/varz").value("connect_urls", json::array()).size() == 2; },
                   std::chrono::seconds(5)));
    a.process().signal(SIGUSR2);
    EXPECT_TRUE(read_info_until(
        on_b,
        [&](const json& info) { return lists_url(info, b.port()) && !lists_url(info, a.port()); },
        std::chrono::seconds(5)));
  }
}

}  // namespace
}  // namespace gnatsd::test
