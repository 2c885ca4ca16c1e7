// The official Helm chart's deployment, replayed: the server runs on the chart's rendered
// nats.conf (tests/fixtures/helm: pretty JSON, `include x;` lines spliced in, a bare
// $SERVER_NAME from the environment) under the name `nats-server`, answers the chart's health
// probes, reloads on the reloader's SIGHUP through the pid file, and leaves through lame duck
// mode on the preStop hook `nats-server -sl=ldm=/var/run/nats/nats.pid`. The chart's fixed
// directories are moved into a temporary one and its ports made ephemeral (command-line flags
// override the file, as they do in nats-server); everything else is as rendered.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cluster_harness.hpp"
#include "eventually.hpp"
#include "http_client.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"
#include "tls_support.hpp"

#ifndef GNATSD_FIXTURES_DIR
#error "GNATSD_FIXTURES_DIR must name tests/fixtures"
#endif

namespace gnatsd::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
}

// A copy of one rendered config (and its included files) with the chart's paths moved here.
class ChartDeployment {
 public:
  // `edits`: further (from, to) replacements, e.g. a pod's own addresses.
  explicit ChartDeployment(const std::string& fixture,
                           const std::vector<std::pair<std::string, std::string>>& edits = {}) {
    char name[] = "/tmp/gnatsd-helm-XXXXXX";
    dir_ = ::mkdtemp(name);
    fs::create_directories(dir_ + "/var/run/nats");
    for (const auto& entry :
         fs::directory_iterator(std::string(GNATSD_FIXTURES_DIR) + "/helm/" + fixture)) {
      std::string text = read_file(entry.path().string());
      replace_all(text, "/var/run/nats/", dir_ + "/var/run/nats/");
      replace_all(text, "/etc/nats-certs/nats/tls.crt", pki_.path("server-cert.pem"));
      replace_all(text, "/etc/nats-certs/nats/tls.key", pki_.path("server-key.pem"));
      for (const auto& [from, to] : edits) replace_all(text, from, to);
      std::ofstream(dir_ + "/" + entry.path().filename().string()) << text;
    }
    // The chart's image runs the binary as nats-server.
    alias_ = dir_ + "/nats-server";
    fs::create_symlink(fs::absolute(server_binary()), alias_);
  }
  ~ChartDeployment() { fs::remove_all(dir_); }

  std::string config() const { return dir_ + "/nats.conf"; }
  std::string pid_file() const { return dir_ + "/var/run/nats/nats.pid"; }
  const std::string& alias() const { return alias_; }
  const TestPki& pki() const { return pki_; }

  // As the StatefulSet starts it: `nats-server --config nats.conf`, SERVER_NAME=<pod name>.
  std::unique_ptr<ServerProcess> start(const std::string& pod) const {
    ::setenv("SERVER_NAME", pod.c_str(), 1);
    auto server = std::make_unique<ServerProcess>(
        ServerProcess::Binary{alias_},
        std::vector<std::string>{"--config", config(), "-m", "-1", "-D"});
    ::unsetenv("SERVER_NAME");
    return server;
  }

  // `nats-server ARGS` run to completion: its exit status.
  int run(const std::string& args) const {
    return ::system((alias_ + " " + args + " >/dev/null 2>&1").c_str());
  }

 private:
  TestPki pki_;
  std::string dir_;
  std::string alias_;
};

