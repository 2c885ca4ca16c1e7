// NKey users over real sockets and the stock C client (cnats): INFO's nonce, the signed CONNECT,
// refusals, permissions, /connz and reload. Every test also passes against nats-server 2.9.10
// (GNATSD_TEST_BINARY=/usr/sbin/nats-server), so the expectations are nats-server's.
#include <gtest/gtest.h>
#include <nats/nats.h>
#include <signal.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "client_helpers.hpp"
#include "http_client.hpp"
#include "nkey_test_keys.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace gnatsd::test {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kErrAuthorization = "-ERR 'Authorization Violation'\r\n";

// Key a may publish only to foo.>; key b and the password user alice may do anything.
std::string nkey_conf() {
  return "authorization {\n  users = [\n    { nkey: " + std::string(test_nkey_a().public_key) +
         ", permissions: { publish: \"foo.>\" } }\n    { nkey: " +
         std::string(test_nkey_b().public_key) + " }\n    { user: alice, password: apw }\n  ]\n}\n";
}

// A raw client past INFO, with the INFO's nonce.
struct RawNkeyClient {
  std::unique_ptr<RawClient> client;
  std::string info_line;
  nlohmann::json info;
  std::string nonce() const { return info.value("nonce", std::string()); }
};
RawNkeyClient raw_nkey_client(const ServerProcess& server) {
  RawNkeyClient c{std::make_unique<RawClient>(server.port()), {}, {}};
  c.info_line = c.client->read_line();
  EXPECT_TRUE(c.info_line.starts_with("INFO {")) << c.info_line;
  c.info = nlohmann::json::parse(c.info_line.substr(5));
  return c;
}

std::string connect_line(const nlohmann::json& fields) {
  nlohmann::json connect = {{"verbose", false}, {"pedantic", false}};
  connect.update(fields);
  return "CONNECT " + connect.dump() + "\r\n";
}

// CONNECT with key `key`'s signature of this connection's nonce (or `sig` as given).
std::string signed_connect(const RawNkeyClient& c, const TestNkey& key) {
  return connect_line({{"nkey", key.public_key}, {"sig", sign_nonce(key, c.nonce())}});
}

void expect_refused(RawClient& c, std::string_view bytes) {
  ASSERT_TRUE(c.send(bytes));
  EXPECT_TRUE(c.expect_closed());
  EXPECT_EQ(c.take_buffered(), kErrAuthorization);
}

struct ConnectionDeleter {
  void operator()(natsConnection* c) const { natsConnection_Destroy(c); }
};
struct OptionsDeleter {
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
};
using Connection = std::unique_ptr<natsConnection, ConnectionDeleter>;
using NatsOptions = std::unique_ptr<natsOptions, OptionsDeleter>;

NatsOptions base_options(const ServerProcess& server) {
  natsOptions* raw = nullptr;
  EXPECT_EQ(natsOptions_Create(&raw), NATS_OK);
  natsOptions_SetURL(raw, server.url().c_str());
  natsOptions_SetAllowReconnect(raw, false);
  natsOptions_SetTimeout(raw, 5000);
  return NatsOptions(raw);
}

natsStatus connect(natsOptions* opts, Connection& out) {
  natsConnection* nc = nullptr;
  const natsStatus s = natsConnection_Connect(&nc, opts);
  out.reset(nc);
  return s;
}

// cnats' signature callback: signs the nonce with the closure's seed (malloc'd, cnats frees it).
natsStatus sign_with(char** /*error*/, unsigned char** signature, int* length, const char* nonce,
                     void* closure) {
  const TestNkey& key = *static_cast<const TestNkey*>(closure);
  const std::string raw = ed25519_sign(key.seed, nonce);
  *signature = static_cast<unsigned char*>(std::malloc(raw.size()));
  std::memcpy(*signature, raw.data(), raw.size());
  *length = static_cast<int>(raw.size());
  return NATS_OK;
}

