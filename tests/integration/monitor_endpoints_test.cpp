// Monitoring endpoints over real HTTP against the real binary: /varz fields and exact counters,
// /routez, /subsz, /healthz, /, JSONP, 400 and 404 answers, start-up errors. Calibrated against
// nats-server 2.9.10 (GNATSD_TEST_BINARY=/usr/sbin/nats-server); gnatsd-only additions are
// checked only when the binary under test is gnatsd.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "monitor_support.hpp"

namespace gnatsd::test {
namespace {

// The local port of a client socket: how /connz names the connection.
int local_port(const RawClient& c) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  getsockname(c.fd(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

TEST(MonitorEndpointsTest, PortMinusOneLogsTheRealPortAndServesIt) {
  MonitoredServer s;
  ASSERT_GT(s.http, 0);
  EXPECT_TRUE(s.process.log().find("Starting http monitor on 127.0.0.1:" +
                                   std::to_string(s.http)) != std::string::npos);
  HttpResponse r = http_get(s.http, "/healthz");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"status":"ok"})");
}

TEST(MonitorEndpointsTest, HealthzProbesOfTheHelmChartAnswerAsWithoutJetStream) {
  // The chart's startup, readiness and liveness probes; nats-server 2.9.10 without JetStream
  // answers each the same way.
  MonitoredServer s;
  for (const char* path : {"/healthz?js-enabled-only=true", "/healthz?js-server-only=true",
                           "/healthz?js-enabled=true"}) {
    HttpResponse r = http_get(s.http, path);
    EXPECT_EQ(r.status, 200) << path << " " << r.error;
    EXPECT_EQ(r.content_type, "application/json") << path;
    EXPECT_EQ(r.body, R"({"status":"ok"})") << path;
  }
  EXPECT_TRUE(s.process.wait_for_log(
      "Healthcheck: js-enabled deprecated, use js-enabled-only instead", 5s));
  // A flag that is not a Go boolean is nats-server's 400.
  HttpResponse bad = http_get(s.http, "/healthz?js-server-only=maybe");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body,
            "Error decoding boolean for 'js-server-only': strconv.ParseBool: parsing \"maybe\": "
            "invalid syntax");
}

TEST(MonitorEndpointsTest, VarzHasEveryFieldWithGoTypes) {
  MonitoredServer s;
  json v = s.get("/varz");
  ASSERT_TRUE(v.is_object());
  for (const char* f : {"server_id", "server_name", "version", "go", "host", "http_host",
                        "http_base_path", "uptime"}) {
    EXPECT_TRUE(v[f].is_string()) << f << ": " << v[f];
  }
  for (const char* f : {"proto",        "port",        "max_connections", "ping_interval",
                        "ping_max",     "http_port",   "https_port",      "max_control_line",
                        "max_payload",  "max_pending", "write_deadline",  "mem",
                        "cores",        "gomaxprocs",  "connections",     "total_connections",
                        "routes",       "remotes",     "leafnodes",       "in_msgs",
                        "out_msgs",     "in_bytes",    "out_bytes",       "slow_consumers",
                        "subscriptions"}) {
    EXPECT_TRUE(v[f].is_number_integer()) << f << ": " << v[f];
  }
  for (const char* f : {"cpu", "auth_timeout", "tls_timeout"}) {
    EXPECT_TRUE(v[f].is_number()) << f << ": " << v[f];
  }
  for (const char* f :
       {"cluster", "gateway", "leaf", "mqtt", "websocket", "jetstream", "http_req_stats"}) {
    EXPECT_TRUE(v[f].is_object()) << f << ": " << v[f];
  }
  for (const char* f : {"start", "now", "config_load_time"}) {
    EXPECT_TRUE(is_go_time(v[f])) << f << ": " << v[f];
  }
  EXPECT_TRUE(is_uptime(v["uptime"])) << v["uptime"];
  EXPECT_EQ(v["server_id"].get<std::string>().size(), 56u);
  EXPECT_EQ(v["version"], "2.9.10");
  EXPECT_EQ(v["proto"], 1);
  EXPECT_EQ(v["host"], "127.0.0.1");
  EXPECT_EQ(v["port"], s.process.port());
  EXPECT_EQ(v["http_host"], "127.0.0.1");
  EXPECT_EQ(v["http_port"], -1);  // as configured, as nats-server reports it
  EXPECT_EQ(v["https_port"], 0);
  EXPECT_EQ(v["max_connections"], 65536);
  EXPECT_EQ(v["ping_interval"], 120'000'000'000LL);
  EXPECT_EQ(v["ping_max"], 2);
  EXPECT_EQ(v["max_control_line"], 4096);
  EXPECT_EQ(v["max_payload"], 1048576);
  EXPECT_EQ(v["max_pending"], 67108864);
  EXPECT_EQ(v["write_deadline"], 10'000'000'000LL);
  EXPECT_EQ(v["auth_timeout"], 2);
  EXPECT_EQ(v["tls_timeout"], 2);
  EXPECT_GT(v["mem"].get<std::int64_t>(), 1 << 20);
  EXPECT_GE(v["cores"].get<int>(), 1);
  EXPECT_GE(v["cpu"].get<double>(), 0.0);
  EXPECT_EQ(v["connections"], 0);
  EXPECT_EQ(v["total_connections"], 0);
  EXPECT_EQ(v["routes"], 0);
  EXPECT_EQ(v["remotes"], 0);
  // The request being answered is already counted.
  EXPECT_EQ(v["http_req_stats"], json({{"/varz", 1}}));
  if (!testing_reference_server()) {
    // gnatsd also serves 0.x readers: these nats-server 2.x omits or renamed.
    EXPECT_EQ(v["auth_required"], false);
    EXPECT_EQ(v["ssl_required"], false);
    EXPECT_EQ(v["tls_required"], false);
    EXPECT_EQ(v["max_pending_size"], v["max_pending"]);
    EXPECT_EQ(v["ssl_timeout"], v["tls_timeout"]);
  }
}

TEST(MonitorEndpointsTest, VarzCountersMoveByExactlyTheTrafficMade) {
  MonitoredServer s;
  auto sub = open_connected(s.process);
  ASSERT_EQ(roundtrip(*sub, "SUB counted 1\r\n"), "PONG\r\n");
  auto pub = open_connected(s.process);
  json before = s.get("/varz");
  ASSERT_TRUE(before.is_object());

  constexpr int kMessages = 1000;
  const std::string payload = "0123456789";
  std::string batch;
  for (int i = 0; i < kMessages; ++i) batch += "PUB counted 10\r\n" + payload + "\r\n";
  ASSERT_EQ(roundtrip(*pub, batch), "PONG\r\n");
  const std::string frame = msg("counted", "1", payload);
  std::string expected;
  for (int i = 0; i < kMessages; ++i) expected += frame;
  ASSERT_EQ(sub->read_frames(expected.size()), expected);
  ASSERT_EQ(roundtrip(*sub, ""), "PONG\r\n");

  json after = s.get("/varz");
  ASSERT_TRUE(after.is_object());
  auto delta = [&](const char* f) {
    return after[f].get<std::int64_t>() - before[f].get<std::int64_t>();
  };
  EXPECT_EQ(delta("in_msgs"), kMessages);
  EXPECT_EQ(delta("out_msgs"), kMessages);
  EXPECT_EQ(delta("in_bytes"), 10 * kMessages);
  EXPECT_EQ(delta("out_bytes"), 10 * kMessages);
  EXPECT_EQ(delta("slow_consumers"), 0);
  EXPECT_EQ(delta("subscriptions"), 0);
  EXPECT_EQ(after["connections"], 2);
  EXPECT_EQ(after["total_connections"], 2);

  // The same figures per connection.
  json connz = s.get("/connz");
  ASSERT_TRUE(connz.is_object());
  json sub_info, pub_info;
  for (const auto& c : connz["connections"]) {
    if (c["port"] == local_port(*sub)) sub_info = c;
    if (c["port"] == local_port(*pub)) pub_info = c;
  }
  ASSERT_FALSE(sub_info.is_null()) << connz.dump(2);
  ASSERT_FALSE(pub_info.is_null()) << connz.dump(2);
  EXPECT_EQ(sub_info["out_msgs"], kMessages);
  EXPECT_EQ(sub_info["out_bytes"], 10 * kMessages);
  EXPECT_EQ(sub_info["in_msgs"], 0);
  EXPECT_EQ(sub_info["subscriptions"], 1);
  EXPECT_EQ(pub_info["in_msgs"], kMessages);
  EXPECT_EQ(pub_info["in_bytes"], 10 * kMessages);
  EXPECT_EQ(pub_info["out_msgs"], 0);
}

TEST(MonitorEndpointsTest, HttpReqStatsCountEachEndpoint) {
  MonitoredServer s;
  // /subscriptionsz is the 1.x name of /subsz and counts as /subsz.
  for (const char* path : {"/connz", "/connz", "/subsz", "/subscriptionsz", "/routez", "/healthz",
                           "/", "/connz?limit=x", "/nope"}) {
    EXPECT_NE(http_get(s.http, path).status, 0) << path;
  }
  json v = s.get("/varz");
  // A /connz whose arguments do not decode is not counted; unknown paths are not either.
  EXPECT_EQ(
      v["http_req_stats"],
      json(
          {{"/", 1}, {"/connz", 2}, {"/healthz", 1}, {"/routez", 1}, {"/subsz", 2}, {"/varz", 1}}));
}

TEST(MonitorEndpointsTest, RoutezIsEmptyButWellFormed) {
  MonitoredServer s;
  for (const char* path : {"/routez", "/routez?subs=1", "/routez?subs=detail"}) {
    json r = s.get(path);
    ASSERT_TRUE(r.is_object()) << path;
    EXPECT_EQ(r["server_id"], s.get("/varz")["server_id"]);
    EXPECT_TRUE(is_go_time(r["now"]));
    EXPECT_EQ(r["num_routes"], 0);
    EXPECT_EQ(r["routes"], json::array());
  }
}

TEST(MonitorEndpointsTest, SubszFiguresAndTheSubscriptionList) {
  MonitoredServer s;
  json before = s.get("/subsz");
  ASSERT_TRUE(before.is_object());
  for (const char* f : {"num_subscriptions", "num_cache", "num_inserts", "num_removes",
                        "num_matches", "max_fanout"}) {
    EXPECT_TRUE(before[f].is_number_integer()) << f << ": " << before[f];
  }
  EXPECT_TRUE(before["cache_hit_rate"].is_number());
  EXPECT_TRUE(before["avg_fanout"].is_number());

  std::uint64_t cid = 0;
  auto c = connect_with_cid(s.process, cid);
  ASSERT_EQ(roundtrip(*c,
                      "SUB orders.* 1\r\nSUB orders.new q 2\r\nSUB other 3\r\nUNSUB 3\r\n"
                      "PUB orders.new 2\r\nhi\r\n"),
            msg("orders.new", "1", "hi") + msg("orders.new", "2", "hi") + "PONG\r\n");

  json after = s.get("/subsz");
  EXPECT_EQ(after["num_subscriptions"].get<int>() - before["num_subscriptions"].get<int>(), 2);
  EXPECT_EQ(after["num_inserts"].get<int>() - before["num_inserts"].get<int>(), 3);
  EXPECT_EQ(after["num_removes"].get<int>() - before["num_removes"].get<int>(), 1);
  EXPECT_GE(after["num_matches"].get<int>() - before["num_matches"].get<int>(), 1);

  // subs=1 lists them; test= keeps only those a message on that subject would reach.
  json all = s.get("/subsz?subs=1");
  std::vector<std::string> subjects;
  for (const auto& sub : all["subscriptions_list"]) {
    if (sub["cid"] == cid) subjects.push_back(sub["subject"]);
  }
  std::sort(subjects.begin(), subjects.end());
  EXPECT_EQ(subjects, (std::vector<std::string>{"orders.*", "orders.new"}));

  json tested = s.get("/subsz?subs=1&test=orders.old");
  ASSERT_TRUE(tested["subscriptions_list"].is_array()) << tested.dump(2);
  ASSERT_EQ(tested["subscriptions_list"].size(), 1u) << tested.dump(2);
  const json& only = tested["subscriptions_list"][0];
  EXPECT_EQ(only["account"], "$G");
  EXPECT_EQ(only["subject"], "orders.*");
  EXPECT_EQ(only["sid"], "1");
  EXPECT_EQ(only["msgs"], 1);
  EXPECT_EQ(only["cid"], cid);
  EXPECT_EQ(tested["total"], 1);
  EXPECT_EQ(tested["offset"], 0);
  EXPECT_EQ(tested["limit"], 1024);

  json queue = s.get("/subsz?subs=1&test=orders.new");
  bool saw_queue = false;
  for (const auto& sub : queue["subscriptions_list"]) {
    if (sub["subject"] == "orders.new") {
      saw_queue = true;
      EXPECT_EQ(sub["qgroup"], "q");
      EXPECT_EQ(sub["sid"], "2");
    }
  }
  EXPECT_TRUE(saw_queue) << queue.dump(2);

  // Nothing matches: just the figures, as nats-server answers.
  json none = s.get("/subsz?subs=1&test=nothing.here");
  EXPECT_FALSE(none.contains("subscriptions_list"));
  EXPECT_TRUE(none.contains("num_subscriptions"));
}

TEST(MonitorEndpointsTest, RootIsAnHtmlIndexOfTheEndpoints) {
  MonitoredServer s;
  HttpResponse r = http_get(s.http, "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  for (const char* link : {"varz", "connz", "subsz", "routez", "healthz"}) {
    EXPECT_NE(r.body.find(std::string("./") + link), std::string::npos) << link;
  }
}

TEST(MonitorEndpointsTest, JsonpCallbackWrapsEveryJsonEndpoint) {
  MonitoredServer s;
  for (const char* path : {"/varz", "/connz", "/routez", "/subsz", "/healthz"}) {
    HttpResponse r = http_get(s.http, std::string(path) + "?callback=cb");
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.content_type, "application/javascript") << path;
    ASSERT_TRUE(r.body.starts_with("cb(") && r.body.ends_with(")")) << path << ": " << r.body;
    EXPECT_TRUE(json::parse(r.body.substr(3, r.body.size() - 4)).is_object()) << path;
  }
  EXPECT_EQ(http_get(s.http, "/healthz?callback=x").body, R"(x({"status":"ok"}))");
}

TEST(MonitorEndpointsTest, BadQueryValuesGet400WithNatsServerTexts) {
  MonitoredServer s;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/connz?limit=abc",
       R"(Error decoding int for 'limit': strconv.Atoi: parsing "abc": invalid syntax)"},
      {"/connz?offset=1.5",
       R"(Error decoding int for 'offset': strconv.Atoi: parsing "1.5": invalid syntax)"},
      {"/connz?limit=99999999999999999999999",
       R"(Error decoding int for 'limit': strconv.Atoi: parsing "99999999999999999999999": )"
       "value out of range"},
      {"/connz?cid=-1",
       R"(Error decoding uint64 for 'cid': strconv.ParseUint: parsing "-1": invalid syntax)"},
      {"/connz?subs=abc",
       R"(Error decoding boolean for 'subs': strconv.ParseBool: parsing "abc": invalid syntax)"},
      {"/connz?auth=x",
       R"(Error decoding boolean for 'auth': strconv.ParseBool: parsing "x": invalid syntax)"},
      {"/connz?state=foo", "Error decoding state for foo"},
      {"/connz?sort=foo", "invalid sorting option: foo"},
      {"/connz?sort=stop", "sort by stop only valid on closed connections"},
      {"/connz?sort=reason&state=all", "sort by reason only valid on closed connections"},
      {"/routez?subs=xx",
       R"(Error decoding boolean for 'subs': strconv.ParseBool: parsing "xx": invalid syntax)"},
      {"/subsz?subs=abc",
       R"(Error decoding boolean for 'subs': strconv.ParseBool: parsing "abc": invalid syntax)"},
      {"/subsz?test=foo.*", "invalid test subject, must be valid publish subject: foo.*"},
  };
  for (const auto& [path, text] : cases) {
    HttpResponse r = http_get(s.http, path);
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_EQ(r.content_type, "text/plain; charset=utf-8") << path;
    EXPECT_EQ(r.body, text) << path;
  }
  // Values Go accepts.
  for (const char* path :
       {"/connz?subs=true", "/connz?subs=T", "/connz?auth=0", "/connz?state=ANY",
        "/connz?offset=-3", "/connz?limit=+2", "/connz?sort=reason&state=closed"}) {
    EXPECT_EQ(http_get(s.http, path).status, 200) << path;
  }
  json defaults = s.get("/connz?offset=-3&limit=0");
  EXPECT_EQ(defaults["offset"], 0);
  EXPECT_EQ(defaults["limit"], 1024);
}

