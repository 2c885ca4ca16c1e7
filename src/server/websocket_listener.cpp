// The websocket port: its listener on the main loop, its TLS and origin policy, and the
// authentication its clients meet. Accepted sockets go to the workers round robin, as client
// sockets do; each worker runs the upgrade (WebSocketUpgrade) and then owns the client.
#include <sys/epoll.h>

#include <cstring>

#include "common/host_port.hpp"
#include "log/logger.hpp"
#include "server/server.hpp"
#include "server/worker.hpp"

namespace gnatsd::server {
namespace {

// nats-server has no bound when handshake_timeout is not set (its HTTP server's read
// deadline is then off); a socket that never finishes its upgrade would be held for ever, so
// gnatsd bounds it anyway.
constexpr std::chrono::milliseconds kDefaultHandshakeTimeout{10'000};
constexpr std::chrono::milliseconds kAcceptPause{100};

}  // namespace

std::shared_ptr<const auth::Authenticator> Server::make_websocket_authenticator(
    const config::Options& options) {
  const config::WebsocketOptions& ws = options.websocket;
  if (!ws.auth_override() && ws.auth_timeout == 0)
    return std::make_shared<const auth::Authenticator>(options);
  config::Options copy = options;
  if (ws.auth_override()) {
    copy.username = ws.username;
    copy.password = ws.password;
    copy.token = ws.token;
    copy.no_auth_user = ws.no_auth_user;
  }
  if (ws.auth_timeout > 0) {
    copy.auth_timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(ws.auth_timeout * 1000));
  }
  return std::make_shared<const auth::Authenticator>(copy);
}

std::shared_ptr<const auth::Authenticator> Server::websocket_authenticator() const {
  std::lock_guard lock(auth_mutex_);
  return ws_authenticator_;
}

std::uint64_t Server::admit_client() noexcept {
  num_clients_.fetch_add(1, std::memory_order_relaxed);
  total_clients_.fetch_add(1, std::memory_order_relaxed);
  return next_cid_.fetch_add(1, std::memory_order_relaxed);
}

WebSocketUpgrade::Setup Server::websocket_upgrade_setup() const {
  const config::WebsocketOptions& ws = options().websocket;
  WebSocketUpgrade::Setup setup;
  setup.policy.compression = ws.compression;
  setup.policy.tls = websocket_tls_context() != nullptr;
  setup.policy.origins = &ws_origins_;
  setup.timeout = ws.handshake_timeout.count() > 0
                      ? std::chrono::duration_cast<std::chrono::milliseconds>(ws.handshake_timeout)
                      : kDefaultHandshakeTimeout;
  if (setup.timeout.count() == 0) setup.timeout = std::chrono::milliseconds(1);
  return setup;
}

std::string Server::start_websocket() {
  const config::WebsocketOptions& ws = options_.websocket;
  const std::string host = ws.host.empty() ? std::string(protocol::kDefaultHost) : ws.host;
  if (ws.tls.enabled) {
    auto tls = net::make_server_tls_context(ws.tls);
    if (!tls.context) return ws.tls_block_at + tls.error;
    ws_tls_context_.store(tls.context.get(), std::memory_order_release);
    ws_tls_contexts_.push_back(std::move(tls.context));
  }
  ws_origins_ = websocket::OriginPolicy(ws);
  if (auto err = ws_listener_.open(host, ws.port); !err.empty()) {
    return fmt::format("Unable to listen for websocket connections: listen tcp {}: {}",
                       common::join_host_port(host, ws.port), err);
  }
  ws_port_.store(ws_listener_.port(), std::memory_order_release);
  ws_accept_handler_ =
      std::make_unique<net::CallbackHandler>([this](std::uint32_t) { accept_websockets(); });
  main_loop_.add(ws_listener_.fd(), EPOLLIN, ws_accept_handler_.get());
  const bool tls = websocket_tls_context() != nullptr;
  log::info("Listening for websocket clients on {}://{}:{}", tls ? "wss" : "ws", host,
            ws_listener_.port());
  if (!tls) log::warn("Websocket not configured with TLS. DO NOT USE IN PRODUCTION!");
  return {};
}

std::string Server::reload_websocket_tls(const config::TlsOptions& tls) {
  auto built = net::make_server_tls_context(tls);
  if (!built.context) return built.error;
  ws_tls_context_.store(built.context.get(), std::memory_order_release);
  ws_tls_contexts_.push_back(std::move(built.context));
  return {};
}

void Server::accept_websockets() {
  for (int i = 0; i < 256; ++i) {
    auto accepted = ws_listener_.accept();
    if (accepted.fd < 0) {
      if (accepted.error == EMFILE || accepted.error == ENFILE || accepted.error == ENOBUFS ||
          accepted.error == ENOMEM) {
        // Out of descriptors: stop watching the listener for a moment instead of spinning.
        log::error("Temporary Websocket Accept Error({}), sleeping {}ms",
                   std::strerror(accepted.error), kAcceptPause.count());
        main_loop_.remove(ws_listener_.fd());
        main_loop_.run_after(kAcceptPause, [this] {
          if (ws_listener_.fd() >= 0)
            main_loop_.add(ws_listener_.fd(), EPOLLIN, ws_accept_handler_.get());
        });
      }
      return;
    }
    Worker& worker = *workers_[next_worker_];
    next_worker_ = (next_worker_ + 1) % workers_.size();
    worker.adopt_websocket(accepted.fd, std::move(accepted.ip), accepted.port);
  }
}

void Server::stop_websocket_listener() {
  if (ws_listener_.fd() < 0) return;
  main_loop_.remove(ws_listener_.fd());
  ws_listener_.close();
}

}  // namespace gnatsd::server
