// The websocket {} block as nats-server's parseWebsocket and validateWebsocketOptions read it.
#include <gtest/gtest.h>

#include "config/options_loader.hpp"
#include "options_loader_test_support.hpp"

namespace gnatsd::config {
namespace {

using test::load;

TEST(OptionsLoaderWebsocketTest, EveryKeyAndAlias) {
  auto l = load(
      "ws {\n  listen: \"127.0.0.1:8080\"\n  advertise: \"ws.example.com:443\"\n"
      "  no_tls: true\n  same_origin: true\n  allowed_origin: \"https://a.example.com\"\n"
      "  compress: true\n  handshake_timeout: \"1500ms\"\n  no_auth_user: guest\n"
      "  authentication { user: web, pass: secret, timeout: 2.5 }\n}\n"
      "authorization { users = [ { user: guest, password: g } ] }\n");
  ASSERT_TRUE(l.result.ok()) << l.result.errors.front();
  const WebsocketOptions& w = l.options.websocket;
  EXPECT_EQ(w.host, "127.0.0.1");
  EXPECT_EQ(w.port, 8080);
  EXPECT_EQ(w.advertise, "ws.example.com:443");
  EXPECT_TRUE(w.no_tls && w.same_origin && w.compression);
  EXPECT_EQ(w.allowed_origins, std::vector<std::string>{"https://a.example.com"});
  EXPECT_EQ(w.handshake_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(w.no_auth_user, "guest");
  EXPECT_EQ(w.username, "web");
  EXPECT_EQ(w.password, "secret");
  EXPECT_DOUBLE_EQ(w.auth_timeout, 2.5);
  EXPECT_TRUE(w.auth_override());
}

TEST(OptionsLoaderWebsocketTest, HandshakeTimeoutIsSecondsOrADuration) {
  EXPECT_EQ(load("websocket { port: 1, no_tls: true, handshake_timeout: 3 }")
                .options.websocket.handshake_timeout,
            std::chrono::seconds(3));
  EXPECT_EQ(load("websocket { handshake_timeout: \"3x\" }").result.errors.at(0),
            "test.conf:1:13: time: unknown unit \"x\" in duration \"3x\"");
  EXPECT_EQ(load("websocket { handshake_timeout: true }").result.errors.at(0),
            "test.conf:1:13: error parsing handshake timeout: unsupported type bool");
  EXPECT_EQ(load("websocket { bogus: 1 }").result.errors.at(0),
            "test.conf:1:13: unknown field \"bogus\"");
}

TEST(OptionsLoaderWebsocketTest, ValidationAsNatsServer) {
  auto check = [](std::string_view text) {
    auto l = load(text);
    EXPECT_TRUE(l.result.ok()) << l.result.errors.front();
    return validate_options(l.options);
  };
  EXPECT_EQ(check("websocket { port: -1 }"), "websocket requires TLS configuration");
  EXPECT_EQ(check("websocket { no_tls: true }"), "") << "no port: no listener, no checks";
  EXPECT_EQ(check("websocket { port: -1, no_tls: true }"), "");
  EXPECT_EQ(check("websocket { port: -1, no_tls: true, authorization { user: a, password: b } }\n"
                  "authorization { users = [ { user: u, password: p } ] }"),
            "websocket authentication username not compatible with presence of users/nkeys");
  EXPECT_EQ(check("websocket { port: -1, no_tls: true, authorization { token: t } }\n"
                  "authorization { users = [ { user: u, password: p } ] }"),
            "websocket authentication token not compatible with presence of users/nkeys");
  EXPECT_EQ(check("websocket { port: -1, no_tls: true, no_auth_user: x }"),
            "no_auth_user: \"x\" present, but users are not defined");
}

TEST(OptionsLoaderWebsocketTest, JwtCookieIsAcceptedAndSaidToBeUnused) {
  auto l = load("websocket { port: -1, no_tls: true, jwt_cookie: jwt }");
  ASSERT_TRUE(l.result.ok());
  EXPECT_EQ(l.options.websocket.jwt_cookie, "jwt");
  ASSERT_EQ(l.result.warnings.size(), 1u);
  EXPECT_EQ(l.result.warnings[0],
            "test.conf:1:37: websocket jwt_cookie \"jwt\" is not used: gnatsd has no JWT "
            "(operator) authentication");
  EXPECT_EQ(validate_options(l.options), "");
}

}  // namespace
}  // namespace gnatsd::config
