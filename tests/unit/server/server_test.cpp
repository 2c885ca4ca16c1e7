// In-process server tests: the real Server on an ephemeral loopback port, driven over sockets,
// checking what only the inside can see (traffic counters, slow-consumer accounting).
#include "server/server.hpp"

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "eventually.hpp"
#include "raw_client.hpp"
#include "server_test_support.hpp"

namespace gnatsd::server {
namespace {

using namespace std::chrono_literals;
using gnatsd::test::eventually;
using gnatsd::test::RawClient;
using testing::RunningServer;

TEST(ServerTest, CountsMessagesAndBytesExactly) {
  RunningServer running{config::Options{}};
  RawClient sub(running.port());
  EXPECT_TRUE(sub.send("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n"));
  sub.read_until("PONG\r\n");
  RawClient pub(running.port());
  std::string batch = "CONNECT {\"verbose\":false}\r\n";
  for (int i = 0; i < 1000; ++i) batch += "PUB foo 10\r\n0123456789\r\n";
  batch += "PING\r\n";
  EXPECT_TRUE(pub.send(batch));
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
  RawClient slow(running.port(), RawClient::Options{.rcvbuf = 4096});
  EXPECT_TRUE(slow.send("CONNECT {\"verbose\":false}\r\nSUB data 1\r\nPING\r\n"));
  slow.read_until("PONG\r\n");
  RawClient fast(running.port());
  EXPECT_TRUE(fast.send("CONNECT {\"verbose\":false}\r\nSUB data 1\r\nPING\r\n"));
  fast.read_until("PONG\r\n");

  // In chunks of half of max_pending, each fully received by the fast subscriber before the
  // next is sent: the fast one is never far behind however the threads are scheduled, while
  // the one that never reads must exceed max_pending.
  const std::string payload(1000, 'x');
  const std::string frame = "PUB data 1000\r\n" + payload + "\r\n";
  const int chunk = 500, chunks = 32;  // 16 MB in all: beyond max_pending plus socket buffers
  RawClient pub(running.port());
  EXPECT_TRUE(pub.send("CONNECT {\"verbose\":false}\r\n"));
  std::string burst;
  for (int i = 0; i < chunk; ++i) burst += frame;
  std::size_t fast_seen = 0;
  for (int c = 0; c < chunks; ++c) {
    EXPECT_TRUE(pub.send(burst, 10s));
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
  RawClient first(running.port());
  EXPECT_TRUE(first.send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  ASSERT_NE(first.read_until("PONG\r\n").find("PONG"), std::string::npos);

  RawClient extra(running.port());
  std::string got = extra.read_until("exceeded'\r\n");
  EXPECT_EQ(got.rfind("INFO {", 0), 0u) << got;
  EXPECT_NE(got.find("} \r\n-ERR 'maximum connections exceeded'\r\n"), std::string::npos) << got;
  EXPECT_TRUE(eventually([&] { return running.server().num_clients() == 1; }));

  EXPECT_TRUE(first.send("PING\r\n"));
  // The first PONG was consumed above: the next bytes are the second one.
  EXPECT_EQ(first.read_until("PONG\r\n"), "PONG\r\n");
}

TEST(ServerTest, ClientThatNeverAnswersPingsIsClosedAsStale) {
  config::Options options;
  options.ping_interval = std::chrono::milliseconds(50);
  options.ping_max = 2;
  RunningServer running{options};
  RawClient silent(running.port());
  EXPECT_TRUE(silent.send("CONNECT {\"verbose\":false}\r\n"));
  std::string got = silent.read_until("'Stale Connection'\r\n", 5s);
  auto info_end = got.find("} \r\n");
  ASSERT_NE(info_end, std::string::npos) << got;
  EXPECT_EQ(got.substr(info_end + 4), "PING\r\nPING\r\n-ERR 'Stale Connection'\r\n");
  EXPECT_TRUE(eventually([&] { return running.server().num_clients() == 0; }));
}

TEST(ServerTest, HalfClosedClientStillGetsItsReplies) {
  RunningServer running{config::Options{}};
  RawClient client(running.port());
  // The half-close contract: a client that shuts down its sending side still reads the
  // replies to what it sent (larger than one read buffer, so several reads precede the EOF).
  const std::string payload(16000, 'p');
  EXPECT_TRUE(client.send("SUB foo 1\r\nPUB foo 16000\r\n" + payload + "\r\nPING\r\n"));
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
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(std::make_unique<RawClient>(running.port()));
    EXPECT_TRUE(clients.back()->send("CONNECT {\"verbose\":false}\r\nSUB s" + std::to_string(i) +
                                     " 1\r\nPING\r\n"));
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
