// Template body of parse_client_frames (declared in client_parser.hpp): one pass over whole
// frames, views into the caller's buffer, no allocation unless a frame is rejected.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/go_quote.hpp"

namespace gnatsd::protocol {
namespace parser_detail {

// Values that mirror nats-server's parser (server/util.go parseSize, server/const.go).
inline constexpr std::size_t kMaxSizeDigits = 9;      // parseSize rejects longer numbers ("999M")
inline constexpr std::size_t kProtoSnippetSize = 32;  // PROTO_SNIPPET_SIZE
inline constexpr std::size_t kControlLineSnippetSize = 128;  // MAX_CONTROL_LINE_SNIPPET_SIZE
inline constexpr std::size_t kPubMaxArgs = 3;                // subject [reply] size
inline constexpr std::size_t kHpubMaxArgs = 4;               // subject [reply] hdr total
inline constexpr std::size_t kSubMaxArgs = 3;                // subject [queue] sid
inline constexpr std::size_t kUnsubMaxArgs = 2;              // sid [max]

// +OK, INFO and -ERR are server-to-client ops, but nats-server's client parser accepts them
// too: +OK and INFO are ignored, -ERR closes the connection.
enum class Op : std::uint8_t { Pub, Hpub, Sub, Unsub, Ping, Pong, Connect, Info, Ok, Err };

enum class ScanStatus : std::uint8_t { Found, NeedMore, Invalid };

struct OpScan {
  ScanStatus status = ScanStatus::Invalid;
  Op op = Op::Ping;
  std::size_t name_len = 0;  // bytes of the op name (Found)
  std::size_t bad_at = 0;    // offset of the byte that cannot belong to any op (Invalid)
};

// Clearing bit 5 upper-cases ASCII letters and maps no other byte onto 'A'..'Z', so comparing
// the result with an upper-case letter is an exact case-insensitive match.
constexpr char upper(char c) {
  return static_cast<char>(c & ~0x20);
}

constexpr bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// Whether an op needs a space/tab right after its name (nats-server's OP_xxx -> OP_xxx_SPC
// step): "PUB\r\n" and "UNSUB\r\n" are unknown ops, not bad arguments.
constexpr bool needs_separator(Op op) {
  return op == Op::Pub || op == Op::Hpub || op == Op::Sub || op == Op::Unsub || op == Op::Err;
}

// PING, PONG and +OK ignore whatever follows their name up to the end of the line.
constexpr bool takes_args(Op op) {
  return op != Op::Ping && op != Op::Pong && op != Op::Ok;
}

// Matches the rest of `name` (upper case; byte 0 already matched by the caller) against p.
template <std::size_t N>
inline OpScan match_name(const char* p, std::size_t avail, Op op, const char (&name)[N]) {
  constexpr std::size_t kLen = N - 1;
  for (std::size_t i = 1; i < kLen; ++i) {
    if (i >= avail) return {ScanStatus::NeedMore, op, kLen, 0};
    if (upper(p[i]) != name[i]) return {ScanStatus::Invalid, op, kLen, i};
  }
  if (needs_separator(op)) {
    if (kLen >= avail) return {ScanStatus::NeedMore, op, kLen, 0};
    if (!is_blank(p[kLen])) return {ScanStatus::Invalid, op, kLen, kLen};
  }
  return {ScanStatus::Found, op, kLen, 0};
}

// Identifies the op at the start of a line from its first `avail` bytes (avail >= 1). Like
// nats-server, a byte that cannot continue any op name is an error at once, even before the
// line is complete.
inline OpScan scan_op(const char* p, std::size_t avail) {
  const char c = p[0];
  // '+' and '-' are compared raw: upper() would map '\v' and '\r' onto them.
  if (c == '+') return match_name(p, avail, Op::Ok, "+OK");
  if (c == '-') return match_name(p, avail, Op::Err, "-ERR");
  switch (upper(c)) {
    case 'P':
      if (avail < 2) return {ScanStatus::NeedMore, Op::Pub, 0, 0};
      switch (upper(p[1])) {
        case 'U':
          return match_name(p, avail, Op::Pub, "PUB");
        case 'I':
          return match_name(p, avail, Op::Ping, "PING");
        case 'O':
          return match_name(p, avail, Op::Pong, "PONG");
        default:
          return {ScanStatus::Invalid, Op::Pub, 0, 1};
      }
    case 'H':
      return match_name(p, avail, Op::Hpub, "HPUB");
    case 'S':
      return match_name(p, avail, Op::Sub, "SUB");
    case 'U':
      return match_name(p, avail, Op::Unsub, "UNSUB");
    case 'C':
      return match_name(p, avail, Op::Connect, "CONNECT");
    case 'I':
      return match_name(p, avail, Op::Info, "INFO");
    default:
      return {ScanStatus::Invalid, Op::Pub, 0, 0};
  }
}

// Offset of the argument after the op name and the blanks that follow it (nats-server's
// OP_xxx_SPC states skip spaces and tabs; they never count towards max_control_line).
inline std::size_t skip_blanks(const char* p, std::size_t from, std::size_t end) {
  while (from < end && is_blank(p[from])) ++from;
  return from;
}

// End of the token starting at p: the first separator at or after p, or `end`. Subjects are
// read 8 bytes at a time: a word with no byte below 0x21 holds no separator, so the common
// token costs a load and a mask per 8 bytes instead of a few compares per byte.
template <bool kSplitOnCr>
inline const char* token_end(const char* p, const char* const end) {
  auto is_sep = [](char c) { return c == ' ' || c == '\t' || (kSplitOnCr && c == '\r'); };
  if constexpr (std::endian::native == std::endian::little) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, sizeof word);
      // Flags bytes below 0x21; the lowest flag is always exact (later ones may be borrows).
      const std::uint64_t low = (word - kOnes * 0x21) & ~word & kHighs;
      if (low == 0) {
        p += 8;
        continue;
      }
      p += static_cast<unsigned>(std::countr_zero(low)) / 8;
      if (is_sep(*p)) return p;
      ++p;  // a control byte that is not a separator belongs to the token
    }
  }
  while (p < end && !is_sep(*p)) ++p;
  return p;
}

