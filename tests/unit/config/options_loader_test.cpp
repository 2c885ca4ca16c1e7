// Config files → Options: the spec's sample verbatim, nats-server's aliases and units, and the
// errors (with positions) for bad keys and bad values.
#include "config/options_loader.hpp"

#include <gtest/gtest.h>

#include "options_loader_test_support.hpp"

namespace gnatsd::config {
namespace {

using namespace std::chrono_literals;

using test::load;
using test::Loaded;

// The seed README's sample configuration, verbatim.
constexpr std::string_view kSpecSample = R"(
port: 4242      # port to listen for client connections
net: apcera.me  # net interface to listen

http_port: 8222 # HTTP monitoring port

# Authorization for client connections
authorization {
  user:     derek
  password: T0pS3cr3t
  timeout:  1
}

# Cluster definition

cluster {

  host: '127.0.0.1'  # host/net interface
  port: 4244         # port for inbound route connections

  # Authorization for route connections
  authorization {
    user: route_user
    password: T0pS3cr3tT00!
    timeout: 0.5
  }

  # Routes are actively solicited and connected to from this server.
  # Other servers can connect to us if they supply the correct credentials
  # in their routes definitions from above.

  routes = [
    nats-route://user1:pass1@127.0.0.1:4245
    nats-route://user2:pass2@127.0.0.1:4246
  ]
}

# logging options
debug:   false
trace:   true
logtime: false
log_file: "/tmp/gnatsd.log"

# pid file
pid_file: "/tmp/gnatsd.pid"

# Some system overides

# max_connections
max_connections: 100

# maximum protocol control line
max_control_line: 512

# maximum payload
max_payload: 65536

# slow consumer threshold
max_pending_size: 10000000
)";

TEST(OptionsLoaderTest, SpecSampleVerbatim) {
  auto l = load(kSpecSample);
  ASSERT_TRUE(l.result.ok()) << l.result.errors.front();
  const Options& o = l.options;
  EXPECT_EQ(o.port, 4242);
  EXPECT_EQ(o.host, "apcera.me");
  EXPECT_EQ(o.http_port, 8222);
  EXPECT_EQ(o.username, "derek");
  EXPECT_EQ(o.password, "T0pS3cr3t");
  EXPECT_EQ(o.auth_timeout, 1s);
  EXPECT_EQ(o.cluster.host, "127.0.0.1");
  EXPECT_EQ(o.cluster.port, 4244);
  EXPECT_EQ(o.cluster.username, "route_user");
  EXPECT_EQ(o.cluster.password, "T0pS3cr3tT00!");
  EXPECT_EQ(o.cluster.auth_timeout, 500ms);
  ASSERT_EQ(o.cluster.routes.size(), 2u);
  EXPECT_EQ(o.cluster.routes[1], "nats-route://user2:pass2@127.0.0.1:4246");
  EXPECT_FALSE(o.debug);
  EXPECT_TRUE(o.trace);
  EXPECT_FALSE(o.logtime);
  EXPECT_EQ(o.log_file, "/tmp/gnatsd.log");
  EXPECT_EQ(o.pid_file, "/tmp/gnatsd.pid");
  EXPECT_EQ(o.max_connections, 100);
  EXPECT_EQ(o.max_control_line, 512);
  EXPECT_EQ(o.max_payload, 65536);
  EXPECT_EQ(o.max_pending, 10000000);
}

TEST(OptionsLoaderTest, KeysAreCaseInsensitiveAndAliasesWork) {
  auto l = load(
      "PORT: 1\nmax_conn: 7\nLISTEN: \"10.0.0.1:4333\"\nlogfile: /x.log\npidfile: /p\n"
      "max_subs: 9\nhttp: \"127.0.0.1:8333\"\nserver_name: alpha");
  ASSERT_TRUE(l.result.ok()) << l.result.errors.front();
  EXPECT_EQ(l.options.port, 4333);
  EXPECT_EQ(l.options.host, "10.0.0.1");
  EXPECT_EQ(l.options.max_connections, 7);
  EXPECT_EQ(l.options.log_file, "/x.log");
  EXPECT_EQ(l.options.pid_file, "/p");
  EXPECT_EQ(l.options.max_subscriptions, 9);
  EXPECT_EQ(l.options.http_host, "127.0.0.1");
  EXPECT_EQ(l.options.http_port, 8333);
  EXPECT_EQ(l.options.server_name, "alpha");
}

TEST(OptionsLoaderTest, SizesAndDurations) {
  auto l = load(
      "max_payload: 1MB\nmax_pending: 64KB\nping_interval: \"1m30s\"\nping_max: 3\n"
      "write_deadline: \"500ms\"\nlame_duck_duration: \"30s\"");
  ASSERT_TRUE(l.result.ok()) << l.result.errors.front();
  EXPECT_EQ(l.options.max_payload, 1024 * 1024);
  EXPECT_EQ(l.options.max_pending, 64 * 1024);
  EXPECT_EQ(l.options.ping_interval, 90s);
  EXPECT_EQ(l.options.ping_max, 3);
  EXPECT_EQ(l.options.write_deadline, 500ms);
  EXPECT_EQ(l.options.lame_duck_duration, 30s);
  EXPECT_TRUE(l.result.warnings.empty());
}

TEST(OptionsLoaderTest, IntegerDurationsAreSecondsWithNatsServersWarning) {
  auto l = load("ping_interval: 5");
  ASSERT_TRUE(l.result.ok());
  EXPECT_EQ(l.options.ping_interval, 5s);
  ASSERT_EQ(l.result.warnings.size(), 1u);
  EXPECT_EQ(l.result.warnings[0],
            "test.conf:1:1: invalid use of field \"ping_interval\": ping_interval should be "
            "converted to a duration");
}

// Found with the config fuzz target's UBSan build: seconds * 1000 overflowed int64. Integer
// seconds are now bounded like duration strings, by int64 nanoseconds (Go's Duration).
TEST(OptionsLoaderTest, IntegerDurationsBeyondGoDurationsAreErrors) {
  for (const char* text :
       {"ping_interval: 9223372036854775807", "write_deadline: -9223372036854775808",
        "lame_duck_duration: 9223372037"}) {
    auto l = load(text);
    ASSERT_EQ(l.result.errors.size(), 1u) << text;
    EXPECT_NE(l.result.errors[0].find("invalid duration"), std::string::npos) << text;
  }
  auto l = load("ping_interval: 9223372036");  // the largest that fits
  ASSERT_TRUE(l.result.ok());
  EXPECT_EQ(l.options.ping_interval.count(), 9223372036000);
  EXPECT_EQ(load("ping_interval: 9223372036854775807").result.errors[0],
            "test.conf:1:1: error parsing \"ping_interval\": invalid duration "
            "\"9223372036854775807\"");
}

TEST(OptionsLoaderTest, UnknownKeysAreErrorsAtTheirPosition) {
  auto l = load("port: 1\nfoo: 1\nauthorization {\n  user: a\n  bogus: 2\n}\n");
  ASSERT_EQ(l.result.errors.size(), 2u);
  EXPECT_EQ(l.result.errors[0], "test.conf:2:1: unknown field \"foo\"");
  EXPECT_EQ(l.result.errors[1], "test.conf:5:3: unknown field \"bogus\"");
}

TEST(OptionsLoaderTest, UnknownPermissionKeysAreWordedAsNatsServer) {
  auto l = load(
      "authorization {\n  users = [\n"
      "    {user: a, password: b, permissions: { publish: { allow: x, zap: 1 }, foo: 1 }}\n"
      "  ]\n}\n");
  ASSERT_EQ(l.result.errors.size(), 2u);
  EXPECT_EQ(l.result.errors[0],
            "test.conf:3:64: Unknown field name \"zap\" parsing subject permissions, only "
            "'allow' or 'deny' are permitted");
  EXPECT_EQ(l.result.errors[1], "test.conf:3:74: Unknown field \"foo\" parsing permissions");
}

TEST(OptionsLoaderTest, VariablesAreNotUnknownKeys) {
  auto l = load("PASS = secret\nauthorization { user: a, password: $PASS }");
  ASSERT_TRUE(l.result.ok()) << l.result.errors.front();
  EXPECT_EQ(l.options.password, "secret");
}

TEST(OptionsLoaderTest, WrongTypesAreErrors) {
  EXPECT_EQ(load("port: \"abc\"").result.errors.at(0),
            "test.conf:1:1: error parsing \"port\": expected an integer, got string \"abc\"");
  EXPECT_EQ(load("debug: \"yes\"").result.errors.at(0),
            "test.conf:1:1: error parsing \"debug\": expected a boolean, got string \"yes\"");
  EXPECT_FALSE(load("max_payload: \"1MB\"").result.ok());
  EXPECT_FALSE(load("ping_interval: \"soon\"").result.ok());
  EXPECT_FALSE(load("port: 70000").result.ok());
  EXPECT_FALSE(load("listen: \"nope\"").result.ok());
}

TEST(OptionsLoaderTest, NatsServerKeysGnatsdDoesNotImplementOnlyWarn) {
  auto l = load("jetstream: {}\nleafnodes { port: 7422 }");
  EXPECT_TRUE(l.result.ok());
  EXPECT_EQ(l.result.warnings.size(), 2u);
}

TEST(OptionsLoaderTest, UsersWithPermissions) {
  auto l = load(R"(
authorization {
  default_permissions = { publish = "public.>" }
  users = [
    { user: alice, password: "$2a$11$abcdefghijklmnopqrstuu", permissions: {
        publish: ["a.*", "b"], subscribe: { allow: ["_INBOX.>"], deny: "secret.>" } } }
    { username: bob, pass: pw }
  ]
  timeout: 0.5
}
no_auth_user: bob
)");
  ASSERT_TRUE(l.result.ok()) << l.result.errors.front();
  ASSERT_EQ(l.options.users.size(), 2u);
  const User& alice = l.options.users[0];
  EXPECT_EQ(alice.username, "alice");
  EXPECT_EQ(alice.password, "$2a$11$abcdefghijklmnopqrstuu");
  ASSERT_TRUE(alice.permissions && alice.permissions->publish && alice.permissions->subscribe);
  EXPECT_EQ(alice.permissions->publish->allow, (std::vector<std::string>{"a.*", "b"}));
  EXPECT_EQ(alice.permissions->subscribe->allow, (std::vector<std::string>{"_INBOX.>"}));
  EXPECT_EQ(alice.permissions->subscribe->deny, (std::vector<std::string>{"secret.>"}));
  EXPECT_EQ(l.options.users[1].username, "bob");
  EXPECT_EQ(l.options.users[1].password, "pw");
  EXPECT_FALSE(l.options.users[1].permissions);
  ASSERT_TRUE(l.options.default_permissions && l.options.default_permissions->publish);
  EXPECT_EQ(l.options.default_permissions->publish->allow, (std::vector<std::string>{"public.>"}));
  EXPECT_EQ(l.options.auth_timeout, 500ms);
  EXPECT_EQ(l.options.no_auth_user, "bob");
  EXPECT_EQ(validate_options(l.options), "");
}

TEST(OptionsLoaderTest, QueuePermissionEntriesAreKeptAsWritten) {
  auto l = load(R"(
authorization {
  default_permissions: { subscribe: "foo *.dev" }
  users = [ { user: a, password: b, permissions: {
      subscribe: { allow: ["foo.>", "bar v1"], deny: " baz   v2 " } } } ]
}
)");
  ASSERT_TRUE(l.result.ok()) << l.result.errors.front();
  const auto& sub = l.options.users.at(0).permissions->subscribe;
  EXPECT_EQ(sub->allow, (std::vector<std::string>{"foo.>", "bar v1"}));
  EXPECT_EQ(sub->deny, (std::vector<std::string>{" baz   v2 "}));
  EXPECT_EQ(l.options.default_permissions->subscribe->allow,
            (std::vector<std::string>{"foo *.dev"}));
}

// As nats-server: the first bad entry of each list, at the allow/deny key of a map and with no
// position for a plain list; publish lists are checked the same way.
TEST(OptionsLoaderTest, BadPermissionEntriesAreErrors) {
  auto l = load(
      "authorization { users = [ { user: a, password: b, permissions: {\n"
      "  subscribe: { allow: [\"ok\", \"a b c\", \"d e f\"], deny: \"x..y q\" }\n"
      "  publish: [\"p q r\"]\n"
      "} } ] }\n");
  ASSERT_EQ(l.result.errors.size(), 3u);
  EXPECT_EQ(l.result.errors[0], "test.conf:2:16: subject \"a b c\" is not a valid subject");
  EXPECT_EQ(l.result.errors[1], "test.conf:2:49: subject \"x..y\" is not a valid subject");
  EXPECT_EQ(l.result.errors[2], "subject \"p q r\" is not a valid subject");
  EXPECT_EQ(
      load("authorization { default_permissions: { subscribe: [\"\"] } }").result.errors.at(0),
      "subject \"\" is not a valid subject");
}

TEST(OptionsLoaderTest, AllowResponsesAsNatsServerReadsIt) {
  auto l = load(R"(
authorization { users = [
  { user: a, password: p, permissions: { allow_responses: true } }
  { user: b, password: p, permissions: { allow_responses: { max: 3, expires: "1m" } } }
  { user: c, password: p, permissions: { PUBLISH_ALLOW_RESPONSES: { MAX_MSGS: -1, TTL: "-1s" } } }
  { user: d, password: p, permissions: { allow_responses: { max_responses: 0, expiration: "0s" } } }
  { user: e, password: p, permissions: { allow_responses: false } }
  { user: f, password: p, permissions: { allow_responses: { max_messages: 2k, expires: 500ms } } }
  { user: g, password: p, permissions: { allow_responses: {} } }
] }
)");
  ASSERT_TRUE(l.result.ok()) << l.result.errors.front();
  EXPECT_TRUE(l.result.warnings.empty());
  const auto response = [&](std::size_t i) { return l.options.users.at(i).permissions->response; };
  const ResponsePermission defaults{1, 2min};
  EXPECT_EQ(response(0), defaults);
  EXPECT_EQ(response(1), (ResponsePermission{3, 1min}));
  EXPECT_EQ(response(2), (ResponsePermission{-1, -1s}));
  EXPECT_EQ(response(3), defaults);  // 0 keeps the default
  EXPECT_FALSE(response(4).has_value());
  EXPECT_EQ(response(5), (ResponsePermission{2000, 500ms}));  // 2k is a size
  EXPECT_EQ(response(6), defaults);
  // allow_responses leaves the publish lists as written: the blanket deny comes with compiling.
  EXPECT_FALSE(l.options.users[0].permissions->publish.has_value());
}

// nats-server's texts, at nats-server's positions (its recovered panic for a `max` that is not
// an integer included).
TEST(OptionsLoaderTest, BadAllowResponsesAreErrors) {
  auto l = load(R"(authorization { users = [
  { user: a, password: p, permissions: { allow_responses: "yes" } }
  { user: b, password: p, permissions: { allow_responses: { max: "x" } } }
  { user: c, password: p, permissions: { allow_responses: { max: 1.5 } } }
  { user: d, password: p, permissions: { allow_responses: { expires: 5 } } }
  { user: e, password: p, permissions: { allow_responses: { expires: "1d" } } }
  { user: f, password: p, permissions: { allow_responses: { ttl: "5" } } }
  { user: g, password: p, permissions: { allow_responses: { foo: 1 } } }
  { user: h, password: p, permissions: { allow_responses: [true] } }
  { user: i, password: p, permissions: { allow_responses: { expires: 1m } } }
]}
)");
  EXPECT_EQ(
      l.result.errors,
      (std::vector<std::string>{
          "test.conf:2:42: error parsing response permissions, expected a boolean or a map",
          "test.conf:3:61: interface conversion: interface {} is string, not int64",
          "test.conf:4:61: interface conversion: interface {} is float64, not int64",
          "test.conf:5:61: error parsing expires, not a duration string",
          "test.conf:6:61: error parsing expires: time: unknown unit \"d\" in duration \"1d\"",
          "test.conf:7:61: error parsing expires: time: missing unit in duration \"5\"",
          "test.conf:8:61: Unknown field \"foo\" parsing permissions",
          "test.conf:9:42: error parsing response permissions, expected a boolean or a map",
          "test.conf:10:61: error parsing expires, not a duration string",  // 1m: a size
      }));
}

