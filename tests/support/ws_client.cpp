// WebSocket test client: RFC 6455 framing and RFC 7692 permessage-deflate over a non-blocking
// loopback socket (optionally TLS); every wait is a poll() with a deadline.
#include "ws_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "raw_client.hpp"

namespace gnatsd::test {
namespace {

using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool wait_fd(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, ms_left(deadline));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string base64(const unsigned char* data, size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  int len =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

std::string ssl_errors() {
  std::string out;
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

bool is_control(std::uint8_t opcode) {
  return opcode >= ws::kClose;
}

}  // namespace

std::string ws_random_key() {
  unsigned char raw[16];
  RAND_bytes(raw, sizeof raw);
  return base64(raw, sizeof raw);
}

std::string ws_accept_key(std::string_view key) {
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input = std::string(key) + std::string(kGuid);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha1(), nullptr);
  return base64(digest, len);
}

std::string ws_deflate(std::string_view data) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_SYNC_FLUSH);
  out.resize(z.total_out);
  deflateEnd(&z);
  // RFC 7692 7.2.1: the sync flush's empty stored block (00 00 ff ff) is not sent.
  if (out.size() >= 4 && out.compare(out.size() - 4, 4, std::string("\x00\x00\xff\xff", 4)) == 0) {
    out.resize(out.size() - 4);
  }
  return out;
}

std::optional<std::string> ws_inflate(std::string_view compressed) {
  std::string in(compressed);
  in.append("\x00\x00\xff\xff", 4);
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return std::nullopt;
  z.next_in = reinterpret_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  // Until the input is used up and no output is pending (a full buffer may hide more).
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_SYNC_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
  if (rc == Z_BUF_ERROR && z.avail_in == 0) rc = Z_OK;  // nothing was left to do
  inflateEnd(&z);
  if (rc != Z_OK && rc != Z_STREAM_END) return std::nullopt;
  return out;
}

// ---- UpgradeRequest -------------------------------------------------------------------------

UpgradeRequest::UpgradeRequest(int port) {
  headers_ = {{"Host", "127.0.0.1:" + std::to_string(port)},
              {"Upgrade", "websocket"},
              {"Connection", "Upgrade"},
              {"Sec-WebSocket-Key", ws_random_key()},
              {"Sec-WebSocket-Version", "13"}};
}

UpgradeRequest& UpgradeRequest::method(std::string m) {
  method_ = std::move(m);
  return *this;
}
UpgradeRequest& UpgradeRequest::http_version(std::string v) {
  version_ = std::move(v);
  return *this;
}
UpgradeRequest& UpgradeRequest::path(std::string p) {
  path_ = std::move(p);
  return *this;
}

UpgradeRequest& UpgradeRequest::set(std::string_view name, std::string value) {
  for (auto& [n, v] : headers_) {
    if (iequals(n, name)) {
      v = std::move(value);
      return *this;
    }
  }
  return add(name, std::move(value));
}

UpgradeRequest& UpgradeRequest::add(std::string_view name, std::string value) {
  headers_.emplace_back(std::string(name), std::move(value));
  return *this;
}

UpgradeRequest& UpgradeRequest::remove(std::string_view name) {
  std::erase_if(headers_, [&](const auto& h) { return iequals(h.first, name); });
  return *this;
}

std::string UpgradeRequest::key() const {
  for (const auto& [n, v] : headers_) {
    if (iequals(n, "Sec-WebSocket-Key")) return v;
  }
  return "";
}

std::string UpgradeRequest::str() const {
  std::string out = method_ + " " + path_ + " " + version_ + "\r\n";
  for (const auto& [n, v] : headers_) out.append(n).append(": ").append(v).append("\r\n");
  return out + "\r\n";
}

// ---- HttpHead -------------------------------------------------------------------------------

std::optional<std::string> HttpHead::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

size_t HttpHead::count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(headers.begin(), headers.end(),
                                           [&](const auto& h) { return iequals(h.first, name); }));
}

// ---- WsClient -------------------------------------------------------------------------------

WsClient::WsClient(int port) : WsClient(port, Options{}) {}

