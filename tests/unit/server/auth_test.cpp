// In-process authentication and authorization tests: the real Server built from Options, driven
// over loopback sockets, with nats-server 2.9.10's exact bytes (INFO flag, -ERR texts, closes).
#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "auth/authenticator.hpp"
#include "auth/bcrypt.hpp"
#include "eventually.hpp"
#include "raw_client.hpp"
#include "server/server.hpp"
#include "server_test_support.hpp"

namespace gnatsd::server {
namespace {

using namespace std::chrono_literals;
using gnatsd::test::eventually;
using gnatsd::test::RawClient;
using testing::RunningServer;

constexpr std::string_view kAuthViolation = "-ERR 'Authorization Violation'\r\n";
constexpr std::string_view kAuthTimeout = "-ERR 'Authentication Timeout'\r\n";
// The spec's mkpasswd output (Go's bcrypt at cost 11).
constexpr std::string_view kSpecHash =
    "$2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS";
constexpr std::string_view kSpecPassword = "#IclkRPHUpsTmACWzmIGXr";

// A client past INFO; returns the INFO line through `info` when asked.
std::unique_ptr<RawClient> open(int port, std::string* info = nullptr) {
  auto s = std::make_unique<RawClient>(port);
  std::string got = s->read_until("\r\n");
  EXPECT_TRUE(got.starts_with("INFO {")) << got;
  if (info) *info = got;
  s->take_buffered();
  return s;
}

// Sends `bytes` then PING; returns what came back up to and including PONG (or until the
// connection closed / 5 s passed).
std::string roundtrip(RawClient& s, std::string_view bytes) {
  s.take_buffered();
  EXPECT_TRUE(s.send(std::string(bytes) + "PING\r\n"));
  std::string got = s.read_until("PONG\r\n");
  s.take_buffered();
  return got;
}

// Sends `bytes` and expects exactly `expected` followed by the server closing the connection.
void expect_refused(RawClient& s, std::string_view bytes, std::string_view expected) {
  s.take_buffered();
  EXPECT_TRUE(s.send(bytes));
  EXPECT_TRUE(s.expect_closed()) << "still open after: " << bytes;
  EXPECT_EQ(s.buffered(), expected);
}

std::string connect_line(std::string_view fields) {
  return "CONNECT {\"verbose\":false" + std::string(fields.empty() ? "" : ",") +
         std::string(fields) + "}\r\n";
}

TEST(AuthTest, NoAuthConfiguredAdvertisesNone) {
  RunningServer running{config::Options{}};
  std::string info;
  auto c = open(running.port(), &info);
  EXPECT_NE(info.find("\"auth_required\":false"), std::string::npos) << info;
  EXPECT_EQ(roundtrip(*c, connect_line(R"("user":"x","pass":"y")")), "PONG\r\n");
}

TEST(AuthTest, SingleUserPassword) {
  config::Options options;
  options.username = "derek";
  options.password = "s3cr3t";
  RunningServer running{options};

  std::string info;
  auto good = open(running.port(), &info);
  EXPECT_NE(info.find("\"auth_required\":true"), std::string::npos) << info;
  EXPECT_EQ(roundtrip(*good, connect_line(R"("user":"derek","pass":"s3cr3t")")), "PONG\r\n");

  auto bad_pass = open(running.port());
  expect_refused(*bad_pass, connect_line(R"("user":"derek","pass":"nope")") + "PING\r\n",
                 kAuthViolation);
  auto bad_user = open(running.port());
  expect_refused(*bad_user, connect_line(R"("user":"other","pass":"s3cr3t")"), kAuthViolation);
  auto none = open(running.port());
  expect_refused(*none, connect_line(""), kAuthViolation);

  // The good client is unaffected by the others' failures.
  EXPECT_EQ(roundtrip(*good, ""), "PONG\r\n");
}

TEST(AuthTest, VerboseConnectGetsOkOnlyWhenAuthorized) {
  config::Options options;
  options.token = "t0k3n";
  RunningServer running{options};
  auto good = open(running.port());
  EXPECT_EQ(roundtrip(*good, R"(CONNECT {"verbose":true,"auth_token":"t0k3n"})"
                             "\r\n"),
            "+OK\r\nPONG\r\n");
  auto bad = open(running.port());
  expect_refused(*bad, "CONNECT {\"verbose\":true,\"auth_token\":\"x\"}\r\nPING\r\n",
                 kAuthViolation);
}

TEST(AuthTest, Token) {
  config::Options options;
  options.token = "t0k3n";
  RunningServer running{options};
  auto good = open(running.port());
  EXPECT_EQ(roundtrip(*good, connect_line(R"("auth_token":"t0k3n")")), "PONG\r\n");
  auto wrong = open(running.port());
  expect_refused(*wrong, connect_line(R"("auth_token":"t0k3N")"), kAuthViolation);
  // A password is not a token.
  auto as_pass = open(running.port());
  expect_refused(*as_pass, connect_line(R"("pass":"t0k3n")"), kAuthViolation);
}

TEST(AuthTest, BcryptPasswordAndToken) {
  config::Options options;
  options.username = "derek";
  options.password = std::string(kSpecHash);
  RunningServer running{options};
  auto good = open(running.port());
  EXPECT_EQ(roundtrip(*good, connect_line(R"("user":"derek","pass":")" +
                                          std::string(kSpecPassword) + "\"")),
            "PONG\r\n");
  auto bad = open(running.port());
  // The hash itself is not the password.
  expect_refused(*bad, connect_line(R"("user":"derek","pass":")" + std::string(kSpecHash) + "\""),
                 kAuthViolation);

