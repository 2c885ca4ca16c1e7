// The client's frames, decoded in place: the read buffer's frame headers are dropped and the
// (unmasked) payloads of text and binary frames moved to its front, so that the NATS parser
// reads them as if they had come over TCP. Incremental: a header or payload split across
// reads carries over. Control frames are answered here (ping → pong, close → the echo), and
// compressed messages are inflated into a side buffer. Every protocol error is nats-server's,
// with the close frame (1002 and the reason) that tells the client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "websocket/deflate.hpp"
#include "websocket/frame.hpp"

namespace gnatsd::websocket {

class FrameReader {
 public:
  struct Settings {
    bool require_mask = true;  // clients must mask (unless they asked for Nats-No-Masking)
    // Bound on an inflated message (and on what waits to be read of it): a small compressed
    // frame must not make the server allocate without limit.
    std::size_t max_inflated = 64 * 1024 * 1024;
  };
  enum class State : std::uint8_t { Open, CloseReceived, Failed };

  explicit FrameReader(Settings settings) : settings_(settings) {}

  struct Result {
    std::size_t app_bytes = 0;  // application bytes now at the front of the buffer
    std::size_t consumed = 0;   // raw bytes used; the rest must be given again later
  };
  // Decodes data[0, size). Stops early, before more application bytes, while inflated bytes
  // wait to be taken (they come first), and at a close frame or an error.
  Result decode(char* data, std::size_t size);

  State state() const noexcept { return state_; }
  // Failed: what was wrong, as nats-server words it ("mask bit missing").
  const std::string& error() const noexcept { return error_; }

  // Inflated application bytes, to be read before anything decode() produces next.
  bool has_inflated() const noexcept { return inflated_pos_ < inflated_.size(); }
  std::size_t take_inflated(char* out, std::size_t capacity);

  // Frames the server owes the client: pongs, in order of the pings.
  bool has_replies() const noexcept { return !replies_.empty(); }
  std::string take_replies();
  // The close frame to end the connection with: the echo of the client's close, or the
  // protocol error's 1002. Empty while Open.
  const std::string& close_frame() const noexcept { return close_frame_; }

 private:
  void parse_header();  // header_ complete: length and masking key
  std::size_t header_size() const noexcept;
  void fail(std::string reason);
  void on_control_frame();
  bool end_of_frame();  // payload fully read; false on an inflate error
  void unmask(char* out, const char* in, std::size_t n);

  Settings settings_;
  State state_ = State::Open;
  std::string error_;

  // The frame being read.
  unsigned char header_[kMaxFrameHeader] = {};
  std::size_t header_len_ = 0;
  bool in_header_ = true;
  Opcode opcode_ = Opcode::Continuation;
  bool final_ = false;
  bool masked_ = false;
  unsigned char mask_[4] = {};
  std::size_t mask_pos_ = 0;
  std::uint64_t remaining_ = 0;  // payload bytes of this frame still to come

  // The message being read (its frames up to the final one).
  bool message_open_ = false;  // a first frame without FIN was seen
  bool compressed_ = false;    // its first frame had RSV1

  std::string control_payload_;
  std::string replies_;
  std::string close_frame_;

  Decompressor decompressor_;
  std::string inflated_;
  std::size_t inflated_pos_ = 0;
};

}  // namespace gnatsd::websocket
