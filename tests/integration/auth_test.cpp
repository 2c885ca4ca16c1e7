// Authentication and authorization over real sockets and the stock C client (cnats), with the
// options set by flags (--user/--pass/--auth) and config files (authorization {}, no_auth_user,
// reload). Every test also passes against nats-server 2.9.10
// (GNATSD_TEST_BINARY=/usr/sbin/nats-server), so the expectations are nats-server's.
#include <gtest/gtest.h>
#include <nats/nats.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <utility>

#include "client_helpers.hpp"
#include "eventually.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace gnatsd::test {
namespace {

constexpr std::string_view kErrAuthorization = "-ERR 'Authorization Violation'\r\n";
constexpr std::string_view kErrAuthTimeout = "-ERR 'Authentication Timeout'\r\n";

struct ConnectionDeleter {
  void operator()(natsConnection* c) const { natsConnection_Destroy(c); }
};
struct OptionsDeleter {
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
};
struct SubscriptionDeleter {
  void operator()(natsSubscription* s) const { natsSubscription_Destroy(s); }
};
struct MsgDeleter {
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
};
using Connection = std::unique_ptr<natsConnection, ConnectionDeleter>;
using NatsOptions = std::unique_ptr<natsOptions, OptionsDeleter>;
using Subscription = std::unique_ptr<natsSubscription, SubscriptionDeleter>;
using Msg = std::unique_ptr<natsMsg, MsgDeleter>;

// Errors the server reports asynchronously (permission violations), as cnats hands them over.
struct AsyncErrors {
  std::atomic<int> not_permitted{0};
  static void on_error(natsConnection*, natsSubscription*, natsStatus err, void* closure) {
    if (err == NATS_NOT_PERMITTED) ++static_cast<AsyncErrors*>(closure)->not_permitted;
  }
};

// A cnats connection with the given credentials (empty: none); the status says how it went.
struct Attempt {
  natsStatus status = NATS_ERR;
  Connection nc;
};
Attempt connect_with(const ServerProcess& server, std::string_view user, std::string_view pass,
                     std::string_view token = {}, AsyncErrors* errors = nullptr) {
  natsOptions* raw = nullptr;
  EXPECT_EQ(natsOptions_Create(&raw), NATS_OK);
  NatsOptions opts(raw);
  natsOptions_SetURL(raw, server.url().c_str());
  natsOptions_SetAllowReconnect(raw, false);
  natsOptions_SetTimeout(raw, 5000);
  if (!user.empty()) {
    natsOptions_SetUserInfo(raw, std::string(user).c_str(), std::string(pass).c_str());
  }
  if (!token.empty()) natsOptions_SetToken(raw, std::string(token).c_str());
  if (errors != nullptr) natsOptions_SetErrorHandler(raw, &AsyncErrors::on_error, errors);
  Attempt attempt;
  natsConnection* nc = nullptr;
  attempt.status = natsConnection_Connect(&nc, raw);
  attempt.nc.reset(nc);
  return attempt;
}

// Publishes and receives one message over the connection, proving it is fully usable.
void expect_usable(natsConnection* nc, const char* subject = "auth.check") {
  natsSubscription* raw = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&raw, nc, subject), NATS_OK);
  Subscription sub(raw);
  ASSERT_EQ(natsConnection_PublishString(nc, subject, "ok"), NATS_OK);
  natsMsg* m = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&m, raw, 5000), NATS_OK);
  Msg msg(m);
  EXPECT_EQ(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)), "ok");
}

// A raw client past INFO; the INFO line through `info` when asked.
std::unique_ptr<RawClient> raw_client(const ServerProcess& server, std::string* info = nullptr) {
  auto c = std::make_unique<RawClient>(server.port());
  std::string line = c->read_line();
  EXPECT_TRUE(line.starts_with("INFO {")) << line;
  if (info != nullptr) *info = line;
  return c;
}

// Sends `bytes`; expects `expected` and then the server closing the connection.
void expect_refused(RawClient& c, std::string_view bytes, std::string_view expected) {
  ASSERT_TRUE(c.send(bytes));
  EXPECT_TRUE(c.expect_closed());
  EXPECT_EQ(c.take_buffered(), expected);
}

struct Generated {
  std::string password;
  std::string hash;
};
// Runs the built mkpasswd and reads its two lines.
Generated run_mkpasswd(std::string_view args = {}, std::string_view stdin_text = {}) {
  std::string command = std::string(MKPASSWD_BINARY) + " " + std::string(args);
  if (!stdin_text.empty()) {
    command = "printf '%s' '" + std::string(stdin_text) + "' | " + command;
  }
  Generated out;
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  if (pipe == nullptr) return out;
  std::string text;
  char chunk[512];
  while (std::fgets(chunk, sizeof chunk, pipe) != nullptr) text += chunk;
  EXPECT_EQ(pclose(pipe), 0) << text;
  std::smatch m;
  if (std::regex_search(text, m, std::regex("pass: (.{22})\n"))) out.password = m[1];
  if (std::regex_search(text, m,
                        std::regex("bcrypt hash: (\\$2a\\$[0-9]{2}\\$[./A-Za-z0-9]{53})\n"))) {
    out.hash = m[1];
  }
  EXPECT_FALSE(out.hash.empty()) << text;
  return out;
}

void rewrite(const TempFile& file, std::string_view contents) {
  std::ofstream out(file.path(), std::ios::trunc);
  out << contents;
}

// ---- user / password, token ------------------------------------------------------------------

