// RFC 6455 framing as nats-server speaks it: opcodes, close status codes, frame headers (the
// server's frames are never masked) and close frame payloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gnatsd::websocket {

enum class Opcode : std::uint8_t {
  Continuation = 0,
  Text = 1,
  Binary = 2,
  Close = 8,
  Ping = 9,
  Pong = 10,
};

inline constexpr std::uint8_t kFinalBit = 0x80;
inline constexpr std::uint8_t kRsv1Bit = 0x40;  // permessage-deflate: the message is compressed
inline constexpr std::uint8_t kMaskBit = 0x80;
inline constexpr std::size_t kMaxControlPayload = 125;
inline constexpr std::size_t kMaxFrameHeader = 14;  // 2 + 8 (length) + 4 (mask key)
// nats-server: browsers behave better with frames of at most this many bytes.
inline constexpr std::size_t kBrowserFrameSize = 4096;
// Below this many bytes per flush compression is not worth it (nats-server's threshold).
inline constexpr std::size_t kCompressThreshold = 64;

namespace close_status {
inline constexpr std::uint16_t kNormal = 1000;
inline constexpr std::uint16_t kGoingAway = 1001;
inline constexpr std::uint16_t kProtocolError = 1002;
inline constexpr std::uint16_t kNoStatus = 1005;
inline constexpr std::uint16_t kAbnormal = 1006;
inline constexpr std::uint16_t kInvalidPayload = 1007;
inline constexpr std::uint16_t kPolicyViolation = 1008;
inline constexpr std::uint16_t kMessageTooBig = 1009;
inline constexpr std::uint16_t kInternalError = 1011;
inline constexpr std::uint16_t kTlsHandshake = 1015;
}  // namespace close_status

// Writes an unmasked frame header into `out` (kMaxFrameHeader bytes of room); its length.
// `first`: the frame carries the opcode (continuation frames carry 0).
inline std::size_t write_frame_header(char* out, Opcode opcode, bool first, bool final,
                                      bool compressed, std::uint64_t length) {
  std::uint8_t b0 = first ? static_cast<std::uint8_t>(opcode) : 0;
  if (final) b0 |= kFinalBit;
  if (compressed) b0 |= kRsv1Bit;
  out[0] = static_cast<char>(b0);
  if (length <= 125) {
    out[1] = static_cast<char>(length);
    return 2;
  }
  if (length < 65536) {
    out[1] = static_cast<char>(126);
    out[2] = static_cast<char>(length >> 8);
    out[3] = static_cast<char>(length);
    return 4;
  }
  out[1] = static_cast<char>(127);
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<char>(length >> (56 - 8 * i));
  return 10;
}

// A whole control frame (ping, pong, close) with `payload` (at most 125 bytes).
inline std::string control_frame(Opcode opcode, std::string_view payload) {
  char header[kMaxFrameHeader];
  const std::size_t n = write_frame_header(header, opcode, true, true, false, payload.size());
  std::string frame(header, n);
  frame.append(payload);
  return frame;
}

// A close frame's payload: the status, then `reason` cut to fit 125 bytes with "..." as
// nats-server does.
inline std::string close_payload(std::uint16_t status, std::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>(status >> 8));
  payload.push_back(static_cast<char>(status & 0xff));
  if (reason.size() > kMaxControlPayload - 2) {
    payload.append(reason.substr(0, kMaxControlPayload - 5));
    payload.append("...");
  } else {
    payload.append(reason);
  }
  return payload;
}

}  // namespace gnatsd::websocket
