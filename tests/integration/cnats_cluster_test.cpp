// The stock C client (cnats) against a cluster: given one server, it learns the other from
// INFO connect_urls (natsConnection_GetDiscoveredServers), fails over to it when its server
// stops, and its subscription works there. Passes with GNATSD_TEST_BINARY=<nats-server 2.9.10>.
#include <gtest/gtest.h>
#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cluster_harness.hpp"
#include "eventually.hpp"
#include "server_process.hpp"

namespace gnatsd::test {
namespace {

using cluster::Client;
using cluster::Node;
using cluster::wait_for_routes;

std::vector<std::string> discovered(natsConnection* nc) {
  char** servers = nullptr;
  int count = 0;
  std::vector<std::string> out;
  if (natsConnection_GetDiscoveredServers(nc, &servers, &count) != NATS_OK) return out;
  for (int i = 0; i < count; ++i) {
    out.emplace_back(servers[i]);
    free(servers[i]);
  }
  free(static_cast<void*>(servers));
  return out;
}

std::string connected_url(natsConnection* nc) {
  char buf[256] = {};
  if (natsConnection_GetConnectedUrl(nc, buf, sizeof buf) != NATS_OK) return {};
  return buf;
}

TEST(CnatsCluster, LearnsTheOtherServerAndFailsOverToIt) {
  Node a(Node::Config("A"));
  Node b(Node::Config("B").route(a.route_url()));
  ASSERT_TRUE(wait_for_routes(a, 1));

  natsOptions* opts = nullptr;
  ASSERT_EQ(natsOptions_Create(&opts), NATS_OK);
  const std::string a_url = "nats://127.0.0.1:" + std::to_string(a.port());
  natsOptions_SetURL(opts, a_url.c_str());  // only A: B must come from connect_urls
  natsOptions_SetMaxReconnect(opts, 100);
  natsOptions_SetReconnectWait(opts, 50);
  natsOptions_SetReconnectJitter(opts, 0, 0);
  std::atomic<int> reconnects{0};
  natsOptions_SetReconnectedCB(
      opts,
      [](natsConnection*, void* closure) { static_cast<std::atomic<int>*>(closure)->fetch_add(1); },
      &reconnects);
  natsConnection* nc = nullptr;
  const natsStatus connected = natsConnection_Connect(&nc, opts);
  natsOptions_Destroy(opts);
  ASSERT_EQ(connected, NATS_OK);
  // Destroyed however the test ends.
  std::unique_ptr<natsConnection, decltype(&natsConnection_Destroy)> own_nc(nc,
                                                                            natsConnection_Destroy);

  const std::string b_host = "127.0.0.1:" + std::to_string(b.port());
  EXPECT_TRUE(eventually(
      [&] {
        for (const auto& url : discovered(nc)) {
          if (url.find(b_host) != std::string::npos) return true;
        }
        return false;
      },
      std::chrono::seconds(10)));

  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, nc, "cnats.failover"), NATS_OK);
  std::unique_ptr<natsSubscription, decltype(&natsSubscription_Destroy)> own_sub(
      sub, natsSubscription_Destroy);
  ASSERT_EQ(natsConnection_FlushTimeout(nc, 5000), NATS_OK);

  a.stop();
  ASSERT_TRUE(eventually([&] { return reconnects.load() > 0; }, std::chrono::seconds(10)));
  EXPECT_NE(connected_url(nc).find(b_host), std::string::npos) << connected_url(nc);
  ASSERT_EQ(natsConnection_FlushTimeout(nc, 5000), NATS_OK);  // the SUB is replayed on B

  Client pub(b.port());
  pub.pub("cnats.failover", "after");
  ASSERT_TRUE(pub.flush());
  natsMsg* msg = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&msg, sub, 5000), NATS_OK);
  EXPECT_EQ(std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)), "after");
  natsMsg_Destroy(msg);
}

}  // namespace
}  // namespace gnatsd::test
