// The WebSocket client layer of nats-bench: the upgrade handshake (SHA-1 and base64 from
// OpenSSL), masked framing of everything sent and in-place unframing of everything received.
#include "ws_client.hpp"

#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

namespace nats_bench {
namespace ws {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string base64(const unsigned char* data, std::size_t len) {
  std::string out(4 * ((len + 2) / 3), '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  out.resize(static_cast<std::size_t>(std::max(n, 0)));
  return out;
}

bool is_control(unsigned char opcode) {
  return (opcode & 0x8) != 0;
}

}  // namespace

std::string accept_for(std::string_view key) {
  std::string text = std::string(key) + std::string(kGuid);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha1(), nullptr) != 1) return {};
  return base64(digest, size);
}

void mask_bytes(char* dst, const char* src, std::size_t len, const unsigned char key[4]) {
  const unsigned char key8[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
  std::uint64_t m;
  std::memcpy(&m, key8, 8);
  std::size_t i = 0;
  // Four words per round: the compiler keeps them in registers (or vectorizes the loop).
  for (; i + 32 <= len; i += 32) {
    std::uint64_t v[4];
    std::memcpy(v, src + i, 32);
    v[0] ^= m;
    v[1] ^= m;
    v[2] ^= m;
    v[3] ^= m;
    std::memcpy(dst + i, v, 32);
  }
  for (; i + 8 <= len; i += 8) {
    std::uint64_t v;
    std::memcpy(&v, src + i, 8);
    v ^= m;
    std::memcpy(dst + i, &v, 8);
  }
  for (; i < len; ++i) dst[i] = static_cast<char>(src[i] ^ key[i & 3]);
}

std::size_t append_masked_frame(std::vector<char>& out, std::size_t at, Opcode opcode,
                                const char* data, std::size_t len, const unsigned char key[4]) {
  if (out.size() < at + kMaxHeader + len) out.resize(at + kMaxHeader + len);
  auto* h = reinterpret_cast<unsigned char*>(out.data() + at);
  std::size_t n = 0;
  h[n++] = static_cast<unsigned char>(0x80 | opcode);  // FIN: never fragmented
  if (len < 126) {
    h[n++] = static_cast<unsigned char>(0x80 | len);
  } else if (len <= 0xFFFF) {
    h[n++] = 0x80 | 126;
    h[n++] = static_cast<unsigned char>(len >> 8);
    h[n++] = static_cast<unsigned char>(len);
  } else {
    h[n++] = 0x80 | 127;
    for (int shift = 56; shift >= 0; shift -= 8)
      h[n++] = static_cast<unsigned char>(static_cast<std::uint64_t>(len) >> shift);
  }
  std::memcpy(h + n, key, 4);
  n += 4;
  mask_bytes(out.data() + at + n, data, len, key);
  return at + n + len;
}

Unframer::Outcome Unframer::unframe(char* buf, std::size_t len) {
  Outcome out;
  std::size_t pos = 0, w = 0;  // w <= pos always: payload only ever moves towards the front
  bool closed = false;
  auto finish_control = [&] {
    closed = control_.opcode == kClose;
    out.controls.push_back(std::move(control_));
    control_ = {kPing, {}};
    in_control_ = false;
  };
  while (pos < len && !closed) {
    if (payload_left_ > 0) {
      std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(payload_left_, len - pos));
      if (in_control_) {
        control_.payload.append(buf + pos, k);
      } else {
        if (w != pos) std::memmove(buf + w, buf + pos, k);
        w += k;
      }
      pos += k;
      payload_left_ -= k;
      if (payload_left_ == 0 && in_control_) finish_control();
      continue;
    }
    const auto* h = reinterpret_cast<const unsigned char*>(buf + pos);
    const std::size_t avail = len - pos;
    if (avail < 2) break;
    const unsigned char opcode = h[0] & 0x0F;
    if (h[0] & 0x70) {
      out.error =
          "WebSocket frame with reserved bits set from the server (no extension was "
          "negotiated)";
      break;
    }
    if (h[1] & 0x80) {
      out.error = "masked WebSocket frame from the server";
      break;
    }
    std::uint64_t size = h[1] & 0x7F;
    std::size_t header = 2;
    if (size == 126) {
      header = 4;
      if (avail < header) break;
      size = (std::uint64_t{h[2]} << 8) | h[3];
    } else if (size == 127) {
      header = 10;
      if (avail < header) break;
      size = 0;
      for (int i = 2; i < 10; ++i) size = (size << 8) | h[i];
    }
    if (is_control(opcode)) {
      if (opcode != kClose && opcode != kPing && opcode != kPong) {
        out.error = "WebSocket frame with unknown opcode " + std::to_string(opcode);
        break;
      }
      if (!(h[0] & 0x80) || size > kMaxControlPayload) {
        out.error = "fragmented or oversized WebSocket control frame from the server";
        break;
      }
      in_control_ = true;
      control_ = {static_cast<Opcode>(opcode), {}};
    } else {
      if (opcode != kContinuation && opcode != kText && opcode != kBinary) {
        out.error = "WebSocket frame with unknown opcode " + std::to_string(opcode);
        break;
      }
      in_control_ = false;  // the NATS stream is the concatenation of all data payloads
    }
    pos += header;
    payload_left_ = size;
    if (size == 0 && in_control_) finish_control();
  }
  out.payload_bytes = w;
  out.consumed = pos;
  return out;
}

}  // namespace ws

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int left_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<long long>(left.count(), 0, 60'000));
}

}  // namespace

