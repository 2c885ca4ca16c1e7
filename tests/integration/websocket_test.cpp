// The WebSocket listener over raw sockets: the upgrade and each of its refusals, origin checks,
// masking, framing and its protocol errors, control frames, permessage-deflate, limits,
// monitoring and the config checks. Calibrated against nats-server 2.9.10
// (GNATSD_TEST_BINARY=build/reference/nats-server-2.9.10): every expectation is what it does.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client_helpers.hpp"
#include "cluster_harness.hpp"
#include "eventually.hpp"
#include "http_client.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"
#include "tls_support.hpp"
#include "ws_client.hpp"

namespace gnatsd::test {
namespace {

using nlohmann::json;

constexpr std::string_view kPlainListener = "host: \"127.0.0.1\"\n  port: -1\n  no_tls: true\n";

// The websocket port from "Listening for websocket clients on ws://127.0.0.1:PORT" (wss:// with
// TLS), which nats-server logs before the client listener line the harness waits for.
int websocket_port(const ServerProcess& server) {
  static const std::regex re(R"(Listening for websocket clients on wss?://[^\s]+:(\d+))");
  const std::string log = server.log();
  std::smatch m;
  if (!std::regex_search(log, m, re)) {
    ADD_FAILURE() << "no websocket listener in the log:\n" << log;
    return -1;
  }
  return std::stoi(m[1]);
}

std::string conf_text(std::string_view websocket_options, std::string_view top,
                      std::string_view listener) {
  return std::string(top) + "\nwebsocket {\n  " + std::string(listener) +
         std::string(websocket_options) + "\n}\n";
}

// A server with a websocket listener on an ephemeral loopback port; `websocket_options` go
// inside the websocket block, `top` before it.
struct WsServer {
  explicit WsServer(std::string_view websocket_options = "", std::string_view top = "",
                    std::string_view listener = kPlainListener)
      : conf(conf_text(websocket_options, top, listener)),
        process({"-c", conf.path()}),
        port(websocket_port(process)) {}

  UpgradeRequest request() const { return UpgradeRequest(port); }
  // Upgraded with `request`, past INFO, CONNECT and a PING/PONG; null (with a failure) if not.
  std::unique_ptr<WsClient> connected(const UpgradeRequest& request) const {
    auto c = std::make_unique<WsClient>(port);
    if (auto up = c->upgrade(request); !up) {
      ADD_FAILURE() << up.message();
      return nullptr;
    }
    if (auto ok = c->connect_nats(); !ok) {
      ADD_FAILURE() << ok.message();
      return nullptr;
    }
    return c;
  }
  std::unique_ptr<WsClient> connected() const { return connected(request()); }

