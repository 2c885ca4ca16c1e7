// Shared pieces of the monitoring integration tests: a server with monitoring on an ephemeral
// port, connection ids from INFO, and bounded polling of an endpoint.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client_helpers.hpp"
#include "eventually.hpp"
#include "http_client.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace gnatsd::test {

using nlohmann::json;

// A server started with `-m -1` (plus `extra`) and the monitoring port it chose.
struct MonitoredServer {
  explicit MonitoredServer(std::vector<std::string> extra = {})
      : process(with_monitor(std::move(extra))), http(monitor_port(process)) {}
  MonitoredServer(ServerProcess::Binary binary, std::vector<std::string> extra)
      : process(std::move(binary), with_monitor(std::move(extra))), http(monitor_port(process)) {}
  static std::vector<std::string> with_monitor(std::vector<std::string> extra) {
    extra.insert(extra.begin(), {"-m", "-1"});
    return extra;
  }
  json get(const std::string& path) const { return get_json(http, path); }

  ServerProcess process;
  int http;
};

// The client_id of the INFO a fresh connection receives (its cid in /connz).
inline std::uint64_t read_info_cid(RawClient& c) {
  std::string info = c.read_frame();
  EXPECT_TRUE(info.starts_with("INFO {")) << info;
  if (!info.starts_with("INFO ")) return 0;
  return json::parse(info.substr(5)).value("client_id", std::uint64_t{0});
}

// A raw client past INFO and CONNECT `connect_json`, proven by a PING/PONG; its cid too.
inline std::unique_ptr<RawClient> connect_with_cid(
    const ServerProcess& server, std::uint64_t& cid,
    std::string_view connect_json = R"({"verbose":false})") {
  auto c = std::make_unique<RawClient>(server.port());
  cid = read_info_cid(*c);
  EXPECT_TRUE(c->send("CONNECT " + std::string(connect_json) + "\r\nPING\r\n"));
  EXPECT_EQ(c->read_until_pong(), "PONG\r\n");
  return c;
}

// Polls `path` until `done(body)` holds; returns the last body (null on timeout, with a
// test failure naming `what`).
inline json poll_json(const MonitoredServer& s, const std::string& path,
                      const std::function<bool(const json&)>& done, std::string_view what,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  json body;
  const bool got = eventually(
      [&] {
        body = s.get(path);
        return !body.is_null() && done(body);
      },
      timeout, std::chrono::milliseconds(10));
  if (got) return body;
  ADD_FAILURE() << "timed out waiting for " << what << " at " << path << "; last: " << body.dump(2);
  return nullptr;
}

// The connection with `cid` in a /connz answer, or null.
inline json find_conn(const json& connz, std::uint64_t cid) {
  for (const auto& c : connz.at("connections")) {
    if (c.at("cid") == cid) return c;
  }
  return nullptr;
}

// RFC 3339 with optional fraction, as Go marshals a time.Time.
inline bool is_go_time(const json& v) {
  static const std::regex re(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$)");
  return v.is_string() && std::regex_match(v.get<std::string>(), re);
}
// nats-server's uptime text: "0s", "1m33s", "2d3h4m5s".
inline bool is_uptime(const json& v) {
  static const std::regex re(R"(^(\d+y)?(\d+d)?(\d+h)?(\d+m)?\d+s$)");
  return v.is_string() && std::regex_match(v.get<std::string>(), re);
}
// A Go time.Duration text: "0s", "356µs", "1.39484ms".
inline bool is_go_duration(const json& v) {
  static const std::regex re(R"(^(0s|[0-9.]+(ns|µs|ms|s)|([0-9]+h)?([0-9]+m)?[0-9.]+s)$)");
  return v.is_string() && std::regex_match(v.get<std::string>(), re);
}

}  // namespace gnatsd::test
