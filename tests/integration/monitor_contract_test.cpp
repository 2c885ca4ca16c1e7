// The monitoring contract prometheus-nats-exporter relies on: it turns every JSON number of
// /varz, /routez and /subsz into a metric named by its key and reads /connz with unchecked
// type assertions. Endpoint by endpoint, the key set and the JSON type of every value of
// gnatsd's answers are compared with nats-server 2.9.10's under the same load; only the
// documented additions (README, monitoring) may differ.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "monitor_support.hpp"

namespace gnatsd::test {
namespace {

using nlohmann::json;

// The same load on either server: a named client with a plain and a queue subscription that
// has published, received and answered a PING; a second client that came and went.
std::unique_ptr<RawClient> apply_load(const ServerProcess& server) {
  auto c = std::make_unique<RawClient>(server.port());
  c->read_frame();
  EXPECT_TRUE(c->send(
      "CONNECT {\"verbose\":false,\"name\":\"loader\",\"lang\":\"c\",\"version\":\"1.0\"}\r\n"
      "SUB foo 1\r\nSUB bar q 2\r\nPUB foo 2\r\nhi\r\nPING\r\n"));
  c->read_until("PONG\r\n");
  {
    auto gone = open_connected(server);
    EXPECT_TRUE(gone->send("SUB foo 9\r\n"));
  }
  return c;
}

// "path: gnatsd has it / nats-server has it / types differ" for every difference in shape.
void compare(const json& ours, const json& theirs, const std::string& path,
             const std::set<std::string>& allowed, std::vector<std::string>& out) {
  auto kind = [](const json& v) -> std::string {
    if (v.is_number()) return "number";  // Go's int and float64 are one metric type
    return v.type_name();
  };
  if (kind(ours) != kind(theirs)) {
    if (!allowed.count(path)) {
      out.push_back(path + ": " + kind(ours) + " vs nats-server's " + kind(theirs));
    }
    return;
  }
  if (ours.is_object()) {
    for (const auto& [key, value] : ours.items()) {
      const std::string sub = path + "." + key;
      if (!theirs.contains(key)) {
        if (!allowed.count(sub)) out.push_back(sub + ": only gnatsd has it");
      } else {
        compare(value, theirs[key], sub, allowed, out);
      }
    }
    for (const auto& [key, value] : theirs.items()) {
      const std::string sub = path + "." + key;
      if (!ours.contains(key) && !allowed.count(sub)) out.push_back(sub + ": only nats-server");
    }
  } else if (ours.is_array() && !ours.empty() && !theirs.empty()) {
    compare(ours.front(), theirs.front(), path + "[]", allowed, out);
  }
}

TEST(MonitorContractTest, EveryEndpointHasNatsServersKeysAndTypes) {
  MonitoredServer gnatsd;
  MonitoredServer reference(ServerProcess::Binary{reference_binary()}, {});
  auto ours_load = apply_load(gnatsd.process);
  auto theirs_load = apply_load(reference.process);

  // Documented differences: gnatsd keeps the 0.x names beside 2.x's, always writes the auth
  // and TLS flags (nats-server omits them when false), and has no system account.
  const std::set<std::string> allowed = {
      "/varz.ssl_required", "/varz.ssl_timeout",    "/varz.max_pending_size", "/varz.auth_required",
      "/varz.tls_required", "/varz.system_account", "/subsz.stats_time"};
  std::vector<std::string> differences;
  for (const std::string path :
       {"/varz", "/connz?subs=1&auth=1", "/connz?state=closed", "/routez", "/subsz", "/healthz"}) {
    const std::string name = path.substr(0, path.find('?'));
    // Closed connections arrive a moment after the client goes: wait for both to list one.
    json ours = gnatsd.get(path), theirs = reference.get(path);
    if (path == "/connz?state=closed") {
      ASSERT_TRUE(eventually([&] {
        ours = gnatsd.get(path);
        theirs = reference.get(path);
        return !ours["connections"].empty() && !theirs["connections"].empty();
      }));
    }
    compare(ours, theirs, name, allowed, differences);
  }
  EXPECT_TRUE(differences.empty()) << ::testing::PrintToString(differences);
}

}  // namespace
}  // namespace gnatsd::test
