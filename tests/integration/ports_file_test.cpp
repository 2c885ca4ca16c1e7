// The ports file (--ports_file_dir / ports_file_dir) that test launchers read to find a server
// started on random ports, calibrated against nats-server 2.9.10: its name
// (<executable>_<pid>.ports), its JSON, its removal at exit, and its move on reload.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "client_helpers.hpp"
#include "eventually.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

namespace gnatsd::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

fs::path ports_file_of(const ServerProcess& server, const fs::path& dir) {
  const std::string exe = fs::path(server_binary()).filename().string();
  return dir / (exe + "_" + std::to_string(server.pid()) + ".ports");
}

// The file's contents once it exists and holds JSON, or "" after `timeout`.
std::string wait_for_file(const fs::path& path, std::chrono::milliseconds timeout) {
  std::string contents;
  const bool ready = eventually(
      [&] {
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        contents = text.str();
        return in && nlohmann::json::accept(contents);
      },
      timeout, 10ms);
  return ready ? contents : std::string();
}

TEST(PortsFileTest, ListsTheRandomPortsAndGoesAwayAtExit) {
  TempDir dir;
  ServerProcess server({"-m", "-1", "--ports_file_dir", dir.path()});
  const fs::path file = ports_file_of(server, dir.path());
  const std::string text = wait_for_file(file, 5s);
  ASSERT_FALSE(text.empty()) << file << "\n" << server.log();

  const auto doc = nlohmann::json::parse(text);
  ASSERT_EQ(doc.size(), 2u) << text;
  EXPECT_EQ(doc["nats"], nlohmann::json::array({server.url()})) << text;
  ASSERT_EQ(doc["monitoring"].size(), 1u) << text;
  const std::string monitoring = doc["monitoring"][0];
  EXPECT_EQ(monitoring.rfind("http://127.0.0.1:", 0), 0u) << text;
  EXPECT_NE(monitoring, "http://127.0.0.1:-1") << text;
  // Compact, as Go's json.Marshal writes it.
  EXPECT_EQ(text.find_first_of(" \n"), std::string::npos) << text;

  auto client = open_connected(server);
  EXPECT_EQ(roundtrip(*client, "PING\r\n"), "PONG\r\n");

  server.stop();
  EXPECT_TRUE(wait_until_gone(file, 5s)) << file;
}

TEST(PortsFileTest, ReloadMovesItToTheNewDirectory) {
  TempDir first;
  TempDir second;
  auto config = [](const fs::path& dir) { return "ports_file_dir: \"" + dir.string() + "\"\n"; };
  TempFile conf(config(first.path()));
  ServerProcess server({"-c", conf.path()});
  const fs::path old_file = ports_file_of(server, first.path());
  ASSERT_FALSE(wait_for_file(old_file, 5s).empty()) << server.log();

  std::ofstream(conf.path(), std::ios::trunc) << config(second.path());
  server.signal(SIGHUP);
  const fs::path new_file = ports_file_of(server, second.path());
  const std::string text = wait_for_file(new_file, 5s);
  ASSERT_FALSE(text.empty()) << server.log();
  EXPECT_EQ(nlohmann::json::parse(text)["nats"], nlohmann::json::array({server.url()})) << text;
  EXPECT_TRUE(wait_until_gone(old_file, 5s)) << old_file;
}

}  // namespace
}  // namespace gnatsd::test
