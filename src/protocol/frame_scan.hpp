// The protocol-independent half of a NATS frame parser: op-name matching, argument splitting,
// sizes, line bounds and the payload trailer. The client parser is built on it, and a route
// parser (RS+/RS-/RMSG) reuses it rather than copying it; every function is stateless, so a
// frame split across reads is simply scanned again once more bytes arrive.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace gnatsd::protocol::scan {

// nats-server's parseSize (server/util.go) rejects longer numbers ("999M").
inline constexpr std::size_t kMaxSizeDigits = 9;

// Clearing bit 5 upper-cases ASCII letters and maps no other byte onto 'A'..'Z', so comparing
// the result with an upper-case letter is an exact case-insensitive match.
constexpr char upper(char c) {
  return static_cast<char>(c & ~0x20);
}

constexpr bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

enum class ScanStatus : std::uint8_t { Found, NeedMore, Invalid };

// What scanning the start of a line found; Op is the parser's own enum of operations.
template <class Op>
struct OpScan {
  ScanStatus status = ScanStatus::Invalid;
  Op op{};
  std::size_t name_len = 0;  // bytes of the op name (Found)
  std::size_t bad_at = 0;    // offset of the byte that cannot belong to any op (Invalid)
};

// Matches the rest of `name` (upper case; byte 0 already matched by the caller) against p,
// case-insensitively. `needs_separator`: the op must be followed by a space or tab
// (nats-server's OP_xxx -> OP_xxx_SPC step), so "PUB\r\n" is an unknown op, not bad arguments.
template <class Op, std::size_t N>
inline OpScan<Op> match_op_name(const char* p, std::size_t avail, Op op, const char (&name)[N],
                                bool needs_separator) {
  constexpr std::size_t kLen = N - 1;
  for (std::size_t i = 1; i < kLen; ++i) {
    if (i >= avail) return {ScanStatus::NeedMore, op, kLen, 0};
    // Letters case-insensitively; '+' and '-' (RS+, LS-) exactly, as upper() would not keep them.
    const bool letter = name[i] >= 'A' && name[i] <= 'Z';
    if ((letter ? upper(p[i]) : p[i]) != name[i]) return {ScanStatus::Invalid, op, kLen, i};
  }
  if (needs_separator) {
    if (kLen >= avail) return {ScanStatus::NeedMore, op, kLen, 0};
    if (!is_blank(p[kLen])) return {ScanStatus::Invalid, op, kLen, kLen};
  }
  return {ScanStatus::Found, op, kLen, 0};
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

// nats-server limits the argument bytes it holds (argBuf). It never holds PING junk or the
// blanks after an op name, but a stateless parser must buffer the whole line until its '\n',
// so a line is also bounded at 2x max_control_line. The bound applies to complete lines as
// well, so that where the reads split a line never changes the outcome.
inline bool line_too_long(std::size_t line_bytes, std::size_t max_control_line) {
  return line_bytes > max_control_line && line_bytes - max_control_line > max_control_line;
}

// Where a frame with a payload stands: the control line (line_len bytes, its '\n' included)
// is followed by payload_len bytes and a CRLF.
enum class PayloadStatus : std::uint8_t { Complete, NeedMore, BadTrailer };

struct PayloadCheck {
  PayloadStatus status = PayloadStatus::NeedMore;
  std::size_t frame_len = 0;  // the whole frame: line, payload, CRLF
  std::size_t bad_at = 0;     // BadTrailer: offset from the line of the wrong byte
};

// nats-server rejects a wrong trailer byte as soon as it sees it, complete frame or not.
inline PayloadCheck check_payload(const char* line, std::size_t avail, std::size_t line_len,
                                  std::size_t payload_len) {
  const std::size_t payload_end = line_len + payload_len;  // offset of the trailing CR
  const std::size_t frame_len = payload_end + 2;
  if (avail < frame_len) {
    if (avail > payload_end && line[payload_end] != '\r') {
      return {PayloadStatus::BadTrailer, frame_len, payload_end};
    }
    return {PayloadStatus::NeedMore, frame_len, 0};
  }
  if (line[payload_end] != '\r' || line[payload_end + 1] != '\n') {
    return {PayloadStatus::BadTrailer, frame_len,
            payload_end + (line[payload_end] == '\r' ? 1 : 0)};
  }
  return {PayloadStatus::Complete, frame_len, 0};
}

}  // namespace gnatsd::protocol::scan
