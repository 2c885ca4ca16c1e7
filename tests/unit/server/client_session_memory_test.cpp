// A client session driven frame by frame in memory (in_memory_connection.hpp): no socket, no
// server, no worker thread. What goes in is what a client sends; what is asserted is the bytes
// the session wrote back, exactly.
#include <sys/epoll.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "in_memory_connection.hpp"
#include "server/client_session.hpp"

namespace gnatsd::server {
namespace {

using testing::ManualOwner;
using testing::MemoryTransport;
using testing::StandaloneClientContext;

class MemorySessionTest : public ::testing::Test {
 protected:
  struct Client {
    std::shared_ptr<MemoryTransport::Wire> wire;
    std::shared_ptr<ClientSession> session;
    std::size_t seen = 0;  // output bytes already taken by next_output()

    // Everything written since the last call.
    std::string next_output() {
      std::string out = wire->output.substr(seen);
      seen = wire->output.size();
      return out;
    }
  };

  explicit MemorySessionTest(config::Options options = {})
      : context_(std::move(options)), owner_(context_.subject_index()) {}

  Client connect(std::uint64_t cid) {
    Client client;
    client.wire = std::make_shared<MemoryTransport::Wire>();
    ++context_.clients;
    client.session = std::make_shared<ClientSession>(
        context_, owner_, std::make_unique<MemoryTransport>(client.wire), cid, "127.0.0.1",
        40000 + static_cast<int>(cid));
    client.session->start();
    owner_.run_flushes();
    sessions_.push_back(client.session);
    return client;
  }

  // As a worker does at shutdown: a subscription holds its session, so an open session with
  // subscriptions is only freed once closing drops its interest.
  void TearDown() override {
    for (auto& session : sessions_) session->close(CloseReason::ServerShutdown);
  }

  // The client sends `bytes`; the session reads them as one readable event, and the batch's
  // flushes run.
  void send(Client& client, std::string_view bytes) {
    client.wire->input.append(bytes);
    client.session->on_io(EPOLLIN);
    owner_.run_flushes();
  }

