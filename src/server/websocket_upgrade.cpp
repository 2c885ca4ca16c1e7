// The upgrade's reads and writes on the worker's loop.
#include "server/websocket_upgrade.hpp"

#include <sys/epoll.h>

#include "log/logger.hpp"
#include "net/tls_transport.hpp"
#include "server/worker.hpp"

namespace gnatsd::server {
namespace {

// A request head bigger than this is refused (431), as Go's server refuses one over its
// limit: an upgrade request is a few hundred bytes.
constexpr std::size_t kMaxRequestHead = 64 * 1024;
constexpr std::size_t kReadChunk = 4096;

}  // namespace

WebSocketUpgrade::WebSocketUpgrade(Worker& worker, std::unique_ptr<net::Transport> transport,
                                   std::string ip, int port, Setup setup)
    : worker_(worker),
      transport_(std::move(transport)),
      ip_(std::move(ip)),
      port_(port),
      setup_(setup),
      tls_(dynamic_cast<net::TlsTransport*>(transport_.get()) != nullptr) {}

WebSocketUpgrade::~WebSocketUpgrade() = default;

std::string WebSocketUpgrade::remote_address() const {
  // Go's RemoteAddr: "[::1]:port" for IPv6.
  return ip_.find(':') == std::string::npos ? fmt::format("{}:{}", ip_, port_)
                                            : fmt::format("[{}]:{}", ip_, port_);
}

void WebSocketUpgrade::start() {
  worker_.loop().add(transport_->fd(), EPOLLIN | EPOLLRDHUP, this);
  worker_.loop().run_after(setup_.timeout, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->expired();
  });
}

void WebSocketUpgrade::set_events(std::uint32_t events) {
  worker_.loop().modify(transport_->fd(), events, this);
}

void WebSocketUpgrade::on_io(std::uint32_t events) {
  if (done_) return;
  if (answered_) {
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) send_response();
    return;
  }
  read_request();
}

void WebSocketUpgrade::read_request() {
  for (int round = 0; round < 16 && !done_; ++round) {
    if (in_.size() >= kMaxRequestHead) {
      out_ = websocket::header_too_large_response();
      answered_ = true;
      send_response();
      return;
    }
    const std::size_t at = in_.size();
    in_.resize(at + kReadChunk);
    net::IoResult io = transport_->read(in_.data() + at, kReadChunk);
    in_.resize(at + (io.status == net::IoStatus::Ok ? io.bytes : 0));
    if (io.status == net::IoStatus::WouldBlock) {
      set_events(io.other_direction ? EPOLLOUT : EPOLLIN | EPOLLRDHUP);
      return;
    }
    if (io.status != net::IoStatus::Ok) {
      if (auto* tls = dynamic_cast<net::TlsTransport*>(transport_.get());
          tls != nullptr && !tls->error().empty()) {
        log::error("websocket: http: TLS handshake error from {}: {}", remote_address(),
                   tls->error());
      }
      close_now();
      return;
    }
    if (auto end = websocket::find_head_end(in_)) {
      // Bytes past the head, now or already decrypted: the client did not wait for the 101.
      const bool more = in_.size() > *end || transport_->has_buffered_input();
      answer(std::string_view(in_).substr(0, *end), more);
      return;
    }
    if (io.bytes == 0 && !transport_->has_buffered_input()) {
      // A TLS handshake step: nothing for us yet.
      set_events(EPOLLIN | EPOLLRDHUP);
      return;
    }
  }
  // Still no blank line after a full round: come back when the socket says so.
}

void WebSocketUpgrade::answer(std::string_view head, bool data_after_head) {
  head_size_ = head.size();
  outcome_ = websocket::answer_upgrade(head, data_after_head, setup_.policy);
  if (!outcome_.accepted && outcome_.log_refusal) {
    log::error("{} - websocket handshake error: {}", remote_address(), outcome_.error);
  }
  out_ = std::move(outcome_.response);
  answered_ = true;
  send_response();
}

void WebSocketUpgrade::send_response() {
  while (out_pos_ < out_.size()) {
    net::IoResult io = transport_->write(out_.data() + out_pos_, out_.size() - out_pos_);
    if (io.status == net::IoStatus::WouldBlock) {
      set_events(io.other_direction ? EPOLLIN : EPOLLOUT);
      return;
    }
    if (io.status != net::IoStatus::Ok) {
      close_now();
      return;
    }
    out_pos_ += io.bytes;
  }
  finish();
}

void WebSocketUpgrade::finish() {
  if (!outcome_.accepted) {
    if (!outcome_.keep_alive) {
      close_now();
      return;
    }
    // Another request may follow on this connection (within the same handshake timeout).
    in_.erase(0, head_size_);
    out_.clear();
    out_pos_ = 0;
    answered_ = false;
    outcome_ = {};
    set_events(EPOLLIN | EPOLLRDHUP);
    if (auto end = websocket::find_head_end(in_)) {
      answer(std::string_view(in_).substr(0, *end), in_.size() > *end);
    }
    return;
  }
  done_ = true;
  worker_.loop().remove(transport_->fd());
  worker_.start_websocket_client(this, std::move(transport_), std::move(ip_), port_,
                                 std::move(outcome_));
}

void WebSocketUpgrade::close_now() {
  if (done_) return;
  done_ = true;
  worker_.loop().remove(transport_->fd());
  transport_->shutdown_write();
  transport_.reset();
  worker_.end_websocket_upgrade(this);
}

void WebSocketUpgrade::expired() {
  if (done_) return;
  // nats-server's HTTP server read deadline: the connection just goes.
  log::debug("{} - websocket handshake timeout", remote_address());
  close_now();
}

void WebSocketUpgrade::abort() {
  close_now();
}

}  // namespace gnatsd::server
