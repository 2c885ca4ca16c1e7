// Zero-copy parser for the client side of the NATS protocol (CONNECT, PUB, HPUB, SUB, UNSUB,
// PING, PONG). It hands the handler views into the caller's buffer and never copies a payload.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/parse_result.hpp"

namespace gnatsd::protocol {

struct PubFrame {
  std::string_view subject;
  std::string_view reply;      // empty when the frame has none
  std::string_view payload;    // header block (HPUB) followed by the data; excludes the CRLF
  std::size_t header_len = 0;  // bytes at the front of payload that are headers; 0 for PUB
  bool has_headers = false;    // true for HPUB
};

struct SubFrame {
  std::string_view subject;
  std::string_view queue;  // empty for a plain subscription
  std::string_view sid;
};

struct UnsubFrame {
  std::string_view sid;
  std::int64_t max_msgs = -1;  // -1: unsubscribe now; otherwise after this many deliveries
};

// Every callback returns false to stop parsing after the current frame (e.g. the session closed).
template <class H>
concept ClientFrameHandler = requires(H& h, std::string_view json, const PubFrame& pub,
                                      const SubFrame& sub, const UnsubFrame& unsub) {
  { h.on_connect(json) } -> std::same_as<bool>;
  { h.on_pub(pub) } -> std::same_as<bool>;
  { h.on_sub(sub) } -> std::same_as<bool>;
  { h.on_unsub(unsub) } -> std::same_as<bool>;
  { h.on_ping() } -> std::same_as<bool>;
  { h.on_pong() } -> std::same_as<bool>;
};

// Parses as many complete frames as `buffer` holds, calling the handler for each. Stateless:
// a frame split across reads is parsed again from its start once more bytes arrive.
template <ClientFrameHandler H>
ParseResult parse_client_frames(std::string_view buffer, const ParserLimits& limits, H& handler);

}  // namespace gnatsd::protocol

#include "protocol/client_parser_impl.hpp"