  // Waits for a log line about `c`: nats-server names a connection by its remote address.
  ::testing::AssertionResult logged(const WsClient& c, std::string_view what) const {
    const std::string line =
        "127.0.0.1:" + std::to_string(c.local_port()) + " - " + std::string(what);
    if (process.wait_for_log(line, 5s)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "no log line \"" << line << "\" in:\n" << process.log();
  }

  TempFile conf;
  ServerProcess process;
  int port;
};

std::uint64_t info_cid(const std::string& info) {
  if (!info.starts_with("INFO ")) return 0;
  return json::parse(info.substr(5)).value("client_id", std::uint64_t{0});
}

// A client upgraded and past INFO (nothing sent yet); its cid through `cid`.
std::unique_ptr<WsClient> upgraded(const WsServer& s, const UpgradeRequest& request,
                                   std::uint64_t& cid) {
  auto c = std::make_unique<WsClient>(s.port);
  if (auto up = c->upgrade(request); !up) {
    ADD_FAILURE() << up.message();
    return nullptr;
  }
  std::string info = c->read_info();
  EXPECT_TRUE(info.starts_with("INFO {")) << info;
  cid = info_cid(info);
  return c;
}

// A refused upgrade: `status`, the header every refusal carries, a plain-text body starting
// with the status text (Go's http.Error adds "\n"), and the log line
// "<addr> - websocket handshake error: <reason>".
void expect_refused(const WsServer& s, const UpgradeRequest& request, int status,
                    std::string_view status_text, std::string_view reason) {
  WsClient c(s.port);
  ASSERT_TRUE(c.send_request(request));
  HttpHead head = c.read_response();
  ASSERT_TRUE(head.complete) << head.status_line;
  EXPECT_EQ(head.status, status) << head.status_line;
  EXPECT_EQ(head.status_line.substr(9), std::to_string(status) + " " + std::string(status_text));
  EXPECT_EQ(head.header("Sec-Websocket-Version"), "13");
  EXPECT_EQ(head.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(head.header("Sec-WebSocket-Accept"), std::nullopt);
  EXPECT_TRUE(head.body.starts_with(status_text)) << head.body;
  EXPECT_TRUE(s.logged(c, "websocket handshake error: " + std::string(reason)));
}

// A frame-level protocol error: nats-server 2.9.10 logs "<addr> - wid:N - read error: <reason>"
// and closes the TCP connection. It queues a 1002 close frame carrying the reason first, but
// tears the connection down as a read error, which skips the final flush: whether that frame
// goes out is a race it wins about one time in five. So the log line and the close are
// certain, and a close frame, when one comes, must say 1002 and the reason.
void expect_protocol_error(const WsServer& s, WsClient& c, std::uint64_t cid,
                           std::string_view reason) {
  EXPECT_TRUE(c.expect_closed());
  if (c.close_frame()) {
    EXPECT_EQ(c.close_frame()->status, 1002);
    EXPECT_EQ(c.close_frame()->reason, reason);
  }
  EXPECT_TRUE(s.logged(c, "wid:" + std::to_string(cid) + " - read error: " + std::string(reason)));
}

// Makes sure the server has read everything sent so far before the next frame goes: a ping
// answered. nats-server 2.9.10 logs a frame error ("read error: ...") only when the read that
// met it returned no data; with data from an earlier frame of the same read it processes the
// data and closes the connection without that line.
::testing::AssertionResult read_before_next(WsClient& c) {
  if (!c.send_frame(ws::kPing, "sync")) return ::testing::AssertionFailure() << "send failed";
  auto pong = c.read_frame();
  if (pong && pong->opcode == ws::kPong && pong->payload == "sync") {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no pong for the sync ping";
}

// ---- upgrade --------------------------------------------------------------------------------

TEST(WebSocketUpgrade, SwitchesProtocolsAndSendsInfoInABinaryFrame) {
  WsServer s;
  EXPECT_TRUE(s.process.wait_for_log(
      "[WRN] Websocket not configured with TLS. DO NOT USE IN PRODUCTION!", 5s));
  WsClient c(s.port);
  UpgradeRequest request = s.request();
  ASSERT_TRUE(c.upgrade(request));
  const HttpHead& head = c.response();
  EXPECT_EQ(head.status_line, "HTTP/1.1 101 Switching Protocols");
  // Exactly these three, in this order: no extension, no Nats-No-Masking unless asked for.
  ASSERT_EQ(head.headers.size(), 3u);
  EXPECT_EQ(head.headers[0], (std::pair<std::string, std::string>{"Upgrade", "websocket"}));
  EXPECT_EQ(head.headers[1], (std::pair<std::string, std::string>{"Connection", "Upgrade"}));
  EXPECT_EQ(head.headers[2].first, "Sec-WebSocket-Accept");
  EXPECT_EQ(head.headers[2].second, ws_accept_key(request.key()));

  auto frame = c.read_frame();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->opcode, ws::kBinary);
  EXPECT_TRUE(frame->fin);
  EXPECT_FALSE(frame->rsv1);
  EXPECT_FALSE(frame->masked);  // servers never mask
  // One whole INFO line per frame; its "port" is the NATS client port, not the websocket one.
  ASSERT_TRUE(frame->payload.starts_with("INFO {")) << frame->payload;
  ASSERT_TRUE(frame->payload.ends_with("\r\n"));
  EXPECT_EQ(frame->payload.find("\r\n"), frame->payload.size() - 2);
  json info = json::parse(frame->payload.substr(5));
  EXPECT_EQ(info.value("port", 0), s.process.port());
  EXPECT_EQ(info.value("client_ip", ""), "127.0.0.1");
  // nats-server leaves a false tls_required out; gnatsd's INFO always carries it (and the 0.x
  // ssl_required), false here: what matters is that a ws:// client is not told to use TLS.
  EXPECT_FALSE(info.value("tls_required", false));
}

TEST(WebSocketUpgrade, KnownAcceptKeyOfRfc6455) {
  // RFC 6455 section 1.3's example, so that the client's own computation is checked too.
  EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  WsServer s;
  WsClient c(s.port);
  ASSERT_TRUE(c.upgrade(s.request().set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")));
  EXPECT_EQ(c.response().header("Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketUpgrade, ConnectPingPongAndPubSubInsideFrames) {
  WsServer s;
  auto c = s.connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_nats("SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n"));
  EXPECT_EQ(c->read_nats_until_pong(), msg("foo", "1", "hello") + "PONG\r\n");
  // Replies come in binary frames whatever the client used.
  ASSERT_TRUE(c->send_frame(ws::kText, "PUB foo 2\r\nhi\r\nPING\r\n"));
  auto m = c->read_message();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->opcode, ws::kBinary);
  std::string got = m->payload;
  if (!got.ends_with("PONG\r\n")) got += c->read_nats_until_pong();
  EXPECT_EQ(got, msg("foo", "1", "hi") + "PONG\r\n");
}

TEST(WebSocketUpgrade, TextFramesFromTheClientAreAccepted) {
  WsServer s;
  auto c = std::make_unique<WsClient>(s.port);
  ASSERT_TRUE(c->upgrade());
  ASSERT_TRUE(c->read_info().starts_with("INFO {"));
  ASSERT_TRUE(c->send_frame(ws::kText, "CONNECT {\"verbose\":false}\r\nSUB t 1\r\nPING\r\n"));
  EXPECT_EQ(c->read_nats_until_pong(), "PONG\r\n");
  ASSERT_TRUE(c->send_frame(ws::kText, "PUB t 3\r\nabc\r\nPING\r\n"));
  EXPECT_EQ(c->read_nats_until_pong(), msg("t", "1", "abc") + "PONG\r\n");
}

TEST(WebSocketUpgrade, HeaderTokensAreCaseInsensitiveListsAndAnyPathIsServed) {
  WsServer s;
  WsClient a(s.port);
  EXPECT_TRUE(a.upgrade(s.request()
                            .set("Upgrade", "WebSocket")
                            .set("Connection", "keep-alive, upgrade")
                            .path("/some/path?x=1")));
  EXPECT_TRUE(a.read_info().starts_with("INFO {"));
}

TEST(WebSocketUpgrade, MethodOtherThanGetIs405) {
  WsServer s;
  expect_refused(s, s.request().method("POST"), 405, "Method Not Allowed",
                 "request method must be GET");
}

TEST(WebSocketUpgrade, EmptyOrMissingHostIs400) {
  WsServer s;
  expect_refused(s, s.request().set("Host", ""), 400, "Bad Request", "'Host' missing in request");
  // HTTP/1.0 may leave Host out; the websocket check refuses it.
  expect_refused(s, s.request().http_version("HTTP/1.0").remove("Host"), 400, "Bad Request",
                 "'Host' missing in request");
  // An HTTP/1.1 request without Host never reaches nats-server's handler: Go's HTTP server
  // answers "400 Bad Request: missing required Host header" (with Connection: close, and
  // nothing logged). Only the status matters here.
  WsClient c(s.port);
  ASSERT_TRUE(c.send_request(s.request().remove("Host")));
  EXPECT_EQ(c.read_response().status, 400);
}

TEST(WebSocketUpgrade, BadOrMissingUpgradeHeaderIs400) {
  WsServer s;
  expect_refused(s, s.request().set("Upgrade", "h2c"), 400, "Bad Request",
                 "invalid value for header 'Upgrade'");
  expect_refused(s, s.request().remove("Upgrade"), 400, "Bad Request",
                 "invalid value for header 'Upgrade'");
}

TEST(WebSocketUpgrade, BadConnectionHeaderIs400) {
  WsServer s;
  expect_refused(s, s.request().set("Connection", "keep-alive"), 400, "Bad Request",
                 "invalid value for header 'Connection'");
}

TEST(WebSocketUpgrade, MissingKeyIs400) {
  WsServer s;
  expect_refused(s, s.request().remove("Sec-WebSocket-Key"), 400, "Bad Request", "key missing");
}

TEST(WebSocketUpgrade, VersionOtherThan13Is400) {
  WsServer s;
  expect_refused(s, s.request().set("Sec-WebSocket-Version", "12"), 400, "Bad Request",
                 "invalid version");
  expect_refused(s, s.request().remove("Sec-WebSocket-Version"), 400, "Bad Request",
                 "invalid version");
}

TEST(WebSocketUpgrade, ChecksRunInTheOrderOfRfc6455Section4_2_1) {
  // A request failing everything is refused for its method first, then each check in turn.
  WsServer s;
  UpgradeRequest bad = s.request();
  bad.method("PUT").set("Host", "").remove("Upgrade").remove("Connection");
  bad.remove("Sec-WebSocket-Key").remove("Sec-WebSocket-Version");
  expect_refused(s, bad, 405, "Method Not Allowed", "request method must be GET");
  bad.method("GET");
  expect_refused(s, bad, 400, "Bad Request", "'Host' missing in request");
  bad.set("Host", "127.0.0.1");
  expect_refused(s, bad, 400, "Bad Request", "invalid value for header 'Upgrade'");
  bad.set("Upgrade", "websocket");
  expect_refused(s, bad, 400, "Bad Request", "invalid value for header 'Connection'");
  bad.set("Connection", "Upgrade");
  expect_refused(s, bad, 400, "Bad Request", "key missing");
  bad.set("Sec-WebSocket-Key", ws_random_key());
  expect_refused(s, bad, 400, "Bad Request", "invalid version");
}

TEST(WebSocketUpgrade, RefusalKeepsAnHttp11ConnectionOpenForAnotherTry) {
  WsServer s;
  WsClient c(s.port);
  ASSERT_TRUE(c.send_request(s.request().remove("Sec-WebSocket-Key")));
  EXPECT_EQ(c.read_response().status, 400);
  EXPECT_TRUE(c.upgrade(s.request()));
  EXPECT_TRUE(c.read_info().starts_with("INFO {"));
}

TEST(WebSocketUpgrade, DataSentWithTheRequestIsRefused) {
  // RFC 6455 4.1: a client waits for the response before sending anything. nats-server takes
  // the socket over only if nothing follows the request in its read buffer; a frame sent in
  // the same segment gets the upgrade refused and the connection closed. It means to answer
  // 400, but having taken the socket from Go's HTTP server it can no longer write one, so
  // nothing arrives; a 400 is accepted as well, never a 101.
  WsServer s;
  WsClient c(s.port);
  std::string request_and_frame = s.request().str();
  request_and_frame += std::string("\x82\x86\x00\x00\x00\x00PING\r\n", 12);  // masked PING
  ASSERT_TRUE(c.send_raw(request_and_frame));
  HttpHead head = c.read_response();
  if (head.complete) {
    EXPECT_EQ(head.status, 400) << head.status_line;
  }
  EXPECT_TRUE(c.expect_closed());
  EXPECT_TRUE(s.logged(c,
                       "websocket handshake error: client sent data before handshake is "
                       "complete"));
}

TEST(WebSocketUpgrade, SubprotocolOffersAreIgnored) {
  // nats-server defines no subprotocol: an offer gets no Sec-WebSocket-Protocol back.
  WsServer s;
  WsClient c(s.port);
  ASSERT_TRUE(c.upgrade(s.request().set("Sec-WebSocket-Protocol", "nats, chat")));
  EXPECT_EQ(c.response().header("Sec-WebSocket-Protocol"), std::nullopt);
  EXPECT_TRUE(c.read_info().starts_with("INFO {"));
}

// ---- origin ---------------------------------------------------------------------------------

TEST(WebSocketOrigin, SameOriginComparesHostAndPortWithTheHostHeader) {
  WsServer s("same_origin: true");
  const std::string self = "127.0.0.1:" + std::to_string(s.port);
  {
    WsClient c(s.port);
    EXPECT_TRUE(c.upgrade(s.request().origin("http://" + self)));
  }
  {
    // The scheme is not compared, only host and port.
    WsClient c(s.port);
    EXPECT_TRUE(c.upgrade(s.request().origin("https://" + self)));
  }
  {
    WsClient c(s.port);  // no Origin at all: a non-browser client, accepted
    EXPECT_TRUE(c.upgrade(s.request()));
  }
  expect_refused(s, s.request().origin("http://localhost:" + std::to_string(s.port)), 403,
                 "Forbidden", "origin not allowed: not same origin");
  expect_refused(s, s.request().origin("http://127.0.0.1:1"), 403, "Forbidden",
                 "origin not allowed: not same origin");
  // Without a port the scheme's default (80) is compared.
  expect_refused(s, s.request().origin("http://127.0.0.1"), 403, "Forbidden",
                 "origin not allowed: not same origin");
}

TEST(WebSocketOrigin, AllowedOriginsMatchSchemeHostAndPort) {
  WsServer s(R"(allowed_origins: ["http://example.com", "https://nats.io:8443"])");
  for (const char* ok : {"http://example.com", "http://example.com:80", "http://EXAMPLE.com",
                         "https://nats.io:8443"}) {
    WsClient c(s.port);
    EXPECT_TRUE(c.upgrade(s.request().origin(ok))) << ok;
  }
  {
    WsClient c(s.port);
    EXPECT_TRUE(c.upgrade(s.request()));  // no Origin
  }
  for (const char* refused : {"https://example.com", "http://example.com:8080",
                              "http://nats.io:8443", "http://other.com"}) {
    SCOPED_TRACE(refused);
    expect_refused(s, s.request().origin(refused), 403, "Forbidden",
                   "origin not allowed: not in the allowed list");
  }
}

TEST(WebSocketOrigin, UnparsableOriginIsRefused) {
  WsServer s("same_origin: true");
  // After "origin not allowed: " nats-server logs Go's url.ParseRequestURI error
  // ("parse \"garbage\": invalid URI for request"); only the prefix is asked of gnatsd.
  expect_refused(s, s.request().origin("garbage"), 403, "Forbidden", "origin not allowed: ");
}

TEST(WebSocketOrigin, NoCheckWithoutSameOriginOrAllowedList) {
  WsServer s;
  WsClient c(s.port);
  EXPECT_TRUE(c.upgrade(s.request().origin("http://anything.example:1234")));
}

// ---- masking --------------------------------------------------------------------------------

TEST(WebSocketMasking, UnmaskedClientFrameIsAProtocolError) {
  WsServer s;
  std::uint64_t cid = 0;
  auto c = upgraded(s, s.request(), cid);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_frame(ws::kBinary, "CONNECT {}\r\nPING\r\n", {.mask = false}));
  expect_protocol_error(s, *c, cid, "mask bit missing");
  EXPECT_EQ(c->nats_buffered().find("PONG"), std::string::npos);
}

TEST(WebSocketMasking, NatsNoMaskingHeaderLetsTheClientSendUnmaskedFrames) {
  WsServer s;
  WsClient c(s.port);
  ASSERT_TRUE(c.upgrade(s.request().no_masking()));
  EXPECT_EQ(c.response().header("Nats-No-Masking"), "true");
  ASSERT_TRUE(c.read_info().starts_with("INFO {"));
  ASSERT_TRUE(c.send_frame(ws::kBinary, "CONNECT {\"verbose\":false}\r\nSUB x 1\r\nPING\r\n",
                           {.mask = false}));
  EXPECT_EQ(c.read_nats_until_pong(), "PONG\r\n");
  ASSERT_TRUE(c.send_frame(ws::kBinary, "PUB x 2\r\nok\r\nPING\r\n", {.mask = false}));
  EXPECT_EQ(c.read_nats_until_pong(), msg("x", "1", "ok") + "PONG\r\n");
}

TEST(WebSocketMasking, NoMaskingHeaderMustSayTrue) {
  WsServer s;
  std::uint64_t cid = 0;
  auto c = upgraded(s, s.request().set("Nats-No-Masking", "yes"), cid);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->response().header("Nats-No-Masking"), std::nullopt);
  ASSERT_TRUE(c->send_frame(ws::kBinary, "PING\r\n", {.mask = false}));
  expect_protocol_error(s, *c, cid, "mask bit missing");
}

TEST(WebSocketMasking, ForwardedForAddressPrefixesTheLogName) {
  // A valid IP in X-Forwarded-For names the connection "IP/<remote addr>" in the log.
  WsServer s;
  std::uint64_t cid = 0;
  auto c = upgraded(s, s.request().forwarded_for("10.1.2.3"), cid);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_frame(ws::kBinary, "PING\r\n", {.mask = false}));
  EXPECT_TRUE(c->expect_closed());
  const std::string line = "10.1.2.3/127.0.0.1:" + std::to_string(c->local_port()) +
                           " - wid:" + std::to_string(cid) + " - read error: mask bit missing";
  EXPECT_TRUE(s.process.wait_for_log(line, 5s)) << line << "\n" << s.process.log();

  // Anything but an IP address there is ignored.
  auto plain = upgraded(s, s.request().forwarded_for("proxy.example"), cid);
  ASSERT_TRUE(plain);
  ASSERT_TRUE(plain->send_frame(ws::kBinary, "PING\r\n", {.mask = false}));
  EXPECT_TRUE(plain->expect_closed());
  EXPECT_TRUE(s.logged(*plain, "wid:" + std::to_string(cid) + " - read error: mask bit missing"));
}

// ---- frames ---------------------------------------------------------------------------------

TEST(WebSocketFrames, PublishSplitOverContinuationFramesWithAPingBetween) {
  WsServer s;
  auto c = s.connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_frame(ws::kBinary, "SUB a 1\r\nPUB a 5\r\nhe", {.fin = false}));
  ASSERT_TRUE(c->send_frame(ws::kPing, "pp"));  // control frames may come between fragments
  ASSERT_TRUE(c->send_frame(ws::kContinuation, "ll", {.fin = false}));
  ASSERT_TRUE(c->send_frame(ws::kContinuation, "o\r\nPING\r\n"));
  auto pong = c->read_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, ws::kPong);
  EXPECT_EQ(pong->payload, "pp");
  EXPECT_EQ(c->read_nats_until_pong(), msg("a", "1", "hello") + "PONG\r\n");
}

TEST(WebSocketFrames, TextMessageInFragments) {
  WsServer s;
  auto c = s.connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_frame(ws::kText, "SUB b 1\r\nPU", {.fin = false}));
  ASSERT_TRUE(c->send_frame(ws::kContinuation, "B b 1\r\n", {.fin = false}));
  ASSERT_TRUE(c->send_frame(ws::kContinuation, "", {.fin = false}));  // empty fragments too
  ASSERT_TRUE(c->send_frame(ws::kContinuation, "x\r\nPING\r\n"));
  EXPECT_EQ(c->read_nats_until_pong(), msg("b", "1", "x") + "PONG\r\n");
}

TEST(WebSocketFrames, FramesWith16And64BitLengths) {
  WsServer s;
  auto c = s.connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_nats("SUB c 1\r\n"));
  // Frames of 16-bit and 64-bit length fields.
  const std::string mid(300, 'm');
  const std::string big(70000, 'B');
  ASSERT_TRUE(c->send_nats("PUB c 300\r\n" + mid + "\r\nPUB c 70000\r\n" + big + "\r\nPING\r\n"));
  EXPECT_EQ(c->read_nats_until_pong(), msg("c", "1", mid) + msg("c", "1", big) + "PONG\r\n");
}