WsClient::WsClient(int port, const Options& options)
    : fd_(connect_loopback(port, RawClient::Options{.no_delay = true})), port_(port) {
  if (!options.tls) return;
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!options.ca_file.empty()) {
    SSL_CTX_load_verify_locations(ctx_, options.ca_file.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  }
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  if (!options.ca_file.empty()) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), "127.0.0.1");
  ERR_clear_error();
  const auto deadline = Clock::now() + kDefaultTimeout;
  for (;;) {
    int r = SSL_connect(ssl_);
    if (r == 1) return;
    int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ && wait_fd(fd_, POLLIN, deadline)) continue;
    if (err == SSL_ERROR_WANT_WRITE && wait_fd(fd_, POLLOUT, deadline)) continue;
    const std::string why = ssl_errors();
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    ::close(fd_);
    throw std::runtime_error("wss handshake with port " + std::to_string(port) + " failed: " + why);
  }
}

WsClient::~WsClient() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
}

bool WsClient::send_raw(std::string_view bytes, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!bytes.empty()) {
    if (ssl_ != nullptr) {
      size_t n = 0;
      int r = SSL_write_ex(ssl_, bytes.data(), bytes.size(), &n);
      if (r == 1) {
        bytes.remove_prefix(n);
        continue;
      }
      int err = SSL_get_error(ssl_, r);
      if (err == SSL_ERROR_WANT_READ && wait_fd(fd_, POLLIN, deadline)) continue;
      if (err == SSL_ERROR_WANT_WRITE && wait_fd(fd_, POLLOUT, deadline)) continue;
      return false;
    }
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_fd(fd_, POLLOUT, deadline)) return false;
      continue;
    }
    return false;
  }
  return true;
}

bool WsClient::fill(Clock::time_point deadline) {
  if (eof_) return false;
  char buf[64 * 1024];
  for (;;) {
    if (ssl_ != nullptr) {
      size_t n = 0;
      int r = SSL_read_ex(ssl_, buf, sizeof buf, &n);
      if (r == 1) {
        raw_.append(buf, n);
        return true;
      }
      int err = SSL_get_error(ssl_, r);
      if (err == SSL_ERROR_WANT_READ && wait_fd(fd_, POLLIN, deadline)) continue;
      if (err == SSL_ERROR_WANT_WRITE && wait_fd(fd_, POLLOUT, deadline)) continue;
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return false;  // timeout
      ERR_clear_error();
      eof_ = true;
      return false;
    }
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      raw_.append(buf, static_cast<size_t>(n));
      return true;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_fd(fd_, POLLIN, deadline)) return false;
      continue;
    }
    eof_ = true;  // reset
    return false;
  }
}

HttpHead WsClient::read_response(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  HttpHead head;
  size_t end = std::string::npos;
  while ((end = raw_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(deadline)) {
      head.status_line = raw_;  // whatever came, for the failure message
      return head;
    }
  }
  const std::string text = raw_.substr(0, end + 2);
  raw_.erase(0, end + 4);
  size_t line_end = text.find("\r\n");
  head.status_line = text.substr(0, line_end);
  // "HTTP/1.1 101 Switching Protocols"
  if (size_t sp = head.status_line.find(' '); sp != std::string::npos) {
    head.status = std::atoi(head.status_line.c_str() + sp + 1);
  }
  for (size_t at = line_end + 2; at < text.size();) {
    size_t eol = text.find("\r\n", at);
    std::string line = text.substr(at, eol - at);
    at = eol + 2;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t") + 1);
    head.headers.emplace_back(line.substr(0, colon), value);
  }
  head.complete = true;
  if (auto length = head.header("Content-Length"); length && head.status != 101) {
    const size_t n = std::stoul(*length);
    while (raw_.size() < n && fill(deadline)) {
    }
    head.body = raw_.substr(0, std::min(n, raw_.size()));
    raw_.erase(0, head.body.size());
  }
  return head;
}

