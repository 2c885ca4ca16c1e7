// Syslog targets on real sockets: remote udp/tcp/unix frames received by test servers on
// loopback, the local daemon's frame on a unix datagram socket, and nats-server's error texts.
#include "log/syslog_sink.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <string>

#include <spdlog/spdlog.h>

#include "log_test_support.hpp"

namespace gnatsd::log::test {
namespace {

using namespace std::chrono_literals;
constexpr int kReceiveTimeoutMs = 5000;

std::string hostname() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

// "<PRI>2006-01-02T15:04:05Z07:00 HOST TAG[PID]: MSG\n" with Go's RFC 3339 zone ("Z" or ±hh:mm).
std::regex remote_frame(int priority, const std::string& message) {
  return std::regex("^<" + std::to_string(priority) +
                    R"(>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) )" + hostname() + " " +
                    program_invocation_short_name + "\\[" + std::to_string(::getpid()) +
                    "\\]: " + message + "\n$");
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

  // One datagram, or whatever a stream has ready, within the timeout; "" on timeout.
  std::string receive(int timeout_ms = kReceiveTimeoutMs) const {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return {};
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }
  // Stream: everything up to and including the n-th newline, within the timeout.
  std::string receive_lines(int n) const {
    std::string data;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::count(data.begin(), data.end(), '\n') < n &&
           std::chrono::steady_clock::now() < deadline) {
      data += receive(100);
    }
    return data;
  }