WsStream::WsStream(int fd) : fd_(fd) {
  std::random_device device;
  rng_ = (std::uint64_t{device()} << 32) ^ device() ^
         static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

void WsStream::next_key(unsigned char key[4]) {
  // splitmix64: unpredictable enough for masking (which guards proxies, not secrets).
  std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  std::memcpy(key, &z, 4);
}

long WsStream::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return -1;
}

void WsStream::append_frame(ws::Opcode opcode, const char* data, std::size_t len) {
  if (out_begin_ == out_end_) out_begin_ = out_end_ = 0;
  unsigned char key[4];
  next_key(key);
  out_end_ = ws::append_masked_frame(out_, out_end_, opcode, data, len, key);
}

std::string WsStream::handshake(const std::string& host_port,
                                std::chrono::steady_clock::time_point deadline) {
  unsigned char nonce[16];
  next_key(nonce);
  next_key(nonce + 4);
  next_key(nonce + 8);
  next_key(nonce + 12);
  const std::string key = ws::base64(nonce, sizeof nonce);
  const std::string request = "GET / HTTP/1.1\r\nHost: " + host_port +
                              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Key: " +
                              key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
      return std::string("write: ") + std::strerror(errno);
    if (left_ms(deadline) == 0) return "timed out sending the upgrade request";
    pollfd p{fd_, POLLOUT, 0};
    ::poll(&p, 1, left_ms(deadline));
  }
  // The answer's head, up to its blank line; whatever follows is already WebSocket frames.
  std::string head;
  std::size_t end = std::string::npos;
  while ((end = head.find("\r\n\r\n")) == std::string::npos) {
    if (head.size() > 16 * 1024) return "upgrade answer has no end of headers";
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      head.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return "connection closed by the server during the upgrade";
    if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
      return std::string("read: ") + std::strerror(errno);
    if (left_ms(deadline) == 0) return "timed out waiting for the upgrade answer";
    pollfd p{fd_, POLLIN, 0};
    ::poll(&p, 1, left_ms(deadline));
  }
  carry_ = head.substr(end + 4);
  carry_fresh_ = !carry_.empty();
  head.resize(end);
  std::string_view rest = head;
  std::size_t eol = rest.find("\r\n");
  std::string_view status = rest.substr(0, eol);
  rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 2);
  if (!status.starts_with("HTTP/1.1 101"))
    return "the server refused the upgrade: \"" + std::string(status) + "\"";
  std::string upgrade, connection, accept, extensions;
  while (!rest.empty()) {
    eol = rest.find("\r\n");
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 2);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = lower(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (name == "upgrade") upgrade = lower(value);
    if (name == "connection") connection = lower(value);
    if (name == "sec-websocket-accept") accept = std::string(value);
    if (name == "sec-websocket-extensions") extensions = std::string(value);
  }
  if (upgrade != "websocket") return "101 answer without \"Upgrade: websocket\"";
  if (connection.find("upgrade") == std::string::npos)
    return "101 answer without \"Connection: Upgrade\"";
  if (accept != ws::accept_for(key))
    return "wrong Sec-WebSocket-Accept \"" + accept + "\" (key \"" + key + "\")";
  if (!extensions.empty()) return "the server chose an extension not offered: " + extensions;
  return {};
}

