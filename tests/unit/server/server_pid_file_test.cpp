// The Server writes the pid file (-P) at start and removes it at a clean exit; an unwritable one
// fails start-up with nats-server's text.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "server/server.hpp"

namespace gnatsd::server {
namespace {

class ServerPidFileTest : public ::testing::Test {
 protected:
  ServerPidFileTest() {
    char name[] = "/tmp/gnatsd-server-pid-test-XXXXXX";
    dir_ = ::mkdtemp(name);
  }
  ~ServerPidFileTest() override { std::filesystem::remove_all(dir_); }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }
  std::string dir_;
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