 private:
  int fd_;
};

int bound_inet(int type, int& port) {
  int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

int bound_unix(int type, const std::string& path) {
  int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  return fd;
}

SyslogEndpoint unix_datagram(const std::string& path) {
  SyslogEndpoint endpoint;
  endpoint.family = AF_UNIX;
  endpoint.socket_type = SOCK_DGRAM;
  endpoint.path = path;
  return endpoint;
}

int accept_within(int listener, int timeout_ms) {
  pollfd p{listener, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return -1;
  return ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
}

TEST_F(LoggerTest, RemoteSyslogUdpDatagrams) {
  int port = 0;
  Socket server(bound_inet(SOCK_DGRAM, port));
  ASSERT_EQ(
      init(Options().with_debug().with_trace().remote("udp://127.0.0.1:" + std::to_string(port))),
      "");
  info("Server is ready");
  warn("w");
  error("e");
  fatal("f");
  debug("d");
  trace("t");
  // No "[pid] time [INF]" prefix: the message alone, severity in the priority (facility 0).
  const std::pair<int, std::string> expected[] = {
      {5, "Server is ready"}, {4, "w"}, {3, "e"}, {2, "f"}, {7, "d"}, {5, "t"}};
  for (const auto& [priority, message] : expected) {
    const auto datagram = server.receive();
    EXPECT_TRUE(std::regex_match(datagram, remote_frame(priority, message))) << datagram;
  }
}

TEST_F(LoggerTest, RemoteSyslogDebugOnlyWhenEnabled) {
  int port = 0;
  Socket server(bound_inet(SOCK_DGRAM, port));
  ASSERT_EQ(init(Options().remote("udp://127.0.0.1:" + std::to_string(port))), "");
  debug("hidden");
  trace("hidden");
  info("shown");
  const auto datagram = server.receive();
  EXPECT_TRUE(std::regex_match(datagram, remote_frame(5, "shown"))) << datagram;
}

TEST_F(LoggerTest, RemoteSyslogByHostName) {
  // TCP, so that an address of "localhost" where nobody listens (::1 on some hosts) is refused
  // and the next one tried, as Go's dialer does.
  // A bare chroot may have no /etc/hosts; then the name cannot resolve for anyone.
  addrinfo* resolved = nullptr;
  if (::getaddrinfo("localhost", nullptr, nullptr, &resolved) != 0) {
    GTEST_SKIP() << "\"localhost\" does not resolve on this machine (no /etc/hosts entry)";
  }
  ::freeaddrinfo(resolved);
  int port = 0;
  Socket listener(bound_inet(SOCK_STREAM, port));
  ASSERT_EQ(::listen(listener.fd(), 4), 0);
  ASSERT_EQ(init(Options().remote("tcp://localhost:" + std::to_string(port))), "");
  Socket conn(accept_within(listener.fd(), kReceiveTimeoutMs));
  ASSERT_GE(conn.fd(), 0);
  info("resolved");
  const auto data = conn.receive_lines(1);
  EXPECT_TRUE(std::regex_match(data, remote_frame(5, "resolved"))) << data;
}

TEST_F(LoggerTest, RemoteSyslogTcpStream) {
  int port = 0;
  Socket listener(bound_inet(SOCK_STREAM, port));
  ASSERT_EQ(::listen(listener.fd(), 4), 0);
  ASSERT_EQ(init(Options().remote("tcp://127.0.0.1:" + std::to_string(port))), "");
  Socket conn(accept_within(listener.fd(), kReceiveTimeoutMs));
  ASSERT_GE(conn.fd(), 0);
  info("one");
  warn("two");
  const auto data = conn.receive_lines(2);
  auto nl = data.find('\n');
  ASSERT_NE(nl, std::string::npos) << data;
  EXPECT_TRUE(std::regex_match(data.substr(0, nl + 1), remote_frame(5, "one"))) << data;
  EXPECT_TRUE(std::regex_match(data.substr(nl + 1), remote_frame(4, "two"))) << data;
}

TEST_F(LoggerTest, RemoteSyslogTcpReconnectsAfterServerDropsConnection) {
  int port = 0;
  Socket listener(bound_inet(SOCK_STREAM, port));
  ASSERT_EQ(::listen(listener.fd(), 4), 0);
  ASSERT_EQ(init(Options().remote("tcp://127.0.0.1:" + std::to_string(port))), "");
  { Socket dropped(accept_within(listener.fd(), kReceiveTimeoutMs)); }
  // Lines written into the dead connection are lost (as with Go's writer) until a write
  // fails; then the sink reconnects once and resends that line.
  int reconnected = -1;
  for (int i = 0; i < 500 && reconnected < 0; ++i) {
    info("probe {}", i);
    reconnected = accept_within(listener.fd(), 10);
  }
  ASSERT_GE(reconnected, 0) << "the sink never reconnected";
  Socket conn(reconnected);
  const auto data = conn.receive_lines(1);
  EXPECT_TRUE(std::regex_search(data, std::regex(R"(\]: probe \d+\n)"))) << data;
}

TEST_F(LoggerTest, RemoteSyslogUnixStream) {
  const auto path = dir_.file("syslog.sock");
  Socket listener(bound_unix(SOCK_STREAM, path));
  ASSERT_EQ(::listen(listener.fd(), 4), 0);
  ASSERT_EQ(init(Options().remote("unix://" + path)), "");
  Socket conn(accept_within(listener.fd(), kReceiveTimeoutMs));
  ASSERT_GE(conn.fd(), 0);
  error("over unix");
  const auto data = conn.receive_lines(1);
  EXPECT_TRUE(std::regex_match(data, remote_frame(3, "over unix"))) << data;
}

TEST_F(LoggerTest, RemoteSyslogErrorsAsNatsServer) {
  // A bound socket that does not listen refuses connections, and keeps the port ours.
  int port = 0;
  Socket not_listening(bound_inet(SOCK_STREAM, port));
  const auto p = std::to_string(port);
  EXPECT_EQ(
      init(Options().remote("tcp://127.0.0.1:" + p)),
      "error connecting to syslog: \"dial tcp 127.0.0.1:" + p + ": connect: connection refused\"");
  EXPECT_EQ(init(Options().remote("foo://127.0.0.1:514")), "error invalid network type: \"foo\"");
  EXPECT_EQ(init(Options().remote("localhost:514")), "error invalid network type: \"localhost\"");
  EXPECT_EQ(init(Options().remote("127.0.0.1:514")),
            "parse \"127.0.0.1:514\": first path segment in URL cannot contain colon");
  EXPECT_EQ(init(Options().remote("udp://127.0.0.1")),
            "error connecting to syslog: \"dial udp: address 127.0.0.1: missing port in "
            "address\"");
  const auto missing = dir_.file("nothere.sock");
  EXPECT_EQ(init(Options().remote("unix://" + missing)),
            "error connecting to syslog: \"dial unix " + missing +
                ": connect: no such file or directory\"");
}

TEST(SyslogSinkTest, LocalDaemonFrameAndPriorities) {
  TempDir dir;
  const auto path = dir.file("log");
  Socket daemon(bound_unix(SOCK_DGRAM, path));
  SyslogTarget target;
  target.local = true;
  target.endpoints.push_back(unix_datagram(path));
  std::string error;
  auto sink = SyslogSink::connect(target, error);
  ASSERT_TRUE(sink) << error;
  auto logger = std::make_shared<spdlog::logger>("local-syslog-test", sink);
  logger->set_level(spdlog::level::trace);
  // Facility daemon (3 << 3) with nats-server's severities; Go's time.Stamp, no host name.
  const std::pair<spdlog::level::level_enum, int> levels[] = {
      {spdlog::level::info, 29},     {spdlog::level::warn, 28},  {spdlog::level::err, 27},
      {spdlog::level::critical, 26}, {spdlog::level::debug, 31}, {spdlog::level::trace, 29}};
  for (const auto& [level, priority] : levels) {
    logger->log(level, "local message");
    const auto datagram = daemon.receive();
    const std::regex frame("^<" + std::to_string(priority) +
                           R"(>[A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d )" +
                           program_invocation_short_name + "\\[" + std::to_string(::getpid()) +
                           "\\]: local message\n$");
    EXPECT_TRUE(std::regex_match(datagram, frame)) << datagram;
  }
}

TEST(SyslogSinkTest, NoLocalDaemonIsNatsServersError) {
  TempDir dir;
  SyslogTarget target;
  target.local = true;
  target.endpoints.push_back(unix_datagram(dir.file("missing")));
  std::string error;
  EXPECT_FALSE(SyslogSink::connect(target, error));
  EXPECT_EQ(error, "error connecting to syslog: \"Unix syslog delivery error\"");
}

TEST(SyslogSinkTest, ParsesTargets) {
  SyslogTarget target;
  ASSERT_EQ(parse_remote_syslog("UDP://[::1]:514", target), "");
  ASSERT_EQ(target.endpoints.size(), 1u);
  EXPECT_EQ(target.network, "udp");
  EXPECT_EQ(target.endpoints[0].host, "::1");
  EXPECT_EQ(target.endpoints[0].port, "514");
  EXPECT_EQ(target.endpoints[0].socket_type, SOCK_DGRAM);
  EXPECT_FALSE(target.local);

  ASSERT_EQ(parse_remote_syslog("tcp://logs.example.com:601", target), "");
  EXPECT_EQ(target.endpoints[0].host, "logs.example.com");
  EXPECT_EQ(target.endpoints[0].socket_type, SOCK_STREAM);

  ASSERT_EQ(parse_remote_syslog("unix:///run/syslog.sock", target), "");
  EXPECT_EQ(target.endpoints[0].family, AF_UNIX);
  EXPECT_EQ(target.endpoints[0].path, "/run/syslog.sock");

  EXPECT_EQ(parse_remote_syslog("syslog-host", target), "error invalid network type: \"\"");
}

}  // namespace
}  // namespace gnatsd::log::test
