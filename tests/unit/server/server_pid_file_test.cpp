// The Server writes the pid file (-P) at start and removes it at a clean exit; an unwritable one
// fails start-up with nats-server's text.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

#include "server/server.hpp"

namespace gnatsd::server {
namespace {

class ServerPidFileTest : public ::testing::Test {
 protected:
  std::string file(const std::string& name) const { return dir_.file(name); }
  static std::string read(const std::string& path) { return test::read_file(path); }
  test::TempDir dir_;
};

TEST_F(ServerPidFileTest, WritesItAtStartAndRemovesItAtCleanExit) {
  config::Options options;
  options.host = "127.0.0.1";
  options.port = -1;
  options.io_threads = 1;
  options.pid_file = file("server.pid");
  Server server(options);
  ASSERT_EQ(server.start(), "");
  EXPECT_EQ(read(options.pid_file), std::to_string(::getpid()));
  std::thread runner([&] { server.run(); });
  server.request_shutdown();
  runner.join();
  EXPECT_FALSE(std::filesystem::exists(options.pid_file));
}

TEST_F(ServerPidFileTest, StartFailsWithNatsServersMessage) {
  config::Options options;
  options.host = "127.0.0.1";
  options.port = -1;
  options.io_threads = 1;
  options.pid_file = file("missing-dir/server.pid");
  Server server(options);
  EXPECT_EQ(server.start(),
            "Could not write pidfile: open " + options.pid_file + ": no such file or directory");
}

}  // namespace
}  // namespace gnatsd::server
