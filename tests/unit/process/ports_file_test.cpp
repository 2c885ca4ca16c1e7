// Ports file: nats-server's JSON, the listener URLs, and the file's name, lifetime and errors.
#include "process/ports_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace gnatsd::process {
namespace {

TEST(PortsFileTest, JsonAsGoMarshalsIt) {
  EXPECT_EQ(ports_json({}), "{}");
  EXPECT_EQ(ports_json({{"nats://127.0.0.1:4222"}, {}, {}}),
            R"({"nats":["nats://127.0.0.1:4222"]})");
  EXPECT_EQ(
      ports_json({{"tls://[::1]:4222"}, {"http://[::1]:8222", "http://127.0.0.1:8222"}, {}}),
      R"({"nats":["tls://[::1]:4222"],"monitoring":["http://[::1]:8222","http://127.0.0.1:8222"]})");
  EXPECT_EQ(ports_json({{"nats://127.0.0.1:4222"}, {}, {"ws://127.0.0.1:8080"}}),
            R"({"nats":["nats://127.0.0.1:4222"],"websocket":["ws://127.0.0.1:8080"]})");
}

TEST(PortsFileTest, ListenUrlsOfASpecificHost) {
  EXPECT_EQ(listen_urls("nats", "127.0.0.1", 4222),
            (std::vector<std::string>{"nats://127.0.0.1:4222"}));
  EXPECT_EQ(listen_urls("https", "::1", 8222), (std::vector<std::string>{"https://[::1]:8222"}));
}

TEST(PortsFileTest, ListenUrlsOfAWildcardListAnInterfaceAddress) {
  const auto urls = listen_urls("nats", "0.0.0.0", 4222);
  EXPECT_NE(std::find(urls.begin(), urls.end(), "nats://127.0.0.1:4222"), urls.end());
}

class PortsFileDirTest : public ::testing::Test {
 protected:
  std::string expected_path() const {
    return dir_.file(std::string(program_invocation_short_name) + "_" + std::to_string(::getpid()) +
                     ".ports");
  }
  static std::string read(const std::string& path) { return test::read_file(path); }
  test::TempDir dir_;
};

TEST_F(PortsFileDirTest, WrittenUnderTheExecutableAndPidAndRemoved) {
  const std::string path = expected_path();
  {
    PortsFile ports_file;
    ASSERT_EQ(ports_file.write(dir_.path(), {{"nats://127.0.0.1:4222"}, {}, {}}), "");
    EXPECT_EQ(read(path), R"({"nats":["nats://127.0.0.1:4222"]})");
    ports_file.remove();
    EXPECT_FALSE(std::filesystem::exists(path));
    ports_file.remove();  // harmless twice
    ASSERT_EQ(ports_file.write(dir_.path() + "/", {{}, {"http://127.0.0.1:8222"}, {}}), "");
    EXPECT_EQ(read(path), R"({"monitoring":["http://127.0.0.1:8222"]})");
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(PortsFileDirTest, UnwritableIsNatsServersError) {
  const std::string dir = dir_.file("missing");
  const std::string path =
      dir + "/" + program_invocation_short_name + "_" + std::to_string(::getpid()) + ".ports";
  PortsFile ports_file;
  EXPECT_EQ(ports_file.write(dir, {}), "Error writing ports file (" + path + "): open " + path +
                                           ": no such file or directory");
}

}  // namespace
}  // namespace gnatsd::process
