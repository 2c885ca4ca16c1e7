// Lame duck mode over the real binary: SIGUSR2 stops new connections, tells clients with an INFO
// carrying "ldm": true, closes them after the grace period, and exits 0. Passes against
// nats-server 2.9.10 too (GNATSD_TEST_BINARY=/usr/sbin/nats-server).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "client_helpers.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace gnatsd::test {
namespace {

TEST(LameDuckTest, ClientsAreToldThenClosedAndTheServerExitsCleanly) {
  // nats-server refuses lame_duck_duration under 30 s; the short grace keeps the test quick.
  TempFile conf("lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"500ms\"\n");
  ServerProcess server({"-c", conf.path()});
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 3; ++i) {
    // Protocol 1: the client accepts asynchronous INFO updates (today's clients all do).
    auto c = std::make_unique<RawClient>(server.port());
    ASSERT_TRUE(c->read_frame().starts_with("INFO {"));
    ASSERT_TRUE(c->send("CONNECT {\"verbose\":false,\"protocol\":1}\r\n"));
    ASSERT_EQ(roundtrip(*c, ""), "PONG\r\n");
    clients.push_back(std::move(c));
  }
  // A protocol-0 client is closed like the others but gets no INFO update.
  auto legacy = open_connected(server);

  server.signal(SIGUSR2);
  ASSERT_TRUE(server.wait_for_log("Entering lame duck mode, stop accepting new clients", 5s))
      << server.log();
  for (auto& client : clients) {
    std::string info = client->read_frame(5s);
    ASSERT_TRUE(info.starts_with("INFO {") && info.ends_with("} \r\n")) << info;
    EXPECT_TRUE(nlohmann::json::parse(info.substr(5, info.size() - 8)).value("ldm", false)) << info;
  }
  // New connections are refused once the listener is closed.
  EXPECT_THROW(RawClient(server.port()), std::exception);

  for (auto& client : clients) EXPECT_TRUE(client->expect_closed(10s));
  EXPECT_TRUE(legacy->expect_closed(10s));
  EXPECT_EQ(legacy->buffered().find("INFO"), std::string::npos) << legacy->buffered();
  EXPECT_TRUE(server.wait_for_log("Closing existing clients", 1s)) << server.log();
  auto status = server.wait_exit(10s);
  ASSERT_TRUE(status.has_value()) << server.log();
  EXPECT_EQ(*status, 0) << server.log();
}

TEST(LameDuckTest, ShortDurationIsAConfigError) {
  TempFile conf("lame_duck_duration: \"2s\"\n");
  auto result = ServerProcess::run_to_exit({"-c", conf.path()});
  ASSERT_TRUE(result);
  EXPECT_TRUE(WIFEXITED(result->status) && WEXITSTATUS(result->status) == 1);
  EXPECT_NE(result->output.find("invalid lame_duck_duration of 2s, minimum is 30 seconds"),
            std::string::npos)
      << result->output;
}

}  // namespace
}  // namespace gnatsd::test
