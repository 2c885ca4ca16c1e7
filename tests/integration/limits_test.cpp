// Server limits and lifecycle through a config file (-c), calibrated against nats-server 2.9.10:
// max_connections, stale connections, slow consumers, configured sizes.
// Every test here also passes against nats-server 2.9.10
// (GNATSD_TEST_BINARY=/usr/sbin/nats-server).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "client_helpers.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace gnatsd::test {
namespace {

// ---------------------------------------------------------------------------------------------

TEST(LimitsTest, MaxConnectionsRejectsTheNewcomerOnly) {
  TempFile conf("max_connections: 2\n");
  ServerProcess server({"-c", conf.path()});
  auto a = open_connected(server);
  auto b = open_connected(server);

  // The newcomer still gets INFO first, then the error, then the close.
  RawClient extra(server.port());
  EXPECT_TRUE(extra.read_frame().starts_with("INFO {"));
  EXPECT_EQ(extra.read_frame(), kErrMaxConnections);
  EXPECT_TRUE(extra.expect_closed());
  EXPECT_EQ(extra.buffered(), "");

  // The existing connections are unaffected.
  ASSERT_EQ(roundtrip(*a, "SUB foo 1\r\n"), "PONG\r\n");
  ASSERT_EQ(roundtrip(*b, "PUB foo 2\r\nhi\r\n"), "PONG\r\n");
  EXPECT_EQ(roundtrip(*a, ""), msg("foo", "1", "hi") + "PONG\r\n");

  // Closing one frees its slot once the server has noticed the close.
  b.reset();
  bool admitted = false;
  for (auto deadline = Clock::now() + 5s; !admitted && Clock::now() < deadline;) {
    RawClient next(server.port());
    if (!next.read_frame().starts_with("INFO {")) break;
    ASSERT_TRUE(next.send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
    std::string reply = next.read_frame();
    if (reply == "PONG\r\n") {
      admitted = true;
    } else {
      ASSERT_EQ(reply, kErrMaxConnections);
      EXPECT_TRUE(next.expect_closed());
    }
  }
  EXPECT_TRUE(admitted) << "no free slot 5 s after a client disconnected";
}

TEST(LimitsTest, ClientThatNeverAnswersPingIsClosedAsStale) {
  TempFile conf("ping_interval: \"100ms\"\nping_max: 2\n");
  ServerProcess server({"-c", conf.path()});

  // This one answers every PING, in its own thread, until it has seen five.
  auto lively = open_connected(server);
  std::atomic<int> pings_answered{0};
  // jthread: joined on every exit path, including a failed assertion below.
  std::jthread answerer([&] {
    for (auto deadline = Clock::now() + 10s; pings_answered < 5 && Clock::now() < deadline;) {
      std::string frame = lively->read_frame(1s);
      if (frame == "PING\r\n" && lively->send("PONG\r\n")) ++pings_answered;
      if (lively->closed()) return;
    }
  });

  RawClient stale(server.port());
  EXPECT_TRUE(stale.read_frame().starts_with("INFO {"));
  EXPECT_TRUE(stale.send("CONNECT {\"verbose\":false}\r\n"));
  // ping_max PINGs go unanswered; at the next tick the server gives up.
  EXPECT_TRUE(stale.expect_closed(5s));
  EXPECT_EQ(stale.buffered(), "PING\r\nPING\r\n" + std::string(kErrStale));

  answerer.join();
  EXPECT_GE(pings_answered.load(), 5);
  EXPECT_FALSE(lively->closed());
  EXPECT_EQ(roundtrip(*lively, ""), "PONG\r\n");
}

// Subscribes a slow raw client (tiny receive buffer, never reads) and a fast one (reads in a
// thread) to "flood", publishes `count` messages of `size` bytes, and checks that only the slow
// one is cut off, without an -ERR, and that the log says why (`expected_log`).
void flood_past_a_slow_consumer(const ServerProcess& server, size_t size, int count,
                                std::string_view expected_log) {
  auto slow = open_connected(server, {.rcvbuf = 4096});
  ASSERT_EQ(roundtrip(*slow, "SUB flood 1\r\n"), "PONG\r\n");
  auto fast = open_connected(server);
  ASSERT_EQ(roundtrip(*fast, "SUB flood 2\r\n"), "PONG\r\n");
  auto pub = open_connected(server);

  const std::string payload(size, 'x');
  const std::string expected_frame = msg("flood", "2", payload);
  const std::string done_frame = msg("flood", "2", "DONE");
  // One budget for the whole flood keeps a failing run well inside the CTest timeout.
  const auto deadline = Clock::now() + 40s;
  auto left = [&] {
    return std::max(0ms,
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  };
  int fast_received = 0;
  bool fast_done = false;
  std::jthread reader([&] {  // joined on every exit path
    while (Clock::now() < deadline && !fast->closed()) {
      std::string frame = fast->read_frame(std::min(left(), std::chrono::milliseconds(1s)));
      if (frame == expected_frame) ++fast_received;
      if (frame == done_frame) {
        fast_done = true;
        return;
      }
    }
  });

  std::string flood;
  flood.reserve(static_cast<size_t>(count) * (size + 32));
  for (int i = 0; i < count; ++i) {
    flood.append("PUB flood ").append(std::to_string(size)).append("\r\n");
    flood.append(payload).append("\r\n");
  }
  flood.append("PUB flood 4\r\nDONE\r\nPING\r\n");
  auto start = Clock::now();
  EXPECT_TRUE(pub->send(flood, left())) << "publisher blocked";
  EXPECT_EQ(pub->read_until_pong(left()), "PONG\r\n");
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  ::testing::Test::RecordProperty("publish_ms", static_cast<int>(elapsed.count()));

  reader.join();
  EXPECT_TRUE(fast_done);
  EXPECT_EQ(fast_received, count);
  EXPECT_EQ(roundtrip(*fast, ""), "PONG\r\n");
  EXPECT_EQ(roundtrip(*pub, ""), "PONG\r\n");

  // The slow subscriber must not read before the server has given up on it: draining it
  // would let the server's writes make progress again.
  EXPECT_TRUE(server.wait_for_log(expected_log, 10s)) << server.log();
  EXPECT_TRUE(slow->expect_closed(10s));
  EXPECT_LT(slow->buffered().size(), static_cast<size_t>(count) * size);
  // nats-server just drops the connection: no -ERR is queued behind the unread data.
  EXPECT_EQ(slow->buffered().find("-ERR"), std::string::npos);
  if (::testing::Test::HasFailure()) std::cerr << server.log();
}

TEST(LimitsTest, SlowConsumerOverMaxPendingIsCutOff) {
  // max_payload may not exceed max_pending, so both are lowered. max_pending must stay well
  // above what one read batch of the publisher queues for the fast subscriber: nats-server
  // flushes subscribers once per read batch (64 KB at most), so with max_pending at 64 KB
  // the fast subscriber is cut off as well.
  // write_deadline bounds the publisher's stall: nats-server 2.9.10 keeps stalling the
  // publisher (up to 1 s per message) after the MaxPending cut until the slow subscriber's
  // blocked write times out, which is 10 s with the default write_deadline.
  TempFile conf("max_pending: 262144\nmax_payload: 65536\nwrite_deadline: \"2s\"\n");
  ServerProcess server({"-c", conf.path()});
  // 15 MB: more than the kernel buffers in front of the slow reader can absorb.
  flood_past_a_slow_consumer(server, 60000, 256,
                             "Slow Consumer Detected: MaxPending of 262144 Exceeded");
}

TEST(LimitsTest, SlowConsumerPastWriteDeadlineIsCutOff) {
  TempFile conf("write_deadline: \"200ms\"\n");
  ServerProcess server({"-c", conf.path()});
  // nats-server 2.9.10 goes on: "... exceeded with N chunks of M total bytes."
  flood_past_a_slow_consumer(server, 60000, 256,
                             "Slow Consumer Detected: WriteDeadline of 200ms exceeded");
}

TEST(LimitsTest, ConfiguredMaxPayloadAndControlLine) {
  TempFile conf("max_payload: 1024\nmax_control_line: 512\n");
  ServerProcess server({"-c", conf.path()});

  RawClient info_client(server.port());
  std::string info = info_client.read_frame();
  ASSERT_TRUE(info.ends_with("} \r\n")) << info;
  EXPECT_EQ(nlohmann::json::parse(info.substr(5, info.size() - 8)).value("max_payload", 0), 1024);

  auto c = open_connected(server);
  EXPECT_EQ(roundtrip(*c, "SUB foo 1\r\nPUB foo 1024\r\n" + std::string(1024, 'p') + "\r\n"),
            msg("foo", "1", std::string(1024, 'p')) + "PONG\r\n");
  ASSERT_TRUE(c->send("PUB foo 1025\r\n"));
  EXPECT_EQ(c->read_frame(), kErrMaxPayload);
  EXPECT_TRUE(c->expect_closed());

  // The control-line limit counts the arguments: 512 bytes pass, 513 do not.
  std::string arg(510, 'a');
  auto ok = open_connected(server);
  EXPECT_EQ(roundtrip(*ok, "SUB " + arg + " 1\r\n"), "PONG\r\n");
  auto too_long = open_connected(server);
  ASSERT_TRUE(too_long->send("SUB " + arg + "a 1\r\n"));
  EXPECT_EQ(too_long->read_frame(), kErrMaxControlLine);
  EXPECT_TRUE(too_long->expect_closed());
}

TEST(LimitsTest, MaxPayloadAboveMaxPendingIsAConfigError) {
  TempFile conf("max_pending: 65536\n");
  auto result = ServerProcess::run_to_exit({"-c", conf.path()});
  ASSERT_TRUE(result.has_value()) << "server started with max_payload > max_pending";
  EXPECT_TRUE(WIFEXITED(result->status) && WEXITSTATUS(result->status) != 0)
      << describe_wait_status(result->status);
  EXPECT_NE(result->output.find("max_payload (1048576) cannot be higher than max_pending (65536)"),
            std::string::npos)
      << result->output;
}

}  // namespace
}  // namespace gnatsd::test
