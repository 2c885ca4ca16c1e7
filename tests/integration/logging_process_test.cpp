// The real binary's log targets and process control: -l with SIGUSR1 / --signal reopen after a
// rename, -P written at start and removed at exit, --signal reload/quit/term by pid, pid file
// and -P, -r remote syslog datagrams, and nats-server's start-up errors for bad targets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "eventually.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

namespace gnatsd::test {
namespace {

constexpr auto kWait = 10s;
const std::string kListening = "Listening for client connections on 127.0.0.1:";

// True once `path` contains `needle` (a file the server writes; polled until the deadline).
bool wait_for_file(const std::string& path, std::string_view needle,
                   std::chrono::milliseconds timeout = kWait) {
  return eventually([&] { return read_file(path).find(needle) != std::string::npos; }, timeout,
                    10ms);
}

bool exited_with(const ExitResult& r, int code) {
  return WIFEXITED(r.status) && WEXITSTATUS(r.status) == code;
}

// `gnatsd --signal <spec>` (plus extra flags), run to completion.
ExitResult signal_command(const std::string& spec, std::vector<std::string> extra = {}) {
  extra.insert(extra.begin(), {"--signal", spec});
  auto result = ServerProcess::run_to_exit(std::move(extra));
  if (!result) throw std::runtime_error("gnatsd --signal " + spec + " did not exit");
  return *result;
}

class LoggingProcessTest : public ::testing::Test {
 protected:
  LoggingProcessTest() {
    char name[] = "/tmp/gnatsd-logproc-test-XXXXXX";
    dir_ = ::mkdtemp(name);
  }
  ~LoggingProcessTest() override { std::filesystem::remove_all(dir_); }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }

  // A server logging to `log` (and writing `pid_file` when given), up and listening.
  std::unique_ptr<ServerProcess> start_logging_to(const std::string& log,
                                                  std::vector<std::string> extra = {}) {
    extra.insert(extra.begin(), {"-l", log});
    auto server = ServerProcess::spawn_only(std::move(extra));
    if (!wait_for_file(log, kListening)) {
      ADD_FAILURE() << "no listening line in " << log << ":\n"
                    << read_file(log) << "\noutput:\n"
                    << server->log();
    }
    return server;
  }

