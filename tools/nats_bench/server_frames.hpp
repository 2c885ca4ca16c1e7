// Zero-copy parser for what a NATS server sends a client (INFO, MSG, HMSG, PING, PONG, +OK,
// -ERR). Hands the handler views into the caller's buffer; stops at the first incomplete frame
// so the caller can keep the tail and read more.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace nats_bench {

struct MsgFrame {
  std::string_view subject;
  std::string_view sid;
  std::string_view reply;    // empty when the message has none
  std::string_view payload;  // data only: the header block of an HMSG is skipped
};

// A control line longer than this without a newline means the peer is not speaking NATS.
inline constexpr std::size_t kMaxControlLine = 64 * 1024;

struct ParseOutcome {
  std::size_t consumed = 0;     // bytes of complete frames handled
  std::size_t frame_bytes = 0;  // when stopped inside a MSG: the bytes that frame needs in all
  bool protocol_error = false;  // unparseable input; the connection is unusable
};

namespace detail {

inline bool parse_size(std::string_view text, std::size_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

// Splits `line` at single spaces into at most `max` tokens; returns how many it found, or
// max + 1 if there are more.
inline std::size_t split_args(std::string_view line, std::string_view* out, std::size_t max) {
  std::size_t n = 0;
  std::size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    if (pos == line.size()) break;
    std::size_t end = pos;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
    if (n == max) return max + 1;
    out[n++] = line.substr(pos, end - pos);
    pos = end;
  }
  return n;
}

}  // namespace detail

// Handler interface (duck-typed so the per-message call inlines):
//   void on_msg(const MsgFrame&);  void on_ping();  void on_pong();
//   void on_err(std::string_view text);  void on_info(std::string_view json);
template <class Handler>
ParseOutcome parse_server_frames(const char* data, std::size_t size, Handler& h) {
  ParseOutcome out;
  std::size_t pos = 0;
  while (pos < size) {
    const char* line_begin = data + pos;
    const auto* nl = static_cast<const char*>(std::memchr(line_begin, '\n', size - pos));
    if (nl == nullptr) {
      out.protocol_error = size - pos > kMaxControlLine;
      break;
    }
    std::size_t line_len = static_cast<std::size_t>(nl - line_begin);
    std::string_view line(line_begin, line_len);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t after_line = pos + line_len + 1;

    char c0 = line.empty() ? '\0' : line[0];
    if (c0 == 'M' || c0 == 'H') {
      bool headers = c0 == 'H';
      std::size_t op_len = headers ? 5 : 4;  // "HMSG " / "MSG "
      if (line.size() < op_len) {
        out.protocol_error = true;
        break;
      }
      std::string_view args[5];
      std::size_t n = detail::split_args(line.substr(op_len), args, 5);
      std::size_t total = 0, header_len = 0;
      MsgFrame msg;
      bool ok = false;
      if (!headers && (n == 3 || n == 4)) {
        msg.subject = args[0];
        msg.sid = args[1];
        if (n == 4) msg.reply = args[2];
        ok = detail::parse_size(args[n - 1], total);
      } else if (headers && (n == 4 || n == 5)) {
        msg.subject = args[0];
        msg.sid = args[1];
        if (n == 5) msg.reply = args[2];
        ok = detail::parse_size(args[n - 2], header_len) &&
             detail::parse_size(args[n - 1], total) && header_len <= total;
      }
      if (!ok) {
        out.protocol_error = true;
        break;
      }
      if (size - after_line < total + 2) {
        out.frame_bytes = after_line - pos + total + 2;
        break;
      }
      msg.payload = std::string_view(data + after_line + header_len, total - header_len);
      h.on_msg(msg);
      pos = after_line + total + 2;
      continue;
    }
    if (line == "PING") {
      h.on_ping();
    } else if (line == "PONG") {
      h.on_pong();
    } else if (line == "+OK") {
      // verbose acknowledgements: nothing to do
    } else if (line.starts_with("-ERR")) {
      h.on_err(line);
    } else if (line.starts_with("INFO")) {
      h.on_info(line.substr(4));
    } else {
      out.protocol_error = true;
      break;
    }
    pos = after_line;
  }
  out.consumed = pos;
  return out;
}

}  // namespace nats_bench