TEST(WebSocketFrames, FramesSplitAnywhereAcrossWrites) {
  // Every header field (length, extended length, mask key) and the payload cut across
  // segments: the server must resume mid-frame.
  WsServer s;
  auto c = s.connected();
  ASSERT_TRUE(c);
  const std::string big(300, 'q');
  const std::string bytes = WsClient::encode_frame(ws::kBinary, "SUB d 1\r\nPUB d 300\r\n" + big) +
                            WsClient::encode_frame(ws::kPing, "mid") +
                            WsClient::encode_frame(ws::kBinary, "\r\nPING\r\n");
  for (size_t at = 0; at < bytes.size();) {
    const size_t n = at < 16 ? 1 : 37;  // the first header byte by byte
    ASSERT_TRUE(c->send_raw(std::string_view(bytes).substr(at, n)));
    at += n;
  }
  auto pong = c->read_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, ws::kPong);
  EXPECT_EQ(pong->payload, "mid");
  EXPECT_EQ(c->read_nats_until_pong(), msg("d", "1", big) + "PONG\r\n");
}

TEST(WebSocketFrames, ContinuationWithoutAStartIsAProtocolError) {
  WsServer s;
  std::uint64_t cid = 0;
  auto c = upgraded(s, s.request(), cid);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_frame(ws::kContinuation, "PING\r\n"));
  expect_protocol_error(s, *c, cid, "invalid continuation frame");
}

