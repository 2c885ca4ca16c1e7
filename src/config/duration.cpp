// Go duration parsing and formatting, to read and write the same text nats-server does.
#include "config/duration.hpp"

#include <cstdint>

namespace gnatsd::config {

std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool negative = false;
  if (s.front() == '-' || s.front() == '+') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return std::nullopt;
  long double total = 0;
  while (!s.empty()) {
    // Number: digits with an optional fraction.
    std::size_t i = 0;
    long double value = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value = value * 10 + (s[i] - '0');
      ++i;
      digits = true;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        value += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) return std::nullopt;
    s.remove_prefix(i);
    // Unit: required after every number (Go accepts a bare "0" only, handled above).
    std::size_t u = 0;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') ++u;
    std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    long double ns_per_unit;
    if (unit == "ns") {
      ns_per_unit = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      ns_per_unit = 1e3L;
    } else if (unit == "ms") {
      ns_per_unit = 1e6L;
    } else if (unit == "s") {
      ns_per_unit = 1e9L;
    } else if (unit == "m") {
      ns_per_unit = 60e9L;
    } else if (unit == "h") {
      ns_per_unit = 3600e9L;
    } else {
      return std::nullopt;
    }
    total += value * ns_per_unit;
    if (total > 9.2e18L) return std::nullopt;  // int64 nanoseconds overflow
  }
  auto ns = static_cast<std::int64_t>(total + 0.5L);
  return std::chrono::nanoseconds(negative ? -ns : ns);
}

namespace {

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// The time package's quoting in its errors: bytes outside printable ASCII as \xNN.
std::string time_quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte < 0x20 || byte >= 0x80) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
      continue;
    }
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

bool is_unit(std::string_view unit) noexcept {
  return unit == "ns" || unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs" ||
         unit == "ms" || unit == "s" || unit == "m" || unit == "h";
}

}  // namespace

std::string go_duration_error(std::string_view text) {
  const auto invalid = [text] { return "time: invalid duration " + time_quote(text); };
  std::string_view s = text;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  if (s.empty()) return invalid();
  while (!s.empty()) {
    if (s.front() != '.' && !is_digit(s.front())) return invalid();
    std::size_t i = 0;
    while (i < s.size() && is_digit(s[i])) ++i;
    bool digits = i > 0;
    if (i < s.size() && s[i] == '.') {
      const std::size_t fraction = ++i;
      while (i < s.size() && is_digit(s[i])) ++i;
      digits = digits || i > fraction;
    }
    if (!digits) return invalid();
    s.remove_prefix(i);
    std::size_t u = 0;
    while (u < s.size() && s[u] != '.' && !is_digit(s[u])) ++u;
    if (u == 0) return "time: missing unit in duration " + time_quote(text);
    const std::string_view unit = s.substr(0, u);
    if (!is_unit(unit)) {
      return "time: unknown unit " + time_quote(unit) + " in duration " + time_quote(text);
    }
    s.remove_prefix(u);
  }
  return invalid();  // well formed, so it overflowed
}

namespace {

// Appends v / 10^prec with trailing zeros of the fraction dropped, as Go's fmtFrac+fmtInt.
void append_fraction(std::string& out, std::uint64_t v, int prec) {
  std::string frac;
  bool printed = false;
  for (int i = 0; i < prec; ++i) {
    int digit = static_cast<int>(v % 10);
    printed = printed || digit != 0;
    if (printed) frac.insert(frac.begin(), static_cast<char>('0' + digit));
    v /= 10;
  }
  out += std::to_string(v);
  if (printed) out += "." + frac;
}

}  // namespace

std::string format_go_duration(std::chrono::nanoseconds d) {
  std::int64_t n = d.count();
  if (n == 0) return "0s";
  std::string out;
  bool negative = n < 0;
  std::uint64_t u =
      negative ? static_cast<std::uint64_t>(-(n + 1)) + 1 : static_cast<std::uint64_t>(n);
  if (u < 1'000'000'000ULL) {
    // Sub-second: the largest unit that keeps a non-zero integer part.
    if (u < 1'000ULL) {
      out = std::to_string(u) + "ns";
    } else if (u < 1'000'000ULL) {
      append_fraction(out, u, 3);
      out += "µs";
    } else {
      append_fraction(out, u, 6);
      out += "ms";
    }
  } else {
    std::uint64_t seconds_part_ns = u % 60'000'000'000ULL;  // seconds with fraction, in ns
    std::uint64_t minutes = u / 60'000'000'000ULL;
    std::string secs;
    append_fraction(secs, seconds_part_ns, 9);
    out = secs + "s";
    if (minutes > 0) {
      std::uint64_t hours = minutes / 60;
      out = std::to_string(minutes % 60) + "m" + out;
      if (hours > 0) out = std::to_string(hours) + "h" + out;
    }
  }
  return negative ? "-" + out : out;
}

}  // namespace gnatsd::config
