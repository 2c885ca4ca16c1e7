// One client connection speaking the NATS protocol over a non-blocking TCP socket (plain, TLS
// after the server's INFO, or inside WebSocket frames after an HTTP upgrade), driven by the
// thread that owns it. Answers the server's PING, counts PONGs (a PING/PONG round trip proves
// the server has processed everything sent before it) and turns -ERR into a failure.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server_frames.hpp"
#include "server_url.hpp"
#include "tls_client.hpp"
#include "ws_client.hpp"

namespace nats_bench {

using Clock = std::chrono::steady_clock;

// For connections that expect no messages (publishers): any MSG is counted, not parsed.
struct IgnoreMessages {
  std::uint64_t unexpected = 0;
  void on_msg(const MsgFrame&) { ++unexpected; }
};

class Connection {
 public:
  explicit Connection(std::size_t read_buffer_bytes = 1 << 20);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Blocking handshake: TCP connect, the WebSocket upgrade for a ws:// URL, INFO, the TLS
  // handshake when `tls` is given, CONNECT, then a PING/PONG round trip so that an
  // authentication or protocol error surfaces here. Returns an error text, empty on success.
  std::string open(const ServerUrl& url, const TlsClientContext* tls, std::string_view client_name,
                   Clock::time_point deadline);

  // Queues protocol text; it goes out on the next pump/flush/write_all.
  void queue(std::string_view bytes) { out_.append(bytes); }
  // (Framed WebSocket bytes the socket has not taken yet count as queued.)
  bool has_queued() const { return out_sent_ < out_.size() || (ws_ && ws_->has_pending_output()); }

  // One round of I/O: writes what is queued, reads what has arrived (waiting up to timeout_ms
  // when nothing has) and hands complete frames to h. Returns false once the connection is
  // broken or the server sent -ERR; error() says why.
  template <class H>
  bool pump(H& h, int timeout_ms);

  // Sends data[0, size) — whole frames only — servicing input meanwhile (PINGs are answered
  // after the data, never inside a frame). False on failure or when the deadline passes.
  template <class H>
  bool write_all(const char* data, std::size_t size, H& h, Clock::time_point deadline);

  // PING, then pump until the matching PONG.
  template <class H>
  bool flush(H& h, Clock::time_point deadline);

  const std::string& error() const { return error_; }
  std::size_t max_payload() const { return max_payload_; }

 private:
  template <class H>
  struct Sink {
    Connection& c;
    H& user;
    void on_msg(const MsgFrame& m) { user.on_msg(m); }
    void on_ping() { c.queue("PONG\r\n"); }
    void on_pong() { ++c.pongs_; }
    void on_err(std::string_view text) {
      if (c.error_.empty()) c.error_ = "server sent " + std::string(text);
    }
    void on_info(std::string_view json) { c.note_info(json); }
  };

  // -1: broken, or -ERR seen; 0: nothing to read; 1: read and parsed.
  template <class H>
  int read_some(H& h);
  bool write_queued();  // false: broken
  // The socket, TLS or WebSocket stream underneath. >0: bytes moved; 0: would block; -1:
  // failed (error_).
  long receive(char* buf, std::size_t len);
  long transmit(const char* data, std::size_t len);
  bool input_buffered() const {
    return (tls_ && tls_->has_buffered_input()) || (ws_ && ws_->has_buffered_input());
  }
  std::string start_tls(const ServerUrl& url, const TlsClientContext& tls,
                        Clock::time_point deadline);
  bool fail(std::string message);
  long failed(std::string message);  // fail() for receive/transmit: returns -1
  void note_info(std::string_view json);
  // Makes room for `need` more bytes after the unparsed tail.
  void make_room(std::size_t need);

  int fd_ = -1;
  std::unique_ptr<TlsStream> tls_;     // null: plain TCP
  bool tls_read_wants_write_ = false;  // rare (a TLS 1.3 KeyUpdate reply): poll for POLLOUT
  std::unique_ptr<WsStream> ws_;       // null: no WebSocket framing
  std::string out_;
  std::size_t out_sent_ = 0;
  std::vector<char> in_;
  std::size_t in_begin_ = 0, in_end_ = 0;
  std::size_t frame_need_ = 0;  // size of the incomplete frame at in_begin_, when known
  std::uint64_t pongs_ = 0;
  bool saw_info_ = false;
  bool server_offers_tls_ = false;  // INFO's tls_required or tls_available
  bool server_requires_tls_ = false;
  std::size_t max_payload_ = 1024 * 1024;
  std::string error_;
};

template <class H>
int Connection::read_some(H& h) {
  make_room(frame_need_);
  long n = receive(in_.data() + in_end_, in_.size() - in_end_);
  if (n <= 0) return n < 0 ? -1 : 0;
  in_end_ += static_cast<std::size_t>(n);
  Sink<H> sink{*this, h};
  ParseOutcome r = parse_server_frames(in_.data() + in_begin_, in_end_ - in_begin_, sink);
  in_begin_ += r.consumed;
  frame_need_ = r.frame_bytes;
  if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
  if (r.protocol_error) {
    fail("unparseable data from the server");
    return -1;
  }
  return error_.empty() ? 1 : -1;
}

template <class H>
bool Connection::pump(H& h, int timeout_ms) {
  if (!error_.empty()) return false;
  if (has_queued() && !write_queued()) return false;
  // Read first and wait only when nothing has arrived: a busy reader makes one syscall per
  // batch, not two.
  if (int got = read_some(h); got != 0) return got > 0;
  bool want_out = has_queued() || tls_read_wants_write_;
  pollfd p{fd_, static_cast<short>(POLLIN | (want_out ? POLLOUT : 0)), 0};
  int ready = ::poll(&p, 1, timeout_ms);
  if (ready < 0 && errno != EINTR) return fail(std::string("poll: ") + std::strerror(errno));
  if (ready <= 0) return true;
  if ((p.revents & POLLOUT) && has_queued() && !write_queued()) return false;
  if (p.revents & (POLLIN | POLLHUP | POLLERR | (tls_read_wants_write_ ? POLLOUT : 0)))
    return read_some(h) >= 0;
  return true;
}

template <class H>
bool Connection::write_all(const char* data, std::size_t size, H& h, Clock::time_point deadline) {
  // Anything queued (a PONG) goes first, whole, so it never lands inside a frame.
  while (has_queued()) {
    if (!pump(h, 10)) return false;
    if (Clock::now() > deadline) return fail("timed out writing to the server");
  }
  std::size_t done = 0;
  while (done < size) {
    long n = transmit(data + done, size - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0) return false;
    // The socket is full: the server is behind. Read meanwhile so its PINGs are answered.
    pollfd p{fd_, POLLIN | POLLOUT, 0};
    int ready = ::poll(&p, 1, input_buffered() ? 0 : 10);
    if (ready < 0 && errno != EINTR) return fail(std::string("poll: ") + std::strerror(errno));
    bool readable = ready > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR));
    if ((readable || input_buffered()) && read_some(h) < 0) return false;
    if (Clock::now() > deadline) return fail("timed out writing to the server");
  }
  return has_queued() ? write_queued() : error_.empty();
}

template <class H>
bool Connection::flush(H& h, Clock::time_point deadline) {
  std::uint64_t want = pongs_ + 1;
  queue("PING\r\n");
  while (pongs_ < want) {
    if (!pump(h, 20)) return false;
    if (Clock::now() > deadline) return fail("timed out waiting for PONG");
  }
  return true;
}

}  // namespace nats_bench