TEST(WebSocketFrames, CompressedBitOnAContinuationIsAProtocolError) {
  WsServer s;
  std::uint64_t cid = 0;
  auto c = upgraded(s, s.request(), cid);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_frame(ws::kBinary, "PI", {.fin = false}));
  ASSERT_TRUE(read_before_next(*c));
  ASSERT_TRUE(c->send_frame(ws::kContinuation, "NG\r\n", {.rsv1 = true}));
  expect_protocol_error(s, *c, cid, "invalid continuation frame");
}

TEST(WebSocketFrames, NewMessageBeforeTheFinalFrameIsAProtocolError) {
  WsServer s;
  std::uint64_t cid = 0;
  auto c = upgraded(s, s.request(), cid);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_frame(ws::kBinary, "PI", {.fin = false}));
  ASSERT_TRUE(read_before_next(*c));
  ASSERT_TRUE(c->send_frame(ws::kText, "NG\r\n"));
  expect_protocol_error(s, *c, cid,
                        "new message started before final frame for previous message was "
                        "received");
}

TEST(WebSocketFrames, ControlFrameOver125BytesIsAProtocolError) {
  WsServer s;
  std::uint64_t cid = 0;
  auto c = upgraded(s, s.request(), cid);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_frame(ws::kPing, std::string(126, 'x')));
  expect_protocol_error(s, *c, cid,
                        "control frame length bigger than maximum allowed of 125 bytes");
}

