// cnats (the stock C client) over TLS for the integration tests: owning handles, a client that
// trusts the test CA (optionally presenting a certificate), and a publish/receive round trip.
#pragma once

#include <nats/nats.h>

#include <memory>
#include <string>

#include "server_process.hpp"
#include "tls_support.hpp"

namespace gnatsd::test {

struct NatsConnectionDeleter {
  void operator()(natsConnection* c) const { natsConnection_Destroy(c); }
};
struct NatsOptionsDeleter {
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
};
using NatsConnection = std::unique_ptr<natsConnection, NatsConnectionDeleter>;
using NatsOptions = std::unique_ptr<natsOptions, NatsOptionsDeleter>;

// natsStatus text plus cnats' last error detail.
std::string nats_status_text(natsStatus s);

// A TLS client of 127.0.0.1:`port` trusting the test CA; `user_info` ("user:pass@") goes into
// the URL; with `cert` ("client", "rogue") it presents <cert>-cert.pem/<cert>-key.pem.
NatsOptions nats_tls_options(int port, const TestPki& pki, const std::string& cert = "",
                             const std::string& user_info = "");

natsStatus nats_connect(natsOptions* opts, NatsConnection& out);

// Subscribes to `subject`, publishes `payload` and checks it comes back intact (gtest
// assertions; returns nothing).
void expect_nats_round_trip(natsConnection* nc, const std::string& subject,
                            const std::string& payload);

}  // namespace gnatsd::test