TEST(AuthTest, UserAndPasswordFromFlags) {
  ServerProcess server({"--user", "derek", "--pass", "s3cr3t"});
  std::string info;
  auto raw = raw_client(server, &info);
  EXPECT_NE(info.find("\"auth_required\":true"), std::string::npos) << info;

  auto good = connect_with(server, "derek", "s3cr3t");
  ASSERT_EQ(good.status, NATS_OK);
  expect_usable(good.nc.get());
  EXPECT_EQ(connect_with(server, "derek", "wrong").status, NATS_CONNECTION_AUTH_FAILED);
  EXPECT_EQ(connect_with(server, "eve", "s3cr3t").status, NATS_CONNECTION_AUTH_FAILED);
  EXPECT_EQ(connect_with(server, "", "").status, NATS_CONNECTION_AUTH_FAILED);

  expect_refused(*raw,
                 "CONNECT {\"verbose\":false,\"user\":\"derek\",\"pass\":\"nope\"}\r\nPING\r\n",
                 kErrAuthorization);
  EXPECT_TRUE(server.wait_for_log("- authentication error\n", 5s)) << server.log();
  EXPECT_TRUE(server.wait_for_log("Plaintext passwords detected, use nkeys or bcrypt", 1s));
  // The good connection was not disturbed by the failures.
  expect_usable(good.nc.get(), "still.here");
}

TEST(AuthTest, TokenFromFlag) {
  ServerProcess server({"--auth", "t0k3n"});
  auto good = connect_with(server, "", "", "t0k3n");
  ASSERT_EQ(good.status, NATS_OK);
  expect_usable(good.nc.get());
  EXPECT_EQ(connect_with(server, "", "", "t0k3N").status, NATS_CONNECTION_AUTH_FAILED);
  EXPECT_EQ(connect_with(server, "", "").status, NATS_CONNECTION_AUTH_FAILED);
  // The token in the URL, as users write it.
  natsConnection* nc = nullptr;
  std::string url = "nats://t0k3n@127.0.0.1:" + std::to_string(server.port());
  ASSERT_EQ(natsConnection_ConnectTo(&nc, url.c_str()), NATS_OK);
  Connection by_url(nc);
  expect_usable(nc);
}

TEST(AuthTest, AnythingBeforeConnectIsRefused) {
  ServerProcess server({"--auth", "t0k3n"});
  auto ping = raw_client(server);
  expect_refused(*ping, "PING\r\n", kErrAuthorization);
  auto pub = raw_client(server);
  expect_refused(*pub, "PUB foo 2\r\nhi\r\n", kErrAuthorization);
}

// ---- bcrypt via mkpasswd ---------------------------------------------------------------------

TEST(AuthTest, BcryptPasswordGeneratedByMkpasswd) {
  Generated generated = run_mkpasswd();
  ASSERT_EQ(generated.password.size(), 22u);
  EXPECT_TRUE(generated.hash.starts_with("$2a$11$")) << generated.hash;
  TempFile conf("authorization {\n  user: derek\n  password: \"" + generated.hash + "\"\n}\n");
  ServerProcess server({"-c", conf.path()});
  auto good = connect_with(server, "derek", generated.password);
  ASSERT_EQ(good.status, NATS_OK);
  expect_usable(good.nc.get());
  EXPECT_EQ(connect_with(server, "derek", generated.hash).status, NATS_CONNECTION_AUTH_FAILED);
  EXPECT_EQ(connect_with(server, "derek", "wrong").status, NATS_CONNECTION_AUTH_FAILED);
  EXPECT_EQ(server.log().find("Plaintext passwords detected"), std::string::npos);
}

TEST(AuthTest, BcryptTokenFromAPasswordGivenToMkpasswd) {
  Generated generated = run_mkpasswd("-p --cost 6", "my token\nmy token\n");
  EXPECT_TRUE(generated.hash.starts_with("$2a$06$")) << generated.hash;
  TempFile conf("authorization {\n  token: \"" + generated.hash + "\"\n}\n");
  ServerProcess server({"-c", conf.path()});
  auto good = connect_with(server, "", "", "my token");
  ASSERT_EQ(good.status, NATS_OK);
  expect_usable(good.nc.get());
  EXPECT_EQ(connect_with(server, "", "", "my tokeN").status, NATS_CONNECTION_AUTH_FAILED);
}

// ---- users, logs -----------------------------------------------------------------------------

constexpr std::string_view kUsersConf = R"(
authorization {
  users = [
    { user: alice, password: apw, permissions: {
        publish: { allow: ["foo.>", "bar"], deny: ["foo.secret"] }
        subscribe: { allow: ["foo.*", "q"], deny: ["foo.bad"] }
    } }
    { user: bob, password: bpw, permissions: { publish: ["bob.>"], subscribe: "bob.>" } }
    { user: admin, password: xpw }
  ]
}
)";

TEST(AuthTest, WrongCredentialsAreLoggedWithTheUserAndClient) {
  TempFile conf(kUsersConf);
  ServerProcess server({"-c", conf.path()});
  auto c = raw_client(server);
  expect_refused(*c,
                 "CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"bad\",\"lang\":\"go\","
                 "\"version\":\"1.2.3\"}\r\n",
                 kErrAuthorization);
  EXPECT_TRUE(server.wait_for_log(" - \"v1.2.3:go\" - authentication error - User \"alice\"", 5s))
      << server.log();
  EXPECT_EQ(connect_with(server, "carol", "apw").status, NATS_CONNECTION_AUTH_FAILED);
  EXPECT_TRUE(server.wait_for_log("authentication error - User \"carol\"", 5s)) << server.log();
}

TEST(AuthTest, TraceHidesThePassword) {
  TempFile conf(kUsersConf);
  ServerProcess server({"-c", conf.path(), "-V"});
  auto c = raw_client(server);
  ASSERT_EQ(roundtrip(*c, "CONNECT {\"verbose\":false,\"user\":\"admin\",\"pass\":\"xpw\"}\r\n"),
            "PONG\r\n");
  EXPECT_TRUE(server.wait_for_log(
      "<<- [CONNECT {\"verbose\":false,\"user\":\"admin\",\"pass\":\"[REDACTED]\"}]", 5s))
      << server.log();
  EXPECT_EQ(server.log().find("xpw"), std::string::npos);
}