int WsStream::drain() {
  while (out_begin_ < out_end_) {
    ssize_t n = ::send(fd_, out_.data() + out_begin_, out_end_ - out_begin_, MSG_NOSIGNAL);
    if (n > 0) {
      out_begin_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    return static_cast<int>(fail(std::string("write: ") + std::strerror(errno)));
  }
  out_begin_ = out_end_ = 0;
  return 1;
}

long WsStream::write(const char* data, std::size_t len) {
  if (int d = drain(); d <= 0) return d;
  std::size_t take = std::min(len, ws::kMaxFramePayload);
  append_frame(ws::kBinary, data, take);
  if (drain() < 0) return -1;
  return static_cast<long>(take);  // taken, even if part of its frame waits for the socket
}

long WsStream::read(char* buf, std::size_t len) {
  if (!close_error_.empty()) return fail(close_error_);
  std::size_t have = 0;
  if (!carry_.empty()) {
    have = std::min(carry_.size(), len);
    std::memcpy(buf, carry_.data(), have);
    carry_.erase(0, have);
    carry_fresh_ = !carry_.empty();
  }
  bool eof = false;
  while (carry_.empty() && have < len) {
    ssize_t n = ::recv(fd_, buf + have, len - have, 0);
    if (n > 0) {
      have += static_cast<std::size_t>(n);
      break;
    }
    if (n == 0) {
      eof = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    return fail(std::string("read: ") + std::strerror(errno));
  }
  if (have == 0) return eof ? fail("connection closed by the server") : 0;
  ws::Unframer::Outcome r = unframer_.unframe(buf, have);
  if (!r.error.empty()) return fail(r.error);
  for (auto& c : r.controls) {
    if (c.opcode == ws::kPing) {
      append_frame(ws::kPong, c.payload.data(), c.payload.size());
    } else if (c.opcode == ws::kClose) {
      std::string why = "the server closed the WebSocket connection";
      if (c.payload.size() >= 2) {
        unsigned code = (static_cast<unsigned char>(c.payload[0]) << 8) |
                        static_cast<unsigned char>(c.payload[1]);
        why += " (code " + std::to_string(code);
        if (c.payload.size() > 2) why += ", reason \"" + c.payload.substr(2) + "\"";
        why += ")";
      } else {
        why += " (no status code)";
      }
      // Data before the close (a -ERR saying why, typically) is handed over first.
      if (r.payload_bytes == 0) return fail(why);
      close_error_ = why;
      return static_cast<long>(r.payload_bytes);
    }
  }
  // An incomplete frame header stays for the next read, ahead of anything still carried.
  if (r.consumed < have) carry_.insert(0, buf + r.consumed, have - r.consumed);
  if (r.payload_bytes == 0 && eof) return fail("connection closed by the server");
  return static_cast<long>(r.payload_bytes);
}

}  // namespace nats_bench