// nats-server reads `permissions` in the authorization block as default permissions (for the
// users without their own); a single user or a token does not get them.
TEST(OptionsLoaderTest, AuthorizationPermissionsAreTheDefaultPermissions) {
  auto single = load("authorization { user: a, password: b, permissions: { publish: \"x\" } }");
  ASSERT_TRUE(single.result.ok()) << single.result.errors.front();
  ASSERT_TRUE(single.options.default_permissions && single.options.default_permissions->publish);
  EXPECT_EQ(single.options.default_permissions->publish->allow, (std::vector<std::string>{"x"}));
  EXPECT_EQ(single.options.username, "a");

  auto aliased = load("authorization { default_permission: { subscribe: \"y\" } }");
  ASSERT_TRUE(aliased.result.ok()) << aliased.result.errors.front();
  EXPECT_EQ(aliased.options.default_permissions->subscribe->allow, (std::vector<std::string>{"y"}));
}

TEST(OptionsLoaderTest, ConflictingAuthorizationIsAnError) {
  EXPECT_EQ(load("authorization { user: a, token: b }").result.errors.at(0),
            "test.conf:1:1: Cannot have a user/pass and token");
  EXPECT_EQ(load("authorization { users: [{user: a, password: b}], user: c, password: d }")
                .result.errors.at(0),
            "test.conf:1:1: Can not have a single user/pass and a users array");
}