// ---- permissions -----------------------------------------------------------------------------

TEST(AuthTest, PublishAndSubscribePermissionsExactly) {
  TempFile conf(kUsersConf);
  ServerProcess server({"-c", conf.path()});
  auto admin = raw_client(server);
  ASSERT_EQ(roundtrip(*admin,
                      "CONNECT {\"verbose\":false,\"user\":\"admin\",\"pass\":\"xpw\"}\r\n"
                      "SUB > 1\r\n"),
            "PONG\r\n");
  auto alice = raw_client(server);
  ASSERT_EQ(
      roundtrip(*alice, "CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"apw\"}\r\n"),
      "PONG\r\n");

  EXPECT_EQ(roundtrip(*alice, "PUB foo.secret 2\r\nhi\r\nPUB baz 1\r\nx\r\nPUB foo.ok 1\r\ny\r\n"),
            "-ERR 'Permissions Violation for Publish to \"foo.secret\"'\r\n"
            "-ERR 'Permissions Violation for Publish to \"baz\"'\r\nPONG\r\n");
  EXPECT_EQ(roundtrip(*admin, ""), msg("foo.ok", "1", "y") + "PONG\r\n");

  EXPECT_EQ(roundtrip(*alice, "SUB baz 1\r\nSUB baz grp 2\r\nSUB foo.bad 3\r\nSUB foo.* 4\r\n"),
            "-ERR 'Permissions Violation for Subscription to \"baz\"'\r\n"
            "-ERR 'Permissions Violation for Subscription to \"baz\" using queue \"grp\"'\r\n"
            "-ERR 'Permissions Violation for Subscription to \"foo.bad\"'\r\nPONG\r\n");
  // foo.bad reaches alice's foo.* subscription only if it were allowed to her: it is dropped.
  ASSERT_EQ(roundtrip(*admin, "PUB foo.bad 1\r\nb\r\nPUB foo.x 1\r\nx\r\n"),
            msg("foo.bad", "1", "b") + msg("foo.x", "1", "x") + "PONG\r\n");
  EXPECT_EQ(roundtrip(*alice, ""), msg("foo.x", "4", "x") + "PONG\r\n");

  EXPECT_TRUE(server.wait_for_log("Publish Violation - User \"alice\", Subject \"foo.secret\"", 5s))
      << server.log();
  EXPECT_TRUE(
      server.wait_for_log("Subscription Violation - User \"alice\", Subject \"baz\", SID 1", 1s));
  EXPECT_TRUE(server.wait_for_log(
      "Subscription Violation - User \"alice\", Subject \"baz\", Queue: \"grp\", SID 2", 1s));
}

TEST(AuthTest, PlainListPermissionsWithCnats) {
  TempFile conf(kUsersConf);
  ServerProcess server({"-c", conf.path()});
  AsyncErrors errors;
  auto bob = connect_with(server, "bob", "bpw", {}, &errors);
  ASSERT_EQ(bob.status, NATS_OK);
  expect_usable(bob.nc.get(), "bob.inbox");

  natsSubscription* raw = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&raw, bob.nc.get(), "alice.x"), NATS_OK);
  Subscription denied(raw);
  ASSERT_EQ(natsConnection_PublishString(bob.nc.get(), "not.bobs", "x"), NATS_OK);
  natsConnection_FlushTimeout(bob.nc.get(), 5000);
  // Both violations reported (or 5 s gone); the count is checked below either way.
  eventually([&] { return errors.not_permitted >= 2; }, 5s, 10ms);
  EXPECT_EQ(errors.not_permitted, 2);
  // Violations do not close the connection.
  expect_usable(bob.nc.get(), "bob.after");
}

// ---- no_auth_user, timeout -------------------------------------------------------------------

TEST(AuthTest, NoAuthUserTakesClientsWithoutCredentials) {
  TempFile conf(std::string(kUsersConf) + "no_auth_user: bob\n");
  ServerProcess server({"-c", conf.path()});
  std::string info;
  auto c = raw_client(server, &info);
  EXPECT_EQ(info.find("\"auth_required\":true"), std::string::npos) << info;
  EXPECT_EQ(roundtrip(*c, "CONNECT {\"verbose\":false}\r\nPUB bob.x 1\r\nx\r\nPUB foo 1\r\nx\r\n"),
            "-ERR 'Permissions Violation for Publish to \"foo\"'\r\nPONG\r\n");
  // A client that skips CONNECT is bob too.
  auto telnet = raw_client(server);
  EXPECT_EQ(roundtrip(*telnet, "SUB foo 1\r\n"),
            "-ERR 'Permissions Violation for Subscription to \"foo\"'\r\nPONG\r\n");
  EXPECT_TRUE(
      server.wait_for_log("Subscription Violation - User \"bob\", Subject \"foo\", SID 1", 5s))
      << server.log();
  // Credentials still count when given.
  auto admin = connect_with(server, "admin", "xpw");
  ASSERT_EQ(admin.status, NATS_OK);
  expect_usable(admin.nc.get(), "anything");
  EXPECT_EQ(connect_with(server, "admin", "bad").status, NATS_CONNECTION_AUTH_FAILED);
}