TEST(HelmChartTest, DefaultConfigProbesReloaderAndPreStopHook) {
  ChartDeployment chart("default");
  auto server = chart.start("nats-0");
  const int http = monitor_port(*server);
  ASSERT_GT(http, 0);
  json varz = get_json(http, "/varz");
  EXPECT_EQ(varz["server_name"], "nats-0") << "the bare $SERVER_NAME, from the environment";
  EXPECT_EQ(read_file(chart.pid_file()), std::to_string(server->pid()));
  // The startup, liveness and readiness probes.
  for (const char* probe :
       {"/healthz", "/healthz?js-server-only=true", "/healthz?js-enabled-only=true"}) {
    HttpResponse r = http_get(http, probe);
    EXPECT_EQ(r.status, 200) << probe;
    EXPECT_EQ(r.body, R"({"status":"ok"})") << probe;
  }
  // The config reloader: SIGHUP to the pid in the pid file.
  ASSERT_EQ(::kill(std::stoi(read_file(chart.pid_file())), SIGHUP), 0);
  EXPECT_TRUE(server->wait_for_log("Reloaded server configuration", 5s)) << server->log();
  // A client is connected while the pod is stopped: lame duck mode tells it, then closes it.
  RawClient client(server->port());
  ASSERT_TRUE(client.read_line().starts_with("INFO "));
  ASSERT_TRUE(client.send("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n"));
  ASSERT_EQ(client.read_until("PONG\r\n"), "PONG\r\n");
  const int hook = chart.run("-sl=ldm=" + chart.pid_file());
  EXPECT_TRUE(WIFEXITED(hook) && WEXITSTATUS(hook) == 0) << describe_wait_status(hook);
  EXPECT_TRUE(server->wait_for_log("Entering lame duck mode, stop accepting new clients", 5s));
  EXPECT_NE(client.read_until("\"ldm\":true", 5s).find("\"ldm\":true"), std::string::npos);
  // Kubernetes sends SIGTERM once the hook returns: lame duck mode goes on regardless, as in
  // nats-server, and the client is still served.
  server->signal(SIGTERM);
  ASSERT_TRUE(server->wait_for_log("Trapped \"terminated\" signal", 5s)) << server->log();
  ASSERT_TRUE(client.send("PING\r\n"));
  EXPECT_NE(client.read_until("PONG\r\n").find("PONG\r\n"), std::string::npos);
  // The grace period (10 s) is longer than a test should wait: SIGINT ends it now.
  server->signal(SIGINT);
  const auto status = server->wait_exit(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describe_wait_status(*status);
}

TEST(HelmChartTest, TlsAndIncludedAuthorization) {
  ChartDeployment chart("tls-auth");
  auto server = chart.start("nats-1");
  const int http = monitor_port(*server);
  json varz = get_json(http, "/varz");
  EXPECT_EQ(varz["server_name"], "nats-1");
  EXPECT_EQ(varz["ping_max"], 3) << "from the include spliced in last";
  EXPECT_EQ(varz["auth_required"], true) << "from the include spliced in first";
  EXPECT_EQ(varz["tls_required"], true);
  {
    RawClient client(server->port());
    const std::string info = client.read_line();
    ASSERT_TRUE(info.starts_with("INFO ")) << info;
    const json fields = json::parse(info.substr(5));
    EXPECT_EQ(fields.value("tls_required", false), true);
    EXPECT_EQ(fields.value("auth_required", false), true);
  }
  ASSERT_TRUE(
      eventually([&] { return get_json(http, "/varz").value("connections", -1) == 0; }, 5s, 10ms));
  // The preStop hook with nobody connected: lame duck mode ends the server at once, exit 0.
  const int hook = chart.run("-sl=ldm=" + chart.pid_file());
  EXPECT_TRUE(WIFEXITED(hook) && WEXITSTATUS(hook) == 0) << describe_wait_status(hook);
  const auto status = server->wait_exit(10s);
  ASSERT_TRUE(status.has_value()) << server->log();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describe_wait_status(*status);
}

TEST(HelmChartTest, ClusterOfThreePodsFromOneConfig) {
  // Every pod's file routes to all three pods, itself included, through the headless
  // service's names; here each name is a loopback port and each pod listens on its own.
  const int ports[3] = {cluster::unused_tcp_port(), cluster::unused_tcp_port(),
                        cluster::unused_tcp_port()};
  std::vector<std::unique_ptr<ChartDeployment>> pods;
  std::vector<std::unique_ptr<ServerProcess>> servers;
  for (int i = 0; i < 3; ++i) {
    std::vector<std::pair<std::string, std::string>> edits;
    for (int j = 0; j < 3; ++j) {
      edits.emplace_back("nats-" + std::to_string(j) + ".nats-headless:6222",
                         "127.0.0.1:" + std::to_string(ports[j]));
    }
    edits.emplace_back("\"port\": 6222", "\"port\": " + std::to_string(ports[i]));
    pods.push_back(std::make_unique<ChartDeployment>("cluster", edits));
    servers.push_back(pods.back()->start("nats-" + std::to_string(i)));
  }
  for (auto& server : servers) {
    const int http = monitor_port(*server);
    ASSERT_TRUE(eventually([&] { return get_json(http, "/routez").value("num_routes", -1) == 2; },
                           15s, 20ms))
        << get_json(http, "/routez").dump(2) << server->log();
  }
  // A message published on the first pod reaches a subscriber on the last.
  RawClient sub(servers[2]->port());
  sub.read_line();
  ASSERT_TRUE(sub.send("CONNECT {\"verbose\":false}\r\nSUB chart.x 1\r\nPING\r\n"));
  ASSERT_EQ(sub.read_until("PONG\r\n"), "PONG\r\n");
  RawClient pub(servers[0]->port());
  pub.read_line();
  ASSERT_TRUE(pub.send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  ASSERT_EQ(pub.read_until("PONG\r\n"), "PONG\r\n");
  // The interest crosses the route asynchronously: publish until it arrives (bounded).
  std::string got;
  for (int i = 0; i < 100 && got.find("MSG chart.x 1 2\r\nhi\r\n") == std::string::npos; ++i) {
    ASSERT_TRUE(pub.send("PUB chart.x 2\r\nhi\r\n"));
    got += sub.read_until("hi\r\n", 100ms);
  }
  EXPECT_NE(got.find("MSG chart.x 1 2\r\nhi\r\n"), std::string::npos) << got;
}

}  // namespace
}  // namespace gnatsd::test
