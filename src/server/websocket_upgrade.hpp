// A socket accepted on the websocket port, before it is a client: the TLS handshake (wss), the
// HTTP upgrade request and its answer, within the handshake timeout, on the worker that will
// own the client. Accepted, it becomes a ClientSession over a WebSocketTransport; refused, it
// gets nats-server's HTTP error and is closed. Not a client yet: no cid, no max_connections
// slot, nothing in /connz, as with nats-server's HTTP server in front of its clients.
//
// Loop thread only.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "net/event_loop.hpp"
#include "net/transport.hpp"
#include "websocket/handshake.hpp"

namespace gnatsd::server {

class Worker;

class WebSocketUpgrade final : public net::IoHandler,
                               public std::enable_shared_from_this<WebSocketUpgrade> {
 public:
  struct Setup {
    websocket::UpgradePolicy policy;
    std::chrono::milliseconds timeout;
  };
  WebSocketUpgrade(Worker& worker, std::unique_ptr<net::Transport> transport, std::string ip,
                   int port, Setup setup);
  ~WebSocketUpgrade();
  WebSocketUpgrade(const WebSocketUpgrade&) = delete;
  WebSocketUpgrade& operator=(const WebSocketUpgrade&) = delete;

  void start();
  void on_io(std::uint32_t events) override;
  // Server shutdown: drop the connection now.
  void abort();

 private:
  void read_request();
  void answer(std::string_view head, bool data_after_head);
  void send_response();
  void finish();     // the response went: become a client, or close
  void close_now();  // closes the socket and tells the worker
  void expired();
  void set_events(std::uint32_t events);
  std::string remote_address() const;

  Worker& worker_;
  std::unique_ptr<net::Transport> transport_;
  std::string ip_;
  int port_;
  Setup setup_;
  bool tls_;
  std::string in_;
  std::size_t head_size_ = 0;  // of the request being answered
  std::string out_;
  std::size_t out_pos_ = 0;
  bool answered_ = false;
  bool done_ = false;
  websocket::UpgradeOutcome outcome_;
};

}  // namespace gnatsd::server
