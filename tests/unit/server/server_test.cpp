// In-process server tests: the real Server on an ephemeral loopback port, driven over sockets,
// checking what only the inside can see (traffic counters, slow-consumer accounting).
#include "server/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace gnatsd::server {
namespace {

using namespace std::chrono_literals;

class RunningServer {
 public:
  explicit RunningServer(config::Options options) : server_(tune(std::move(options))) {
    EXPECT_EQ(server_.start(), "");
    thread_ = std::thread([this] { server_.run(); });
  }
  ~RunningServer() {
    server_.request_shutdown();
    thread_.join();
  }
  Server& server() { return server_; }
  int port() const { return server_.port(); }

 private:
  static config::Options tune(config::Options options) {
    options.host = "127.0.0.1";
    options.port = -1;
    return options;
  }
  Server server_;
  std::thread thread_;
};

// A blocking loopback client with bounded reads.
class Socket {
 public:
  explicit Socket(int port, int rcvbuf = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  ~Socket() { ::close(fd_); }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  void send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      ASSERT_GT(n, 0);
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  // Reads until `needle` shows up or the deadline passes; returns everything read.
  std::string read_until(std::string_view needle, std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buffer_.find(needle) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    return buffer_;
  }
  // Counts occurrences of `needle` received until `count` is reached or the deadline passes.
  std::size_t count_until(std::string_view needle, std::size_t count,
                          std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t seen = 0, scanned = 0;
    for (;;) {
      for (auto pos = buffer_.find(needle, scanned); pos != std::string::npos;
           pos = buffer_.find(needle, scanned)) {
        ++seen;
        scanned = pos + needle.size();
      }
      buffer_.erase(0, scanned);
      scanned = 0;
      if (seen >= count) return seen;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return seen;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return seen;
      char chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return seen;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buffer_;
};

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return predicate();
}

TEST(ServerTest, CountsMessagesAndBytesExactly) {
  RunningServer running{config::Options{}};
  Socket sub(running.port());
  sub.send("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n");
  sub.read_until("PONG\r\n");
  Socket pub(running.port());
  std::string batch = "CONNECT {\"verbose\":false}\r\n";
  for (int i = 0; i < 1000; ++i) batch += "PUB foo 10\r\n0123456789\r\n";
  batch += "PING\r\n";
  pub.send(batch);
  pub.read_until("PONG\r\n");
  std::string got = sub.read_until(std::string("MSG foo 1 10\r\n0123456789\r\n"), 5s);
  ASSERT_TRUE(eventually([&] { return running.server().traffic().out_msgs == 1000; }));
  auto traffic = running.server().traffic();
  EXPECT_EQ(traffic.in_msgs, 1000u);
  EXPECT_EQ(traffic.in_bytes, 10000u);
  EXPECT_EQ(traffic.out_msgs, 1000u);
  EXPECT_EQ(traffic.out_bytes, 10000u);
  EXPECT_EQ(traffic.slow_consumers, 0u);
}

TEST(ServerTest, SlowConsumerIsCutOffAndCountedWhileFastOneGetsEverything) {
  config::Options options;
  options.max_pending = 1024 * 1024;
  RunningServer running{options};
  // The slow subscriber never reads and has a tiny receive window.
  Socket slow(running.port(), 4096);
  slow.send("CONNECT {\"verbose\":false}\r\nSUB data 1\r\nPING\r\n");
  slow.read_until("PONG\r\n");
  Socket fast(running.port());
  fast.send("CONNECT {\"verbose\":false}\r\nSUB data 1\r\nPING\r\n");
  fast.read_until("PONG\r\n");

  // In chunks of half of max_pending, each fully received by the fast subscriber before the
  // next is sent: the fast one is never far behind however the threads are scheduled, while
  // the one that never reads must exceed max_pending.
  const std::string payload(1000, 'x');
  const std::string frame = "PUB data 1000\r\n" + payload + "\r\n";
  const int chunk = 500, chunks = 32;  // 16 MB in all: beyond max_pending plus socket buffers
  Socket pub(running.port());
  pub.send("CONNECT {\"verbose\":false}\r\n");
  std::string burst;
  for (int i = 0; i < chunk; ++i) burst += frame;
  std::size_t fast_seen = 0;
  for (int c = 0; c < chunks; ++c) {
    pub.send(burst);
    fast_seen += fast.count_until("MSG data 1 1000\r\n", chunk, 10s);
    ASSERT_EQ(fast_seen, static_cast<std::size_t>((c + 1) * chunk));
  }
  EXPECT_TRUE(eventually([&] { return running.server().traffic().slow_consumers == 1; }))
      << "slow consumers: " << running.server().traffic().slow_consumers
      << ", out_msgs: " << running.server().traffic().out_msgs
      << ", in_msgs: " << running.server().traffic().in_msgs;
  EXPECT_TRUE(eventually([&] { return running.server().num_clients() == 2; }));
}

TEST(ServerTest, NewcomerOverMaxConnectionsGetsTheErrorOthersCarryOn) {
  config::Options options;
  options.max_connections = 1;
  RunningServer running{options};
  Socket first(running.port());
  first.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
  ASSERT_NE(first.read_until("PONG\r\n").find("PONG"), std::string::npos);

  Socket extra(running.port());
  std::string got = extra.read_until("exceeded'\r\n");
  EXPECT_EQ(got.rfind("INFO {", 0), 0u) << got;
  EXPECT_NE(got.find("} \r\n-ERR 'maximum connections exceeded'\r\n"), std::string::npos) << got;
  EXPECT_TRUE(eventually([&] { return running.server().num_clients() == 1; }));

  first.send("PING\r\n");
  EXPECT_NE(first.read_until("PONG\r\nPONG\r\n").find("PONG\r\nPONG\r\n"), std::string::npos);
}

TEST(ServerTest, ClientThatNeverAnswersPingsIsClosedAsStale) {
  config::Options options;
  options.ping_interval = std::chrono::milliseconds(50);
  options.ping_max = 2;
  RunningServer running{options};
  Socket silent(running.port());
  silent.send("CONNECT {\"verbose\":false}\r\n");
  std::string got = silent.read_until("'Stale Connection'\r\n", 5s);
  auto info_end = got.find("} \r\n");
  ASSERT_NE(info_end, std::string::npos) << got;
  EXPECT_EQ(got.substr(info_end + 4), "PING\r\nPING\r\n-ERR 'Stale Connection'\r\n");
  EXPECT_TRUE(eventually([&] { return running.server().num_clients() == 0; }));
}

TEST(ServerTest, HalfClosedClientStillGetsItsReplies) {
  RunningServer running{config::Options{}};
  Socket client(running.port());
  // The half-close contract: a client that shuts down its sending side still reads the
  // replies to what it sent (larger than one read buffer, so several reads precede the EOF).
  const std::string payload(16000, 'p');
  client.send("SUB foo 1\r\nPUB foo 16000\r\n" + payload + "\r\nPING\r\n");
  client.shutdown_write();  // like `printf ... | nc`
  std::string got = client.read_until("PONG\r\n");
  EXPECT_NE(got.find("} \r\n+OK\r\n+OK\r\nMSG foo 1 16000\r\n" + payload + "\r\nPONG\r\n"),
            std::string::npos)
      << got.size() << " bytes received";
}

}  // namespace
}  // namespace gnatsd::server

namespace gnatsd::server {
namespace {

TEST(ServerMonitoringTest, OsChosenMonitorPortIsDiscoverable) {
  config::Options options;
  options.http_port = -1;
  RunningServer running{options};
  EXPECT_GT(running.server().http_port(), 0);
  config::Options off;
  RunningServer without{off};
  EXPECT_EQ(without.server().http_port(), 0);
}

TEST(ServerMonitoringTest, SnapshotComesFromEveryWorkerAndClosedOnesAreRemembered) {
  config::Options options;
  options.io_threads = 3;
  RunningServer running{options};
  std::vector<std::unique_ptr<Socket>> clients;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(std::make_unique<Socket>(running.port()));
    clients.back()->send("CONNECT {\"verbose\":false}\r\nSUB s" + std::to_string(i) +
                         " 1\r\nPING\r\n");
    clients.back()->read_until("PONG\r\n");
  }
  SnapshotRequest request;
  request.subscriptions = true;
  auto snapshots = running.server().snapshot(request, 5s);
  ASSERT_EQ(snapshots.size(), 3u);
  std::size_t conns = 0;
  for (const auto& s : snapshots) {
    EXPECT_EQ(s.connections.size(), s.open_connections);
    conns += s.connections.size();
    for (const auto& c : s.connections) EXPECT_EQ(c.subs.size(), 1u);
  }
  EXPECT_EQ(conns, 6u);

  clients.front().reset();  // a clean close
  ASSERT_TRUE(eventually([&] { return running.server().closed_connections().size() == 1; }));
  auto closed = running.server().closed_connections().list();
  EXPECT_EQ(closed[0].reason, "Client Closed");
  EXPECT_TRUE(closed[0].stop.has_value());
  ASSERT_EQ(closed[0].subs.size(), 1u);
  EXPECT_EQ(closed[0].subs[0].subject, "s0");
}

TEST(ClosedConnectionsTest, KeepsOnlyTheMostRecent) {
  ClosedConnections ring(3);
  for (std::uint64_t cid = 1; cid <= 5; ++cid) {
    ConnInfo info;
    info.cid = cid;
    ring.add(info);
  }
  auto list = ring.list();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].cid, 3u);
  EXPECT_EQ(list[2].cid, 5u);
}

}  // namespace
}  // namespace gnatsd::server