TEST(WebSocketFrames, ControlFrameOf125BytesIsFine) {
  WsServer s;
  auto c = s.connected();
  ASSERT_TRUE(c);
  const std::string payload(125, 'y');
  ASSERT_TRUE(c->send_frame(ws::kPing, payload));
  auto pong = c->read_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, ws::kPong);
  EXPECT_EQ(pong->payload, payload);
}

TEST(WebSocketFrames, ControlFrameWithoutFinIsAProtocolError) {
  WsServer s;
  std::uint64_t cid = 0;
  auto c = upgraded(s, s.request(), cid);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_frame(ws::kPing, "x", {.fin = false}));
  expect_protocol_error(s, *c, cid, "control frame does not have final bit set");
}

TEST(WebSocketFrames, UnknownOpcodesAreProtocolErrors) {
  WsServer s;
  for (std::uint8_t opcode :
       {std::uint8_t{3}, std::uint8_t{7}, std::uint8_t{11}, std::uint8_t{15}}) {
    SCOPED_TRACE(static_cast<int>(opcode));
    std::uint64_t cid = 0;
    auto c = upgraded(s, s.request(), cid);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->send_frame(opcode, "x"));
    expect_protocol_error(s, *c, cid, "unknown opcode " + std::to_string(opcode));
  }
}

TEST(WebSocketFrames, PingIsAnsweredWithAPongOfTheSamePayload) {
  WsServer s;
  auto c = s.connected();
  ASSERT_TRUE(c);
  for (const std::string& payload :
       {std::string("hello"), std::string(), std::string("\x00\xff", 2)}) {
    ASSERT_TRUE(c->send_frame(ws::kPing, payload));
    auto pong = c->read_frame();
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->opcode, ws::kPong);
    EXPECT_TRUE(pong->fin);
    EXPECT_FALSE(pong->masked);
    EXPECT_EQ(pong->payload, payload);
  }
  // An unsolicited pong is ignored.
  ASSERT_TRUE(c->send_frame(ws::kPong, "zz"));
  ASSERT_TRUE(c->send_nats("PING\r\n"));
  EXPECT_EQ(c->read_nats_until_pong(), "PONG\r\n");
}

TEST(WebSocketFrames, CloseWithStatusAndReasonIsEchoed) {
  WsServer s;
  auto c = s.connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_close(1000, "bye"));
  auto close = c->read_close();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->status, 1000);
  EXPECT_EQ(close->reason, "bye");
  EXPECT_TRUE(c->expect_closed());
}

TEST(WebSocketFrames, CloseStatusIsEchoedWhateverItIs) {
  WsServer s;
  auto c = s.connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_close(4000));
  auto close = c->read_close();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->status, 4000);
  EXPECT_EQ(close->reason, "");
  EXPECT_TRUE(c->expect_closed());
}

TEST(WebSocketFrames, CloseWithoutStatusIsAnsweredWith1005) {
  // nats-server answers a close without status (or with a 1-byte payload) with status 1005,
  // "no status received", even though RFC 6455 reserves that code for local use.
  WsServer s;
  for (const std::string& payload : {std::string(), std::string("\x03", 1)}) {
    SCOPED_TRACE(payload.size());
    auto c = s.connected();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->send_frame(ws::kClose, payload));
    auto close = c->read_close();
    ASSERT_TRUE(close);
    EXPECT_EQ(close->status, 1005);
    EXPECT_EQ(close->reason, "");
    ASSERT_FALSE(c->controls().empty());
    EXPECT_EQ(c->controls().back().payload.size(), 2u);
    EXPECT_TRUE(c->expect_closed());
  }
}

TEST(WebSocketFrames, CloseReasonThatIsNotUtf8IsAnsweredWith1007) {
  WsServer s;
  auto c = s.connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_close(1000, "\xff\xfe"));
  auto close = c->read_close();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->status, 1007);
  EXPECT_EQ(close->reason, "invalid utf8 body in close frame");
  EXPECT_TRUE(c->expect_closed());
}

TEST(WebSocketFrames, NatsProtocolErrorSendsErrThenClose1002) {
  WsServer s;
  auto c = s.connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_nats("FOO\r\n"));
  EXPECT_EQ(c->read_nats_until("\r\n"), kErrUnknownOp);
  auto close = c->read_close();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->status, 1002);
  EXPECT_EQ(close->reason, "Protocol Violation");
  EXPECT_TRUE(c->expect_closed());
}

TEST(WebSocketFrames, ServerShutdownSendsClose1001) {
  WsServer s;
  auto c = s.connected();
  ASSERT_TRUE(c);
  s.process.signal(SIGTERM);
  auto close = c->read_close();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->status, 1001);
  EXPECT_EQ(close->reason, "Server Shutdown");
  EXPECT_TRUE(c->expect_closed());
}

TEST(WebSocketFrames, BrowserClientsGetFramesOfAtMost4096Bytes) {
  // A User-Agent starting "Mozilla/" marks a browser: nats-server then cuts what it sends into
  // binary messages of at most 4096 bytes (each its own final frame). Other clients get
  // whatever is pending in one frame.
  WsServer s;
  const std::string payload(20000, 'p');
  const std::string expected = msg("big", "1", payload) + "PONG\r\n";
  for (bool browser : {true, false}) {
    SCOPED_TRACE(browser);
    UpgradeRequest request = s.request();
    if (browser) request.user_agent("Mozilla/5.0 (X11; Linux x86_64) test");
    auto c = s.connected(request);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->send_nats("SUB big 1\r\nPUB big 20000\r\n" + payload + "\r\nPING\r\n"));
    std::string got;
    size_t largest = 0;
    while (got.size() < expected.size()) {
      auto m = c->read_message();
      ASSERT_TRUE(m) << "after " << got.size() << " bytes";
      EXPECT_FALSE(m->compressed);
      EXPECT_EQ(m->opcode, ws::kBinary);
      ASSERT_EQ(m->frame_sizes.size(), 1u);
      largest = std::max(largest, m->frame_sizes[0]);
      got += m->payload;
    }
    EXPECT_EQ(got, expected);
    if (browser) {
      EXPECT_EQ(largest, 4096u);
    } else {
      EXPECT_GT(largest, 4096u);
    }
  }
}

// ---- compression ----------------------------------------------------------------------------

// Letters with little redundancy, so that deflated they stay well over 4096 bytes.
std::string pseudo_random_text(size_t n) {
  std::string out;
  std::uint32_t x = 12345;
  while (out.size() < n) {
    x = x * 1103515245u + 12345u;
    out.push_back(static_cast<char>('a' + (x >> 16) % 26));
  }
  return out;
}

constexpr std::string_view kPmcResponse =
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

