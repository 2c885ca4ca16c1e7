// The upgrade's answers, request by request, as nats-server's wsUpgrade gives them.
#include "websocket/handshake.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gnatsd::websocket {
namespace {

std::string request(std::string extra = {}, std::string method = "GET") {
  return method +
         " / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
         extra + "\r\n";
}

UpgradeOutcome answer(const std::string& head, const config::WebsocketOptions& options = {},
                      bool compression = false) {
  static OriginPolicy policy;
  policy = OriginPolicy(options);
  return answer_upgrade(head, false, UpgradePolicy{compression, false, &policy});
}

TEST(WebSocketHandshakeTest, AcceptKeyIsRfc6455s) {
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshakeTest, GoodRequestGets101) {
  auto out = answer(request());
  ASSERT_TRUE(out.accepted) << out.error;
  EXPECT_EQ(out.response,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
            "Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
  EXPECT_TRUE(out.settings.require_mask);
  EXPECT_FALSE(out.settings.compress);
}

TEST(WebSocketHandshakeTest, RefusalsInNatsServersOrder) {
  EXPECT_EQ(answer(request({}, "POST")).error, "request method must be GET");
  EXPECT_TRUE(answer(request({}, "POST")).response.starts_with("HTTP/1.1 405 Method Not Allowed"));
  std::string no_upgrade = request();
  no_upgrade.replace(no_upgrade.find("Upgrade: websocket"), 18, "Upgrade: h2c");
  EXPECT_EQ(answer(no_upgrade).error, "invalid value for header 'Upgrade'");
  std::string no_key = request();
  no_key.erase(no_key.find("Sec-WebSocket-Key"), 45);
  EXPECT_EQ(answer(no_key).error, "key missing");
  std::string bad_version = request();
  bad_version.replace(bad_version.find("Version: 13"), 11, "Version: 12");
  EXPECT_EQ(answer(bad_version).error, "invalid version");
  EXPECT_TRUE(answer(bad_version).response.starts_with("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_EQ(answer_upgrade(request(), true, {}).error,
            "client sent data before handshake is complete");
}

TEST(WebSocketHandshakeTest, TokensAreCaseInsensitiveAndCommaSeparated) {
  std::string head = request();
  head.replace(head.find("Connection: Upgrade"), 19, "Connection: keep-alive, upgrade");
  EXPECT_TRUE(answer(head).accepted);
}

TEST(WebSocketHandshakeTest, OriginPolicies) {
  config::WebsocketOptions same;
  same.same_origin = true;
  EXPECT_TRUE(answer(request("Origin: http://127.0.0.1:8080\r\n"), same).accepted);
  EXPECT_EQ(answer(request("Origin: http://other:8080\r\n"), same).error,
            "origin not allowed: not same origin");
  EXPECT_TRUE(answer(request(), same).accepted) << "no Origin: not a browser, accepted";
  config::WebsocketOptions listed;
  listed.allowed_origins = {"https://app.example.com"};
  EXPECT_TRUE(answer(request("Origin: https://app.example.com\r\n"), listed).accepted);
  EXPECT_TRUE(answer(request("Origin: https://APP.example.com:443\r\n"), listed).accepted);
  EXPECT_EQ(answer(request("Origin: http://app.example.com\r\n"), listed).error,
            "origin not allowed: not in the allowed list");
  EXPECT_TRUE(answer(request("Origin: null\r\n"), listed).response.starts_with("HTTP/1.1 403"));
}

TEST(WebSocketHandshakeTest, NegotiatesDeflateNoMaskingAndReadsForwardedFor) {
  auto out = answer(request("Sec-WebSocket-Extensions: permessage-deflate; "
                            "client_max_window_bits\r\nNats-No-Masking: true\r\n"
                            "X-Forwarded-For: 10.1.2.3\r\nUser-Agent: Mozilla/5.0\r\n"),
                    {}, /*compression=*/true);
  ASSERT_TRUE(out.accepted);
  EXPECT_TRUE(out.settings.compress);
  EXPECT_FALSE(out.settings.require_mask);
  EXPECT_TRUE(out.settings.browser);
  EXPECT_EQ(out.client_ip, "10.1.2.3");
  EXPECT_NE(out.response.find("Sec-WebSocket-Extensions: permessage-deflate; "
                              "server_no_context_takeover; client_no_context_takeover\r\n"),
            std::string::npos);
  EXPECT_NE(out.response.find("Nats-No-Masking: true\r\n"), std::string::npos);
  // Offered but not configured: not negotiated.
  EXPECT_FALSE(
      answer(request("Sec-WebSocket-Extensions: permessage-deflate\r\n")).settings.compress);
  EXPECT_EQ(answer(request("X-Forwarded-For: not-an-ip\r\n")).client_ip, "");
}

TEST(WebSocketHandshakeTest, HeadEndAndMalformedRequests) {
  EXPECT_FALSE(find_head_end("GET / HTTP/1.1\r\nHost: x\r\n").has_value());
  EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\n\r\nrest"), std::optional<std::size_t>(18));
  EXPECT_FALSE(parse_request_head("\x16\x03\x01 garbage\r\n\r\n").has_value());
  auto missing_host = answer("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n");
  EXPECT_FALSE(missing_host.accepted);
  EXPECT_TRUE(missing_host.response.starts_with("HTTP/1.1 400 Bad Request"));
}

}  // namespace
}  // namespace gnatsd::websocket
