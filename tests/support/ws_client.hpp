// The WebSocket client of the integration tests: a loopback connection (plain or TLS) that
// sends an HTTP upgrade request of the test's making, then exact RFC 6455 frames (masked or
// not, fragmented, compressed), and reads the server's frames, messages and NATS text back.
// Every wait is bounded by a deadline.
#pragma once

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gnatsd::test {

namespace ws {
inline constexpr std::uint8_t kContinuation = 0x0;
inline constexpr std::uint8_t kText = 0x1;
inline constexpr std::uint8_t kBinary = 0x2;
inline constexpr std::uint8_t kClose = 0x8;
inline constexpr std::uint8_t kPing = 0x9;
inline constexpr std::uint8_t kPong = 0xA;
}  // namespace ws

// base64(16 random bytes), as a client's Sec-WebSocket-Key.
std::string ws_random_key();
// base64(SHA-1(key + RFC 6455's GUID)): the Sec-WebSocket-Accept a server must answer `key` with.
std::string ws_accept_key(std::string_view key);
// permessage-deflate (RFC 7692, no context takeover): raw deflate of `data` with a sync flush,
// the trailing 00 00 ff ff removed; and the inverse (the tail appended before inflating).
// ws_inflate returns nullopt on corrupt input.
std::string ws_deflate(std::string_view data);
std::optional<std::string> ws_inflate(std::string_view compressed);

// The request line and headers of an upgrade, in order; every header can be replaced or left
// out, so that each of the server's checks can be failed on its own.
class UpgradeRequest {
 public:
  // GET / HTTP/1.1 with Host: 127.0.0.1:port, Upgrade: websocket, Connection: Upgrade,
  // Sec-WebSocket-Key (random) and Sec-WebSocket-Version: 13.
  explicit UpgradeRequest(int port);

  UpgradeRequest& method(std::string m);
  UpgradeRequest& http_version(std::string v);  // "HTTP/1.0"
  UpgradeRequest& path(std::string p);
  // Replaces a header of that name (case-insensitive), or adds it.
  UpgradeRequest& set(std::string_view name, std::string value);
  // Adds a header even if one of that name is there.
  UpgradeRequest& add(std::string_view name, std::string value);
  UpgradeRequest& remove(std::string_view name);

  UpgradeRequest& origin(std::string o) { return set("Origin", std::move(o)); }
  UpgradeRequest& offer_compression(
      std::string value = "permessage-deflate; client_max_window_bits") {
    return set("Sec-WebSocket-Extensions", std::move(value));
  }
  UpgradeRequest& no_masking() { return set("Nats-No-Masking", "true"); }
  UpgradeRequest& forwarded_for(std::string ip) { return set("X-Forwarded-For", std::move(ip)); }
  UpgradeRequest& user_agent(std::string ua) { return set("User-Agent", std::move(ua)); }

  // The key sent (what the Accept header is checked against); "" once removed.
  std::string key() const;
  std::string str() const;

 private:
  std::string method_ = "GET";
  std::string path_ = "/";
  std::string version_ = "HTTP/1.1";
  std::vector<std::pair<std::string, std::string>> headers_;
};

// An HTTP response head (and, when Content-Length says so, its body).
struct HttpHead {
  bool complete = false;  // the blank line was received
  std::string status_line;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header of that name (case-insensitive), nullopt if absent.
  std::optional<std::string> header(std::string_view name) const;
  size_t count(std::string_view name) const;
};

struct WsFrame {
  std::uint8_t opcode = 0;
  bool fin = false;
  bool rsv1 = false;
  bool masked = false;
  std::string payload;  // unmasked
};

// One data message: its frames reassembled and, when its first frame had RSV1, inflated.
struct WsMessage {
  std::uint8_t opcode = 0;  // ws::kText or ws::kBinary
  bool compressed = false;
  bool inflate_failed = false;
  std::vector<size_t> frame_sizes;  // the payload size of each frame, as on the wire
  std::string payload;
};

// A close frame's status and reason; status is 0 when the frame carried no payload.
struct WsClose {
  int status = 0;
  std::string reason;
};

struct FrameOptions {
  bool fin = true;
  bool mask = true;
  bool rsv1 = false;
};

class WsClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout = std::chrono::seconds(5);

  struct Options {
    bool tls = false;     // wss: a TLS handshake before the upgrade request
    std::string ca_file;  // with tls: verify the server (for 127.0.0.1) against this CA
  };

  // Connects to 127.0.0.1:port (and with tls, completes the handshake); throws
  // std::runtime_error if that fails within the default timeout.
  explicit WsClient(int port);
  WsClient(int port, const Options& options);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Raw bytes on the connection (TLS-wrapped with wss).
  bool send_raw(std::string_view bytes, std::chrono::milliseconds timeout = kDefaultTimeout);
  bool send_request(const UpgradeRequest& request) { return send_raw(request.str()); }
  // The response head, plus Content-Length bytes of body. Incomplete on timeout/EOF.
  HttpHead read_response(std::chrono::milliseconds timeout = kDefaultTimeout);

  // Sends `request` and checks for a 101 with Upgrade, Connection and the right Accept.
  // The response stays in response().
  ::testing::AssertionResult upgrade(const UpgradeRequest& request);
  ::testing::AssertionResult upgrade();  // the standard request for the port connected to
  const HttpHead& response() const { return response_; }

  // The bytes of one client frame; masked with a fresh random key unless told otherwise.
  static std::string encode_frame(std::uint8_t opcode, std::string_view payload,
                                  FrameOptions options = {});
  // One frame (encode_frame's), in one write.
  bool send_frame(std::uint8_t opcode, std::string_view payload, FrameOptions options = {});
  // A whole NATS protocol chunk in one masked binary frame.
  bool send_nats(std::string_view text) { return send_frame(ws::kBinary, text); }
  // A close frame with a status (and reason); without status, an empty close frame.
  bool send_close(std::optional<int> status, std::string_view reason = {});

  // The next frame from the server, nullopt on timeout or EOF.
  std::optional<WsFrame> read_frame(std::chrono::milliseconds timeout = kDefaultTimeout);
  // The next data message. Control frames met on the way are kept in controls() (and a close
  // frame in close_frame()); a close frame ends the wait. nullopt on timeout, EOF or close.
  std::optional<WsMessage> read_message(std::chrono::milliseconds timeout = kDefaultTimeout);

  // NATS text out of data messages: up to and including `needle`; on timeout, EOF or a close
  // frame, everything received (not ending with `needle`).
  std::string read_nats_until(std::string_view needle,
                              std::chrono::milliseconds timeout = kDefaultTimeout);
  // NATS ops up to and including the first PONG, server PINGs dropped (as RawClient's).
  std::string read_nats_until_pong(std::chrono::milliseconds timeout = kDefaultTimeout);
  // The INFO line that opens the session (the server's first message).
  std::string read_info(std::chrono::milliseconds timeout = kDefaultTimeout);
  // INFO, then CONNECT {"verbose":false} + PING, and the PONG.
  ::testing::AssertionResult connect_nats(std::string_view connect_json = R"({"verbose":false})");

  // Reads until the server's close frame; nullopt if none came before EOF or the timeout.
  // Data received meanwhile is kept (as NATS text) for the read_nats_* calls.
  std::optional<WsClose> read_close(std::chrono::milliseconds timeout = kDefaultTimeout);
  // Reads (and decodes) everything until the server closes the TCP connection.
  ::testing::AssertionResult expect_closed(std::chrono::milliseconds timeout = kDefaultTimeout);

  const std::vector<WsFrame>& controls() const { return controls_; }
  const std::optional<WsClose>& close_frame() const { return close_; }
  // NATS text decoded but not yet returned.
  const std::string& nats_buffered() const { return nats_; }
  // Raw bytes received but not yet decoded (e.g. after a failed upgrade).
  const std::string& raw_buffered() const { return raw_; }
  bool closed() const { return eof_; }
  // The client's own port: what the server's log lines name it by ("127.0.0.1:PORT - ...").
  int local_port() const;

  static WsClose parse_close(std::string_view payload);

 private:
  // Reads what is available within the deadline into raw_; false on timeout or EOF.
  bool fill(std::chrono::steady_clock::time_point deadline);
  std::optional<WsFrame> take_frame();
  // One data message or close: appends message payload to nats_; false if none came.
  bool pump(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;  // with tls
  SSL* ssl_ = nullptr;
  int port_ = 0;
  bool eof_ = false;
  std::string raw_;
  std::string nats_;
  HttpHead response_;
  std::vector<WsFrame> controls_;
  std::optional<WsClose> close_;
  // A message whose final frame has not come yet.
  std::optional<WsMessage> partial_;
};

}  // namespace gnatsd::test