TEST(OptionsLoaderTest, TlsBlock) {
  auto l = load(R"(
tls {
  cert_file: "./configs/certs/server-cert.pem"
  key_file:  "./configs/certs/server-key.pem"
  ca_file:   "./configs/certs/ca.pem"
  verify:    true
  timeout:   2
  cipher_suites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]
}
)");
  ASSERT_TRUE(l.result.ok()) << l.result.errors.front();
  EXPECT_TRUE(l.options.tls.enabled);
  EXPECT_EQ(l.options.tls.cert_file, "./configs/certs/server-cert.pem");
  EXPECT_EQ(l.options.tls.key_file, "./configs/certs/server-key.pem");
  EXPECT_EQ(l.options.tls.ca_file, "./configs/certs/ca.pem");
  EXPECT_TRUE(l.options.tls.verify);
  EXPECT_EQ(l.options.tls.timeout, 2s);
  EXPECT_EQ(l.options.tls.cipher_suites.size(), 1u);
}

TEST(OptionsLoaderTest, TlsBlockErrorsAsNatsServer) {
  // Unknown names are reported at the list item, as nats-server does.
  EXPECT_EQ(load("tls {\n  cert_file: c\n  key_file: k\n  cipher_suites: [\"BOGUS\"]\n}\n")
                .result.errors.at(0),
            "test.conf:4:19: unrecognized cipher BOGUS");
  EXPECT_EQ(
      load("tls {\n  cert_file: c\n  key_file: k\n  curve_preferences: [\"CurveP256\", \"X\"]\n}")
          .result.errors.at(0),
      "test.conf:4:36: unrecognized curve preference X");
  EXPECT_EQ(load("tls {\n  key_file: k\n}\n").result.errors.at(0),
            "test.conf:1:1: missing 'cert_file' in TLS configuration");
  EXPECT_EQ(load("tls {\n  cert_file: c\n}\n").result.errors.at(0),
            "test.conf:1:1: missing 'key_file' in TLS configuration");
}

