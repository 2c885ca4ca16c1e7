// A connection's TLS side: handshake start and timeout, its outcome in nats-server's log lines,
// refusing plaintext peers, and the read/write direction changes TLS brings. The plaintext path
// never comes here: every entry point is behind `if (tls_)`.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "log/logger.hpp"
#include "net/tls_transport.hpp"
#include "protocol/constants.hpp"
#include "server/connection.hpp"

namespace gnatsd::server {
namespace {

// "host:port" of the socket's own end, as Go prints it in network errors ("[::1]:4222" for v6).
std::string local_address(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET6) {
    const auto* a6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
      inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], host, sizeof host);
      return fmt::format("{}:{}", host, ntohs(a6->sin6_port));
    }
    inet_ntop(AF_INET6, &a6->sin6_addr, host, sizeof host);
    return fmt::format("[{}]:{}", host, ntohs(a6->sin6_port));
  }
  const auto* a4 = reinterpret_cast<const sockaddr_in*>(&addr);
  inet_ntop(AF_INET, &a4->sin_addr, host, sizeof host);
  return fmt::format("{}:{}", host, ntohs(a4->sin_port));
}

std::string remote_address(const std::string& ip, int port) {
  return ip.find(':') == std::string::npos ? fmt::format("{}:{}", ip, port)
                                           : fmt::format("[{}]:{}", ip, port);
}

}  // namespace

std::string_view Connection::route_label() const {
  // nats-server names the kind in TLS errors of routes ("TLS route handshake error").
  return kind_name() == "route" ? "route " : "";
}

void Connection::begin_tls_handshake() {
  // Client ports: INFO is already queued in plaintext; the client answers it with its
  // ClientHello. Routes: TLS comes first, and the dialler speaks first.
  if (kind_name() == "client") {
    log::debug("{} - Starting TLS client connection handshake", describe());
  } else {
    log::debug("{} - Starting TLS {} {} handshake", describe(), kind_name(),
               tls_->is_client() ? "client" : "server");
  }
  tls_handshake_pending_ = true;
  worker_.loop().run_after(tls_timeout(), [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->tls_handshake_expired();
  });
  if (tls_->is_client()) handle_readable();  // sends the ClientHello
}

void Connection::tls_handshake_expired() {
  if (closed_ || !tls_handshake_pending_) return;
  // nats-server's handshake read deadline fires first, then its handshake timer.
  log::error("{} - TLS {}handshake error: read tcp {}->{}: i/o timeout", describe(), route_label(),
             local_address(transport_->fd()), remote_address(ip_, port_));
  // A client that has sent nothing at all may be a plaintext one waiting for its turn: tell it
  // why. Mid-handshake, plaintext would only garble the client's TLS.
  if (tls_->state() == net::TlsTransport::State::Greeting) {
    close_now_for_error(CloseReason::TlsHandshakeFailure, protocol::err::kSecureConnectionRequired);
  } else {
    close(CloseReason::TlsHandshakeFailure);
  }
  log::error("{} - TLS handshake timeout", describe());
}

void Connection::on_tls_read_error() {
  switch (tls_->state()) {
    case net::TlsTransport::State::NotTls:
      // A plaintext client on a TLS port (nats-server just closes; the -ERR tells it why).
      log::error("{} - TLS {}handshake error: {}", describe(), route_label(), tls_->error());
      close_now_for_error(CloseReason::TlsHandshakeFailure,
                          protocol::err::kSecureConnectionRequired);
      return;
    case net::TlsTransport::State::Failed:
      log::error("{} - TLS {}handshake error: {}", describe(), route_label(), tls_->error());
      close(CloseReason::TlsHandshakeFailure);
      return;
    default:
      close(CloseReason::ReadError);
      return;
  }
}

void Connection::on_tls_established() {
  if (!tls_->established()) return;
  tls_handshake_pending_ = false;
  outbound_.lock()->tls = {tls_->version(), tls_->cipher_suite()};
  log::debug("{} - TLS handshake complete", describe());
  log::debug("{} - TLS version {}, cipher suite {}", describe(), tls_->version(),
             tls_->cipher_suite());
}

void Connection::after_tls_read(bool drained) {
  if (closed_) return;
  if (tls_handshake_pending_) on_tls_established();  // done, but no application data yet
  if (flush_waits_readable_ && tls_->established()) {
    flush_waits_readable_ = false;
    flush();
  }
  if (!drained) read_buffered_input();
}

void Connection::wait_writable_to_read() {
  // OpenSSL must send (a handshake flight, an alert) before it can read on: wait for EPOLLOUT.
  if (read_waits_writable_ || closed_) return;
  read_waits_writable_ = true;
  update_interest();
}

}  // namespace gnatsd::server