::testing::AssertionResult WsClient::upgrade(const UpgradeRequest& request) {
  if (!send_request(request)) return ::testing::AssertionFailure() << "could not send the request";
  response_ = read_response();
  if (response_.status != 101) {
    return ::testing::AssertionFailure()
           << "expected 101, got " << ::testing::PrintToString(response_.status_line) << " body "
           << ::testing::PrintToString(response_.body);
  }
  auto upgrade = response_.header("Upgrade");
  auto connection = response_.header("Connection");
  auto accept = response_.header("Sec-WebSocket-Accept");
  if (!upgrade || !iequals(*upgrade, "websocket")) {
    return ::testing::AssertionFailure() << "Upgrade header: " << upgrade.value_or("<none>");
  }
  if (!connection || !iequals(*connection, "Upgrade")) {
    return ::testing::AssertionFailure() << "Connection header: " << connection.value_or("<none>");
  }
  if (!accept || *accept != ws_accept_key(request.key())) {
    return ::testing::AssertionFailure() << "Sec-WebSocket-Accept " << accept.value_or("<none>")
                                         << ", expected " << ws_accept_key(request.key());
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult WsClient::upgrade() {
  return upgrade(UpgradeRequest(port_));
}

std::string WsClient::encode_frame(std::uint8_t opcode, std::string_view payload,
                                   FrameOptions options) {
  std::string frame;
  frame.push_back(
      static_cast<char>((options.fin ? 0x80 : 0) | (options.rsv1 ? 0x40 : 0) | (opcode & 0x0F)));
  const std::uint8_t mask_bit = options.mask ? 0x80 : 0;
  const size_t n = payload.size();
  if (n <= 125) {
    frame.push_back(static_cast<char>(mask_bit | n));
  } else if (n < 65536) {
    frame.push_back(static_cast<char>(mask_bit | 126));
    frame.push_back(static_cast<char>(n >> 8));
    frame.push_back(static_cast<char>(n & 0xFF));
  } else {
    frame.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      frame.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xFF));
    }
  }
  if (!options.mask) return frame.append(payload);
  unsigned char key[4];
  RAND_bytes(key, sizeof key);
  frame.append(reinterpret_cast<const char*>(key), 4);
  const size_t at = frame.size();
  frame.append(payload);
  for (size_t i = 0; i < n; ++i) frame[at + i] = static_cast<char>(frame[at + i] ^ key[i & 3]);
  return frame;
}

bool WsClient::send_frame(std::uint8_t opcode, std::string_view payload, FrameOptions options) {
  return send_raw(encode_frame(opcode, payload, options));
}

bool WsClient::send_close(std::optional<int> status, std::string_view reason) {
  std::string payload;
  if (status) {
    payload.push_back(static_cast<char>((*status >> 8) & 0xFF));
    payload.push_back(static_cast<char>(*status & 0xFF));
    payload.append(reason);
  }
  return send_frame(ws::kClose, payload);
}

std::optional<WsFrame> WsClient::take_frame() {
  if (raw_.size() < 2) return std::nullopt;
  const auto* b = reinterpret_cast<const unsigned char*>(raw_.data());
  WsFrame f;
  f.fin = (b[0] & 0x80) != 0;
  f.rsv1 = (b[0] & 0x40) != 0;
  f.opcode = b[0] & 0x0F;
  f.masked = (b[1] & 0x80) != 0;
  std::uint64_t len = b[1] & 0x7F;
  size_t at = 2;
  if (len == 126) {
    if (raw_.size() < 4) return std::nullopt;
    len = (std::uint64_t{b[2]} << 8) | b[3];
    at = 4;
  } else if (len == 127) {
    if (raw_.size() < 10) return std::nullopt;
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | b[2 + i];
    at = 10;
  }
  unsigned char key[4] = {0, 0, 0, 0};
  if (f.masked) {
    if (raw_.size() < at + 4) return std::nullopt;
    std::memcpy(key, b + at, 4);
    at += 4;
  }
  if (raw_.size() < at + len) return std::nullopt;
  f.payload = raw_.substr(at, len);
  if (f.masked) {
    for (size_t i = 0; i < f.payload.size(); ++i) {
      f.payload[i] = static_cast<char>(f.payload[i] ^ key[i & 3]);
    }
  }
  raw_.erase(0, at + len);
  return f;
}

std::optional<WsFrame> WsClient::read_frame(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto f = take_frame()) return f;
    if (!fill(deadline)) return std::nullopt;
  }
}