  StandaloneClientContext context_;
  ManualOwner owner_;
  std::vector<std::shared_ptr<ClientSession>> sessions_;
};

TEST_F(MemorySessionTest, InfoFirstThenPongForPing) {
  Client c = connect(1);
  const std::string info = c.next_output();
  ASSERT_EQ(info.rfind("INFO {", 0), 0U) << info;
  EXPECT_NE(info.find("\"client_id\":1"), std::string::npos) << info;
  EXPECT_EQ(info.substr(info.size() - 3), " \r\n");
  send(c, "CONNECT {\"verbose\":false}\r\nPING\r\n");
  EXPECT_EQ(c.next_output(), "PONG\r\n");
}

TEST_F(MemorySessionTest, VerboseClientGetsOkForEachFrame) {
  Client c = connect(1);
  c.next_output();
  send(c, "CONNECT {\"verbose\":true}\r\nSUB foo 1\r\nPING\r\n");
  EXPECT_EQ(c.next_output(), "+OK\r\n+OK\r\nPONG\r\n");
}

TEST_F(MemorySessionTest, PublishReachesAnotherSessionsSubscription) {
  Client sub = connect(1);
  Client pub = connect(2);
  sub.next_output();
  send(sub, "CONNECT {\"verbose\":false}\r\nSUB foo.* 7\r\nSUB foo.bar q 8\r\n");
  send(pub, "CONNECT {\"verbose\":false}\r\nPUB foo.bar reply.x 5\r\nhello\r\n");
  EXPECT_EQ(sub.next_output(),
            "MSG foo.bar 7 reply.x 5\r\nhello\r\nMSG foo.bar 8 reply.x 5\r\nhello\r\n");
  pub.next_output();
  send(pub, "PING\r\n");
  EXPECT_EQ(pub.next_output(), "PONG\r\n");  // no echo: pub has no subscription
}

TEST_F(MemorySessionTest, AFrameSplitAcrossReadsIsDeliveredOnce) {
  Client c = connect(1);
  send(c, "CONNECT {\"verbose\":false}\r\nSUB s 1\r\n");
  c.next_output();
  send(c, "PUB s 5\r\nhel");
  EXPECT_EQ(c.next_output(), "");
  send(c, "lo\r");
  EXPECT_EQ(c.next_output(), "");
  send(c, "\nPUB s 0\r\n\r\n");
  EXPECT_EQ(c.next_output(), "MSG s 1 5\r\nhello\r\nMSG s 1 0\r\n\r\n");
}

TEST_F(MemorySessionTest, EchoFalseKeepsAPublisherFromItsOwnMessages) {
  Client c = connect(1);
  send(c, "CONNECT {\"verbose\":false,\"echo\":false}\r\nSUB s 1\r\nPUB s 1\r\nx\r\nPING\r\n");
  const std::string out = c.next_output();
  EXPECT_EQ(out.substr(out.find("\r\n") + 2), "PONG\r\n");
}

TEST_F(MemorySessionTest, NoRespondersStatusGoesToTheRequestersReplySubscription) {
  Client c = connect(1);
  c.next_output();
  send(c,
       "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\n"
       "SUB _INBOX.r.* 3\r\nPUB nobody _INBOX.r.1 2\r\nhi\r\n");
  EXPECT_EQ(c.next_output(), "HMSG _INBOX.r.1 3 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
}

TEST_F(MemorySessionTest, UnsubscribeAfterMaxDeliveriesStopsTheSubscription) {
  Client c = connect(1);
  send(c, "CONNECT {\"verbose\":false}\r\nSUB s 1\r\nUNSUB 1 2\r\n");
  c.next_output();
  send(c, "PUB s 1\r\na\r\nPUB s 1\r\nb\r\nPUB s 1\r\nc\r\nPING\r\n");
  EXPECT_EQ(c.next_output(), "MSG s 1 1\r\na\r\nMSG s 1 1\r\nb\r\nPONG\r\n");
  EXPECT_EQ(context_.subject_index().stats().num_subscriptions, 0U);
}

TEST_F(MemorySessionTest, OversizePayloadIsRefusedAndTheSessionCloses) {
  Client c = connect(1);
  c.next_output();
  send(c, "CONNECT {\"verbose\":false}\r\nPUB s 2000000\r\n");
  EXPECT_EQ(c.next_output(), "-ERR 'Maximum Payload Violation'\r\n");
  EXPECT_TRUE(c.session->closed());
  ASSERT_EQ(owner_.retired().size(), 1U);
  EXPECT_EQ(owner_.retired()[0], c.session.get());
  EXPECT_EQ(context_.clients.load(), 0);
}

TEST_F(MemorySessionTest, UnknownOperationGetsTheNatsServerError) {
  Client c = connect(1);
  c.next_output();
  send(c, "CONNECT {\"verbose\":false}\r\nFOO bar\r\n");
  EXPECT_EQ(c.next_output(), "-ERR 'Unknown Protocol Operation'\r\n");
  EXPECT_TRUE(c.session->closed());
}

TEST_F(MemorySessionTest, APartialWriteKeepsTheRestForTheNextFlush) {
  Client c = connect(1);
  send(c, "CONNECT {\"verbose\":false}\r\nSUB s 1\r\n");
  c.next_output();
  c.wire->max_write = 4;
  c.wire->write_budget = 1;
  send(c, "PUB s 5\r\nhello\r\n");
  EXPECT_EQ(c.next_output(), "MSG ");  // one write of 4 bytes, then the "socket" is full
  // The session waits to be writable; each time it is, it writes what the transport takes.
  std::string rest;
  for (int i = 0; i < 16 && rest.size() < 14; ++i) {
    c.wire->write_budget = 1;
    c.session->on_io(EPOLLOUT);
    owner_.run_flushes();
    rest += c.next_output();
  }
  EXPECT_EQ(rest, "s 1 5\r\nhello\r\n");
}

config::Options with_pings(std::chrono::milliseconds interval, int max) {
  config::Options options;
  options.ping_interval = interval;
  options.ping_max = max;
  return options;
}

class MemorySessionPingTest : public MemorySessionTest {
 protected:
  // Under the hour after which the round trip is measured again anyway.
  static constexpr std::chrono::milliseconds kInterval{std::chrono::minutes(10)};
  MemorySessionPingTest() : MemorySessionTest(with_pings(kInterval, 2)) {}
};

TEST_F(MemorySessionPingTest, ActivityPostponesThePingOnceConnected) {
  Client c = connect(1);
  const auto t0 = Connection::Clock::now();  // at or after the session's start
  send(c, "CONNECT {\"verbose\":false}\r\nPING\r\n");
  c.next_output();
  // The ping timer is due, but the client was heard from less than an interval ago.
  c.session->tick(t0 + kInterval);
  owner_.run_flushes();
  EXPECT_EQ(c.next_output(), "");
}

TEST_F(MemorySessionPingTest, AClientTricklingAnUnfinishedConnectIsPingedAndClosedAsStale) {
  Client c = connect(1);
  c.next_output();
  const auto t0 = Connection::Clock::now();
  send(c, "CONNECT {\"verbose\":false,\"x\":\"");
  // However recent its last byte, a client that has not finished CONNECT is pinged (as
  // nats-server's needRTT) and, with ping_max 2, closed at the third timer.
  for (int round = 1; round <= 2; ++round) {
    send(c, "y");
    c.session->tick(t0 + round * kInterval);
    owner_.run_flushes();
    EXPECT_EQ(c.next_output(), "PING\r\n") << "round " << round;
  }
  send(c, "y");
  c.session->tick(t0 + 3 * kInterval);
  owner_.run_flushes();
  EXPECT_EQ(c.next_output(), "-ERR 'Stale Connection'\r\n");
  EXPECT_TRUE(c.session->closed());
}

}  // namespace
}  // namespace gnatsd::server
