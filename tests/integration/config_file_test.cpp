// The real binary with config files and flags: values reach the wire, flags override the file,
// bad files stop the start with nats-server's messages and a non-zero exit.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <utility>

#include "client_helpers.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace gnatsd::test {
namespace {

nlohmann::json read_info(int port) {
  RawClient client(port);
  std::string info = client.read_frame();
  EXPECT_TRUE(info.starts_with("INFO {") && info.ends_with("} \r\n")) << info;
  return nlohmann::json::parse(info.substr(5, info.size() - 8));
}

bool exited_with(const ExitResult& r, int code) {
  return WIFEXITED(r.status) && WEXITSTATUS(r.status) == code;
}

TEST(ConfigFileTest, ValuesReachTheWireAndFlagsOverrideTheFile) {
  // The file asks for port 1 and a name; the harness's "-p -1" must win, the name must stay.
  TempFile conf("port: 1\nserver_name: from_file\nmax_payload: 2KB\n");
  ServerProcess server({"-c", conf.path()});
  auto info = read_info(server.port());
  EXPECT_EQ(info.value("server_name", ""), "from_file");
  EXPECT_EQ(info.value("max_payload", 0), 2048);
  EXPECT_TRUE(server.wait_for_log("Using configuration file: " + conf.path(), 2s)) << server.log();

  ServerProcess renamed({"-c", conf.path(), "-n", "from_flag"});
  EXPECT_EQ(read_info(renamed.port()).value("server_name", ""), "from_flag");
}

TEST(ConfigFileTest, NoHeaderSupportTurnsHeadersOffForEveryClient) {
  // As nats-server 2.9.10: INFO says headers:false; an HPUB is logged and closes the connection
  // with no -ERR, even from a client that asked for headers; no_responders then has no headers
  // to ride on.
  TempFile conf("no_header_support: true\n");
  ServerProcess server({"-c", conf.path()});
  EXPECT_EQ(read_info(server.port()).value("headers", true), false);

  RawClient publisher(server.port());
  publisher.read_frame();  // INFO
  EXPECT_EQ(roundtrip(publisher, "CONNECT {\"verbose\":false,\"headers\":true}\r\n"), "PONG\r\n");
  ASSERT_TRUE(publisher.send("HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n"));
  EXPECT_TRUE(publisher.expect_closed());
  EXPECT_EQ(publisher.take_buffered(), "");
  EXPECT_TRUE(server.wait_for_log("message headers not supported", 2s)) << server.log();

  RawClient requester(server.port());
  requester.read_frame();
  ASSERT_TRUE(
      requester.send("CONNECT {\"verbose\":false,\"headers\":true,"
                     "\"no_responders\":true}\r\nPING\r\n"));
  EXPECT_EQ(requester.read_line(), kErrNoRespondersNeedsHeaders);
}

// Runs `command` through the shell; its exit status and what it printed (stdout and stderr).
std::pair<int, std::string> shell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, output};
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  return {::pclose(pipe), output};
}

TEST(ConfigFileTest, ANatsServerSymlinkSpeaksInThatName) {
  // The Helm chart and operators' scripts call the binary "nats-server".
  char dir_template[] = "/tmp/gnatsd-alias-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string alias = dir + "/nats-server";
  ASSERT_EQ(::symlink(server_binary().c_str(), alias.c_str()), 0);
  const auto [bad_config_status, bad_config] = shell(alias + " -c " + dir + "/missing.conf");
  EXPECT_TRUE(WIFEXITED(bad_config_status) && WEXITSTATUS(bad_config_status) == 1);
  EXPECT_EQ(bad_config.rfind("nats-server: ", 0), 0U) << bad_config;
  const auto [signal_status, signal] = shell(alias + " --signal reload=" + dir + "/no.pid");
  EXPECT_TRUE(WIFEXITED(signal_status) && WEXITSTATUS(signal_status) == 1);
  EXPECT_EQ(signal, "nats-server: invalid pid: " + dir + "/no.pid\n");
  ::unlink(alias.c_str());
  ::rmdir(dir.c_str());
}

TEST(ConfigFileTest, IncludesAreRelativeToTheIncludingFile) {
  TempFile limits("max_payload: 4096\n");
  const std::string name = limits.path().substr(limits.path().rfind('/') + 1);
  TempFile conf("include ./" + name + "\n");  // both live in the same temporary directory
  ServerProcess server({"-c", conf.path()});
  EXPECT_EQ(read_info(server.port()).value("max_payload", 0), 4096);
}