TEST(WebSocketCompression, NegotiatedWhenConfiguredAndOffered) {
  WsServer s("compression: true");
  WsClient c(s.port);
  ASSERT_TRUE(c.upgrade(s.request().offer_compression()));
  EXPECT_EQ(c.response().header("Sec-WebSocket-Extensions"), kPmcResponse);
  EXPECT_EQ(c.response().headers.size(), 4u);
  // The INFO is longer than the 64 bytes below which nothing is compressed: it comes deflated.
  auto info = c.read_message();
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->compressed);
  EXPECT_FALSE(info->inflate_failed);
  EXPECT_TRUE(info->payload.starts_with("INFO {")) << info->payload;
  EXPECT_TRUE(info->payload.ends_with("}\r\n") || info->payload.ends_with("} \r\n"));
}

TEST(WebSocketCompression, AnyOfferOfPermessageDeflateIsAcceptedWithTheFixedAnswer) {
  WsServer s("compression: true");
  for (const char* offer : {"permessage-deflate", "x-webkit-deflate-frame, permessage-deflate",
                            "permessage-deflate; server_max_window_bits=10",
                            "PerMessage-Deflate; client_no_context_takeover"}) {
    WsClient c(s.port);
    ASSERT_TRUE(c.upgrade(s.request().offer_compression(offer))) << offer;
    EXPECT_EQ(c.response().header("Sec-WebSocket-Extensions"), kPmcResponse) << offer;
  }
  WsClient other(s.port);
  ASSERT_TRUE(other.upgrade(s.request().offer_compression("x-webkit-deflate-frame")));
  EXPECT_EQ(other.response().header("Sec-WebSocket-Extensions"), std::nullopt);
}

TEST(WebSocketCompression, LargeMessageComesBackCompressedSmallOnesPlain) {
  WsServer s("compression: true");
  auto c = s.connected(s.request().offer_compression());
  ASSERT_TRUE(c);
  std::string payload;
  for (int i = 0; payload.size() < 200000; ++i) payload += "line " + std::to_string(i) + ";";
  payload.resize(200000);  // inflates past the client's 64 KB buffer
  ASSERT_TRUE(c->send_nats("SUB z 1\r\nPING\r\n"));
  auto small = c->read_message();
  ASSERT_TRUE(small);
  EXPECT_FALSE(small->compressed);  // "PONG\r\n": under the threshold
  EXPECT_EQ(small->payload, "PONG\r\n");

  ASSERT_TRUE(c->send_nats("PUB z 200000\r\n" + payload + "\r\n"));
  auto m = c->read_message();
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->compressed);
  EXPECT_FALSE(m->inflate_failed);
  ASSERT_EQ(m->frame_sizes.size(), 1u);  // not a browser: one frame
  EXPECT_LT(m->frame_sizes[0], payload.size());
  EXPECT_EQ(m->payload, msg("z", "1", payload));
}

TEST(WebSocketCompression, BrowserGetsCompressedMessagesIn4096ByteFragments) {
  // Compressed output is cut into frames of at most 4096 bytes for browsers: one message,
  // RSV1 only on its first frame, the rest continuations. (nats-server skips the cut for
  // Safari, whose User-Agent has both "Version/" and "Safari/".)
  WsServer s("compression: true");
  auto c = s.connected(s.request().offer_compression().user_agent("Mozilla/5.0 Firefox/120.0"));
  ASSERT_TRUE(c);
  const std::string payload = pseudo_random_text(30000);
  ASSERT_TRUE(c->send_nats("SUB z 1\r\nPUB z 30000\r\n" + payload + "\r\n"));
  std::vector<WsFrame> frames;
  for (;;) {
    auto f = c->read_frame();
    ASSERT_TRUE(f);
    frames.push_back(*f);
    if (f->fin) break;
  }
  ASSERT_GE(frames.size(), 3u);
  EXPECT_EQ(frames[0].opcode, ws::kBinary);
  EXPECT_TRUE(frames[0].rsv1);
  std::string compressed;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i > 0) {
      EXPECT_EQ(frames[i].opcode, ws::kContinuation);
      EXPECT_FALSE(frames[i].rsv1);
    }
    if (i + 1 < frames.size()) {
      EXPECT_EQ(frames[i].payload.size(), 4096u);
    }
    EXPECT_LE(frames[i].payload.size(), 4096u);
    compressed += frames[i].payload;
  }
  EXPECT_EQ(ws_inflate(compressed), msg("z", "1", payload));
}

TEST(WebSocketCompression, SafariGetsCompressedMessagesInOneFrame) {
  WsServer s("compression: true");
  auto c = s.connected(s.request().offer_compression().user_agent(
      "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15"));
  ASSERT_TRUE(c);
  const std::string payload = pseudo_random_text(30000);
  ASSERT_TRUE(c->send_nats("SUB z 1\r\nPUB z 30000\r\n" + payload + "\r\n"));
  auto m = c->read_message();
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->compressed);
  ASSERT_EQ(m->frame_sizes.size(), 1u);
  EXPECT_GT(m->frame_sizes[0], 4096u);
  EXPECT_EQ(m->payload, msg("z", "1", payload));
}

TEST(WebSocketCompression, CompressedFramesFromTheClientAreInflated) {
  WsServer s("compression: true");
  auto c = s.connected(s.request().offer_compression());
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_frame(ws::kBinary, ws_deflate("SUB q 1\r\nPUB q 4\r\nzzzz\r\nPING\r\n"),
                            {.rsv1 = true}));
  EXPECT_EQ(c->read_nats_until_pong(), msg("q", "1", "zzzz") + "PONG\r\n");
  // A compressed message over several frames: RSV1 on the first only.
  const std::string deflated = ws_deflate("PUB q 6\r\nsplit!\r\nPING\r\n");
  const size_t half = deflated.size() / 2;
  ASSERT_TRUE(c->send_frame(ws::kBinary, deflated.substr(0, half), {.fin = false, .rsv1 = true}));
  ASSERT_TRUE(c->send_frame(ws::kContinuation, deflated.substr(half)));
  EXPECT_EQ(c->read_nats_until_pong(), msg("q", "1", "split!") + "PONG\r\n");
  // Uncompressed frames stay acceptable on a compressed connection.
  ASSERT_TRUE(c->send_nats("PUB q 1\r\nu\r\nPING\r\n"));
  EXPECT_EQ(c->read_nats_until_pong(), msg("q", "1", "u") + "PONG\r\n");
}

