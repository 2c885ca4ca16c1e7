// The stock C client (cnats) over TLS: a CA-trusting client publishes and subscribes (1 MB
// payloads included); with --tlsverify only a client presenting a certificate from the CA gets
// in. Passes against nats-server 2.9.10 too (GNATSD_TEST_BINARY=/usr/sbin/nats-server).
#include <gtest/gtest.h>

#include <string>

#include "cnats_tls.hpp"
#include "server_process.hpp"
#include "tls_support.hpp"

namespace gnatsd::test {
namespace {

TEST(TlsCnatsTest, PubSubAndOneMegabytePayloadOverTls) {
  TestPki pki;
  ServerProcess server(pki.tls_flags());
  auto opts = nats_tls_options(server.port(), pki);
  NatsConnection nc;
  natsStatus s = nats_connect(opts.get(), nc);
  ASSERT_EQ(s, NATS_OK) << nats_status_text(s);
  expect_nats_round_trip(nc.get(), "tls.small", "hello over TLS");
  std::string big(1024 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('A' + (i * 31) % 26);
  expect_nats_round_trip(nc.get(), "tls.big", big);
}

TEST(TlsCnatsTest, VerifyModeLetsInOnlyACertificateFromTheCa) {
  TestPki pki;
  ServerProcess server(pki.verify_flags());
  {
    auto opts = nats_tls_options(server.port(), pki, "client");
    NatsConnection nc;
    natsStatus s = nats_connect(opts.get(), nc);
    ASSERT_EQ(s, NATS_OK) << nats_status_text(s);
    expect_nats_round_trip(nc.get(), "verified", "with a client certificate");
  }
  {
    auto opts = nats_tls_options(server.port(), pki);  // no certificate
    NatsConnection nc;
    EXPECT_NE(nats_connect(opts.get(), nc), NATS_OK);
  }
  {
    auto opts = nats_tls_options(server.port(), pki, "rogue");
    NatsConnection nc;
    EXPECT_NE(nats_connect(opts.get(), nc), NATS_OK);
  }
}

}  // namespace
}  // namespace gnatsd::test
