// Zero-copy parser for what a cluster route receives from its peer, in nats-server 2.x's route
// protocol (../shared/spec/route-protocol.md): INFO, CONNECT, PING/PONG, +OK/-ERR, RS+/RS-
// (interest), RMSG/HMSG (messages), and the leafnode-origin forms LS+/LS-/LMSG. Built on
// frame_scan.hpp like the client parser: stateless, so a frame split across reads is parsed
// again from its start, and it hands the handler views into the caller's buffer.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/parse_result.hpp"

namespace gnatsd::protocol {

// RS+ <account> <subject>[ <queue> <weight>], or LS+ with an <origin> cluster first.
struct RouteSubFrame {
  std::string_view origin = {};  // LS+ only
  std::string_view account = {};
  std::string_view subject = {};
  std::string_view queue = {};  // empty for a plain subscription
  // The queue's member count on the peer (nats-server's parseSize: -1 when malformed; 0 means
  // no interest). 1 for a plain subscription.
  std::int64_t weight = 1;
};

// RS- <account> <subject>[ <queue>] (LS- has the same arguments).
struct RouteUnsubFrame {
  std::string_view account = {};
  std::string_view subject = {};
  std::string_view queue = {};
  // The whole argument: nats-server looks the interest up by it, byte for byte.
  std::string_view key = {};
};

// RMSG/HMSG <account> <subject> [<reply> | "|" <queues…> | "+" <reply> <queues…>] [hdr] size,
// or LMSG <origin> … (whose header size is always present, 0 for none).
struct RouteMsgFrame {
  std::string_view origin = {};  // LMSG only
  std::string_view account = {};
  std::string_view subject = {};
  std::string_view reply = {};
  // The queue groups the sender picked this server for, as received: names separated by
  // blanks (for_each_queue walks them). Empty: the message is for plain subscribers only.
  std::string_view queues = {};
  std::string_view payload = {};  // headers then data; excludes the CRLF
  std::size_t header_len = 0;
  bool has_headers = false;  // HMSG, or an LMSG with a header block
};

// Calls fn(name) for each queue name of RouteMsgFrame::queues.
template <class Fn>
void for_each_queue(std::string_view queues, Fn&& fn);

template <class H>
concept RouteFrameHandler = requires(H& h, std::string_view text, const RouteSubFrame& sub,
                                     const RouteUnsubFrame& unsub, const RouteMsgFrame& msg) {
  { h.on_info(text) } -> std::same_as<bool>;
  { h.on_connect(text) } -> std::same_as<bool>;
  { h.on_route_sub(sub) } -> std::same_as<bool>;
  { h.on_route_unsub(unsub) } -> std::same_as<bool>;
  { h.on_route_msg(msg) } -> std::same_as<bool>;
  { h.on_ping() } -> std::same_as<bool>;
  { h.on_pong() } -> std::same_as<bool>;
  { h.on_ok() } -> std::same_as<bool>;
};

// Parses as many complete frames as `buffer` holds. Errors, as nats-server treats them on a
// route: an unknown op is UnknownOp (-ERR 'Unknown Protocol Operation', close); malformed
// RS+/RS-/RMSG arguments and a peer's -ERR are BadArgs (logged, closed, no -ERR). nats-server
// has no control-line or payload limit on routes; `limits` bounds what a stateless parser
// buffers (a negative max_payload: none). SUB, UNSUB, A+ and A- are accepted and ignored.
template <RouteFrameHandler H>
ParseResult parse_route_frames(std::string_view buffer, const ParserLimits& limits, H& handler);

}  // namespace gnatsd::protocol

#include "protocol/route_parser_impl.hpp"
