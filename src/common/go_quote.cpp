// Go's strconv.Quote (see go_quote.hpp).
#include "common/go_quote.hpp"

#include <cstdint>

namespace gnatsd::common {
namespace {

constexpr char kHex[] = "0123456789abcdef";

struct Rune {
  std::uint32_t code_point;
  std::size_t length;  // 0: malformed
};

// The well-formed UTF-8 sequence of 2..4 bytes starting at text[i], or length 0 (as Go's
// utf8.DecodeRuneInString, which then consumes one byte).
Rune decode_rune(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t lead = byte(i);
  std::size_t len;
  std::uint32_t cp;
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    cp = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    cp = lead & 0x07;
  } else {
    return {0, 0};
  }
  if (i + len > text.size()) return {0, 0};
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and out-of-range code points are malformed.
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return {0, 0};
  }
  return {cp, len};
}

// Go's unicode.IsPrint for a well-formed rune >= U+0080: letters, marks, numbers,
// punctuation and symbols, but no spaces other than ASCII's, controls, format characters,
// private use or noncharacters.
bool is_printable(std::uint32_t cp) {
  struct Range {
    std::uint32_t first, last;
  };
  static constexpr Range kNotPrintable[] = {
      {0x0080, 0x00A0},     // C1 controls, no-break space
      {0x00AD, 0x00AD},     // soft hyphen
      {0x0600, 0x0605},     // Arabic number signs
      {0x061C, 0x061C},     // Arabic letter mark
      {0x06DD, 0x06DD},     // Arabic end of ayah
      {0x070F, 0x070F},     // Syriac abbreviation mark
      {0x0890, 0x0891},     // Arabic pound and piastre marks above
      {0x08E2, 0x08E2},     // Arabic disputed end of ayah
      {0x1680, 0x1680},     // Ogham space mark
      {0x180E, 0x180E},     // Mongolian vowel separator
      {0x2000, 0x200F},     // spaces, zero-width characters, direction marks
      {0x2028, 0x202F},     // line and paragraph separators, embeddings, narrow no-break space
      {0x205F, 0x206F},     // medium mathematical space, word joiner, invisible operators,
                            // isolates, deprecated format characters
      {0x3000, 0x3000},     // ideographic space
      {0xE000, 0xF8FF},     // private use
      {0xFDD0, 0xFDEF},     // noncharacters
      {0xFEFF, 0xFEFF},     // zero-width no-break space (BOM)
      {0xFFF9, 0xFFFB},     // interlinear annotation
      {0x110BD, 0x110BD},   // Kaithi number sign
      {0x110CD, 0x110CD},   // Kaithi number sign above
      {0x13430, 0x1343F},   // Egyptian hieroglyph format controls
      {0x1BCA0, 0x1BCA3},   // shorthand format controls
      {0x1D173, 0x1D17A},   // musical symbol format controls
      {0xE0000, 0xE007F},   // tags
      {0xF0000, 0x10FFFF},  // supplementary private use
  };
  if ((cp & 0xFFFE) == 0xFFFE) return false;  // U+xFFFE and U+xFFFF are noncharacters
  for (const Range& range : kNotPrintable) {
    if (cp < range.first) return true;  // sorted
    if (cp <= range.last) return false;
  }
  return true;
}

void append_hex(std::string& out, std::uint32_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out.push_back(kHex[(value >> shift) & 0xF]);
}

}  // namespace

void append_go_quoted(std::string& out, std::string_view text) {
  out.push_back('"');
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const Rune rune = decode_rune(text, i);
      if (rune.length == 0) {
        out += "\\x";
        append_hex(out, c, 2);
        ++i;
      } else if (is_printable(rune.code_point)) {
        out.append(text.substr(i, rune.length));
        i += rune.length;
      } else {
        const bool short_form = rune.code_point < 0x10000;
        out += short_form ? "\\u" : "\\U";
        append_hex(out, rune.code_point, short_form ? 4 : 8);
        i += rune.length;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\x";
          append_hex(out, c, 2);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

std::string go_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_go_quoted(out, text);
  return out;
}

}  // namespace gnatsd::common
