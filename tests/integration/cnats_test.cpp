// The stock C client (cnats) against the server: pub/sub, wildcards, queue groups, request/reply,
// headers, no-responders, auto-unsubscribe, flush, 1,000 connections, reconnect after restart.
#include <gtest/gtest.h>
#include <nats/nats.h>
#include <sys/resource.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server_process.hpp"

namespace gnatsd::test {
namespace {

// RAII for cnats handles.
struct ConnectionDeleter {
  void operator()(natsConnection* c) const { natsConnection_Destroy(c); }
};
struct SubscriptionDeleter {
  void operator()(natsSubscription* s) const { natsSubscription_Destroy(s); }
};
struct MsgDeleter {
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
};
struct OptionsDeleter {
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
};
using Connection = std::unique_ptr<natsConnection, ConnectionDeleter>;
using Subscription = std::unique_ptr<natsSubscription, SubscriptionDeleter>;
using Msg = std::unique_ptr<natsMsg, MsgDeleter>;
using Options = std::unique_ptr<natsOptions, OptionsDeleter>;

constexpr int64_t kWaitMs = 5000;  // cnats timeouts are in milliseconds

std::string status_text(natsStatus s) {
  std::string text = natsStatus_GetText(s);
  if (s != NATS_OK) {
    natsStatus last = NATS_OK;
    if (const char* detail = nats_GetLastError(&last); detail != nullptr && *detail != '\0') {
      text += std::string(" (") + detail + ")";
    }
  }
  return text;
}

#define ASSERT_NATS_OK(expr)                                                        \
  do {                                                                              \
    natsStatus nats_status_ = (expr);                                               \
    ASSERT_EQ(nats_status_, NATS_OK) << #expr << ": " << status_text(nats_status_); \
  } while (0)

Connection connect_client(const ServerProcess& server) {
  natsConnection* nc = nullptr;
  natsStatus s = natsConnection_ConnectTo(&nc, server.url().c_str());
  EXPECT_EQ(s, NATS_OK) << "connect " << server.url() << ": " << status_text(s);
  return Connection(nc);
}

Subscription subscribe_sync(natsConnection* nc, const char* subject) {
  natsSubscription* sub = nullptr;
  natsStatus s = natsConnection_SubscribeSync(&sub, nc, subject);
  EXPECT_EQ(s, NATS_OK) << "subscribe " << subject << ": " << status_text(s);
  return Subscription(sub);
}

// Next message on a synchronous subscription, or null after kWaitMs.
Msg next_msg(natsSubscription* sub, int64_t timeout_ms = kWaitMs) {
  natsMsg* m = nullptr;
  natsSubscription_NextMsg(&m, sub, timeout_ms);
  return Msg(m);
}

std::string data_of(const natsMsg* m) {
  return m == nullptr
             ? "<none>"
             : std::string(natsMsg_GetData(m), static_cast<size_t>(natsMsg_GetDataLength(m)));
}

int pending(natsSubscription* sub) {
  int msgs = -1, bytes = -1;
  natsSubscription_GetPending(sub, &msgs, &bytes);
  return msgs;
}

// Shared state for asynchronous callbacks, with bounded waits on conditions over it.
class Events {
 public:
  // Notifies under the lock: once a waiter has seen the change, the callback thread is done
  // with this object, so the test may destroy it.
  void update(const std::function<void()>& change) {
    std::lock_guard lock(mu_);
    change();
    cv_.notify_all();
  }
  bool wait_for(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(kWaitMs)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, condition);
  }
  template <typename F>
  auto read(F f) {
    std::lock_guard lock(mu_);
    return f();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

class CnatsTest : public ::testing::Test {
 protected:
  ServerProcess server_;
};

// ---------------------------------------------------------------------------------------------

TEST_F(CnatsTest, PublishSubscribe) {
  auto nc = connect_client(server_);
  ASSERT_TRUE(nc);
  auto sub = subscribe_sync(nc.get(), "greeting");
  ASSERT_NATS_OK(natsConnection_PublishString(nc.get(), "greeting", "Hello World"));
  auto m = next_msg(sub.get());
  ASSERT_TRUE(m);
  EXPECT_STREQ(natsMsg_GetSubject(m.get()), "greeting");
  EXPECT_EQ(data_of(m.get()), "Hello World");

  // Between connections, with an empty and a binary payload.
  auto other = connect_client(server_);
  ASSERT_TRUE(other);
  ASSERT_NATS_OK(natsConnection_Publish(other.get(), "greeting", nullptr, 0));
  const char binary[] = {'\0', '\r', '\n', '\xff'};
  ASSERT_NATS_OK(natsConnection_Publish(other.get(), "greeting", binary, sizeof binary));
  auto empty = next_msg(sub.get());
  ASSERT_TRUE(empty);
  EXPECT_EQ(natsMsg_GetDataLength(empty.get()), 0);
  auto bin = next_msg(sub.get());
  ASSERT_TRUE(bin);
  EXPECT_EQ(data_of(bin.get()), std::string(binary, sizeof binary));
}

TEST_F(CnatsTest, WildcardSubscriptions) {
  auto nc = connect_client(server_);
  ASSERT_TRUE(nc);
  auto star = subscribe_sync(nc.get(), "foo.*");
  auto tail = subscribe_sync(nc.get(), "foo.>");
  auto exact = subscribe_sync(nc.get(), "foo.bar");
  auto middle = subscribe_sync(nc.get(), "foo.*.baz");
  for (const char* subject : {"foo", "foo.bar", "foo.bar.baz", "foo.x.y", "bar.foo"}) {
    ASSERT_NATS_OK(natsConnection_PublishString(nc.get(), subject, subject));
  }
  // The flush's PONG follows every message the server sent before it.
  ASSERT_NATS_OK(natsConnection_FlushTimeout(nc.get(), kWaitMs));

  auto subjects = [](natsSubscription* sub) {
    std::vector<std::string> out;
    for (int n = pending(sub); n > 0; --n) out.push_back(data_of(next_msg(sub).get()));
    return out;
  };
  EXPECT_EQ(subjects(star.get()), std::vector<std::string>({"foo.bar"}));
  EXPECT_EQ(subjects(tail.get()), std::vector<std::string>({"foo.bar", "foo.bar.baz", "foo.x.y"}));
  EXPECT_EQ(subjects(exact.get()), std::vector<std::string>({"foo.bar"}));
  EXPECT_EQ(subjects(middle.get()), std::vector<std::string>({"foo.bar.baz"}));
}

struct QueueCounts {
  Events* events;
  std::map<int, int>* deliveries;  // message index -> times delivered to the group
  int* received;                   // by this subscriber
};

void on_queue_msg(natsConnection*, natsSubscription*, natsMsg* m, void* closure) {
  auto* counts = static_cast<QueueCounts*>(closure);
  int index = std::stoi(data_of(m));
  counts->events->update([&] {
    ++(*counts->deliveries)[index];
    ++*counts->received;
  });
  natsMsg_Destroy(m);
}

TEST_F(CnatsTest, QueueGroupDeliversEachMessageOnceToTheGroup) {
  constexpr int kMembers = 5;
  constexpr int kMessages = 1000;
  Events events;
  std::map<int, int> group_deliveries, plain_deliveries;
  int total_group = 0, plain_received = 0;
  std::vector<int> member_received(kMembers, 0);
  std::vector<QueueCounts> counts;
  counts.reserve(kMembers + 1);

  std::vector<Connection> connections;
  std::vector<Subscription> subs;
  for (int i = 0; i < kMembers; ++i) {
    connections.push_back(connect_client(server_));
    ASSERT_TRUE(connections.back());
    counts.push_back({&events, &group_deliveries, &member_received[i]});
    natsSubscription* sub = nullptr;
    ASSERT_NATS_OK(natsConnection_QueueSubscribe(&sub, connections.back().get(), "work", "workers",
                                                 on_queue_msg, &counts.back()));
    subs.emplace_back(sub);
    ASSERT_NATS_OK(natsConnection_FlushTimeout(connections.back().get(), kWaitMs));
  }
  auto plain_nc = connect_client(server_);
  ASSERT_TRUE(plain_nc);
  counts.push_back({&events, &plain_deliveries, &plain_received});
  natsSubscription* plain = nullptr;
  ASSERT_NATS_OK(
      natsConnection_Subscribe(&plain, plain_nc.get(), "work", on_queue_msg, &counts.back()));
  subs.emplace_back(plain);
  ASSERT_NATS_OK(natsConnection_FlushTimeout(plain_nc.get(), kWaitMs));

  auto pub = connect_client(server_);
  ASSERT_TRUE(pub);
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_NATS_OK(natsConnection_PublishString(pub.get(), "work", std::to_string(i).c_str()));
  }
  ASSERT_NATS_OK(natsConnection_FlushTimeout(pub.get(), kWaitMs));

  ASSERT_TRUE(events.wait_for([&] {
    total_group = 0;
    for (int n : member_received) total_group += n;
    return total_group >= kMessages && plain_received >= kMessages;
  })) << "group got "
      << total_group << ", plain subscriber got " << plain_received;
  // Round trips on every subscriber connection: nothing else is on its way.
  for (auto& c : connections) ASSERT_NATS_OK(natsConnection_FlushTimeout(c.get(), kWaitMs));
  ASSERT_NATS_OK(natsConnection_FlushTimeout(plain_nc.get(), kWaitMs));
  subs.clear();  // no further callbacks: every message has been counted

  EXPECT_EQ(total_group, kMessages);
  EXPECT_EQ(plain_received, kMessages);
  ASSERT_EQ(group_deliveries.size(), static_cast<size_t>(kMessages));
  for (const auto& [index, times] : group_deliveries) {
    EXPECT_EQ(times, 1) << "message " << index;
  }
  for (const auto& [index, times] : plain_deliveries) EXPECT_EQ(times, 1) << "message " << index;
  // With 1,000 messages every member gets a share (a member missing out has p = 0.8^1000).
  for (int i = 0; i < kMembers; ++i) EXPECT_GT(member_received[i], 0) << "member " << i;
}

void respond(natsConnection* nc, natsSubscription*, natsMsg* m, void*) {
  std::string answer = "pong:" + data_of(m);
  natsConnection_PublishString(nc, natsMsg_GetReply(m), answer.c_str());
  natsMsg_Destroy(m);
}

TEST_F(CnatsTest, RequestReply) {
  auto service_nc = connect_client(server_);
  ASSERT_TRUE(service_nc);
  natsSubscription* raw = nullptr;
  ASSERT_NATS_OK(natsConnection_Subscribe(&raw, service_nc.get(), "service", respond, nullptr));
  Subscription service(raw);
  ASSERT_NATS_OK(natsConnection_FlushTimeout(service_nc.get(), kWaitMs));

  auto client = connect_client(server_);
  ASSERT_TRUE(client);
  for (int i = 0; i < 20; ++i) {
    natsMsg* reply = nullptr;
    std::string question = "q" + std::to_string(i);
    ASSERT_NATS_OK(
        natsConnection_RequestString(&reply, client.get(), "service", question.c_str(), kWaitMs));
    Msg owned(reply);
    EXPECT_EQ(data_of(reply), "pong:" + question);
  }
}

TEST_F(CnatsTest, Headers) {
  auto nc = connect_client(server_);
  ASSERT_TRUE(nc);
  auto sub = subscribe_sync(nc.get(), "with.headers");

  natsMsg* raw = nullptr;
  ASSERT_NATS_OK(natsMsg_Create(&raw, "with.headers", nullptr, "body", 4));
  Msg out(raw);
  ASSERT_NATS_OK(natsMsgHeader_Set(out.get(), "X-Trace", "abc-123"));
  ASSERT_NATS_OK(natsMsgHeader_Set(out.get(), "Content-Type", "text/plain"));
  ASSERT_NATS_OK(natsConnection_PublishMsg(nc.get(), out.get()));

  auto in = next_msg(sub.get());
  ASSERT_TRUE(in);
  EXPECT_EQ(data_of(in.get()), "body");
  const char* value = nullptr;
  ASSERT_NATS_OK(natsMsgHeader_Get(in.get(), "X-Trace", &value));
  EXPECT_STREQ(value, "abc-123");
  ASSERT_NATS_OK(natsMsgHeader_Get(in.get(), "Content-Type", &value));
  EXPECT_STREQ(value, "text/plain");
  EXPECT_EQ(natsMsgHeader_Get(in.get(), "Missing", &value), NATS_NOT_FOUND);
}

TEST_F(CnatsTest, RequestWithoutResponderFailsFast) {
  auto nc = connect_client(server_);
  ASSERT_TRUE(nc);
  natsMsg* reply = nullptr;
  auto start = Clock::now();
  natsStatus s = natsConnection_RequestString(&reply, nc.get(), "nobody.home", "hi", kWaitMs);
  Msg owned(reply);
  EXPECT_EQ(s, NATS_NO_RESPONDERS) << status_text(s);
  // The 503 status arrives at once; it is not the request timing out.
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(kWaitMs / 2));
}

TEST_F(CnatsTest, AutoUnsubscribeStopsAfterMax) {
  auto nc = connect_client(server_);
  ASSERT_TRUE(nc);
  auto sub = subscribe_sync(nc.get(), "limited");
  ASSERT_NATS_OK(natsSubscription_AutoUnsubscribe(sub.get(), 3));
  for (int i = 0; i < 10; ++i) {
    ASSERT_NATS_OK(natsConnection_PublishString(nc.get(), "limited", std::to_string(i).c_str()));
  }
  ASSERT_NATS_OK(natsConnection_FlushTimeout(nc.get(), kWaitMs));
  for (int i = 0; i < 3; ++i) {
    auto m = next_msg(sub.get());
    ASSERT_TRUE(m) << "message " << i;
    EXPECT_EQ(data_of(m.get()), std::to_string(i));
  }
  EXPECT_FALSE(next_msg(sub.get(), 0));
  EXPECT_FALSE(natsSubscription_IsValid(sub.get()));
}

TEST_F(CnatsTest, FlushRoundTrips) {
  auto nc = connect_client(server_);
  ASSERT_TRUE(nc);
  auto sub = subscribe_sync(nc.get(), "flushed");
  for (int i = 0; i < 200; ++i) {
    ASSERT_NATS_OK(natsConnection_PublishString(nc.get(), "flushed", "x"));
    ASSERT_NATS_OK(natsConnection_FlushTimeout(nc.get(), kWaitMs));
    ASSERT_EQ(pending(sub.get()), i + 1) << "flush returned before the message arrived";
  }
}

TEST_F(CnatsTest, ThousandConcurrentConnections) {
  constexpr int kConnections = 1000;
  // Each connection costs a socket here and one in the server (which inherits this limit).
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur < 4 * kConnections) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 4 * kConnections + 256);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
    server_.restart();  // so the server inherits the raised limit
  }
  ASSERT_GE(limit.rlim_cur, static_cast<rlim_t>(2 * kConnections + 64)) << "RLIMIT_NOFILE too low";

  std::vector<Connection> connections;
  std::vector<Subscription> subs;
  connections.reserve(kConnections);
  subs.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) {
    connections.push_back(connect_client(server_));
    ASSERT_TRUE(connections.back()) << "connection " << i;
    subs.push_back(subscribe_sync(connections.back().get(), ("conn." + std::to_string(i)).c_str()));
    ASSERT_TRUE(subs.back());
  }
  for (auto& c : connections) ASSERT_NATS_OK(natsConnection_FlushTimeout(c.get(), kWaitMs));
  // Every connection publishes once, to its neighbour, while all are open.
  for (int i = 0; i < kConnections; ++i) {
    std::string to = "conn." + std::to_string((i + 1) % kConnections);
    ASSERT_NATS_OK(
        natsConnection_PublishString(connections[i].get(), to.c_str(), std::to_string(i).c_str()));
  }
  for (int i = 0; i < kConnections; ++i) {
    auto m = next_msg(subs[i].get());
    ASSERT_TRUE(m) << "connection " << i << " received nothing";
    EXPECT_EQ(data_of(m.get()), std::to_string((i + kConnections - 1) % kConnections));
  }
}