TEST(ConfigFileTest, UnknownKeysStopTheStartWithTheirPositions) {
  TempFile conf("port: 4333\nfoo: 1\nauthorization {\n  user: a\n  bogus: 2\n}\n");
  auto result = ServerProcess::run_to_exit({"-c", conf.path()});
  ASSERT_TRUE(result);
  EXPECT_TRUE(exited_with(*result, 1)) << describe_wait_status(result->status);
  EXPECT_NE(result->output.find(conf.path() + ":2:1: unknown field \"foo\""), std::string::npos)
      << result->output;
  EXPECT_NE(result->output.find(conf.path() + ":5:3: unknown field \"bogus\""), std::string::npos)
      << result->output;
  EXPECT_EQ(result->output.find("Listening"), std::string::npos) << result->output;
}

// Deliberately more precise than nats-server 2.9.10, whose syntax errors name only the line:
// the options issue asks for file, line and column.
TEST(ConfigFileTest, SyntaxErrorsAndMissingFilesStopTheStart) {
  TempFile broken("port: 4333\nauthorization {\n  user: a\n");
  auto syntax = ServerProcess::run_to_exit({"-c", broken.path()});
  ASSERT_TRUE(syntax);
  EXPECT_TRUE(exited_with(*syntax, 1));
  EXPECT_NE(syntax->output.find(broken.path() + ":"), std::string::npos) << syntax->output;

  auto missing = ServerProcess::run_to_exit({"-c", "/nonexistent/gnatsd-test.conf"});
  ASSERT_TRUE(missing);
  EXPECT_TRUE(exited_with(*missing, 1));
  EXPECT_NE(missing->output.find("open /nonexistent/gnatsd-test.conf: no such file or directory"),
            std::string::npos)
      << missing->output;
}

TEST(ConfigFileTest, TestFlagChecksTheFileAndExits) {
  TempFile good("port: 4333\nmax_payload: 1MB\n");
  auto ok = ServerProcess::run_to_exit({"-t", "-c", good.path()});
  ASSERT_TRUE(ok);
  EXPECT_TRUE(exited_with(*ok, 0)) << ok->output;
  EXPECT_NE(ok->output.find("configuration file " + good.path() + " is valid"), std::string::npos)
      << ok->output;

  TempFile bad("max_payload: \"lots\"\n");
  auto rejected = ServerProcess::run_to_exit({"-t", "-c", bad.path()});
  ASSERT_TRUE(rejected);
  EXPECT_TRUE(exited_with(*rejected, 1)) << rejected->output;
}

TEST(ConfigFileTest, IntegerPingIntervalWarnsAndStarts) {
  TempFile conf("ping_interval: 60\n");
  ServerProcess server({"-c", conf.path()});
  EXPECT_TRUE(server.wait_for_log(
      "invalid use of field \"ping_interval\": ping_interval should be converted to a duration",
      2s))
      << server.log();
}

// nats-server 2.9.10 prints the same text but exits 0; the options issue asks for exit code 1.
TEST(ConfigFileTest, BadFlagPrintsTheErrorAndUsage) {
  auto result = ServerProcess::run_to_exit({"--bogus"});
  ASSERT_TRUE(result);
  EXPECT_TRUE(exited_with(*result, 1));
  EXPECT_NE(result->output.find("flag provided but not defined: -bogus"), std::string::npos);
  EXPECT_NE(result->output.find("Usage:"), std::string::npos);
}

}  // namespace
}  // namespace gnatsd::test

namespace gnatsd::test {
namespace {

void rewrite(const TempFile& file, std::string_view contents) {
  std::ofstream out(file.path(), std::ios::trunc);
  out << contents;
}

TEST(ConfigReloadTest, SighupAppliesNewLimitsAndKeepsTheOldConfigWhenTheNewOneIsBad) {
  TempFile conf("max_payload: 1000\n");
  ServerProcess server({"-c", conf.path()});
  EXPECT_EQ(read_info(server.port()).value("max_payload", 0), 1000);
  auto client = open_connected(server);  // an existing connection survives every reload

  rewrite(conf, "max_payload: 2000\n");
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("Reloaded server configuration", 5s)) << server.log();
  EXPECT_NE(server.log().find("Reloaded: max_payload = 2000"), std::string::npos) << server.log();
  EXPECT_EQ(read_info(server.port()).value("max_payload", 0), 2000);

  // A broken file: logged, the running config stays.
  rewrite(conf, "max_payload: {\n");
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("Failed to reload server configuration", 5s)) << server.log();
  EXPECT_EQ(read_info(server.port()).value("max_payload", 0), 2000);

  // A change that needs a restart is refused the same way.
  rewrite(conf, "max_payload: 3000\nhttp_port: 1\n");
  const size_t before = server.log_size();
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("config reload not supported for HTTPPort", 5s)) << server.log();
  EXPECT_GT(server.log_size(), before);
  EXPECT_EQ(read_info(server.port()).value("max_payload", 0), 2000);

  EXPECT_EQ(roundtrip(*client, "SUB a 1\r\nPUB a 2\r\nhi\r\n"), msg("a", "1", "hi") + "PONG\r\n");
}

}  // namespace
}  // namespace gnatsd::test
