// Password redaction for CONNECT trace lines (see trace_redaction.hpp).
#include "auth/trace_redaction.hpp"

namespace gnatsd::auth {
namespace {

// Go's RE2 \s: ASCII space, \t, \n, \f, \r.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

// Where `"?\s*[:=]` matches at `at`: the position after the separator, or npos.
std::size_t separator_end(std::string_view text, std::size_t at) {
  std::size_t i = at;
  if (i < text.size() && text[i] == '"') ++i;
  while (i < text.size() && is_space(text[i])) ++i;
  if (i < text.size() && (text[i] == ':' || text[i] == '=')) return i + 1;
  return std::string_view::npos;
}

}  // namespace

std::string redact_password(std::string_view text) {
  constexpr std::string_view kKey = "pass";
  // A failed scan ends at a space (or the end), and every position before it failed as a
  // separator start; a later "pass" whose scan starts before that point ends there too and
  // fails the same way. Skipping those keeps the whole search linear.
  std::size_t failed_until = 0;
  for (std::size_t key = text.find(kKey); key != std::string_view::npos;
       key = text.find(kKey, key + 1)) {
    std::size_t at = key + kKey.size();
    if (at < failed_until) continue;
    // \S*? : the separator may start right after "pass" or after more non-space bytes.
    std::size_t sep_end = std::string_view::npos;
    for (;; ++at) {
      sep_end = separator_end(text, at);
      if (sep_end != std::string_view::npos) break;
      if (at >= text.size() || is_space(text[at])) break;
    }
    if (sep_end == std::string_view::npos) {
      failed_until = at + 1;
      continue;
    }
    std::size_t value = sep_end;
    while (value < text.size() && is_space(text[value])) ++value;
    if (value < text.size() && text[value] == '"') ++value;
    std::size_t end = value;
    while (end < text.size() && text[end] != '"' && text[end] != ',' && text[end] != '\r' &&
           text[end] != '\n' && text[end] != '}') {
      ++end;
    }
    std::string out(text.substr(0, value));
    out += "[REDACTED]";
    out += text.substr(end);
    return out;
  }
  return std::string(text);
}

}  // namespace gnatsd::auth