struct ReconnectState {
  Events events;
  int disconnects = 0;
  int reconnects = 0;
  int closes = 0;
};

// Closes the connection and waits for its closed callback, the last one cnats makes, so that
// no callback runs after the test's state is gone.
struct CloseAndWait {
  natsConnection* nc;
  ReconnectState* state;
  ~CloseAndWait() {
    natsConnection_Close(nc);
    state->events.wait_for([this] { return state->closes > 0; });
  }
};

TEST_F(CnatsTest, ReconnectsAfterServerRestartOnSamePort) {
  ReconnectState state;
  natsOptions* raw_opts = nullptr;
  ASSERT_NATS_OK(natsOptions_Create(&raw_opts));
  Options opts(raw_opts);
  ASSERT_NATS_OK(natsOptions_SetURL(opts.get(), server_.url().c_str()));
  ASSERT_NATS_OK(natsOptions_SetMaxReconnect(opts.get(), 200));
  ASSERT_NATS_OK(natsOptions_SetReconnectWait(opts.get(), 50));
  ASSERT_NATS_OK(natsOptions_SetReconnectJitter(opts.get(), 0, 0));
  ASSERT_NATS_OK(natsOptions_SetDisconnectedCB(
      opts.get(),
      [](natsConnection*, void* closure) {
        auto* s = static_cast<ReconnectState*>(closure);
        s->events.update([s] { ++s->disconnects; });
      },
      &state));
  ASSERT_NATS_OK(natsOptions_SetReconnectedCB(
      opts.get(),
      [](natsConnection*, void* closure) {
        auto* s = static_cast<ReconnectState*>(closure);
        s->events.update([s] { ++s->reconnects; });
      },
      &state));
  ASSERT_NATS_OK(natsOptions_SetClosedCB(
      opts.get(),
      [](natsConnection*, void* closure) {
        auto* s = static_cast<ReconnectState*>(closure);
        s->events.update([s] { ++s->closes; });
      },
      &state));

  natsConnection* raw_nc = nullptr;
  ASSERT_NATS_OK(natsConnection_Connect(&raw_nc, opts.get()));
  Connection nc(raw_nc);
  CloseAndWait close_first{nc.get(), &state};
  auto sub = subscribe_sync(nc.get(), "survives");
  ASSERT_NATS_OK(natsConnection_PublishString(nc.get(), "survives", "before"));
  auto before = next_msg(sub.get());
  ASSERT_TRUE(before);
  EXPECT_EQ(data_of(before.get()), "before");

  int old_pid = server_.pid();
  server_.restart();  // stopped by pid, started again with -p <same port>
  EXPECT_NE(server_.pid(), old_pid);

  ASSERT_TRUE(state.events.wait_for([&] { return state.reconnects >= 1; }, 20s))
      << "no reconnect; disconnects=" << state.events.read([&] { return state.disconnects; });
  EXPECT_GE(state.events.read([&] { return state.disconnects; }), 1);

  // The subscription was replayed to the new server.
  ASSERT_NATS_OK(natsConnection_PublishString(nc.get(), "survives", "after"));
  ASSERT_NATS_OK(natsConnection_FlushTimeout(nc.get(), kWaitMs));
  auto after = next_msg(sub.get());
  ASSERT_TRUE(after);
  EXPECT_EQ(data_of(after.get()), "after");

  // And a brand-new client sees it too.
  auto other = connect_client(server_);
  ASSERT_TRUE(other);
  ASSERT_NATS_OK(natsConnection_PublishString(other.get(), "survives", "from another"));
  auto third = next_msg(sub.get());
  ASSERT_TRUE(third);
  EXPECT_EQ(data_of(third.get()), "from another");
}

}  // namespace
}  // namespace gnatsd::test
