// Splitting and checking permission entries ("subject" or "subject queue").
#include "auth/permission_entry.hpp"

#include <cstddef>
#include <vector>

#include <fmt/format.h>

#include "common/go_quote.hpp"
#include "subjects/subject.hpp"

namespace gnatsd::auth {
namespace {

// The length of the white-space character at `at` by Go's unicode.IsSpace (which
// strings.Fields uses), or 0. Matching the UTF-8 bytes directly gives the same answer as
// decoding runes first: none of these sequences can start inside another character.
std::size_t space_length(std::string_view text, std::size_t at) noexcept {
  const auto byte = [&](std::size_t i) {
    return at + i < text.size() ? static_cast<unsigned char>(text[at + i]) : 0u;
  };
  switch (byte(0)) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
      return 1;
    case 0xC2:  // U+0085 NEL, U+00A0 NO-BREAK SPACE
      return byte(1) == 0x85 || byte(1) == 0xA0 ? 2 : 0;
    case 0xE1:  // U+1680 OGHAM SPACE MARK
      return byte(1) == 0x9A && byte(2) == 0x80 ? 3 : 0;
    case 0xE2:
      // U+2000..U+200A, U+2028, U+2029, U+202F; U+205F
      if (byte(1) == 0x80) {
        const unsigned c = byte(2);
        return (c >= 0x80 && c <= 0x8A) || c == 0xA8 || c == 0xA9 || c == 0xAF ? 3 : 0;
      }
      return byte(1) == 0x81 && byte(2) == 0x9F ? 3 : 0;
    case 0xE3:
      // U+3000 IDEOGRAPHIC SPACE
      return byte(1) == 0x80 && byte(2) == 0x80 ? 3 : 0;
    default:
      return 0;
  }
}

// Up to three fields are collected: enough to tell "one or two" from "more".
std::vector<std::string_view> fields(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size() && out.size() < 3) {
    if (const std::size_t n = space_length(text, i); n > 0) {
      i += n;
      continue;
    }
    const std::size_t start = i;
    while (i < text.size() && space_length(text, i) == 0) ++i;
    out.push_back(text.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::optional<PermissionEntry> split_permission_entry(std::string_view entry) {
  const auto parts = fields(entry);
  if (parts.empty() || parts.size() > 2) return std::nullopt;
  return PermissionEntry{parts[0], parts.size() == 2 ? parts[1] : std::string_view{}};
}

std::optional<std::string> permission_entry_error(std::string_view entry) {
  if (subjects::is_valid_subject(entry)) return std::nullopt;
  const auto parts = fields(entry);
  // The whole entry is named unless it has a queue, then just its subject.
  // Go's %q quoting: a tab shows as \t.
  if (parts.size() != 2)
    return fmt::format("subject {} is not a valid subject", common::go_quote(entry));
  if (!subjects::is_valid_subject(parts[0])) {
    return fmt::format("subject {} is not a valid subject", common::go_quote(parts[0]));
  }
  return std::nullopt;
}

}  // namespace gnatsd::auth