// Splits `arg` on runs of separators into `out`. Returns the number of tokens, stopping at
// Max + 1: callers only need to know that there are too many. PUB/HPUB split on space and tab;
// SUB/UNSUB also on '\r' (nats-server's splitArg), which only matters for stray CRs.
template <bool kSplitOnCr, std::size_t Max>
inline std::size_t split_args(std::string_view arg, std::string_view (&out)[Max]) {
  const char* p = arg.data();
  const char* const end = p + arg.size();
  std::size_t count = 0;
  auto is_sep = [](char c) { return c == ' ' || c == '\t' || (kSplitOnCr && c == '\r'); };
  while (true) {
    while (p < end && is_sep(*p)) ++p;
    if (p == end) return count;
    const char* const start = p;
    p = token_end<kSplitOnCr>(p, end);
    if (count == Max) return Max + 1;
    out[count++] = std::string_view(start, static_cast<std::size_t>(p - start));
  }
}

// nats-server's parseSize: 1 to 9 decimal digits, otherwise -1.
inline std::int64_t parse_size(std::string_view s) {
  if (s.empty() || s.size() > kMaxSizeDigits) return -1;
  std::int64_t n = 0;
  for (const char c : s) {
    const unsigned digit = static_cast<unsigned char>(c) - static_cast<unsigned>('0');
    if (digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

// Error results. They are cold: building the log text is the only allocation of the parser.
[[gnu::cold]] inline void fail_unknown_op(ParseResult& r, std::string_view buffer, std::size_t at) {
  r.error = ParseError::UnknownOp;
  r.error_log = "Client parser ERROR, i=" + std::to_string(at) + ": proto='";
  common::append_go_quoted(r.error_log, buffer.substr(at, kProtoSnippetSize));
  r.error_log += "...'";
}

[[gnu::cold]] inline void fail_bad_args(ParseResult& r, std::string_view what,
                                        std::string_view arg) {
  r.error = ParseError::BadArgs;
  r.error_log.assign(what);
  common::append_go_quoted(r.error_log, arg);
}

// A client's own -ERR line: nats-server logs "Client Error <text>" and closes, sending nothing.
[[gnu::cold]] inline void fail_client_error(ParseResult& r, std::string_view text) {
  r.error = ParseError::BadArgs;
  r.error_log = "Client Error ";
  r.error_log.append(text);
}

[[gnu::cold]] inline void fail_max_payload(ParseResult& r, std::int64_t size,
                                           std::int64_t max_payload) {
  r.error = ParseError::MaxPayload;
  r.error_log =
      "maximum payload exceeded: " + std::to_string(size) + " vs " + std::to_string(max_payload);
}

[[gnu::cold]] inline void fail_max_control_line(ParseResult& r, std::size_t max_control_line,
                                                std::string_view arg) {
  r.error = ParseError::MaxControlLine;
  r.error_log = "maximum control line exceeded: max_control_line " +
                std::to_string(max_control_line) + ", Buffer len " + std::to_string(arg.size()) +
                " (snip: ";
  common::append_go_quoted(r.error_log, arg.substr(0, kControlLineSnippetSize));
  r.error_log += "...)";
}

// nats-server limits the argument bytes it holds (argBuf). It never holds PING junk or the
// blanks after an op name, but a stateless parser must buffer the whole line until its '\n',
// so a line is also bounded at 2x max_control_line. The bound applies to complete lines as
// well, so that where the reads split a line never changes the outcome.
inline bool line_too_long(std::size_t line_bytes, std::size_t max_control_line) {
  return line_bytes > max_control_line && line_bytes - max_control_line > max_control_line;
}

// Checks a line whose '\n' has not arrived: reports an impossible op at once, and a line that
// already breaks max_control_line, so the caller never buffers an unbounded line.
inline void check_partial_line(std::string_view buffer, std::size_t pos, const ParserLimits& limits,
                               ParseResult& r) {
  const char* const line = buffer.data() + pos;
  const std::size_t avail = buffer.size() - pos;
  const OpScan scan = scan_op(line, avail);
  if (scan.status == ScanStatus::Invalid) return fail_unknown_op(r, buffer, pos + scan.bad_at);
  if (scan.status == ScanStatus::NeedMore) return;
  std::string_view arg;
  if (takes_args(scan.op)) {
    const std::size_t start = skip_blanks(line, scan.name_len, avail);
    std::size_t end = avail;
    if (end > start && line[end - 1] == '\r') --end;  // the CR of a CRLF split before its LF
    arg = std::string_view(line + start, end - start);
  }
  const std::size_t mcl = limits.max_control_line;
  if (arg.size() > mcl || line_too_long(avail, mcl)) {
    fail_max_control_line(r, mcl, arg.empty() ? std::string_view(line, avail) : arg);
  }
}

}  // namespace parser_detail

template <ClientFrameHandler H>
ParseResult parse_client_frames(std::string_view buffer, const ParserLimits& limits, H& handler) {
  using namespace parser_detail;
  ParseResult result;
  const char* const data = buffer.data();
  const std::size_t size = buffer.size();
  std::size_t pos = 0;

  while (pos < size) {
    const char* const line = data + pos;
    const std::size_t avail = size - pos;
    const auto* const lf = static_cast<const char*>(std::memchr(line, '\n', avail));
    if (lf == nullptr) {
      check_partial_line(buffer, pos, limits, result);
      break;
    }
    // The line including its '\n'. A bare '\n' ends a line as well as CRLF does.
    const std::size_t line_len = static_cast<std::size_t>(lf - line) + 1;
    std::size_t ctl_end = line_len - 1;
    if (ctl_end > 0 && line[ctl_end - 1] == '\r') --ctl_end;

    // With the '\n' inside the scanned bytes the op is either found or invalid. Clients send
    // "PUB " in upper case nearly always: one 4-byte compare spares the case-folding scan.
    const OpScan scan = (line_len > 4 && std::memcmp(line, "PUB ", 4) == 0)
                            ? OpScan{ScanStatus::Found, Op::Pub, 3, 0}
                            : scan_op(line, line_len);
    if (scan.status != ScanStatus::Found) {
      fail_unknown_op(result, buffer, pos + scan.bad_at);
      break;
    }
    const std::size_t arg_start = skip_blanks(line, scan.name_len, ctl_end);
    const std::string_view arg(line + arg_start, ctl_end - arg_start);
    if (takes_args(scan.op) && arg.size() > limits.max_control_line) {
      fail_max_control_line(result, limits.max_control_line, arg);
      break;
    }
    // The bytes before the '\n' (a CR included): what a read ending just before it would hold.
    if (line_too_long(line_len - 1, limits.max_control_line)) {
      fail_max_control_line(result, limits.max_control_line,
                            arg.empty() ? std::string_view(line, line_len - 1) : arg);
      break;
    }

    bool keep_going = true;
    switch (scan.op) {
      case Op::Pub:
      case Op::Hpub: {
        const bool headers = scan.op == Op::Hpub;
        std::string_view args[kHpubMaxArgs];
        const std::size_t n = split_args<false>(arg, args);
        PubFrame frame;
        std::int64_t header_len = 0;
        std::int64_t total_len = 0;
        if (!headers) {
          if (n != 2 && n != 3) {
            fail_bad_args(result, "processPub Parse Error: ", arg);
            break;
          }
          frame.subject = args[0];
          if (n == 3) frame.reply = args[1];
          total_len = parse_size(args[n - 1]);
          if (total_len < 0) {
            fail_bad_args(result, "processPub Bad or Missing Size: ", arg);
            break;
          }
        } else {
          if (n != 3 && n != 4) {
            fail_bad_args(result, "processHeaderPub Parse Error: ", arg);
            break;
          }
          frame.subject = args[0];
          if (n == 4) frame.reply = args[1];
          header_len = parse_size(args[n - 2]);
          total_len = parse_size(args[n - 1]);
          if (header_len < 0) {
            fail_bad_args(result, "processHeaderPub Bad or Missing Header Size: ", arg);
            break;
          }
          if (total_len < 0) {
            fail_bad_args(result, "processHeaderPub Bad or Missing Total Size: ", arg);
            break;
          }
          if (header_len > total_len) {
            // nats-server's wording, typo included.
            fail_bad_args(result, "processHeaderPub Header Size larger then TotalSize: ", arg);
            break;
          }
        }
        // Checked on the control line, before any payload arrives (a negative limit means
        // none, like nats-server's jwt.NoLimit).
        if (limits.max_payload >= 0 && total_len > limits.max_payload) {
          fail_max_payload(result, total_len, limits.max_payload);
          break;
        }
        const auto payload_len = static_cast<std::size_t>(total_len);
        const std::size_t payload_end = line_len + payload_len;  // offset of the trailing CR
        const std::size_t frame_len = payload_end + 2;
        if (avail < frame_len) {
          // nats-server rejects a wrong trailer byte as soon as it sees it.
          if (avail > payload_end && line[payload_end] != '\r') {
            fail_unknown_op(result, buffer, pos + payload_end);
          } else {
            result.pending_frame_size = frame_len;
          }
          break;
        }
        if (line[payload_end] != '\r' || line[payload_end + 1] != '\n') {
          fail_unknown_op(result, buffer, pos + payload_end + (line[payload_end] == '\r' ? 1 : 0));
          break;
        }
        frame.payload = std::string_view(line + line_len, payload_len);
        frame.header_len = static_cast<std::size_t>(header_len);
        frame.has_headers = headers;
        pos += frame_len;
        keep_going = handler.on_pub(frame);
        break;
      }
      case Op::Sub: {
        std::string_view args[kSubMaxArgs];
        const std::size_t n = split_args<true>(arg, args);
        if (n != 2 && n != 3) {
          fail_bad_args(result, "processSub Parse Error: ", arg);
          break;
        }
        SubFrame frame;
        frame.subject = args[0];
        if (n == 3) frame.queue = args[1];
        frame.sid = args[n - 1];
        pos += line_len;
        keep_going = handler.on_sub(frame);
        break;
      }
      case Op::Unsub: {
        std::string_view args[kUnsubMaxArgs];
        const std::size_t n = split_args<true>(arg, args);
        if (n != 1 && n != 2) {
          fail_bad_args(result, "processUnsub Parse Error: ", arg);
          break;
        }
        UnsubFrame frame;
        frame.sid = args[0];
        // A malformed max is not an error in nats-server: it reads as -1, i.e. no max.
        if (n == 2) frame.max_msgs = parse_size(args[1]);
        pos += line_len;
        keep_going = handler.on_unsub(frame);
        break;
      }
      case Op::Ping:
        pos += line_len;
        keep_going = handler.on_ping();
        break;
      case Op::Pong:
        pos += line_len;
        keep_going = handler.on_pong();
        break;
      case Op::Connect:
        pos += line_len;
        keep_going = handler.on_connect(arg);
        break;
      case Op::Info:
      case Op::Ok:
        // Accepted and ignored. (nats-server also parses a client's INFO JSON and closes the
        // connection when it is malformed; nothing else is done with it.)
        pos += line_len;
        break;
      case Op::Err:
        fail_client_error(result, arg);
        break;
    }
    if (result.error != ParseError::None || result.pending_frame_size != 0 || !keep_going) break;
  }
  result.consumed = pos;
  return result;
}

}  // namespace gnatsd::protocol