TEST(AuthTest, AuthTimeoutClosesSilentClients) {
  TempFile conf("authorization {\n  user: a\n  password: b\n  timeout: 0.5\n}\n");
  ServerProcess server({"-c", conf.path(), "-D"});
  auto start = Clock::now();
  auto silent = raw_client(server);
  auto good = connect_with(server, "a", "b");
  ASSERT_EQ(good.status, NATS_OK);
  EXPECT_TRUE(silent->expect_closed(5s));
  const auto elapsed = Clock::now() - start;
  EXPECT_EQ(silent->take_buffered(), kErrAuthTimeout);
  EXPECT_GE(elapsed, 450ms);
  EXPECT_LT(elapsed, 3s);
  EXPECT_TRUE(server.wait_for_log(" - Authentication Timeout\n", 5s)) << server.log();
  EXPECT_TRUE(server.wait_for_log("Client connection closed: Authentication Timeout", 5s));
  // The client that connected in time stays past the timeout.
  std::this_thread::sleep_for(600ms);
  expect_usable(good.nc.get());
}

// ---- reload ----------------------------------------------------------------------------------

TEST(AuthTest, ReloadChangingAPassword) {
  TempFile conf("authorization {\n  users: [{user: derek, password: old}]\n}\n");
  ServerProcess server({"-c", conf.path()});
  auto connected = raw_client(server);
  ASSERT_EQ(
      roundtrip(*connected, "CONNECT {\"verbose\":false,\"user\":\"derek\",\"pass\":\"old\"}\r\n"),
      "PONG\r\n");
  rewrite(conf, "authorization {\n  users: [{user: derek, password: new}]\n}\n");
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("Reloaded server configuration", 5s)) << server.log();

  EXPECT_EQ(connect_with(server, "derek", "old").status, NATS_CONNECTION_AUTH_FAILED);
  auto fresh = connect_with(server, "derek", "new");
  ASSERT_EQ(fresh.status, NATS_OK);
  expect_usable(fresh.nc.get());
  // As nats-server, the client connected with the old password is let go.
  EXPECT_TRUE(connected->expect_closed());
  EXPECT_EQ(connected->take_buffered(), kErrAuthorization);
}

TEST(AuthTest, ReloadRemovingAUserClosesItsClientsWithoutAnError) {
  TempFile conf("authorization {\n  users: [{user: a, password: a}, {user: b, password: b}]\n}\n");
  ServerProcess server({"-c", conf.path()});
  auto removed = raw_client(server);
  ASSERT_EQ(roundtrip(*removed, "CONNECT {\"verbose\":false,\"user\":\"a\",\"pass\":\"a\"}\r\n"),
            "PONG\r\n");
  auto kept = raw_client(server);
  ASSERT_EQ(roundtrip(*kept, "CONNECT {\"verbose\":false,\"user\":\"b\",\"pass\":\"b\"}\r\n"),
            "PONG\r\n");
  rewrite(conf, "authorization {\n  users: [{user: b, password: b}]\n}\n");
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("Reloaded server configuration", 5s)) << server.log();
  // As nats-server 2.9.10: a removed user's client is closed as "Client Closed", with no -ERR
  // (a changed password, above, is an authorization violation).
  EXPECT_TRUE(removed->expect_closed());
  EXPECT_EQ(removed->take_buffered(), "");
  EXPECT_EQ(roundtrip(*kept, ""), "PONG\r\n");
}

TEST(AuthTest, ReloadChangingTheSingleUsersPasswordDisconnectsItsClients) {
  TempFile conf("authorization {\n  user: derek\n  password: old\n}\n");
  ServerProcess server({"-c", conf.path()});
  auto connected = raw_client(server);
  ASSERT_EQ(
      roundtrip(*connected, "CONNECT {\"verbose\":false,\"user\":\"derek\",\"pass\":\"old\"}\r\n"),
      "PONG\r\n");
  rewrite(conf, "authorization {\n  user: derek\n  password: new\n}\n");
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("Reloaded server configuration", 5s)) << server.log();
  // (nats-server 2.9.10 closes single-user clients on any reload, without an -ERR; gnatsd
  // closes those whose password no longer holds, with 'Authorization Violation'.)
  EXPECT_TRUE(connected->expect_closed());
  EXPECT_EQ(connect_with(server, "derek", "old").status, NATS_CONNECTION_AUTH_FAILED);
  auto fresh = connect_with(server, "derek", "new");
  ASSERT_EQ(fresh.status, NATS_OK);
}

TEST(AuthTest, ReloadNarrowingPermissionsRemovesSubscriptions) {
  TempFile conf(kUsersConf);
  ServerProcess server({"-c", conf.path()});
  auto alice = raw_client(server);
  ASSERT_EQ(roundtrip(*alice,
                      "CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"apw\"}\r\n"
                      "SUB q 1\r\nSUB foo.a 2\r\n"),
            "PONG\r\n");
  std::string narrower(kUsersConf);
  narrower.replace(narrower.find("\"foo.*\", \"q\""), 12, "\"foo.*\"");
  rewrite(conf, narrower);
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("Reloaded server configuration", 5s)) << server.log();
  EXPECT_EQ(alice->read_line(),
            "-ERR 'Permissions Violation for Subscription to \"q\" (sid \"1\")'\r\n");
  EXPECT_TRUE(
      server.wait_for_log("Removed sub \"q\" (sid \"1\") for User \"alice\" - not authorized", 5s))
      << server.log();
  auto admin = connect_with(server, "admin", "xpw");
  ASSERT_EQ(admin.status, NATS_OK);
  natsConnection_PublishString(admin.nc.get(), "q", "gone");
  natsConnection_PublishString(admin.nc.get(), "foo.a", "kept");
  natsConnection_FlushTimeout(admin.nc.get(), 5000);
  EXPECT_EQ(roundtrip(*alice, ""), msg("foo.a", "2", "kept") + "PONG\r\n");
}

// ---- queue-group subscribe permissions ("subject queue" entries) -------------------------------