  config::Options token_options;
  auto hash = auth::bcrypt_hash("tok", 4);
  ASSERT_TRUE(hash.has_value());
  token_options.token = *hash;
  RunningServer token_server{token_options};
  auto t = open(token_server.port());
  EXPECT_EQ(roundtrip(*t, connect_line(R"("auth_token":"tok")")), "PONG\r\n");
}

TEST(AuthTest, FramesBehindABcryptConnectAreServedAfterItsCheck) {
  config::Options options;
  auto hash = auth::bcrypt_hash("pw", 6);
  ASSERT_TRUE(hash.has_value());
  options.users.push_back(config::User{"u", *hash, std::nullopt});
  RunningServer running{options};
  auto c = open(running.port());
  // One write: the SUB, PUB and PING wait in the buffer while the CONNECT is verified.
  EXPECT_EQ(
      roundtrip(*c, connect_line(R"("user":"u","pass":"pw")") + "SUB foo 1\r\nPUB foo 2\r\nhi\r\n"),
      "MSG foo 1 2\r\nhi\r\nPONG\r\n");
  // A second CONNECT is checked again, and a wrong one ends the connection.
  expect_refused(*c, connect_line(R"("user":"u","pass":"bad")") + "PING\r\n", kAuthViolation);
}

TEST(AuthTest, BcryptCheckDoesNotStallOtherClientsOfTheSameWorker) {
  config::Options options;
  options.io_threads = 1;                   // both clients on one event loop
  auto hash = auth::bcrypt_hash("pw", 13);  // about a second of hashing
  ASSERT_TRUE(hash.has_value());
  options.users.push_back(config::User{"slow", *hash, std::nullopt});
  options.users.push_back(config::User{"fast", "plain", std::nullopt});
  RunningServer running{options};
  auto fast = open(running.port());
  ASSERT_EQ(roundtrip(*fast, connect_line(R"("user":"fast","pass":"plain")")), "PONG\r\n");

  auto slow = open(running.port());
  EXPECT_TRUE(slow->send(connect_line(R"("user":"slow","pass":"pw")") + "PING\r\n"));
  // While the hash is computed, the other client is served at once...
  for (int i = 0; i < 5; ++i) {
    auto started = std::chrono::steady_clock::now();
    ASSERT_EQ(roundtrip(*fast, ""), "PONG\r\n");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms);
  }
  EXPECT_EQ(slow->buffered(), "") << "the slow CONNECT finished before the fast round trips";
  // ...and the slow one gets its answer when the check is done.
  EXPECT_EQ(slow->read_until("PONG\r\n", 20s), "PONG\r\n");
}

TEST(AuthTest, AnythingBeforeConnectIsAnAuthorizationViolation) {
  config::Options options;
  options.username = "u";
  options.password = "p";
  RunningServer running{options};
  for (std::string_view first :
       {"PING\r\n", "PUB foo 2\r\nhi\r\n", "SUB foo 1\r\n", "UNSUB 1\r\n", "PONG\r\n"}) {
    auto c = open(running.port());
    expect_refused(*c, first, kAuthViolation);
  }
}