TEST(WebSocketCompression, NotNegotiatedWhenOffOrNotOffered) {
  {
    WsServer s;  // compression off
    WsClient c(s.port);
    ASSERT_TRUE(c.upgrade(s.request().offer_compression()));
    EXPECT_EQ(c.response().header("Sec-WebSocket-Extensions"), std::nullopt);
    auto info = c.read_message();
    ASSERT_TRUE(info);
    EXPECT_FALSE(info->compressed);
  }
  {
    WsServer s("compression: true");
    auto c = s.connected();  // no offer
    ASSERT_TRUE(c);
    EXPECT_EQ(c->response().header("Sec-WebSocket-Extensions"), std::nullopt);
    const std::string payload(5000, 'n');
    ASSERT_TRUE(c->send_nats("SUB n 1\r\nPUB n 5000\r\n" + payload + "\r\n"));
    auto m = c->read_message();
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->compressed);
    EXPECT_EQ(m->payload, msg("n", "1", payload));
  }
}

// ---- limits ---------------------------------------------------------------------------------

TEST(WebSocketLimits, MaxPayloadViolationAsOverTcpThenClose1009) {
  WsServer s("", "max_payload: 1024");
  auto tcp = open_connected(s.process);
  ASSERT_TRUE(tcp->send("PUB a 2000\r\n"));
  EXPECT_EQ(tcp->read_line(), kErrMaxPayload);

  auto c = s.connected();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->send_nats("PUB a 2000\r\n"));
  EXPECT_EQ(c->read_nats_until("\r\n"), kErrMaxPayload);
  auto close = c->read_close();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->status, 1009);
  EXPECT_EQ(close->reason, "Maximum Message Payload Exceeded");
  EXPECT_TRUE(c->expect_closed());
  EXPECT_TRUE(s.process.wait_for_log("maximum payload exceeded: 2000 vs 1024", 5s));
}

TEST(WebSocketAuth, WebsocketCredentialsOverrideTheServersForWebsocketClients) {
  WsServer s("authorization { username: \"ws\", password: \"secret\" }");
  // Plain NATS clients still need nothing.
  auto tcp = open_connected(s.process);
  {
    WsClient c(s.port);
    ASSERT_TRUE(c.upgrade());
    std::string info = c.read_info();
    ASSERT_TRUE(info.starts_with("INFO {")) << info;
    EXPECT_TRUE(json::parse(info.substr(5)).value("auth_required", false));
    ASSERT_TRUE(c.send_nats(R"(CONNECT {"verbose":false,"user":"ws","pass":"secret"})"
                            "\r\nPING\r\n"));
    EXPECT_EQ(c.read_nats_until_pong(), "PONG\r\n");
  }
  WsClient c(s.port);
  ASSERT_TRUE(c.upgrade());
  ASSERT_TRUE(c.read_info().starts_with("INFO {"));
  ASSERT_TRUE(c.send_nats("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  EXPECT_EQ(c.read_nats_until("\r\n"), "-ERR 'Authorization Violation'\r\n");
  auto close = c.read_close();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->status, 1008);
  EXPECT_EQ(close->reason, "Authentication Failure");
  EXPECT_TRUE(c.expect_closed());
}

// ---- monitoring -----------------------------------------------------------------------------

TEST(WebSocketMonitor, ConnzListsTheClientAsTypeWebsocket) {
  WsServer s("", "http_port: -1");
  const int http = monitor_port(s.process);
  auto c = std::make_unique<WsClient>(s.port);
  ASSERT_TRUE(c->upgrade());
  const std::uint64_t cid = info_cid(c->read_info());
  ASSERT_TRUE(c->send_nats("CONNECT {\"verbose\":false,\"name\":\"wsc\"}\r\nSUB s 1\r\nPING\r\n"));
  ASSERT_EQ(c->read_nats_until_pong(), "PONG\r\n");
  auto tcp = open_connected(s.process);

  json connz = get_json(http, "/connz?subs=1");
  ASSERT_TRUE(connz.is_object());
  json mine, other;
  for (const auto& conn : connz.at("connections")) {
    if (conn.at("cid") == cid) {
      mine = conn;
    } else {
      other = conn;
    }
  }
  ASSERT_TRUE(mine.is_object()) << connz.dump(2);
  EXPECT_EQ(mine.value("kind", ""), "Client");
  EXPECT_EQ(mine.value("type", ""), "websocket");
  EXPECT_EQ(mine.value("name", ""), "wsc");
  EXPECT_EQ(mine.value("ip", ""), "127.0.0.1");
  EXPECT_EQ(mine.value("port", 0), c->local_port());
  EXPECT_EQ(mine.value("subscriptions", 0), 1);
  EXPECT_EQ(mine.value("subscriptions_list", json::array()), json::array({"s"}));
  ASSERT_TRUE(other.is_object()) << connz.dump(2);
  EXPECT_EQ(other.value("type", ""), "nats");

  // Closed by a close frame: reason "Client Closed".
  ASSERT_TRUE(c->send_close(1000));
  ASSERT_TRUE(c->expect_closed());
  json closed;
  EXPECT_TRUE(eventually(
      [&] {
        json all = get_json(http, "/connz?state=closed");
        for (const auto& conn : all.value("connections", json::array())) {
          if (conn.at("cid") == cid) closed = conn;
        }
        return closed.is_object();
      },
      5s, 10ms));
  EXPECT_EQ(closed.value("type", ""), "websocket");
  EXPECT_EQ(closed.value("reason", ""), "Client Closed");
}

TEST(WebSocketMonitor, VarzHasTheWebsocketOptions) {
  WsServer s(R"(compression: true
  same_origin: true
  allowed_origins: ["http://example.com"]
  handshake_timeout: "2s")",
             "http_port: -1");
  json varz = get_json(monitor_port(s.process), "/varz");
  ASSERT_TRUE(varz.is_object());
  // Go's omitempty: only set fields appear; a duration in nanoseconds.
  EXPECT_EQ(varz.value("websocket", json()),
            (json{{"host", "127.0.0.1"},
                  {"port", s.port},
                  {"handshake_timeout", 2000000000},
                  {"no_tls", true},
                  {"same_origin", true},
                  {"allowed_origins", json::array({"http://example.com"})},
                  {"compression", true}}))
      << varz.dump(2);
}

TEST(WebSocketMonitor, VarzWebsocketIsEmptyWithoutAListener) {
  ServerProcess server({"-m", "-1"});
  json varz = get_json(monitor_port(server), "/varz");
  ASSERT_TRUE(varz.is_object());
  EXPECT_EQ(varz.value("websocket", json()), json::object());
}

// ---- config ---------------------------------------------------------------------------------

TEST(WebSocketConfig, ListenerWithoutTlsOrNoTlsIsRefused) {
  TempFile conf("websocket { port: -1 }\n");
  auto result = ServerProcess::run_to_exit({"-c", conf.path()});
  ASSERT_TRUE(result);
  EXPECT_TRUE(WIFEXITED(result->status) && WEXITSTATUS(result->status) == 1)
      << describe_wait_status(result->status);
  // nats-server prints "nats-server: websocket requires TLS configuration".
  EXPECT_NE(result->output.find("websocket requires TLS configuration"), std::string::npos)
      << result->output;
  EXPECT_EQ(result->output.find("Listening"), std::string::npos) << result->output;
}