TEST(OptionsLoaderTest, Validation) {
  Options o;
  o.max_pending = 65536;
  EXPECT_EQ(validate_options(o), "max_payload (1048576) cannot be higher than max_pending (65536)");
  Options routes;
  routes.cluster.routes = {"nats://127.0.0.1:6222"};
  EXPECT_EQ(validate_options(routes),
            "solicited routes require cluster capabilities, e.g. --cluster");
  Options no_auth;
  no_auth.no_auth_user = "ghost";
  EXPECT_NE(validate_options(no_auth).find("no_auth_user: \"ghost\" present, but users are not"),
            std::string::npos);
}

}  // namespace
}  // namespace gnatsd::config

namespace gnatsd::config {
namespace {

TEST(OptionsLoaderClusterTest, PermissionsImportAndExport) {
  auto l = test::load(
      "cluster {\n  port: 6222\n  permissions {\n    import: { allow: [\"imp.>\"] }\n"
      "    export: { deny: \"secret.>\" }\n  }\n  pool_size: 3\n}\n");
  ASSERT_TRUE(l.result.ok()) << l.result.errors.front();
  ASSERT_TRUE(l.options.cluster.permissions);
  ASSERT_TRUE(l.options.cluster.permissions->publish);
  EXPECT_EQ(l.options.cluster.permissions->publish->allow, (std::vector<std::string>{"imp.>"}));
  ASSERT_TRUE(l.options.cluster.permissions->subscribe);
  EXPECT_EQ(l.options.cluster.permissions->subscribe->deny, (std::vector<std::string>{"secret.>"}));
  EXPECT_EQ(l.options.cluster.pool_size, 3);
}

TEST(OptionsLoaderClusterTest, NatsServersRefusalsOfClusterAuthorizationAndPermissions) {
  EXPECT_EQ(test::load("cluster {\n  authorization { users: [ {user: a, password: b} ] }\n}\n")
                .result.errors.at(0),
            "test.conf:2:3: Cluster authorization does not allow multiple users");
  EXPECT_EQ(test::load("cluster {\n  authorization { token: abc }\n}\n").result.errors.at(0),
            "test.conf:2:3: Cluster authorization does not support tokens");
  EXPECT_EQ(test::load("cluster {\n  permissions { publish: a, allow_responses: true }\n}\n")
                .result.errors.at(0),
            "test.conf:2:3: Cluster permissions do not support dynamic responses");
}

TEST(OptionsLoaderClusterTest, PermissionsInTheAuthorizationBlockAreDeprecatedAndYield) {
  auto l = test::load(
      "cluster {\n  authorization { user: r, password: p, permissions { import: a.> } }\n}\n");
  ASSERT_TRUE(l.result.ok()) << l.result.errors.front();
  ASSERT_EQ(l.result.warnings.size(), 1u);
  EXPECT_NE(l.result.warnings[0].find(
                "setting \"permissions\" within cluster authorization block is deprecated"),
            std::string::npos);
  ASSERT_TRUE(l.options.cluster.permissions);
  EXPECT_EQ(l.options.cluster.permissions->publish->allow, (std::vector<std::string>{"a.>"}));
  l = test::load(
      "cluster {\n  permissions { import: b.> }\n"
      "  authorization { user: r, password: p, permissions { import: a.> } }\n}\n");
  ASSERT_TRUE(l.result.ok());
  EXPECT_EQ(l.options.cluster.permissions->publish->allow, (std::vector<std::string>{"b.>"}));
}

}  // namespace
}  // namespace gnatsd::config

