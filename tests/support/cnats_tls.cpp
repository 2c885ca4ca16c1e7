// cnats over TLS for the integration tests.
#include "cnats_tls.hpp"

#include <gtest/gtest.h>

namespace gnatsd::test {
namespace {

constexpr int64_t kWaitMs = 5000;

struct SubscriptionDeleter {
  void operator()(natsSubscription* s) const { natsSubscription_Destroy(s); }
};
struct MsgDeleter {
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
};

}  // namespace

std::string nats_status_text(natsStatus s) {
  std::string text = natsStatus_GetText(s);
  natsStatus last = NATS_OK;
  if (const char* detail = nats_GetLastError(&last); detail != nullptr && *detail != '\0') {
    text += std::string(" (") + detail + ")";
  }
  return text;
}

NatsOptions nats_tls_options(int port, const TestPki& pki, const std::string& cert,
                             const std::string& user_info) {
  natsOptions* raw = nullptr;
  EXPECT_EQ(natsOptions_Create(&raw), NATS_OK);
  NatsOptions opts(raw);
  const std::string url = "tls://" + user_info + "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(natsOptions_SetURL(raw, url.c_str()), NATS_OK);
  EXPECT_EQ(natsOptions_SetSecure(raw, true), NATS_OK);
  EXPECT_EQ(natsOptions_LoadCATrustedCertificates(raw, pki.path("ca.pem").c_str()), NATS_OK);
  EXPECT_EQ(natsOptions_SetTimeout(raw, kWaitMs), NATS_OK);
  EXPECT_EQ(natsOptions_SetMaxReconnect(raw, 0), NATS_OK);
  if (!cert.empty()) {
    EXPECT_EQ(natsOptions_LoadCertificatesChain(raw, pki.path(cert + "-cert.pem").c_str(),
                                                pki.path(cert + "-key.pem").c_str()),
              NATS_OK);
  }
  return opts;
}

natsStatus nats_connect(natsOptions* opts, NatsConnection& out) {
  natsConnection* nc = nullptr;
  natsStatus s = natsConnection_Connect(&nc, opts);
  out.reset(nc);
  return s;
}

void expect_nats_round_trip(natsConnection* nc, const std::string& subject,
                            const std::string& payload) {
  natsSubscription* raw_sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&raw_sub, nc, subject.c_str()), NATS_OK);
  std::unique_ptr<natsSubscription, SubscriptionDeleter> sub(raw_sub);
  ASSERT_EQ(natsConnection_Flush(nc), NATS_OK);
  ASSERT_EQ(
      natsConnection_Publish(nc, subject.c_str(), payload.data(), static_cast<int>(payload.size())),
      NATS_OK);
  natsMsg* raw_msg = nullptr;
  natsStatus s = natsSubscription_NextMsg(&raw_msg, sub.get(), kWaitMs);
  std::unique_ptr<natsMsg, MsgDeleter> m(raw_msg);
  ASSERT_EQ(s, NATS_OK) << nats_status_text(s);
  ASSERT_EQ(natsMsg_GetDataLength(m.get()), static_cast<int>(payload.size()));
  EXPECT_TRUE(std::string(natsMsg_GetData(m.get()), payload.size()) == payload);
}

}  // namespace gnatsd::test
