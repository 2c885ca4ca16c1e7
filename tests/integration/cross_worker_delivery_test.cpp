// Deliveries to a subscriber that another I/O thread owns: the publisher's thread writes a small
// backlog straight to the subscriber's socket, and hands a bigger one, or one the socket
// refuses, to the owner. Whichever thread writes, the subscriber must get every message once,
// in order, with its own PONGs in their place. Connections are dealt round-robin to the I/O
// threads, so the subscriber (first) and the publisher (second) are on different threads on
// any machine with two cores or more; on one core the test still checks the same bytes.
// Passes against nats-server 2.9.10 too (GNATSD_TEST_BINARY=/usr/sbin/nats-server).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "client_helpers.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace gnatsd::test {
namespace {

using namespace std::chrono_literals;

std::string numbered(std::uint32_t n) {
  std::string s = std::to_string(n);
  return std::string(8 - s.size(), '0') + s;
}

// Reads MSG frames on `sid` until `count` arrived (PONGs counted apart), checking that payload
// i is numbered(i). Returns a failure naming the first gap or duplicate.
::testing::AssertionResult expect_in_order(RawClient& sub, std::uint32_t count,
                                           std::size_t& pongs) {
  const std::string head = "MSG cross 1 8\r\n";
  for (std::uint32_t i = 0; i < count;) {
    const std::string frame = sub.read_frame(10s);
    if (frame.empty()) {
      return ::testing::AssertionFailure() << "only " << i << " of " << count << " messages";
    }
    if (frame == "PONG\r\n") {
      ++pongs;
      continue;
    }
    if (frame == "PING\r\n") continue;
    const std::string want = head + numbered(i) + "\r\n";
    if (frame != want) {
      return ::testing::AssertionFailure()
             << "message " << i << ": got " << ::testing::PrintToString(frame);
    }
    ++i;
  }
  return ::testing::AssertionSuccess();
}

TEST(CrossWorkerDeliveryTest, TricklesAndBurstsArriveOnceInOrderWithThePongsBetween) {
  ServerProcess server;
  // A small receive buffer, and a subscriber that stops reading for a while: the direct writes
  // meet a full socket and the owner has to take over, then the subscriber drains.
  auto sub = open_connected(server, RawClient::Options{.no_delay = true, .rcvbuf = 4096});
  ASSERT_EQ(roundtrip(*sub, "SUB cross 1\r\n"), "PONG\r\n");
  auto pub = open_connected(server, RawClient::Options{.no_delay = true});

  constexpr std::uint32_t kTrickle = 300;  // one message per write: small backlogs
  constexpr std::uint32_t kBursts = 40;    // then bursts of 500 in one write: big backlogs
  constexpr std::uint32_t kPerBurst = 500;
  constexpr std::uint32_t kTotal = kTrickle + kBursts * kPerBurst;
  std::size_t pings_sent = 0;
  std::uint32_t next = 0;
  for (; next < kTrickle; ++next) {
    ASSERT_TRUE(pub->send("PUB cross 8\r\n" + numbered(next) + "\r\n"));
    if (next % 50 == 0) {
      ASSERT_TRUE(sub->send("PING\r\n"));  // the owner's PONG, amid the other thread's writes
      ++pings_sent;
    }
  }
  for (std::uint32_t b = 0; b < kBursts; ++b) {
    std::string burst;
    for (std::uint32_t k = 0; k < kPerBurst; ++k, ++next) {
      burst += "PUB cross 8\r\n" + numbered(next) + "\r\n";
    }
    ASSERT_TRUE(pub->send(burst));
    ASSERT_TRUE(sub->send("PING\r\n"));
    ++pings_sent;
  }
  // Everything was published before the subscriber reads on: the publisher's PONG proves it.
  ASSERT_EQ(roundtrip(*pub, ""), "PONG\r\n");

  std::size_t pongs = 0;
  EXPECT_TRUE(expect_in_order(*sub, kTotal, pongs));
  // The PONGs still to come follow the last message (they were asked for before it).
  ASSERT_TRUE(sub->send("PING\r\n"));
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       pongs < pings_sent + 1 && std::chrono::steady_clock::now() < deadline;) {
    const std::string frame = sub->read_frame(5s);
    if (frame.empty()) break;
    if (frame == "PONG\r\n")
      ++pongs;
    else if (frame != "PING\r\n")
      ADD_FAILURE() << "unexpected " << frame;
  }
  EXPECT_EQ(pongs, pings_sent + 1);
}

TEST(CrossWorkerDeliveryTest, RequestsAndRepliesBetweenThreadsKeepTheirOrder) {
  ServerProcess server;
  auto responder = open_connected(server, RawClient::Options{.no_delay = true});
  ASSERT_EQ(roundtrip(*responder, "SUB svc 1\r\n"), "PONG\r\n");
  auto requester = open_connected(server, RawClient::Options{.no_delay = true});
  ASSERT_EQ(roundtrip(*requester, "SUB inbox 1\r\n"), "PONG\r\n");
  // One request in flight at a time, as a blocking client makes them: each hop is a small
  // backlog on the other thread's connection.
  for (std::uint32_t i = 0; i < 2000; ++i) {
    const std::string n = numbered(i);
    ASSERT_TRUE(requester->send("PUB svc inbox 8\r\n" + n + "\r\n"));
    ASSERT_EQ(responder->read_frame(), "MSG svc 1 inbox 8\r\n" + n + "\r\n") << "request " << i;
    ASSERT_TRUE(responder->send("PUB inbox 8\r\n" + n + "\r\n"));
    ASSERT_EQ(requester->read_frame(), "MSG inbox 1 8\r\n" + n + "\r\n") << "reply " << i;
  }
}

}  // namespace
}  // namespace gnatsd::test
