// The frames gnatsd writes: client deliveries, route messages and interest, errors, INFO.
#include "protocol/encoder.hpp"

#include <gtest/gtest.h>

#include <array>
#include <nlohmann/json.hpp>
#include <string>

#include "protocol/constants.hpp"
#include "protocol/info.hpp"

namespace gnatsd::protocol {
namespace {

std::string encode(const ClientMsg& msg) {
  std::string out;
  append_frame(out, msg);
  EXPECT_LE(out.size(), frame_bound(msg));
  return out;
}

std::string encode(const RouteMsg& msg) {
  std::string out;
  append_frame(out, msg);
  EXPECT_LE(out.size(), frame_bound(msg));
  return out;
}

TEST(Encoder, ClientMsgWithAndWithoutReply) {
  EXPECT_EQ(encode(ClientMsg{.subject = "foo", .sid = "1", .payload = "hello"}),
            "MSG foo 1 5\r\nhello\r\n");
  EXPECT_EQ(encode(ClientMsg{.subject = "foo", .sid = "22", .reply = "_INBOX.a", .payload = ""}),
            "MSG foo 22 _INBOX.a 0\r\n\r\n");
}

TEST(Encoder, ClientHmsgCountsHeadersInTheTotal) {
  const std::string payload = "NATS/1.0\r\nA: B\r\n\r\nhello";
  EXPECT_EQ(encode(ClientMsg{.subject = "foo",
                             .sid = "1",
                             .reply = "r",
                             .payload = payload,
                             .header_len = payload.size() - 5}),
            "HMSG foo 1 r 18 23\r\n" + payload + "\r\n");
}

TEST(Encoder, WriteFrameStaysWithinTheBoundForTheLargestNumbers) {
  const std::string payload(100, 'x');
  const std::string subject(300, 's');
  const std::string reply(200, 'r');
  const ClientMsg msg{.subject = subject,
                      .sid = "123456789012345678901234",
                      .reply = reply,
                      .payload = payload,
                      .header_len = 99};
  std::string out;
  append_frame(out, msg);
  EXPECT_EQ(out.rfind("HMSG ", 0), 0U);
  EXPECT_EQ(out.substr(out.size() - 102), payload + "\r\n");
}

TEST(Encoder, RouteMsgFormsAsNatsServerWritesThem) {
  // The observed bytes of route-protocol.md section 3.1.
  EXPECT_EQ(encode(RouteMsg{.account = "$G", .subject = "foo", .payload = "hello"}),
            "RMSG $G foo 5\r\nhello\r\n");
  EXPECT_EQ(
      encode(RouteMsg{.account = "$G", .subject = "foo", .reply = "_INBOX.r1", .payload = "hello"}),
      "RMSG $G foo _INBOX.r1 5\r\nhello\r\n");
  const std::array<std::string_view, 1> q1{"q1"};
  EXPECT_EQ(encode(RouteMsg{.account = "$G", .subject = "bar", .queues = q1, .payload = "hello"}),
            "RMSG $G bar | q1 5\r\nhello\r\n");
  EXPECT_EQ(encode(RouteMsg{.account = "$G",
                            .subject = "bar",
                            .reply = "_INBOX.r2",
                            .queues = q1,
                            .payload = "hello"}),
            "RMSG $G bar + _INBOX.r2 q1 5\r\nhello\r\n");
  const std::array<std::string_view, 2> q12{"q1", "q2"};
  EXPECT_EQ(
      encode(RouteMsg{
          .account = "$G", .subject = "a.b", .reply = "rep.1", .queues = q12, .payload = "hello"}),
      "RMSG $G a.b + rep.1 q1 q2 5\r\nhello\r\n");
  const std::string payload = "NATS/1.0\r\nA: B\r\n\r\nhello";
  EXPECT_EQ(
      encode(RouteMsg{.account = "$G", .subject = "foo", .payload = payload, .header_len = 18}),
      "HMSG $G foo 18 23\r\n" + payload + "\r\n");
  EXPECT_EQ(encode(RouteMsg{.account = "$G",
                            .subject = "hq",
                            .reply = "rep.9",
                            .queues = q1,
                            .payload = payload,
                            .header_len = 18}),
            "HMSG $G hq + rep.9 q1 18 23\r\n" + payload + "\r\n");
}

TEST(Encoder, RouteInterest) {
  EXPECT_EQ(interest_frame({.account = "$G", .subject = "foo"}), "RS+ $G foo\r\n");
  EXPECT_EQ(interest_frame({.account = "$G", .subject = "bar", .queue = "q1", .weight = 3}),
            "RS+ $G bar q1 3\r\n");
  EXPECT_EQ(no_interest_frame({.account = "$G", .subject = "foo"}), "RS- $G foo\r\n");
  EXPECT_EQ(no_interest_frame({.account = "$G", .subject = "bar", .queue = "q1", .weight = 3}),
            "RS- $G bar q1\r\n");
}

TEST(Encoder, ErrorAndStatusFrames) {
  EXPECT_EQ(error_frame(err::kMaxPayload), "-ERR 'Maximum Payload Violation'\r\n");
  EXPECT_EQ(no_responders_frame("_INBOX.x", "7"),
            "HMSG _INBOX.x 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
  EXPECT_EQ(kPing, "PING\r\n");
  EXPECT_EQ(kPong, "PONG\r\n");
  EXPECT_EQ(kOk, "+OK\r\n");
}

TEST(Info, FieldsInNatsServerOrderWithTrailingSpace) {
  const std::string frame = info_frame({.server_id = "NID",
                                        .server_name = "n1",
                                        .host = "0.0.0.0",
                                        .port = 4222,
                                        .auth_required = true,
                                        .tls_required = true,
                                        .tls_verify = true,
                                        .max_payload = 1024,
                                        .client_id = 9,
                                        .client_ip = "127.0.0.1",
                                        .nonce = "abc",
                                        .lame_duck = true});
  ASSERT_EQ(frame.rfind("INFO {", 0), 0U);
  ASSERT_EQ(frame.substr(frame.size() - 3), " \r\n");
  const auto json = nlohmann::ordered_json::parse(frame.substr(5, frame.size() - 5 - 3));
  std::vector<std::string> keys;
  for (const auto& item : json.items()) keys.push_back(item.key());
  const std::vector<std::string> expected{
      "server_id",   "server_name", "version",       "proto",        "go",           "host",
      "port",        "headers",     "auth_required", "ssl_required", "tls_required", "tls_verify",
      "max_payload", "client_id",   "client_ip",     "nonce",        "ldm"};
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(json["version"], kServerVersion);
  EXPECT_EQ(json["client_id"], 9);
  EXPECT_EQ(json["port"], 4222);
}

TEST(Info, OptionalFieldsAreLeftOut) {
  const std::string frame = info_frame({.server_id = "NID", .tls_verify = true});
  const auto json = nlohmann::json::parse(frame.substr(5, frame.size() - 5 - 3));
  EXPECT_FALSE(json.contains("nonce"));
  EXPECT_FALSE(json.contains("ldm"));
  EXPECT_FALSE(json.contains("tls_verify"));  // only with tls_required
  EXPECT_EQ(json["tls_required"], false);
  EXPECT_EQ(json["ssl_required"], false);
}

}  // namespace
}  // namespace gnatsd::protocol