constexpr std::string_view kQueueConf = R"(
authorization {
  default_permissions: { subscribe: ["dflt v1"] }
  users = [
    { user: qa, password: p, permissions: { subscribe: ["foo.>", "bar v1", "baz *.dev"] } }
    { user: qd, password: p, permissions: {
        subscribe: { allow: [">"], deny: ["bar v1", "foo", "foo v2"] } } }
    { user: qm, password: p, permissions: {
        subscribe: { allow: ["bar", "bar v1"], deny: ["bar", "bar v2"] } } }
    { user: qf, password: p, permissions: { subscribe: { deny: ["foo.bar v1", "foo.baz"] } } }
    { user: plain, password: p }
    { user: admin, password: p, permissions: { publish: ">", subscribe: ">" } }
  ]
}
)";

std::unique_ptr<RawClient> connected_as(const ServerProcess& server, std::string_view user) {
  auto c = raw_client(server);
  EXPECT_EQ(roundtrip(*c, "CONNECT {\"verbose\":false,\"user\":\"" + std::string(user) +
                              "\",\"pass\":\"p\"}\r\n"),
            "PONG\r\n");
  return c;
}

std::string sub_violation(std::string_view subject, std::string_view queue = {}) {
  std::string line =
      "-ERR 'Permissions Violation for Subscription to \"" + std::string(subject) + "\"";
  if (!queue.empty()) line += " using queue \"" + std::string(queue) + "\"";
  return line + "'\r\n";
}

// Publishes one message as admin and returns what `c` got for it (up to its PONG).
std::string delivered(RawClient& admin, RawClient& c, std::string_view subject) {
  EXPECT_EQ(roundtrip(admin, "PUB " + std::string(subject) + " 1\r\nx\r\n"), "PONG\r\n");
  return roundtrip(c, "");
}

TEST(AuthTest, QueueAllowEntries) {
  TempFile conf(kQueueConf);
  ServerProcess server({"-c", conf.path()});
  auto qa = connected_as(server, "qa");
  // "bar v1" allows queue v1 only, and no plain subscription; "baz *.dev" allows the queue
  // names it covers; a queue subscription to a subject with only plain entries is allowed.
  EXPECT_EQ(roundtrip(*qa,
                      "SUB bar 1\r\nSUB bar v1 2\r\nSUB bar v2 3\r\nSUB foo.x q 4\r\n"
                      "SUB baz a.dev 5\r\nSUB baz a.prod 6\r\nSUB baz a.b.dev 7\r\n"
                      "SUB bar.* v1 8\r\n"),
            sub_violation("bar") + sub_violation("bar", "v2") + sub_violation("baz", "a.prod") +
                sub_violation("baz", "a.b.dev") + sub_violation("bar.*", "v1") + "PONG\r\n");
  EXPECT_TRUE(server.wait_for_log(
      "Subscription Violation - User \"qa\", Subject \"bar\", Queue: \"v2\", SID 3", 5s))
      << server.log();

  auto admin = connected_as(server, "admin");
  EXPECT_EQ(delivered(*admin, *qa, "bar"), msg("bar", "2", "x") + "PONG\r\n");
  EXPECT_EQ(delivered(*admin, *qa, "foo.x"), msg("foo.x", "4", "x") + "PONG\r\n");
  EXPECT_EQ(delivered(*admin, *qa, "baz"), msg("baz", "5", "x") + "PONG\r\n");
}

TEST(AuthTest, QueueDenyEntries) {
  TempFile conf(kQueueConf);
  ServerProcess server({"-c", conf.path()});
  auto qd = connected_as(server, "qd");
  // "bar v1" denies queue v1 only. With both "foo" and "foo v2" denied, the queue entry decides
  // for queue subscriptions: v1 gets in.
  EXPECT_EQ(
      roundtrip(*qd,
                "SUB bar v1 1\r\nSUB bar v2 2\r\nSUB bar 3\r\n"
                "SUB foo 4\r\nSUB foo v1 5\r\nSUB foo v2 6\r\n"),
      sub_violation("bar", "v1") + sub_violation("foo") + sub_violation("foo", "v2") + "PONG\r\n");
}

TEST(AuthTest, QueueAllowAndDenyEntriesTogether) {
  TempFile conf(kQueueConf);
  ServerProcess server({"-c", conf.path()});
  auto qm = connected_as(server, "qm");
  EXPECT_EQ(
      roundtrip(*qm, "SUB bar v1 1\r\nSUB bar v2 2\r\nSUB bar v3 3\r\nSUB bar 4\r\n"),
      sub_violation("bar", "v2") + sub_violation("bar", "v3") + sub_violation("bar") + "PONG\r\n");
}

TEST(AuthTest, QueueEntriesInDefaultPermissions) {
  TempFile conf(kQueueConf);
  ServerProcess server({"-c", conf.path()});
  auto plain = connected_as(server, "plain");
  EXPECT_EQ(
      roundtrip(*plain, "SUB dflt v1 1\r\nSUB dflt 2\r\nSUB dflt v2 3\r\nSUB other 4\r\n"),
      sub_violation("dflt") + sub_violation("dflt", "v2") + sub_violation("other") + "PONG\r\n");
}

TEST(AuthTest, QueueDenyEntriesDoNotFilterDeliveries) {
  TempFile conf(kQueueConf);
  ServerProcess server({"-c", conf.path()});
  auto qf = connected_as(server, "qf");
  // foo.* covers the denied foo.baz, so deliveries are checked from now on -- against the plain
  // deny entries only: the queue entry "foo.bar v1" does not stop foo.bar reaching queue v1.
  ASSERT_EQ(roundtrip(*qf, "SUB foo.* v1 1\r\nSUB foo.bar v1 2\r\n"),
            sub_violation("foo.bar", "v1") + "PONG\r\n");
  auto admin = connected_as(server, "admin");
  EXPECT_EQ(delivered(*admin, *qf, "foo.bar"), msg("foo.bar", "1", "x") + "PONG\r\n");
  EXPECT_EQ(delivered(*admin, *qf, "foo.baz"), "PONG\r\n");
  EXPECT_EQ(delivered(*admin, *qf, "foo.x"), msg("foo.x", "1", "x") + "PONG\r\n");
}