TEST(NkeyAuthTest, InfoCarriesAFreshNonceOnlyWithNkeyUsers) {
  TempFile conf(nkey_conf());
  ServerProcess server({"-c", conf.path()});
  auto a = raw_nkey_client(server);
  auto b = raw_nkey_client(server);
  EXPECT_EQ(a.info.value("auth_required", false), true);
  // 11 random bytes, raw-URL base64, placed after client_ip as in nats-server.
  ASSERT_EQ(a.nonce().size(), 15u) << a.info.dump();
  EXPECT_EQ(a.nonce().find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_NE(a.nonce(), b.nonce());
  EXPECT_LT(a.info_line.find("\"client_ip\""), a.info_line.find("\"nonce\""));

  TempFile users("authorization {\n  users = [ { user: alice, password: apw } ]\n}\n");
  ServerProcess plain({"-c", users.path()});
  EXPECT_FALSE(raw_nkey_client(plain).info.contains("nonce"));
}

TEST(NkeyAuthTest, SignedNonceOverARawSocket) {
  TempFile conf(nkey_conf());
  ServerProcess server({"-c", conf.path()});
  auto c = raw_nkey_client(server);
  EXPECT_EQ(roundtrip(*c.client, signed_connect(c, test_nkey_b()) + "SUB x 1\r\nPUB x 2\r\nhi\r\n"),
            msg("x", "1", "hi") + "PONG\r\n");
  // Standard base64 with padding is accepted too.
  auto std_sig = raw_nkey_client(server);
  const TestNkey b = test_nkey_b();
  EXPECT_EQ(
      roundtrip(*std_sig.client,
                connect_line({{"nkey", b.public_key},
                              {"sig", base64(ed25519_sign(b.seed, std_sig.nonce()), false)}})),
      "PONG\r\n");
  // The nkey wins over user/password in the same CONNECT.
  auto both = raw_nkey_client(server);
  EXPECT_EQ(roundtrip(*both.client, connect_line({{"nkey", b.public_key},
                                                  {"sig", sign_nonce(b, both.nonce())},
                                                  {"user", "alice"},
                                                  {"pass", "wrong"}})),
            "PONG\r\n");
  // Password users still log in.
  auto alice = raw_nkey_client(server);
  EXPECT_EQ(roundtrip(*alice.client, connect_line({{"user", "alice"}, {"pass", "apw"}})),
            "PONG\r\n");
}

TEST(NkeyAuthTest, BadSignaturesAndUnknownKeysAreRefused) {
  TempFile conf(nkey_conf());
  ServerProcess server({"-c", conf.path()});
  const TestNkey a = test_nkey_a();
  const TestNkey b = test_nkey_b();
  const std::string unknown_key = "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4";

  auto missing = raw_nkey_client(server);
  expect_refused(*missing.client, connect_line({{"nkey", a.public_key}}) + "PING\r\n");
  auto wrong_key = raw_nkey_client(server);
  expect_refused(*wrong_key.client,
                 connect_line({{"nkey", a.public_key}, {"sig", sign_nonce(b, wrong_key.nonce())}}) +
                     "PING\r\n");
  auto other_nonce = raw_nkey_client(server);
  expect_refused(
      *other_nonce.client,
      connect_line({{"nkey", a.public_key}, {"sig", sign_nonce(a, missing.nonce())}}) + "PING\r\n");
  auto not_base64 = raw_nkey_client(server);
  expect_refused(*not_base64.client,
                 connect_line({{"nkey", a.public_key}, {"sig", "!!!"}}) + "PING\r\n");
  auto unknown = raw_nkey_client(server);
  expect_refused(
      *unknown.client,
      connect_line({{"nkey", unknown_key}, {"sig", sign_nonce(a, unknown.nonce())}}) + "PING\r\n");
  // A good password does not rescue an unknown nkey.
  auto unknown_with_user = raw_nkey_client(server);
  expect_refused(
      *unknown_with_user.client,
      connect_line({{"nkey", unknown_key}, {"user", "alice"}, {"pass", "apw"}}) + "PING\r\n");
  auto nothing = raw_nkey_client(server);
  expect_refused(*nothing.client, connect_line(nlohmann::json::object()) + "PING\r\n");

  EXPECT_TRUE(
      server.wait_for_log("authentication error - Nkey \"" + std::string(a.public_key) + "\"", 5s))
      << server.log();
  EXPECT_TRUE(server.wait_for_log("authentication error - Nkey \"" + unknown_key + "\"", 5s));
  // With nkey users configured, nats-server names the (empty) nkey even for other clients.
  EXPECT_TRUE(server.wait_for_log("authentication error - Nkey \"\"", 5s));
}

TEST(NkeyAuthTest, PermissionsApplyAndViolationsNameTheNkey) {
  TempFile conf(nkey_conf());
  ServerProcess server({"-c", conf.path()});
  auto c = raw_nkey_client(server);
  const TestNkey a = test_nkey_a();
  EXPECT_EQ(roundtrip(*c.client, signed_connect(c, a) + "SUB foo.> 1\r\nPUB bar 1\r\nx\r\n"
                                                        "PUB foo.ok 1\r\ny\r\n"),
            "-ERR 'Permissions Violation for Publish to \"bar\"'\r\n" + msg("foo.ok", "1", "y") +
                "PONG\r\n");
  EXPECT_TRUE(server.wait_for_log(
      "Publish Violation - Nkey \"" + std::string(a.public_key) + "\", Subject \"bar\"", 5s))
      << server.log();
}

TEST(NkeyAuthTest, CnatsWithASignatureCallbackAndWithASeedFile) {
  TempFile conf(nkey_conf());
  ServerProcess server({"-c", conf.path()});
  const TestNkey b = test_nkey_b();
  {
    auto opts = base_options(server);
    ASSERT_EQ(natsOptions_SetNKey(opts.get(), std::string(b.public_key).c_str(), &sign_with,
                                  const_cast<TestNkey*>(&b)),
              NATS_OK);
    Connection nc;
    ASSERT_EQ(connect(opts.get(), nc), NATS_OK);
    EXPECT_EQ(natsConnection_Flush(nc.get()), NATS_OK);
  }
  {
    TempFile seed(std::string(b.seed_text) + "\n", ".nk");
    auto opts = base_options(server);
    ASSERT_EQ(natsOptions_SetNKeyFromSeed(opts.get(), std::string(b.public_key).c_str(),
                                          seed.path().c_str()),
              NATS_OK);
    Connection nc;
    ASSERT_EQ(connect(opts.get(), nc), NATS_OK);
    natsSubscription* sub = nullptr;
    ASSERT_EQ(natsConnection_SubscribeSync(&sub, nc.get(), "seed.check"), NATS_OK);
    ASSERT_EQ(natsConnection_PublishString(nc.get(), "seed.check", "ok"), NATS_OK);
    natsMsg* m = nullptr;
    EXPECT_EQ(natsSubscription_NextMsg(&m, sub, 5000), NATS_OK);
    natsMsg_Destroy(m);
    natsSubscription_Destroy(sub);
  }
  {
    // Key a's seed presented as key b: the signature does not verify.
    TempFile seed(std::string(test_nkey_a().seed_text) + "\n", ".nk");
    auto opts = base_options(server);
    ASSERT_EQ(natsOptions_SetNKeyFromSeed(opts.get(), std::string(b.public_key).c_str(),
                                          seed.path().c_str()),
              NATS_OK);
    Connection nc;
    EXPECT_EQ(connect(opts.get(), nc), NATS_CONNECTION_AUTH_FAILED);
  }
}

TEST(NkeyAuthTest, ConnzShowsTheNkeyAsAuthorizedUser) {
  TempFile conf(nkey_conf());
  ServerProcess server({"-c", conf.path(), "-m", "-1"});
  auto c = raw_nkey_client(server);
  const TestNkey b = test_nkey_b();
  ASSERT_EQ(roundtrip(*c.client, signed_connect(c, b)), "PONG\r\n");
  auto alice = raw_nkey_client(server);
  ASSERT_EQ(roundtrip(*alice.client, connect_line({{"user", "alice"}, {"pass", "apw"}})),
            "PONG\r\n");
  const int port = monitor_port(server);
  nlohmann::json connz = get_json(port, "/connz?auth=1");
  ASSERT_EQ(connz["connections"].size(), 2u) << connz.dump();
  const nlohmann::json& by_nkey = connz["connections"][0];
  EXPECT_EQ(by_nkey.value("authorized_user", ""), b.public_key);
  // nats-server names the global account as the nkey user's issuer; a password user has none.
  EXPECT_EQ(by_nkey.value("issuer_key", ""), "$G");
  const nlohmann::json& by_password = connz["connections"][1];
  EXPECT_EQ(by_password.value("authorized_user", ""), "alice");
  EXPECT_FALSE(by_password.contains("issuer_key"));
  EXPECT_FALSE(get_json(port, "/connz")["connections"][0].contains("authorized_user"));
}

TEST(NkeyAuthTest, ReloadAddsRemovesAndNarrowsNkeyUsers) {
  const TestNkey a = test_nkey_a();
  const TestNkey b = test_nkey_b();
  TempFile conf("authorization {\n  users = [ { nkey: " + std::string(b.public_key) +
                " }, { user: alice, password: apw } ]\n}\n");
  ServerProcess server({"-c", conf.path()});
  auto kept = raw_nkey_client(server);
  ASSERT_EQ(roundtrip(*kept.client, signed_connect(kept, b) + "SUB foo 1\r\nSUB bar 2\r\n"),
            "PONG\r\n");
  auto refused = raw_nkey_client(server);
  expect_refused(*refused.client, signed_connect(refused, a) + "PING\r\n");

  // Key a added; key b narrowed to subscribe on bar.
  std::ofstream(conf.path(), std::ios::trunc)
      << "authorization {\n  users = [ { nkey: " << b.public_key
      << ", permissions: { subscribe: bar } }, { nkey: " << a.public_key << " } ]\n}\n";
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("Reloaded server configuration", 5s)) << server.log();
  EXPECT_TRUE(server.wait_for_log("Reloaded: authorization nkey users", 1s));
  const std::string removed =
      "-ERR 'Permissions Violation for Subscription to \"foo\" (sid \"1\")'\r\n";
  EXPECT_TRUE(kept.client->read_until(removed).ends_with(removed));
  EXPECT_EQ(roundtrip(*kept.client, "PUB bar 2\r\nok\r\n"), msg("bar", "2", "ok") + "PONG\r\n");
  auto added = raw_nkey_client(server);
  EXPECT_EQ(roundtrip(*added.client, signed_connect(added, a)), "PONG\r\n");

  // Key b removed: its client is let go (nats-server 2.9.10 closes it without an -ERR, as a
  // client whose user "moved account"; gnatsd with 'Authorization Violation', as for a removed
  // password user).
  const std::size_t from = server.log_size();
  std::ofstream(conf.path(), std::ios::trunc)
      << "authorization {\n  users = [ { nkey: " << a.public_key << " } ]\n}\n";
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("Reloaded server configuration", 5s, from)) << server.log();
  EXPECT_TRUE(kept.client->expect_closed());
  EXPECT_EQ(roundtrip(*added.client, "PING\r\n"), "PONG\r\n");
}

}  // namespace
}  // namespace gnatsd::test