namespace gnatsd::config {
namespace {

TEST(OptionsBaselineTest, PortZeroIsTheDefaultPortAndMinusOneStaysTheOsChoice) {
  // As nats-server: `-p 0` or `port: 0` listens on 4222; `-p -1` on a port the OS picks.
  auto l = test::load("port: 0\n");
  ASSERT_TRUE(l.result.ok());
  apply_baseline(l.options);
  EXPECT_EQ(l.options.port, 4222);
  l = test::load("port: -1\n");
  ASSERT_TRUE(l.result.ok());
  apply_baseline(l.options);
  EXPECT_EQ(l.options.port, -1);
}

}  // namespace
}  // namespace gnatsd::config

namespace gnatsd::config {
namespace {

TEST(OptionsLoaderTest, NamesWithSpacesAreRefusedAsNatsServer211) {
  EXPECT_EQ(test::load("server_name: \"my server\"").result.errors.at(0),
            "test.conf:1:1: server name cannot contain spaces");
  EXPECT_EQ(test::load("cluster { name: \"my cluster\" }").result.errors.at(0),
            "test.conf:1:11: cluster name cannot contain spaces");
  Options o;
  o.server_name = "a b";
  EXPECT_EQ(validate_options(o), "server name cannot contain spaces");
  o.server_name = "ab";
  o.cluster.name = "c d";
  EXPECT_EQ(validate_options(o), "cluster name cannot contain spaces");
}

TEST(OptionsLoaderTest, MaxClosedClients) {
  auto l = test::load("max_closed_clients: 5");
  ASSERT_TRUE(l.result.ok());
  EXPECT_EQ(l.options.max_closed_clients, 5);
  EXPECT_TRUE(l.result.warnings.empty());
  EXPECT_FALSE(test::load("max_closed_clients: -1").result.ok());
}

}  // namespace
}  // namespace gnatsd::config