TEST(AuthTest, DeliveryFilterTurnsOnForAWildcardCoveringADenyEntry) {
  TempFile conf(R"(
authorization { users = [
  { user: u, password: p, permissions: { subscribe: { deny: "foo.*.baz" } } }
  { user: admin, password: p }
] }
)");
  ServerProcess server({"-c", conf.path()});
  auto u = connected_as(server, "u");
  auto admin = connected_as(server, "admin");
  // foo.bar.* only overlaps foo.*.baz: as nats-server, nothing is filtered yet...
  ASSERT_EQ(roundtrip(*u, "SUB foo.bar.* 1\r\n"), "PONG\r\n");
  EXPECT_EQ(delivered(*admin, *u, "foo.bar.baz"), msg("foo.bar.baz", "1", "x") + "PONG\r\n");
  // ...until a subscription covers it: then every delivery to the client is checked.
  ASSERT_EQ(roundtrip(*u, "SUB foo.> 2\r\n"), "PONG\r\n");
  EXPECT_EQ(delivered(*admin, *u, "foo.bar.baz"), "PONG\r\n");
  // (The two copies come in the index's match order.)
  const std::string both = delivered(*admin, *u, "foo.bar.x");
  EXPECT_NE(both.find(msg("foo.bar.x", "1", "x")), std::string::npos) << both;
  EXPECT_NE(both.find(msg("foo.bar.x", "2", "x")), std::string::npos) << both;
  EXPECT_EQ(both.size(), 2 * msg("foo.bar.x", "1", "x").size() + 6) << both;
}

TEST(AuthTest, QueueNamedSysIsRefusedToEveryone) {
  TempFile conf(kQueueConf);
  ServerProcess server({"-c", conf.path()});
  auto admin = connected_as(server, "admin");
  EXPECT_EQ(roundtrip(*admin, "SUB foo _sys_ 1\r\nSUB foo _SYS_ 2\r\n"),
            sub_violation("foo", "_sys_") + "PONG\r\n");
  EXPECT_TRUE(server.wait_for_log(
      "Subscription Violation - User \"admin\", Subject \"foo\", Queue: \"_sys_\", SID 1", 5s))
      << server.log();
}

TEST(AuthTest, ReloadRechecksQueueSubscriptions) {
  TempFile conf(R"(
authorization { users = [
  { user: u, password: p, permissions: { subscribe: ">" } }
  { user: admin, password: p }
] }
)");
  ServerProcess server({"-c", conf.path()});
  auto u = connected_as(server, "u");
  ASSERT_EQ(roundtrip(*u, "SUB bar v1 1\r\nSUB bar v2 2\r\nSUB bar 3\r\nSUB baz v2 4\r\n"),
            "PONG\r\n");
  rewrite(conf, R"(
authorization { users = [
  { user: u, password: p, permissions: { subscribe: { allow: ["bar v1", "baz"], deny: "baz v2" } } }
  { user: admin, password: p }
] }
)");
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("Reloaded server configuration", 5s)) << server.log();
  // A subscription stays when its subject alone or its subject and queue are allowed: sid 4
  // stays although "SUB baz v2" would now be refused. The queue is not named; the order of the
  // removals is not defined.
  std::vector<std::string> removed = {u->read_line(), u->read_line()};
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed,
            (std::vector<std::string>{
                "-ERR 'Permissions Violation for Subscription to \"bar\" (sid \"2\")'\r\n",
                "-ERR 'Permissions Violation for Subscription to \"bar\" (sid \"3\")'\r\n"}));
  EXPECT_TRUE(
      server.wait_for_log("Removed sub \"bar\" (sid \"2\") for User \"u\" - not authorized", 5s))
      << server.log();
  EXPECT_EQ(roundtrip(*u, "SUB baz v2 5\r\n"), sub_violation("baz", "v2") + "PONG\r\n");
  auto admin = connected_as(server, "admin");
  EXPECT_EQ(delivered(*admin, *u, "bar"), msg("bar", "1", "x") + "PONG\r\n");
  EXPECT_EQ(delivered(*admin, *u, "baz"), msg("baz", "4", "x") + "PONG\r\n");
}

TEST(AuthTest, QueueEntryWithMoreThanTwoFieldsIsAConfigError) {
  // A plain list: no position in the error.
  TempFile listed(R"(
authorization { users = [ { user: u, password: p, permissions: { subscribe: ["foo", "bar v1 x"] } } ] }
)");
  auto result = ServerProcess::run_to_exit({"-c", listed.path()});
  ASSERT_TRUE(result);
  EXPECT_TRUE(WIFEXITED(result->status) && WEXITSTATUS(result->status) == 1) << result->output;
  EXPECT_NE(result->output.find(": subject \"bar v1 x\" is not a valid subject"), std::string::npos)
      << result->output;
  // The map form: at the allow/deny key. A queue entry with a bad subject names the subject.
  TempFile mapped(
      "authorization {\n"
      "  default_permissions: { subscribe: { deny: [\"a b c\"] } }\n"
      "  users = [ { user: u, password: p, permissions: { subscribe: { allow: [\"a..b q\"] } } } "
      "]\n"
      "}\n");
  result = ServerProcess::run_to_exit({"-c", mapped.path()});
  ASSERT_TRUE(result);
  EXPECT_TRUE(WIFEXITED(result->status) && WEXITSTATUS(result->status) == 1) << result->output;
  EXPECT_NE(result->output.find(mapped.path() + ":2:39: subject \"a b c\" is not a valid subject"),
            std::string::npos)
      << result->output;
  EXPECT_NE(result->output.find(mapped.path() + ":3:65: subject \"a..b\" is not a valid subject"),
            std::string::npos)
      << result->output;
}