TEST(AuthTest, AuthTimeoutClosesClientsThatNeverConnect) {
  config::Options options;
  options.token = "t";
  options.auth_timeout = 300ms;
  RunningServer running{options};
  auto started = std::chrono::steady_clock::now();
  auto idle = open(running.port());
  auto connected = open(running.port());
  ASSERT_EQ(roundtrip(*connected, connect_line(R"("auth_token":"t")")), "PONG\r\n");

  EXPECT_TRUE(idle->expect_closed(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
  EXPECT_EQ(idle->buffered(), kAuthTimeout);
  // The client that connected in time stays.
  EXPECT_EQ(roundtrip(*connected, ""), "PONG\r\n");
  EXPECT_TRUE(eventually([&] { return running.server().num_clients() == 1; }));
}

TEST(AuthTest, NoAuthTimeoutWithoutAuth) {
  config::Options options;
  RunningServer running{options};
  auto c = open(running.port());
  // Past the 2 s default: nothing arrives and the connection stays usable.
  EXPECT_FALSE(c->expect_closed(2500ms));
  EXPECT_EQ(c->buffered(), "");
  EXPECT_EQ(roundtrip(*c, connect_line("")), "PONG\r\n");
}

config::Options users_with_permissions() {
  config::Options options;
  config::Permissions alice;
  alice.publish = config::SubjectPermission{{"foo.>", "bar"}, {"foo.secret"}};
  alice.subscribe =
      config::SubjectPermission{{"foo.*", "q", "wild.>"}, {"foo.bad", "wild.*.hidden"}};
  options.users.push_back(config::User{"alice", "apw", alice});
  options.users.push_back(config::User{"admin", "xpw", std::nullopt});
  return options;
}

TEST(AuthTest, PublishPermissions) {
  RunningServer running{users_with_permissions()};
  auto admin = open(running.port());
  ASSERT_EQ(roundtrip(*admin, connect_line(R"("user":"admin","pass":"xpw")") + "SUB > 1\r\n"),
            "PONG\r\n");
  auto alice = open(running.port());
  ASSERT_EQ(roundtrip(*alice, connect_line(R"("user":"alice","pass":"apw")")), "PONG\r\n");

  EXPECT_EQ(roundtrip(*alice, "PUB foo.secret 2\r\nhi\r\nPUB baz 1\r\nx\r\nPUB foo.ok 1\r\ny\r\n"),
            "-ERR 'Permissions Violation for Publish to \"foo.secret\"'\r\n"
            "-ERR 'Permissions Violation for Publish to \"baz\"'\r\nPONG\r\n");
  // Only the allowed message reached the subscriber; repeated, the decisions come from the
  // cache and stay the same.
  EXPECT_EQ(roundtrip(*admin, ""), "MSG foo.ok 1 1\r\ny\r\nPONG\r\n");
  EXPECT_EQ(roundtrip(*alice, "PUB baz 1\r\nx\r\nPUB bar 1\r\nz\r\n"),
            "-ERR 'Permissions Violation for Publish to \"baz\"'\r\nPONG\r\n");
  EXPECT_EQ(roundtrip(*admin, ""), "MSG bar 1 1\r\nz\r\nPONG\r\n");

  // Verbose: a denied PUB gets no +OK.
  EXPECT_EQ(roundtrip(*alice,
                      "CONNECT {\"verbose\":true,\"user\":\"alice\",\"pass\":\"apw\"}\r\n"
                      "PUB baz 1\r\nx\r\nPUB bar 1\r\nz\r\n"),
            "+OK\r\n-ERR 'Permissions Violation for Publish to \"baz\"'\r\n+OK\r\nPONG\r\n");
}

TEST(AuthTest, SubscribePermissions) {
  RunningServer running{users_with_permissions()};
  auto alice = open(running.port());
  ASSERT_EQ(roundtrip(*alice, connect_line(R"("user":"alice","pass":"apw")")), "PONG\r\n");
  EXPECT_EQ(roundtrip(*alice,
                      "SUB baz 1\r\nSUB baz grp 2\r\nSUB foo.bad 3\r\nSUB foo.* 4\r\n"
                      "SUB foo.* q 5\r\nSUB foo..x 6\r\n"),
            "-ERR 'Permissions Violation for Subscription to \"baz\"'\r\n"
            "-ERR 'Permissions Violation for Subscription to \"baz\" using queue \"grp\"'\r\n"
            "-ERR 'Permissions Violation for Subscription to \"foo.bad\"'\r\n"
            // With an allow list an invalid subject is a permissions violation, as nats-server.
            "-ERR 'Permissions Violation for Subscription to \"foo..x\"'\r\nPONG\r\n");

  auto admin = open(running.port());
  ASSERT_EQ(roundtrip(*admin, connect_line(R"("user":"admin","pass":"xpw")")), "PONG\r\n");
  // foo.bad matches alice's foo.* subscriptions but is denied to her: dropped on delivery.
  ASSERT_EQ(roundtrip(*admin, "PUB foo.bad 1\r\nx\r\nPUB foo.x 1\r\ny\r\nPUB baz 1\r\nz\r\n"),
            "PONG\r\n");
  EXPECT_EQ(roundtrip(*alice, ""), "MSG foo.x 4 1\r\ny\r\nMSG foo.x 5 1\r\ny\r\nPONG\r\n");
  // The denied subscriptions were not created.
  EXPECT_EQ(roundtrip(*alice, "UNSUB 1\r\nUNSUB 3\r\n"), "PONG\r\n");
}

TEST(AuthTest, DeliveryFilterCoversEverySubscriptionOnceOn) {
  RunningServer running{users_with_permissions()};
  auto alice = open(running.port());
  // wild.x.* only overlaps the denied wild.*.hidden, which alone would not turn the delivery
  // filter on (as nats-server); wild.> covers it and does, for all of alice's subscriptions.
  ASSERT_EQ(roundtrip(*alice, connect_line(R"("user":"alice","pass":"apw")") +
                                  "SUB wild.x.* 1\r\nSUB wild.> 2\r\n"),
            "PONG\r\n");
  auto admin = open(running.port());
  ASSERT_EQ(roundtrip(*admin, connect_line(R"("user":"admin","pass":"xpw")") +
                                  "PUB wild.x.hidden 1\r\nh\r\nPUB wild.x.open 1\r\no\r\n"),
            "PONG\r\n");
  // (The two subscriptions' copies come in the index's match order.)
  const std::string got = roundtrip(*alice, "");
  EXPECT_NE(got.find("MSG wild.x.open 1 1\r\no\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("MSG wild.x.open 2 1\r\no\r\n"), std::string::npos) << got;
  EXPECT_EQ(got.find("hidden"), std::string::npos) << got;
  EXPECT_EQ(got.size(), 2 * std::string_view("MSG wild.x.open 1 1\r\no\r\n").size() + 6);
}

TEST(AuthTest, DeniedDeliveriesDoNotCountTowardsAutoUnsubscribe) {
  RunningServer running{users_with_permissions()};
  auto alice = open(running.port());
  ASSERT_EQ(roundtrip(*alice, connect_line(R"("user":"alice","pass":"apw")") +
                                  "SUB foo.* 1\r\nUNSUB 1 1\r\n"),
            "PONG\r\n");
  auto admin = open(running.port());
  ASSERT_EQ(
      roundtrip(*admin, connect_line(R"("user":"admin","pass":"xpw")") +
                            "PUB foo.bad 1\r\nx\r\nPUB foo.ok 1\r\ny\r\nPUB foo.z 1\r\nz\r\n"),
      "PONG\r\n");
  EXPECT_EQ(roundtrip(*alice, ""), "MSG foo.ok 1 1\r\ny\r\nPONG\r\n");
}

TEST(AuthTest, DefaultPermissionsApplyToUsersWithoutTheirOwn) {
  config::Options options = users_with_permissions();
  config::Permissions defaults;
  defaults.publish = config::SubjectPermission{{}, {"x"}};
  options.default_permissions = defaults;
  RunningServer running{options};
  auto admin = open(running.port());
  ASSERT_EQ(roundtrip(*admin, connect_line(R"("user":"admin","pass":"xpw")")), "PONG\r\n");
  EXPECT_EQ(roundtrip(*admin, "PUB x 1\r\nx\r\nPUB y 1\r\ny\r\n"),
            "-ERR 'Permissions Violation for Publish to \"x\"'\r\nPONG\r\n");
}

TEST(AuthTest, NoAuthUser) {
  config::Options options = users_with_permissions();
  options.no_auth_user = "alice";
  RunningServer running{options};

  std::string info;
  auto bare = open(running.port(), &info);
  // nats-server does not advertise auth_required when a no_auth_user exists.
  EXPECT_NE(info.find("\"auth_required\":false"), std::string::npos) << info;
  // A CONNECT without credentials is alice, permissions included.
  EXPECT_EQ(roundtrip(*bare, connect_line("") + "PUB baz 1\r\nx\r\n"),
            "-ERR 'Permissions Violation for Publish to \"baz\"'\r\nPONG\r\n");

  // So is a client that never sends CONNECT (e.g. telnet).
  auto telnet = open(running.port());
  EXPECT_EQ(roundtrip(*telnet, "SUB baz 1\r\n"),
            "-ERR 'Permissions Violation for Subscription to \"baz\"'\r\nPONG\r\n");

  // Credentials still count when given.
  auto admin = open(running.port());
  EXPECT_EQ(
      roundtrip(*admin, connect_line(R"("user":"admin","pass":"xpw")") + "PUB baz 1\r\nx\r\n"),
      "PONG\r\n");
  auto wrong = open(running.port());
  expect_refused(*wrong, connect_line(R"("user":"admin","pass":"bad")"), kAuthViolation);
}

TEST(AuthTest, NoAuthUserWithBcryptPasswordIsAdmitted) {
  config::Options options;
  options.users.push_back(config::User{"anon", std::string(kSpecHash), std::nullopt});
  options.no_auth_user = "anon";
  RunningServer running{options};
  auto c = open(running.port());
  EXPECT_EQ(roundtrip(*c, connect_line("")), "PONG\r\n");
}

TEST(AuthTest, NoAuthUserStillHasTheAuthTimeout) {
  config::Options options = users_with_permissions();
  options.no_auth_user = "alice";
  options.auth_timeout = 200ms;
  RunningServer running{options};
  auto c = open(running.port());
  EXPECT_TRUE(c->expect_closed());
  EXPECT_EQ(c->buffered(), kAuthTimeout);
}

TEST(AuthTest, NewAuthenticatorAppliesToNewAndConnectedClients) {
  config::Options options;
  options.username = "u";
  options.password = "old";
  RunningServer running{options};
  auto before = open(running.port());
  ASSERT_EQ(roundtrip(*before, connect_line(R"("user":"u","pass":"old")")), "PONG\r\n");

  options.password = "new";
  running.server().set_authenticator(std::make_shared<const auth::Authenticator>(options));
  // The connected client's old password no longer holds, as after a nats-server reload.
  EXPECT_TRUE(before->expect_closed());
  EXPECT_EQ(before->buffered(), kAuthViolation);
  auto old_pass = open(running.port());
  expect_refused(*old_pass, connect_line(R"("user":"u","pass":"old")"), kAuthViolation);
  auto new_pass = open(running.port());
  EXPECT_EQ(roundtrip(*new_pass, connect_line(R"("user":"u","pass":"new")")), "PONG\r\n");
}

TEST(AuthTest, NewPermissionsApplyToConnectedClients) {
  config::Options options = users_with_permissions();
  auto bcrypt = auth::bcrypt_hash("bpw", 4);
  ASSERT_TRUE(bcrypt.has_value());
  options.users.push_back(config::User{"bob", *bcrypt, std::nullopt});
  RunningServer running{options};
  auto alice = open(running.port());
  ASSERT_EQ(roundtrip(*alice, connect_line(R"("user":"alice","pass":"apw")") +
                                  "SUB foo.a 1\r\nSUB q grp 2\r\nSUB foo.* 3\r\n"),
            "PONG\r\n");
  auto bob = open(running.port());
  ASSERT_EQ(roundtrip(*bob, connect_line(R"("user":"bob","pass":"bpw")")), "PONG\r\n");

  // alice may no longer subscribe to q, her foo.* now hides foo.x, and bar is hers to publish
  // no more; bob (bcrypt, checked again off the loop) keeps his access.
  config::Permissions narrower;
  narrower.publish = config::SubjectPermission{{"foo.>"}, {}};
  narrower.subscribe = config::SubjectPermission{{"foo.*"}, {"foo.x"}};
  options.users[0].permissions = narrower;
  running.server().set_authenticator(std::make_shared<const auth::Authenticator>(options));
  EXPECT_EQ(alice->read_until("\r\n"),
            "-ERR 'Permissions Violation for Subscription to \"q\" (sid \"2\")'\r\n");
  alice->take_buffered();

  EXPECT_EQ(roundtrip(*bob, "PUB q 1\r\nq\r\nPUB foo.x 1\r\nx\r\nPUB foo.a 1\r\na\r\n"),
            "PONG\r\n");
  EXPECT_EQ(roundtrip(*alice, ""), "MSG foo.a 1 1\r\na\r\nMSG foo.a 3 1\r\na\r\nPONG\r\n");
  EXPECT_EQ(roundtrip(*alice, "PUB bar 1\r\nb\r\n"),
            "-ERR 'Permissions Violation for Publish to \"bar\"'\r\nPONG\r\n");
}

}  // namespace
}  // namespace gnatsd::server