TEST(MonitorEndpointsTest, UnknownPathsGet404) {
  MonitoredServer s;
  for (const char* path : {"/nope", "/varz/", "/varzx", "/connz/1"}) {
    HttpResponse r = http_get(s.http, path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.content_type, "text/plain; charset=utf-8") << path;
    EXPECT_EQ(r.body, "404 page not found\n") << path;
  }
}

TEST(MonitorEndpointsTest, BasePathPrefixesEveryEndpoint) {
  TempFile conf("http_base_path: \"/mon/\"\n");
  MonitoredServer s({"-c", conf.path()});
  EXPECT_EQ(http_get(s.http, "/mon/varz").status, 200);
  EXPECT_EQ(http_get(s.http, "/mon/connz").status, 200);
  EXPECT_EQ(http_get(s.http, "/mon/healthz").status, 200);
  EXPECT_EQ(http_get(s.http, "/varz").status, 404);
  EXPECT_EQ(s.get("/mon/varz")["http_base_path"], "/mon/");
}

// HTTPS monitoring (-ms): monitor_https_test.cpp.

TEST(MonitorEndpointsTest, BusyMonitorPortFailsStartup) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int busy = ntohs(addr.sin_port);

  auto result = ServerProcess::run_to_exit({"-m", std::to_string(busy)});
  ::close(fd);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(WIFEXITED(result->status) && WEXITSTATUS(result->status) == 1)
      << describe_wait_status(result->status);
  EXPECT_NE(result->output.find("[FTL] Can't start monitoring: can't listen to the monitor "
                                "port: listen tcp 127.0.0.1:" +
                                std::to_string(busy) + ": bind: address already in use"),
            std::string::npos)
      << result->output;
}

// The monitor listener binds as Go's do (SO_REUSEADDR): a restart takes the port back while the
// last run's connections sit in TIME_WAIT, and a second server can never share it.
TEST(MonitorEndpointsTest, MonitorPortIsNotSharedAndRebindsAfterARestart) {
  auto first = std::make_unique<MonitoredServer>();
  const int port = first->http;
  {
    // HTTP/1.0: the server closes first, so its end of the connection stays in TIME_WAIT.
    RawClient client(port);
    ASSERT_TRUE(client.send("GET /varz HTTP/1.0\r\n\r\n"));
    EXPECT_TRUE(client.expect_closed());
  }
  auto second = ServerProcess::run_to_exit({"-m", std::to_string(port)});
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(WIFEXITED(second->status) && WEXITSTATUS(second->status) == 1)
      << describe_wait_status(second->status);
  EXPECT_NE(second->output.find("bind: address already in use"), std::string::npos)
      << second->output;

  first->process.stop();
  ServerProcess restarted({"-m", std::to_string(port)});
  EXPECT_EQ(http_get(port, "/varz").status, 200) << restarted.log();
}

}  // namespace
}  // namespace gnatsd::test