// ---- allow_responses -------------------------------------------------------------------------

constexpr std::string_view kResponsesConf = R"(
authorization { users = [
  { user: req, password: p }
  { user: once, password: p, permissions: { subscribe: "svc.>", allow_responses: true } }
  { user: twice, password: p, permissions: { subscribe: "svc.>", allow_responses: { max: 2 } } }
  { user: brief, password: p, permissions: {
      subscribe: "svc.>", allow_responses: { max: 5, expires: "500ms" } } }
  { user: listed, password: p, permissions: {
      publish: "ok.>", subscribe: "svc.>", allow_responses: true } }
] }
)";

std::string pub_violation(std::string_view subject) {
  return "-ERR 'Permissions Violation for Publish to \"" + std::string(subject) + "\"'\r\n";
}

// A requester (subscribed to _INBOX.> as sid 1) and a responder of the given user (subscribed to
// svc.x as sid 1), on their own connections.
struct RequestReply {
  RequestReply(const ServerProcess& server, std::string_view responder_user)
      : requester(connected_as(server, "req")), responder(connected_as(server, responder_user)) {
    EXPECT_EQ(roundtrip(*requester, "SUB _INBOX.> 1\r\n"), "PONG\r\n");
    EXPECT_EQ(roundtrip(*responder, "SUB svc.x 1\r\n"), "PONG\r\n");
  }
  // A request with reply subject `reply`, held by the responder when this returns.
  void request(std::string_view reply) {
    const std::string r(reply);
    std::string got = roundtrip(*requester, "PUB svc.x " + r + " 1\r\nq\r\n");
    ASSERT_TRUE(got.ends_with("PONG\r\n")) << got;
    got.resize(got.size() - 6);
    responses += got;  // responses to earlier requests
    ASSERT_EQ(roundtrip(*responder, ""), "MSG svc.x 1 " + r + " 1\r\nq\r\nPONG\r\n");
  }
  // The responder publishes `payload` to `subject`; what it got back (errors) up to its PONG.
  std::string respond(std::string_view subject, std::string_view payload = "A") {
    return roundtrip(*responder, "PUB " + std::string(subject) + " " +
                                     std::to_string(payload.size()) + "\r\n" +
                                     std::string(payload) + "\r\n");
  }
  // What the requester received since the last call, up to its PONG.
  std::string received() { return std::exchange(responses, {}) + roundtrip(*requester, ""); }

  std::unique_ptr<RawClient> requester;
  std::unique_ptr<RawClient> responder;
  std::string responses;  // received by the requester while it sent a request
};

TEST(AuthTest, AllowResponsesPermitsOneResponsePerRequest) {
  TempFile conf(kResponsesConf);
  ServerProcess server({"-c", conf.path()});
  RequestReply rr(server, "once");
  // With allow_responses and no publish allow list, nothing else may be published.
  EXPECT_EQ(rr.respond("other"), pub_violation("other") + "PONG\r\n");
  EXPECT_EQ(rr.respond("_INBOX.a"), pub_violation("_INBOX.a") + "PONG\r\n");  // not asked yet
  rr.request("_INBOX.a");
  EXPECT_EQ(rr.respond("_INBOX.a", "A"), "PONG\r\n");
  EXPECT_EQ(rr.respond("_INBOX.a", "B"), pub_violation("_INBOX.a") + "PONG\r\n");
  EXPECT_EQ(rr.respond("other"), pub_violation("other") + "PONG\r\n");
  EXPECT_EQ(rr.received(), msg("_INBOX.a", "1", "A") + "PONG\r\n");
  // A new request with the same reply subject allows one more response.
  rr.request("_INBOX.a");
  EXPECT_EQ(rr.respond("_INBOX.a", "C"), "PONG\r\n");
  EXPECT_EQ(rr.received(), msg("_INBOX.a", "1", "C") + "PONG\r\n");
  EXPECT_TRUE(server.wait_for_log("Publish Violation - User \"once\", Subject \"_INBOX.a\"", 5s))
      << server.log();
}

TEST(AuthTest, AllowResponsesMaxAllowsThatManyResponses) {
  TempFile conf(kResponsesConf);
  ServerProcess server({"-c", conf.path()});
  RequestReply rr(server, "twice");
  rr.request("_INBOX.b");
  rr.request("_INBOX.c");
  EXPECT_EQ(rr.respond("_INBOX.b", "1"), "PONG\r\n");
  EXPECT_EQ(rr.respond("_INBOX.c", "1"), "PONG\r\n");
  EXPECT_EQ(rr.respond("_INBOX.b", "2"), "PONG\r\n");
  EXPECT_EQ(rr.respond("_INBOX.b", "3"), pub_violation("_INBOX.b") + "PONG\r\n");
  EXPECT_EQ(rr.respond("_INBOX.c", "2"), "PONG\r\n");
  EXPECT_EQ(rr.received(), msg("_INBOX.b", "1", "1") + msg("_INBOX.c", "1", "1") +
                               msg("_INBOX.b", "1", "2") + msg("_INBOX.c", "1", "2") + "PONG\r\n");
}