TEST(WebSocketConfig, HostDefaultsToAllInterfacesNotTheClientHost) {
  TempFile conf("websocket { port: -1, no_tls: true }\n");
  ServerProcess server({"-c", conf.path()});
  EXPECT_NE(server.log().find("Listening for websocket clients on ws://0.0.0.0:"),
            std::string::npos)
      << server.log();
}

TEST(WebSocketConfig, TlsListenerServesWss) {
  TestPki pki;
  const std::string listener = "host: \"127.0.0.1\"\n  port: -1\n  tls {\n    cert_file: \"" +
                               pki.path("server-cert.pem") + "\"\n    key_file: \"" +
                               pki.path("server-key.pem") + "\"\n  }\n";
  WsServer s("", "", listener);
  EXPECT_NE(s.process.log().find("Listening for websocket clients on wss://127.0.0.1:"),
            std::string::npos);
  EXPECT_EQ(s.process.log().find("Websocket not configured with TLS"), std::string::npos);
  WsClient c(s.port, {.tls = true, .ca_file = pki.path("ca.pem")});
  ASSERT_TRUE(c.upgrade(s.request()));
  ASSERT_TRUE(c.connect_nats());
  ASSERT_TRUE(c.send_nats("SUB w 1\r\nPUB w 3\r\nsec\r\nPING\r\n"));
  EXPECT_EQ(c.read_nats_until_pong(), msg("w", "1", "sec") + "PONG\r\n");
}

// ---- interop --------------------------------------------------------------------------------

TEST(WebSocketInterop, TcpAndWebsocketClientsExchangeMessages) {
  WsServer s;
  auto tcp = open_connected(s.process);
  auto ws = s.connected();
  ASSERT_TRUE(ws);
  ASSERT_EQ(roundtrip(*tcp, "SUB to.tcp 1\r\n"), "PONG\r\n");
  ASSERT_TRUE(ws->send_nats("SUB to.ws 7\r\nPING\r\n"));
  ASSERT_EQ(ws->read_nats_until_pong(), "PONG\r\n");

  ASSERT_TRUE(ws->send_nats("PUB to.tcp reply.ws 11\r\nfrom the ws\r\nPING\r\n"));
  ASSERT_EQ(ws->read_nats_until_pong(), "PONG\r\n");
  EXPECT_EQ(tcp->read_frame(), "MSG to.tcp 1 reply.ws 11\r\nfrom the ws\r\n");

  ASSERT_EQ(roundtrip(*tcp, "PUB to.ws 12\r\nfrom the tcp\r\n"), "PONG\r\n");
  ASSERT_TRUE(ws->send_nats("PING\r\n"));
  EXPECT_EQ(ws->read_nats_until_pong(), msg("to.ws", "7", "from the tcp") + "PONG\r\n");
}

}  // namespace
}  // namespace gnatsd::test

namespace gnatsd::test {
namespace {

// The connect_urls a WebSocket client of `s` is told in its INFO.
std::vector<std::string> ws_connect_urls(const WsServer& s) {
  WsClient c(s.port);
  if (!c.upgrade(s.request())) return {};
  const std::string info = c.read_info();
  if (!info.starts_with("INFO ")) return {};
  return json::parse(info.substr(5)).value("connect_urls", std::vector<std::string>{});
}

TEST(WebSocketCluster, ClientsAreToldTheClustersWebsocketUrls) {
  // nats-server sends its ws_connect_urls over routes; a WebSocket client's INFO lists the
  // WebSocket URLs of the whole cluster, never the client ports.
  WsServer a("", "cluster { listen: \"127.0.0.1:-1\" }");
  const int route_port = cluster::route_listen_port(a.process);
  ASSERT_GT(route_port, 0);
  WsServer b("", "cluster { listen: \"127.0.0.1:-1\", routes: [\"nats://127.0.0.1:" +
                     std::to_string(route_port) + "\"] }");
  const std::string a_url = "127.0.0.1:" + std::to_string(a.port);
  const std::string b_url = "127.0.0.1:" + std::to_string(b.port);
  std::vector<std::string> urls;
  EXPECT_TRUE(eventually(
      [&] {
        urls = ws_connect_urls(a);
        return std::find(urls.begin(), urls.end(), b_url) != urls.end();
      },
      10s, 50ms))
      << "connect_urls of a WebSocket client of A: " << json(urls).dump();
  EXPECT_NE(std::find(urls.begin(), urls.end(), a_url), urls.end());
  for (const auto& url : urls) {
    EXPECT_NE(url, "127.0.0.1:" + std::to_string(a.process.port())) << "a client port";
    EXPECT_NE(url, "127.0.0.1:" + std::to_string(b.process.port())) << "a client port";
  }
}

}  // namespace
}  // namespace gnatsd::test

namespace gnatsd::test {
namespace {

std::string wss_listener(const TestPki& pki) {
  return "host: \"127.0.0.1\"\n  port: -1\n  tls {\n    cert_file: \"" +
         pki.path("server-cert.pem") + "\"\n    key_file: \"" + pki.path("server-key.pem") +
         "\"\n  }\n";
}

TEST(WebSocketReload, NewTlsCertificatesServeLaterUpgradesOtherChangesNeedARestart) {
  TestPki first, second;
  WsServer s("", "", wss_listener(first));
  auto rewrite = [&](const std::string& text) {
    std::ofstream(s.conf.path(), std::ios::trunc) << text;
  };
  // Other settings of the block need a restart, as nats-server says.
  rewrite(conf_text("compression: true", "", wss_listener(first)));
  ASSERT_EQ(::kill(s.process.pid(), SIGHUP), 0);
  EXPECT_TRUE(s.process.wait_for_log("config reload not supported for Websocket", 5s))
      << s.process.log();
  // A new certificate is taken by the upgrades that come after the reload.
  rewrite(conf_text("", "", wss_listener(second)));
  ASSERT_EQ(::kill(s.process.pid(), SIGHUP), 0);
  ASSERT_TRUE(s.process.wait_for_log("Reloaded server configuration", 5s)) << s.process.log();
  WsClient trusts_second(s.port, {.tls = true, .ca_file = second.path("ca.pem")});
  EXPECT_TRUE(trusts_second.upgrade(s.request()));
  // The old certificate is gone: the TLS handshake (made as the client connects) fails.
  EXPECT_THROW(WsClient(s.port, {.tls = true, .ca_file = first.path("ca.pem")}),
               std::runtime_error);
}

}  // namespace
}  // namespace gnatsd::test
