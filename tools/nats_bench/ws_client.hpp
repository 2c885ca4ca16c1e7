// nats-bench's WebSocket client side (RFC 6455, ws:// URLs): the HTTP upgrade, then every byte
// out goes in masked binary frames and every byte in is taken out of the server's frames. A
// layer under Connection, as TLS is: the NATS code above it sees a plain byte stream.
// No extensions are offered (no permessage-deflate), so frames are never compressed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nats_bench {

namespace ws {

inline constexpr std::size_t kMaxHeader = 14;  // 2 + 8 (length) + 4 (mask key)
inline constexpr std::size_t kMaxControlPayload = 125;
// The payload of one outgoing data frame at most: a larger write goes out in several.
inline constexpr std::size_t kMaxFramePayload = 1 << 20;

enum Opcode : unsigned char {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// base64(SHA-1(key + the RFC's GUID)): what the server must answer in Sec-WebSocket-Accept.
std::string accept_for(std::string_view key);

// dst[i] = src[i] ^ key[i % 4], eight bytes at a time; dst may equal src.
void mask_bytes(char* dst, const char* src, std::size_t len, const unsigned char key[4]);

// Appends one masked frame (FIN set) of `opcode` carrying data[0, len) at out[at], growing out
// as needed; returns the new end.
std::size_t append_masked_frame(std::vector<char>& out, std::size_t at, Opcode opcode,
                                const char* data, std::size_t len, const unsigned char key[4]);

// Takes the payload out of a stream of server frames (unmasked), in place: frames may come
// several per read and be split anywhere. Control frames are collected whole and reported.
class Unframer {
 public:
  struct Control {
    Opcode opcode;
    std::string payload;
  };
  struct Outcome {
    std::size_t payload_bytes = 0;  // data moved to buf[0, payload_bytes)
    std::size_t consumed = 0;       // input bytes used; the rest is an incomplete frame header
    std::vector<Control> controls;  // pings, pongs and a close, in order
    std::string error;              // not a valid server frame stream
  };
  // Unframes buf[0, len) into buf[0, payload_bytes). Input after a close frame is not read.
  Outcome unframe(char* buf, std::size_t len);

 private:
  std::uint64_t payload_left_ = 0;  // of the frame being read
  bool in_control_ = false;         // ... which is a control frame collected into control_
  Control control_{kPing, {}};
};

}  // namespace ws

// The client end of one WebSocket over a connected non-blocking socket it does not own.
class WsStream {
 public:
  explicit WsStream(int fd);

  // Sends the upgrade request and checks the 101 answer (its Sec-WebSocket-Accept, no
  // extension). Returns an error text, empty on success.
  std::string handshake(const std::string& host_port,
                        std::chrono::steady_clock::time_point deadline);

  // Like recv(): payload bytes into buf (at most one recv). >0: bytes; 0: nothing yet (would
  // block, or only frame headers and control frames arrived); -1: failed or closed, error().
  // A ping is answered: its pong waits in the output (has_pending_output()).
  long read(char* buf, std::size_t len);
  // Like send(): frames data (one masked frame, up to kMaxFramePayload bytes) once what was
  // framed before has gone out. >0: bytes of data taken (their frame may still be partly
  // unsent); 0: the socket is full; -1: failed, error().
  long write(const char* data, std::size_t len);
  // Sends what is framed but not yet on the socket. 1: all sent; 0: the socket is full; -1:
  // failed.
  int drain();

  bool has_pending_output() const { return out_begin_ < out_end_; }
  // Received bytes not yet unframed (what followed the 101 in the same read).
  bool has_buffered_input() const { return carry_fresh_; }
  const std::string& error() const { return error_; }

 private:
  void next_key(unsigned char key[4]);
  void append_frame(ws::Opcode opcode, const char* data, std::size_t len);
  long fail(std::string message);

  int fd_;
  std::uint64_t rng_;      // splitmix64 state for the mask keys
  std::vector<char> out_;  // framed output, out_[out_begin_, out_end_) unsent
  std::size_t out_begin_ = 0, out_end_ = 0;
  std::string carry_;         // input bytes not yet unframed (usually an incomplete header)
  bool carry_fresh_ = false;  // ... some of which never went through the unframer
  ws::Unframer unframer_;
  std::string close_error_;  // a close frame arrived after payload; reported next read
  std::string error_;
};

}  // namespace nats_bench