std::optional<WsMessage> WsClient::read_message(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto f = read_frame(std::chrono::duration_cast<std::chrono::milliseconds>(
        std::max(deadline - Clock::now(), Clock::duration::zero())));
    if (!f) return std::nullopt;
    if (is_control(f->opcode)) {
      if (f->opcode == ws::kClose) {
        close_ = parse_close(f->payload);
        controls_.push_back(std::move(*f));
        return std::nullopt;
      }
      controls_.push_back(std::move(*f));
      continue;
    }
    if (f->opcode != ws::kContinuation || !partial_) {
      // A new message (or a continuation with nothing to continue, kept as its own message so
      // that the test sees it).
      partial_.emplace();
      partial_->opcode = f->opcode;
      partial_->compressed = f->rsv1;
    }
    partial_->frame_sizes.push_back(f->payload.size());
    partial_->payload += f->payload;
    if (!f->fin) continue;
    WsMessage m = std::move(*partial_);
    partial_.reset();
    if (m.compressed) {
      if (auto plain = ws_inflate(m.payload)) {
        m.payload = std::move(*plain);
      } else {
        m.inflate_failed = true;
      }
    }
    return m;
  }
}

bool WsClient::pump(Clock::time_point deadline) {
  auto m = read_message(std::chrono::duration_cast<std::chrono::milliseconds>(
      std::max(deadline - Clock::now(), Clock::duration::zero())));
  if (!m) return false;
  nats_ += m->payload;
  return true;
}

std::string WsClient::read_nats_until(std::string_view needle, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (size_t at = nats_.find(needle); at != std::string::npos) {
      std::string out = nats_.substr(0, at + needle.size());
      nats_.erase(0, at + needle.size());
      return out;
    }
    if (close_ || !pump(deadline)) {
      std::string out;
      out.swap(nats_);
      return out;
    }
  }
}

std::string WsClient::read_nats_until_pong(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string out;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::max(deadline - Clock::now(), Clock::duration::zero()));
    std::string line = read_nats_until("\r\n", left);
    if (!line.ends_with("\r\n")) return out + line;
    if (line.starts_with("MSG ") || line.starts_with("HMSG ")) {
      // The last argument is the payload size (headers included for HMSG).
      const size_t size = std::stoul(line.substr(line.rfind(' ') + 1));
      while (nats_.size() < size + 2 && !close_ && pump(deadline)) {
      }
      const size_t take = std::min(size + 2, nats_.size());
      line += nats_.substr(0, take);
      nats_.erase(0, take);
    }
    if (line != "PING\r\n") out += line;
    if (line == "PONG\r\n") return out;
  }
}

std::string WsClient::read_info(std::chrono::milliseconds timeout) {
  return read_nats_until("\r\n", timeout);
}

::testing::AssertionResult WsClient::connect_nats(std::string_view connect_json) {
  std::string info = read_info();
  if (!info.starts_with("INFO {")) {
    return ::testing::AssertionFailure() << "no INFO, got " << ::testing::PrintToString(info);
  }
  if (!send_nats("CONNECT " + std::string(connect_json) + "\r\nPING\r\n")) {
    return ::testing::AssertionFailure() << "could not send CONNECT";
  }
  std::string pong = read_nats_until_pong();
  if (pong != "PONG\r\n") {
    return ::testing::AssertionFailure() << "expected PONG, got " << ::testing::PrintToString(pong);
  }
  return ::testing::AssertionSuccess();
}

int WsClient::local_port() const {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  return ntohs(addr.sin_port);
}

WsClose WsClient::parse_close(std::string_view payload) {
  WsClose c;
  if (payload.size() >= 2) {
    c.status =
        (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
    c.reason = std::string(payload.substr(2));
  }
  return c;
}

std::optional<WsClose> WsClient::read_close(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!close_ && pump(deadline)) {
  }
  return close_;
}

::testing::AssertionResult WsClient::expect_closed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  // pump() also returns at a close frame; reading goes on after it, until EOF.
  while (!eof_ && Clock::now() < deadline) pump(deadline);
  if (eof_) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "connection still open after " << timeout.count()
                                       << " ms; undecoded bytes: " << raw_.size()
                                       << ", NATS text: " << ::testing::PrintToString(nats_);
}

}  // namespace gnatsd::test