TEST(AuthTest, AllowResponsesExpire) {
  TempFile conf(kResponsesConf);
  ServerProcess server({"-c", conf.path()});
  RequestReply rr(server, "brief");
  rr.request("_INBOX.now");
  rr.request("_INBOX.late");
  // Both requests were delivered before this instant: 500 ms on, both permits have expired.
  const auto delivered_by = Clock::now();
  EXPECT_EQ(rr.respond("_INBOX.now"), "PONG\r\n");
  std::this_thread::sleep_until(delivered_by + 500ms + 50ms);
  EXPECT_EQ(rr.respond("_INBOX.late"), pub_violation("_INBOX.late") + "PONG\r\n");
  EXPECT_EQ(rr.respond("_INBOX.now"), pub_violation("_INBOX.now") + "PONG\r\n");
  EXPECT_EQ(rr.received(), msg("_INBOX.now", "1", "A") + "PONG\r\n");
}

TEST(AuthTest, AllowResponsesWithAPublishAllowList) {
  TempFile conf(kResponsesConf);
  ServerProcess server({"-c", conf.path()});
  RequestReply rr(server, "listed");
  // A refusal before the request does not stick: the reply is allowed once it was delivered.
  EXPECT_EQ(rr.respond("_INBOX.l"), pub_violation("_INBOX.l") + "PONG\r\n");
  rr.request("_INBOX.l");
  EXPECT_EQ(rr.respond("_INBOX.l"), "PONG\r\n");
  EXPECT_EQ(rr.respond("_INBOX.l"), pub_violation("_INBOX.l") + "PONG\r\n");
  EXPECT_EQ(rr.respond("ok.1"), "PONG\r\n");
  EXPECT_EQ(rr.respond("ok.1"), "PONG\r\n");
  EXPECT_EQ(rr.respond("other"), pub_violation("other") + "PONG\r\n");
  EXPECT_EQ(rr.received(), msg("_INBOX.l", "1", "A") + "PONG\r\n");
}

// As nats-server: a reload sets connected clients' permissions again, allow_responses included,
// and forgets the replies they had been sent.
TEST(AuthTest, ReloadAppliesAllowResponses) {
  const std::string before(R"(
authorization { users = [
  { user: req, password: p }
  { user: r, password: p, permissions: { subscribe: "svc.>" } }
] }
)");
  const std::string with_responses = std::regex_replace(
      before, std::regex(R"(subscribe: "svc.>")"), R"(subscribe: "svc.>", allow_responses: true)");
  TempFile conf(before);
  ServerProcess server({"-c", conf.path()});
  RequestReply rr(server, "r");
  EXPECT_EQ(rr.respond("other"), "PONG\r\n");

  std::size_t from = server.log_size();
  rewrite(conf, with_responses);
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("Reloaded server configuration", 5s, from)) << server.log();
  EXPECT_EQ(rr.respond("other"), pub_violation("other") + "PONG\r\n");
  rr.request("_INBOX.a");
  rr.request("_INBOX.b");
  EXPECT_EQ(rr.respond("_INBOX.a"), "PONG\r\n");
  EXPECT_EQ(rr.respond("_INBOX.a"), pub_violation("_INBOX.a") + "PONG\r\n");

  from = server.log_size();
  rewrite(conf, std::regex_replace(with_responses, std::regex("allow_responses: true"),
                                   "allow_responses: { max: 3 }"));
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("Reloaded server configuration", 5s, from)) << server.log();
  // _INBOX.b was delivered under the old permissions: forgotten.
  EXPECT_EQ(rr.respond("_INBOX.b"), pub_violation("_INBOX.b") + "PONG\r\n");
  rr.request("_INBOX.c");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rr.respond("_INBOX.c"), "PONG\r\n") << i;
  EXPECT_EQ(rr.respond("_INBOX.c"), pub_violation("_INBOX.c") + "PONG\r\n");

  from = server.log_size();
  rewrite(conf, before);
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("Reloaded server configuration", 5s, from)) << server.log();
  EXPECT_EQ(rr.respond("other"), "PONG\r\n");
  EXPECT_EQ(rr.received(), msg("_INBOX.a", "1", "A") + msg("_INBOX.c", "1", "A") +
                               msg("_INBOX.c", "1", "A") + msg("_INBOX.c", "1", "A") + "PONG\r\n");
}

// ---- permissions in the authorization block itself -------------------------------------------

// nats-server accepts `permissions` next to a single user and ignores it there (as it ignores
// default_permissions for a single user or a token); next to a users list it is the default for
// the users without permissions of their own.
TEST(AuthTest, AuthorizationBlockPermissionsAreDefaultsForListedUsersOnly) {
  TempFile single(R"(
authorization { user: a, password: b, permissions: { publish: "ok", subscribe: "ok" } }
)");
  ServerProcess single_server({"-c", single.path()});
  auto c = raw_client(single_server);
  EXPECT_EQ(roundtrip(*c,
                      "CONNECT {\"verbose\":false,\"user\":\"a\",\"pass\":\"b\"}\r\n"
                      "SUB x 1\r\nPUB x 1\r\nX\r\n"),
            msg("x", "1", "X") + "PONG\r\n");

  TempFile listed(R"(
authorization {
  permissions: { publish: "ok", subscribe: "ok" }
  users: [ { user: plain, password: p }, { user: own, password: p, permissions: { publish: "own" } } ]
}
)");
  ServerProcess server({"-c", listed.path()});
  auto plain = connected_as(server, "plain");
  EXPECT_EQ(roundtrip(*plain, "SUB x 1\r\nPUB x 1\r\nX\r\nSUB ok 2\r\nPUB ok 1\r\nY\r\n"),
            sub_violation("x") + pub_violation("x") + msg("ok", "2", "Y") + "PONG\r\n");
  auto own = connected_as(server, "own");
  EXPECT_EQ(roundtrip(*own, "SUB x 1\r\nPUB x 1\r\nX\r\nPUB own 1\r\nY\r\n"),
            pub_violation("x") + "PONG\r\n");
}

}  // namespace
}  // namespace gnatsd::test
