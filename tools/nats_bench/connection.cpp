// Socket set-up, the handshake (with the TLS or WebSocket upgrade), raw I/O and buffer
// management of a nats-bench connection.
#include "connection.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

namespace nats_bench {
namespace {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 60'000));
}

}  // namespace

Connection::Connection(std::size_t read_buffer_bytes) : in_(read_buffer_bytes) {}

Connection::~Connection() {
  tls_.reset();  // its close_notify goes out before the socket closes
  if (fd_ >= 0) ::close(fd_);
}

bool Connection::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return false;
}

long Connection::failed(std::string message) {
  fail(std::move(message));
  return -1;
}

void Connection::note_info(std::string_view json) {
  saw_info_ = true;
  // Only a few fields matter here; a full JSON parse per INFO is not worth a dependency.
  auto value_of = [json](std::string_view key) {
    auto at = json.find(key);
    if (at == std::string_view::npos) return std::string_view{};
    std::string_view rest = json.substr(at + key.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    return rest;
  };
  std::string_view payload = value_of("\"max_payload\":");
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), value);
  if (ec == std::errc{} && value > 0) max_payload_ = value;
  server_requires_tls_ = value_of("\"tls_required\":").starts_with("true");
  server_offers_tls_ = server_requires_tls_ || value_of("\"tls_available\":").starts_with("true");
}

void Connection::make_room(std::size_t need) {
  // Keep at least this much free after the data, so each recv can take a large batch.
  constexpr std::size_t kMinFreeTail = 64 * 1024;
  std::size_t have = in_end_ - in_begin_;
  need = std::max(need, have) + kMinFreeTail;
  if (in_.size() - in_begin_ >= need) return;
  // The unparsed tail is at most one incomplete frame: moving it to the front is cheap.
  if (in_begin_ > 0) {
    std::memmove(in_.data(), in_.data() + in_begin_, have);
    in_begin_ = 0;
    in_end_ = have;
  }
  if (in_.size() < need) in_.resize(need);
}

bool Connection::write_queued() {
  // Framed bytes first: they were taken from out_ before what is left in it.
  if (ws_ && ws_->has_pending_output()) {
    int drained = ws_->drain();
    if (drained < 0) return fail(ws_->error());
    if (drained == 0) return true;
  }
  while (out_sent_ < out_.size()) {
    long n = transmit(out_.data() + out_sent_, out_.size() - out_sent_);
    if (n == 0) return true;
    if (n < 0) return false;
    out_sent_ += static_cast<std::size_t>(n);
  }
  out_.clear();
  out_sent_ = 0;
  return true;
}

long Connection::receive(char* buf, std::size_t len) {
  if (ws_) {
    long n = ws_->read(buf, len);
    return n < 0 ? failed(ws_->error()) : n;
  }
  if (tls_) {
    TlsStream::Io io = tls_->read(buf, len);
    tls_read_wants_write_ = io.status == TlsStream::Status::WantWrite;
    if (io.bytes > 0) return static_cast<long>(io.bytes);
    if (io.status == TlsStream::Status::Closed) return failed(tls_->error());
    if (io.status == TlsStream::Status::Failed) return failed("TLS read: " + tls_->error());
    return 0;
  }
  for (;;) {
    ssize_t n = ::recv(fd_, buf, len, 0);
    if (n > 0) return n;
    if (n == 0) return failed("connection closed by the server");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return failed(std::string("read: ") + std::strerror(errno));
  }
}

long Connection::transmit(const char* data, std::size_t len) {
  if (ws_) {
    // One masked frame per call, however many NATS frames it carries.
    long n = ws_->write(data, len);
    return n < 0 ? failed(ws_->error()) : n;
  }
  if (tls_) {
    // A write stopped by a full socket is retried with the same bytes at the front (the
    // partial-write and moving-buffer modes allow more behind them, from a moved buffer).
    TlsStream::Io io = tls_->write(data, len);
    if (io.bytes > 0) return static_cast<long>(io.bytes);
    if (io.status == TlsStream::Status::WantRead || io.status == TlsStream::Status::WantWrite)
      return 0;
    return failed("TLS write: " + tls_->error());
  }
  for (;;) {
    ssize_t n = ::send(fd_, data, len, MSG_NOSIGNAL);
    if (n > 0) return n;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    return failed(std::string("write: ") + std::strerror(errno));
  }
}

std::string Connection::start_tls(const ServerUrl& url, const TlsClientContext& tls,
                                  Clock::time_point deadline) {
  // NATS's opening: INFO arrives in plaintext, then the client starts TLS; nothing else may
  // have been read in the clear.
  if (!server_offers_tls_)
    return "server at " + url.host_port() + " does not offer TLS (no tls_required in its INFO)";
  if (in_end_ != in_begin_) return "server at " + url.host_port() + " sent data before TLS";
  tls_ = std::make_unique<TlsStream>(tls, fd_, url.host);
  if (std::string why = tls_->handshake(deadline); !why.empty())
    return "TLS handshake with " + url.host_port() + " failed: " + why;
  tls.note_negotiated(tls_->negotiated());
  return {};
}

std::string Connection::open(const ServerUrl& url, const TlsClientContext* tls,
                             std::string_view client_name, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(url.port);
  if (int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return "resolve " + url.host + ": " + ::gai_strerror(rc);
  std::string last_error = "no address for " + url.host;
  for (addrinfo* ai = found; ai != nullptr && fd_ < 0; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_error = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int ready = ::poll(&p, 1, remaining_ms(deadline));
      int err = ETIMEDOUT;
      socklen_t len = sizeof err;
      if (ready > 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc < 0) {
      last_error = "connect to " + url.text() + ": " + std::strerror(errno);
      ::close(fd);
      continue;
    }
    fd_ = fd;
  }
  ::freeaddrinfo(found);
  if (fd_ < 0) return last_error;
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (url.websocket) {
    ws_ = std::make_unique<WsStream>(fd_);
    if (std::string why = ws_->handshake(url.host_port(), deadline); !why.empty())
      return "WebSocket upgrade at " + url.text() + " failed: " + why;
  }

  IgnoreMessages none;
  while (!saw_info_) {
    if (!pump(none, 20)) return error_;
    if (Clock::now() > deadline) return "timed out waiting for INFO from " + url.text();
  }
  if (tls != nullptr) {
    if (std::string error = start_tls(url, *tls, deadline); !error.empty()) return error;
  } else if (server_requires_tls_) {
    return "server at " + url.host_port() + " requires TLS (use --tls or a tls:// URL)";
  }
  std::string connect = R"(CONNECT {"verbose":false,"pedantic":false,"lang":"cpp","version":")";
  connect += "0.1.0\",\"protocol\":1,\"headers\":true,\"no_responders\":false,\"name\":";
  connect += json_string(client_name);
  if (!url.user.empty())
    connect += ",\"user\":" + json_string(url.user) + ",\"pass\":" + json_string(url.password);
  if (!url.token.empty()) connect += ",\"auth_token\":" + json_string(url.token);
  connect += "}\r\n";
  queue(connect);
  if (!flush(none, deadline)) return error_;
  return {};
}

}  // namespace nats_bench
