// A WebSocket client connection as a Transport: reads give the NATS bytes inside the client's
// frames (FrameReader), writes wrap the session's outbound bytes in binary frames, compressed
// when permessage-deflate was negotiated. Under it, the TCP or TLS transport the upgrade came
// over. The client session above is the same as for a TCP client.
//
// Loop thread only (the owner's): another worker never writes a WebSocket connection, since
// frames and control replies are interleaved here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "net/transport.hpp"
#include "websocket/deflate.hpp"
#include "websocket/frame_reader.hpp"

namespace gnatsd::websocket {

struct TransportSettings {
  bool compress = false;                 // permessage-deflate was negotiated
  bool require_mask = true;              // false when the client asked for Nats-No-Masking
  bool browser = false;                  // User-Agent "Mozilla/...": frames of at most 4 KB
  bool no_compressed_fragments = false;  // Safari: a compressed message is one frame
  std::size_t max_inflated = 64 * 1024 * 1024;
};

class WebSocketTransport final : public net::Transport {
 public:
  WebSocketTransport(std::unique_ptr<net::Transport> inner, TransportSettings settings);
  ~WebSocketTransport() override;

  net::IoResult read(char* buffer, std::size_t capacity) override;
  net::IoResult write(const char* data, std::size_t size) override;
  // Sends what is owed and the close frame (best effort, never blocking), then half-closes.
  void shutdown_write() override;
  int fd() const noexcept override { return inner_->fd(); }
  bool has_buffered_input() const noexcept override;
  bool has_pending_output() const noexcept override {
    return !owed_.empty() || (frame_left_ == 0 && !replies_.empty());
  }
  net::IoResult flush_pending() override;
  std::string_view read_error() const noexcept override { return reader_.error(); }
  bool writable_from_other_threads() const noexcept override { return false; }

  // The close frame that will end the connection (status, reason); the first one set wins,
  // and the client's own close (echoed) comes before any.
  void set_close(std::uint16_t status, std::string_view reason);
  net::Transport& inner() noexcept { return *inner_; }

 private:
  // Writes owed_ (a frame's header or compressed bytes, control frames); Ok once all went.
  net::IoResult drain_owed();
  // At a frame boundary: control replies go out before the next data frame.
  void take_replies();
  net::IoResult write_compressed(const char* data, std::size_t size);
  net::IoResult write_frames(const char* data, std::size_t size);

  std::unique_ptr<net::Transport> inner_;
  TransportSettings settings_;
  FrameReader reader_;
  // Raw input a decode left for later (it stopped for inflated bytes), read before the socket.
  std::string unread_;
  std::size_t unread_pos_ = 0;
  bool end_reported_ = false;

  // Output: bytes that must go out before anything new, and how much of the current
  // uncompressed frame's payload is still to come from the caller's next write.
  std::string owed_;
  std::size_t owed_pos_ = 0;
  std::uint64_t frame_left_ = 0;
  std::string replies_;
  std::string close_frame_;
  Compressor compressor_;
  std::string compressed_;
};

}  // namespace gnatsd::websocket