  std::string dir_;
};

TEST_F(LoggingProcessTest, LogFileHasTheStderrFormatAndNothingGoesToStderr) {
  const auto log = file("gnatsd.log");
  auto server = start_logging_to(log);
  const std::string pid = std::to_string(server->pid());
  const std::regex line("^\\[" + pid +
                        R"(\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6} \[INF\] Starting gnatsd .*)");
  const auto text = read_file(log);
  EXPECT_TRUE(std::regex_search(text, line)) << text;
  server->stop();
  EXPECT_TRUE(wait_for_file(log, "[INF] Server Exiting..")) << read_file(log);
  EXPECT_EQ(server->log(), "");
}

TEST_F(LoggingProcessTest, Sigusr1ReopensTheLogFileAfterRotation) {
  const auto log = file("gnatsd.log");
  const auto rotated = file("gnatsd.log.1");
  auto server = start_logging_to(log);
  std::filesystem::rename(log, rotated);
  server->signal(SIGUSR1);
  ASSERT_TRUE(wait_for_file(log, "[INF] File log re-opened")) << read_file(rotated);
  server->stop();
  ASSERT_TRUE(wait_for_file(log, "[INF] Server Exiting.."));
  const auto old_text = read_file(rotated);
  EXPECT_NE(old_text.find(kListening), std::string::npos) << old_text;
  EXPECT_EQ(old_text.find("re-opened"), std::string::npos) << old_text;
  EXPECT_EQ(old_text.find("Server Exiting"), std::string::npos) << old_text;
}

TEST_F(LoggingProcessTest, SignalReopenByPid) {
  const auto log = file("gnatsd.log");
  auto server = start_logging_to(log);
  std::filesystem::rename(log, file("gnatsd.log.1"));
  const auto result = signal_command("reopen=" + std::to_string(server->pid()));
  EXPECT_TRUE(exited_with(result, 0)) << describe_wait_status(result.status) << result.output;
  EXPECT_EQ(result.output, "");
  EXPECT_TRUE(wait_for_file(log, "[INF] File log re-opened"));
}

TEST_F(LoggingProcessTest, PidFileWrittenAtStartAndRemovedAfterSigterm) {
  const auto log = file("gnatsd.log");
  const auto pid_file = file("gnatsd.pid");
  auto server = start_logging_to(log, {"-P", pid_file});
  EXPECT_EQ(read_file(pid_file), std::to_string(server->pid()));  // no newline, as nats-server
  server->signal(SIGTERM);
  ASSERT_TRUE(server->wait_exit(kWait));
  EXPECT_FALSE(std::filesystem::exists(pid_file));
}

TEST_F(LoggingProcessTest, SignalReloadViaPidFileDeliversSighup) {
  const auto log = file("gnatsd.log");
  const auto pid_file = file("gnatsd.pid");
  TempFile conf("max_payload: 1000\n");
  auto server = start_logging_to(log, {"-c", conf.path(), "-P", pid_file});
  { std::ofstream(conf.path(), std::ios::trunc) << "max_payload: 2000\n"; }
  const auto result = signal_command("reload=" + pid_file);
  EXPECT_TRUE(exited_with(result, 0)) << describe_wait_status(result.status) << result.output;
  EXPECT_TRUE(wait_for_file(log, "[INF] Reloaded server configuration")) << read_file(log);
  EXPECT_NE(read_file(log).find("Reloaded: max_payload = 2000"), std::string::npos);
}

TEST_F(LoggingProcessTest, ReloadMovesTheLogToTheNewFile) {
  const auto first = file("first.log");
  const auto second = file("second.log");
  TempFile conf("log_file: \"" + first + "\"\n");
  auto server = ServerProcess::spawn_only({"-c", conf.path()});
  ASSERT_TRUE(wait_for_file(first, kListening)) << server->log();
  { std::ofstream(conf.path(), std::ios::trunc) << "log_file: \"" << second << "\"\n"; }
  server->signal(SIGHUP);
  ASSERT_TRUE(wait_for_file(second, "[INF] Reloaded server configuration")) << read_file(first);
  EXPECT_EQ(read_file(first).find("Reloaded server configuration"), std::string::npos);
}

TEST_F(LoggingProcessTest, SignalQuitStopsTheServer) {
  const auto log = file("gnatsd.log");
  const auto pid_file = file("gnatsd.pid");
  auto server = start_logging_to(log, {"-P", pid_file});
  const auto result = signal_command("quit=" + std::to_string(server->pid()));
  EXPECT_TRUE(exited_with(result, 0)) << describe_wait_status(result.status) << result.output;
  auto status = server->wait_exit(kWait);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describe_wait_status(*status);
  EXPECT_FALSE(std::filesystem::exists(pid_file));
  EXPECT_NE(read_file(log).find("[INF] Server Exiting.."), std::string::npos);
}

TEST_F(LoggingProcessTest, SignalTermFindsThePidThroughDashP) {
  const auto log = file("gnatsd.log");
  const auto pid_file = file("gnatsd.pid");
  auto server = start_logging_to(log, {"-P", pid_file});
  const auto result = signal_command("term", {"-P", pid_file});
  EXPECT_TRUE(exited_with(result, 0)) << describe_wait_status(result.status) << result.output;
  ASSERT_TRUE(server->wait_exit(kWait));
  EXPECT_TRUE(wait_until_gone(pid_file, kWait));
}

TEST_F(LoggingProcessTest, SignalCommandErrors) {
  auto result = signal_command("reload=abc");
  EXPECT_TRUE(exited_with(result, 1)) << describe_wait_status(result.status);
  EXPECT_EQ(result.output, "gnatsd: invalid pid: abc\n");

  result = signal_command("bogus=" + std::to_string(::getpid()));
  EXPECT_TRUE(exited_with(result, 1));
  EXPECT_EQ(result.output, "gnatsd: unknown signal \"bogus\"\n");

  result = signal_command("reload=99999999");
  EXPECT_TRUE(exited_with(result, 1));
  EXPECT_EQ(result.output, "gnatsd: no such process\n");
}

TEST_F(LoggingProcessTest, RemoteSyslogDatagrams) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string url = "udp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  auto server = ServerProcess::spawn_only({"-r", url});
  const std::regex frame(
      "^<5>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d) \\S+ "
      "gnatsd\\[" +
      std::to_string(server->pid()) + "\\]: " + kListening + "\\d+\n$");
  std::string received;
  bool found = false;
  const auto deadline = Clock::now() + kWait;
  while (!found && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) continue;
    std::string datagram(buf, static_cast<std::size_t>(n));
    received += datagram;
    found = std::regex_match(datagram, frame);
  }
  ::close(fd);
  EXPECT_TRUE(found) << received;
  EXPECT_EQ(server->log(), "");  // nothing on stderr
}

TEST_F(LoggingProcessTest, UnopenableLogFileIsAStartupError) {
  const auto log = file("missing-dir/gnatsd.log");
  auto result = ServerProcess::run_to_exit({"-l", log});
  ASSERT_TRUE(result);
  EXPECT_TRUE(exited_with(*result, 1)) << describe_wait_status(result->status);
  // Go's standard logger, as nats-server prints it before its own logger exists.
  const std::regex text(R"(^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d error opening file: open )" + log +
                        ": no such file or directory\n$");
  EXPECT_TRUE(std::regex_match(result->output, text)) << result->output;
}

TEST_F(LoggingProcessTest, UnwritablePidFileIsAFatalStartupError) {
  const auto pid_file = file("missing-dir/gnatsd.pid");
  auto result = ServerProcess::run_to_exit({"-P", pid_file});
  ASSERT_TRUE(result);
  EXPECT_TRUE(exited_with(*result, 1)) << describe_wait_status(result->status);
  EXPECT_NE(result->output.find("[FTL] Could not write pidfile: open " + pid_file +
                                ": no such file or directory\n"),
            std::string::npos)
      << result->output;
  EXPECT_EQ(result->output.find(kListening), std::string::npos) << result->output;
}

TEST_F(LoggingProcessTest, BadRemoteSyslogIsAStartupError) {
  auto result = ServerProcess::run_to_exit({"-r", "foo://127.0.0.1:514"});
  ASSERT_TRUE(result);
  EXPECT_TRUE(exited_with(*result, 1)) << describe_wait_status(result->status);
  EXPECT_TRUE(std::regex_match(
      result->output,
      std::regex(R"(^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d error invalid network type: "foo"\n$)")))
      << result->output;
}

}  // namespace
}  // namespace gnatsd::test
