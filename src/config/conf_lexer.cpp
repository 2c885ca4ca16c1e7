// A recursive-descent tokenizer that accepts what nats-server's conf/lex.go accepts and reports
// its errors with the same texts. Comments are dropped: nothing downstream needs them.
#include "config/conf_lexer.hpp"

#include <cstddef>
#include <utility>

namespace gnatsd::config {
namespace {

constexpr int kEof = -1;
// nats-server has no limit; this one only keeps a hostile file from exhausting the stack.
constexpr int kMaxNesting = 256;

// Where key/value pairs live; the scope decides what may end a value and what EOF means.
enum class Scope {
  Top,    // the file itself
  Block,  // a top-level `{ ... }` wrapper (JSON-style configs): keys land in the top level
  Map,    // a map value
};

bool is_digit(int c) {
  return c >= '0' && c <= '9';
}
bool is_hex(int c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_blank(int c) {
  return c == ' ' || c == '\t';
}
bool is_newline(int c) {
  return c == '\n' || c == '\r';
}

// Size suffixes of "convenient" integers: k, m, g, t, p, e (then optional b/i letters).
bool is_size_suffix(int c) {
  switch (c) {
    case 'k':
    case 'K':
    case 'm':
    case 'M':
    case 'g':
    case 'G':
    case 't':
    case 'T':
    case 'p':
    case 'P':
    case 'e':
    case 'E':
      return true;
    default:
      return false;
  }
}

// What may follow an integer. nats-server's list lacks ']', which makes `[1, 2]` lex "2]" as a
// string and then fail; accepting it costs no working config.
bool ends_number(int c) {
  return c == kEof || is_newline(c) || is_blank(c) || c == '}' || c == ']' || c == ';' || c == ',';
}

// What ends an unquoted string value (a single quote ends it too, and is dropped).
bool ends_bare_string(int c) {
  return c == kEof || is_newline(c) || is_blank(c) || c == ';' || c == ',' || c == ']' || c == '}';
}

bool is_bool_word(std::string_view s) {
  std::string lower(s);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower == "true" || lower == "false" || lower == "yes" || lower == "no" || lower == "on" ||
         lower == "off";
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  std::vector<ConfToken> run() {
    if (lex_body(Scope::Top, 0)) emit(ConfTokenKind::Eof, "", mark());
    return std::move(tokens_);
  }

 private:
  struct Mark {
    std::size_t offset;
    int line;
    int column;
  };

  // ---- cursor ----

  int peek(std::size_t ahead = 0) const {
    return pos_ + ahead < in_.size() ? static_cast<unsigned char>(in_[pos_ + ahead]) : kEof;
  }

  void advance() {
    if (pos_ >= in_.size()) return;
    if (in_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }

  Mark mark() const { return {pos_, line_, static_cast<int>(pos_ - line_start_) + 1}; }

  // Byte length of the Unicode white space (Go's unicode.IsSpace) at the cursor, 0 if none.
  // nats-server skips all of these between keys, so a pasted no-break space must not break a key.
  std::size_t unicode_space_length() const {
    int c = peek();
    if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
    int c1 = peek(1);
    if (c == 0xC2 && (c1 == 0x85 || c1 == 0xA0)) return 2;
    int c2 = peek(2);
    if (c == 0xE1 && c1 == 0x9A && c2 == 0x80) return 3;
    if (c == 0xE2 && c1 == 0x80 &&
        ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF)) {
      return 3;
    }
    if (c == 0xE2 && c1 == 0x81 && c2 == 0x9F) return 3;
    if (c == 0xE3 && c1 == 0x80 && c2 == 0x80) return 3;
    return 0;
  }

  void skip_unicode_space() {
    for (std::size_t n = unicode_space_length(); n > 0; n = unicode_space_length()) {
      for (; n > 0; --n) advance();
    }
  }

  void skip_blanks() {
    while (is_blank(peek())) advance();
  }

  bool at_comment() const { return peek() == '#' || (peek() == '/' && peek(1) == '/'); }

  // A comment runs to the end of the line; the new line itself is left for the caller.
  void skip_comment() {
    while (peek() != kEof && !is_newline(peek())) advance();
  }

  // The character at the cursor as nats-server prints it in errors (a whole UTF-8 sequence).
  std::string current_char() const {
    int c = peek();
    if (c == kEof) return "EOF";
    if (c == '\n') return "\\n";
    std::size_t length = 1;
    if (c >= 0xF0) {
      length = 4;
    } else if (c >= 0xE0) {
      length = 3;
    } else if (c >= 0xC0) {
      length = 2;
    }
    return std::string(in_.substr(pos_, length));
  }

  // ---- output ----

  void emit(ConfTokenKind kind, std::string text, const Mark& at) {
    tokens_.push_back(ConfToken{kind, std::move(text), at.line, at.column});
  }

  // Records the error at the cursor and stops lexing: every caller returns false right away.
  bool fail(std::string message) {
    emit(ConfTokenKind::Error, std::move(message), mark());
    return false;
  }

  // ---- grammar ----

  // Key/value pairs until the scope ends: EOF for the top level, '}' for blocks and maps.
  bool lex_body(Scope scope, int depth) {
    for (;;) {
      skip_unicode_space();
      int c = peek();
      if (c == kEof) {
        if (scope == Scope::Map) return fail("Unexpected EOF processing map.");
        // A top-level '{' still open at EOF is accepted, as nats-server does.
        return true;
      }
      if (at_comment()) {
        skip_comment();
        continue;
      }
      if (c == '/') {
        // nats-server drops a lone '/' before a map key, and fails on it elsewhere.
        if (scope != Scope::Map) return fail("Unexpected EOF.");
        advance();
        continue;
      }
      if (c == '}') {
        if (scope == Scope::Map) {
          emit(ConfTokenKind::MapEnd, "", mark());
          advance();
          return true;
        }
        if (scope == Scope::Block) {
          advance();
          return true;
        }
        // At the top level a stray '}' is read as a key, as nats-server does: the parser lets a
        // final "}" key pass, which is how a JSON file with one brace too many still loads.
      }
      if (c == '{' && scope != Scope::Map) {
        // JSON-style wrapper: its keys belong to the enclosing level.
        if (depth >= kMaxNesting) return fail("Maximum nesting depth exceeded.");
        advance();
        if (!lex_body(Scope::Block, depth + 1)) return false;
        continue;
      }
      if (c == ':' || c == '=') {
        std::string message = "Unexpected key separator '" + current_char() + "'";
        if (scope == Scope::Map) message += '.';
        return fail(std::move(message));
      }
      if (c == ']' && scope == Scope::Map) return fail("Unexpected array end ']' processing map.");
      if (!lex_entry(scope, depth)) return false;
      if (!lex_entry_end(scope)) return false;
    }
  }

  // One `key value` (separator ':', '=' or white space) or one `include path`.
  bool lex_entry(Scope scope, int depth) {
    const Mark key_mark = mark();
    std::string key;
    const int first = peek();
    if (first == '"' || first == '\'') {
      // Quoted keys take everything up to the closing quote, escapes included, verbatim.
      advance();
      const std::size_t start = pos_;
      while (peek() != first) {
        if (peek() == kEof) {
          if (scope != Scope::Map) return fail("Unexpected EOF.");
          return fail(first == '"' ? "Unexpected EOF processing double quoted map key."
                                   : "Unexpected EOF processing quoted map key.");
        }
        advance();
      }
      key.assign(in_.substr(start, pos_ - start));
      advance();
    } else {
      // A bare key runs to white space or a separator; its first character is taken whatever
      // it is, so `a,b` or `[x` are keys too.
      const std::size_t start = pos_;
      advance();
      for (;;) {
        int c = peek();
        if (c == kEof) {
          if (scope == Scope::Map) return fail("Unexpected EOF processing map key.");
          break;
        }
        if (c == ':' || c == '=' || unicode_space_length() > 0) break;
        advance();
      }
      key.assign(in_.substr(start, pos_ - start));
      // `include` is a directive only when white space follows it: `include: x` is a key.
      if (unicode_space_length() > 0 && equals_ignoring_case(key, "include")) {
        return lex_include(key_mark);
      }
    }
    emit(ConfTokenKind::Key, key, key_mark);

    // The separator is optional and may sit on a later line than the key.
    skip_unicode_space();
    bool separator = false;
    if (peek() == ':' || peek() == '=') {
      advance();
      separator = true;
    }
    if (scope == Scope::Map) {
      // Inside a map the value may start on a later line even after ':'.
      skip_unicode_space();
      if (peek() == kEof) return fail("Unexpected EOF processing map.");
      if (peek() == ',') return fail("Unexpected map value terminator ','.");
      if (peek() == '}') return fail("Expected a value for key '" + key + "' but got '}'.");
    } else if (!separator && peek() == kEof) {
      // A key alone at the end of the file: the parser reports "config is invalid".
      return true;
    }
    return lex_value(depth);
  }

  // After `include` and white space: a quoted or bare path on the same line.
  bool lex_include(const Mark& keyword) {
    skip_blanks();
    const int c = peek();
    std::string path;
    if (c == '"' || c == '\'') {
      advance();
      const std::size_t start = pos_;
      while (peek() != c) {
        if (peek() == kEof) {
          return fail(c == '"' ? "Unexpected EOF in double quoted include"
                               : "Unexpected EOF in quoted include");
        }
        advance();
      }
      path.assign(in_.substr(start, pos_ - start));
      advance();
    } else {
      if (c == '[') return fail("Expected include value but found start of an array");
      if (c == '{') return fail("Expected include value but found start of a map");
      if (c == '(') return fail("Expected include value but found start of a block");
      if (is_digit(c) || c == '-')
        return fail("Expected include value but found start of a number");
      if (c == '\\') return fail("Expected include value but found escape sequence");
      if (is_newline(c)) return fail("Expected include value but found new line");
      if (c == kEof) return fail("Expected include value but found EOF");
      const std::size_t start = pos_;
      while (!(peek() == kEof || is_newline(peek()) || is_blank(peek()) || peek() == ';' ||
               peek() == '}' || peek() == '\'')) {
        advance();
      }
      path.assign(in_.substr(start, pos_ - start));
      if (peek() == '\'') advance();
    }
    emit(ConfTokenKind::Include, std::move(path), keyword);
    return true;
  }

  // What may follow a value (or an include) before the next key.
  bool lex_entry_end(Scope scope) {
    for (;;) {
      const int c = peek();
      if (is_blank(c)) {
        advance();
        continue;
      }
      if (at_comment()) {
        skip_comment();
        continue;
      }
      if (c == '/') {
        // A lone '/' counts as a blank at the top level and as a separator inside a map.
        advance();
        if (scope == Scope::Map) return true;
        continue;
      }
      if (c == kEof) {
        if (scope == Scope::Map) return fail("Unexpected EOF processing map.");
        return true;
      }
      if (is_newline(c) || c == ';' || c == ',') {
        advance();
        return true;
      }
      if (c == '}') {
        // Maps and blocks close in lex_body; at the top level nats-server swallows a stray '}'.
        if (scope == Scope::Top) advance();
        return true;
      }
      switch (scope) {
        case Scope::Top:
          return fail(
              "Expected a top-level value to end with a new line, comment or EOF, but got '" +
              current_char() + "' instead.");
        case Scope::Block:
          return fail(
              "Expected a block-level value to end with a new line, comment or EOF, but got '" +
              current_char() + "' instead.");
        case Scope::Map:
          return fail("Expected a map value terminator ',' or a map terminator '}', but got '" +
                      current_char() + "' instead.");
      }
      return false;
    }
  }

  // A value: blanks (not new lines) may precede it.
  bool lex_value(int depth) {
    skip_blanks();
    const Mark start = mark();
    const int c = peek();
    switch (c) {
      case '[':
        if (depth >= kMaxNesting) return fail("Maximum nesting depth exceeded.");
        emit(ConfTokenKind::ArrayStart, "", start);
        advance();
        return lex_array(depth + 1);
      case '{':
        if (depth >= kMaxNesting) return fail("Maximum nesting depth exceeded.");
        emit(ConfTokenKind::MapStart, "", start);
        advance();
        return lex_body(Scope::Map, depth + 1);
      case '\'':
        return lex_raw_string(start);
      case '"':
        return lex_escaped_string(start);
      case '-':
        return lex_negative_number(start);
      case '(':
        return lex_block_string(start);
      case '.':
        return fail("Floats must start with a digit");
      case '\n':
      case '\r':
        return fail("Expected value but found new line");
      case kEof:
        // `key =` at the very end: an empty string, as nats-server does.
        emit(ConfTokenKind::String, "", start);
        return true;
      default:
        if (is_digit(c)) return lex_number(start);
        return lex_bare_string(start);
    }
  }

  // After '[': values separated by ',' or new lines; a trailing ',' is fine, an empty slot is not.
  bool lex_array(int depth) {
    for (;;) {
      skip_unicode_space();
      int c = peek();
      if (at_comment()) {
        skip_comment();
        continue;
      }
      if (c == ',' || c == '/') return fail("Unexpected array value terminator ','.");
      if (c == ']') {
        emit(ConfTokenKind::ArrayEnd, "", mark());
        advance();
        return true;
      }
      if (c == kEof) return fail("Unexpected EOF processing array.");
      if (!lex_value(depth)) return false;
      for (bool next_value = false; !next_value;) {
        c = peek();
        if (is_blank(c)) {
          advance();
        } else if (at_comment()) {
          skip_comment();
        } else if (c == ',' || c == '/' || is_newline(c)) {
          advance();
          next_value = true;
        } else if (c == ']') {
          next_value = true;
        } else if (c == kEof) {
          return fail("Unexpected EOF processing array.");
        } else {
          return fail(
              "Expected an array value terminator ',' or an array terminator ']', but got '" +
              current_char() + "' instead.");
        }
      }
    }
  }

  // '...': verbatim, new lines included, no escapes.
  bool lex_raw_string(const Mark& start) {
    advance();
    const std::size_t from = pos_;
    while (peek() != '\'') {
      if (peek() == kEof) return fail("Unexpected EOF.");
      advance();
    }
    emit(ConfTokenKind::String, std::string(in_.substr(from, pos_ - from)), start);
    advance();
    return true;
  }

  // "...": escapes applied, new lines allowed.
  bool lex_escaped_string(const Mark& start) {
    advance();
    std::string text;
    for (;;) {
      const int c = peek();
      if (c == kEof) return fail("Unexpected EOF.");
      if (c == '"') {
        advance();
        emit(ConfTokenKind::String, std::move(text), start);
        return true;
      }
      if (c == '\\') {
        advance();
        if (!lex_escape(text)) return false;
        continue;
      }
      text += static_cast<char>(c);
      advance();
    }
  }

  // After '\': nats-server knows \t \n \r \" \\ and \xHH (one raw byte); no \u.
  bool lex_escape(std::string& out) {
    const int c = peek();
    switch (c) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case 'x': {
        advance();
        std::string digits;
        for (int i = 0; i < 2; ++i) {
          if (is_newline(peek())) {
            return fail("Expected two hexadecimal digits after '\\x', but hit end of line");
          }
          if (peek() == kEof) return fail("Unexpected EOF.");
          digits += static_cast<char>(peek());
          advance();
        }
        if (!is_hex(digits[0]) || !is_hex(digits[1])) {
          return fail("Expected two hexadecimal digits after '\\x', but got '" + digits + "'");
        }
        auto nibble = [](char h) {
          if (h <= '9') return h - '0';
          if (h <= 'F') return h - 'A' + 10;
          return h - 'a' + 10;
        };
        out += static_cast<char>(nibble(digits[0]) * 16 + nibble(digits[1]));
        return true;
      }
      case kEof:
        return fail("Unexpected EOF.");
      default:
        return fail("Invalid escape character '" + current_char() +
                    "'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, "
                    "\\\", \\\\.");
    }
    advance();
    return true;
  }

  // An unquoted value. The bytes from `start` to the cursor were already read as part of a number
  // and are taken verbatim. Escapes make it a plain string; otherwise true/false/yes/no/on/off
  // make a bool and a leading '$' a variable reference.
  bool lex_bare_string(const Mark& start) {
    std::string text(in_.substr(start.offset, pos_ - start.offset));
    bool plain_string = false;
    for (;;) {
      const int c = peek();
      if (c == '\\') {
        advance();
        if (!lex_escape(text)) return false;
        plain_string = true;
        continue;
      }
      if (c == '\'') {
        // nats-server ends the value at a single quote, drops the quote and never reads the
        // value as a bool or variable.
        advance();
        plain_string = true;
        break;
      }
      if (ends_bare_string(c)) break;
      text += static_cast<char>(c);
      advance();
    }
    if (!plain_string && is_bool_word(text)) {
      emit(ConfTokenKind::Bool, std::move(text), start);
    } else if (!plain_string && !text.empty() && text[0] == '$') {
      emit(ConfTokenKind::Variable, text.substr(1), start);
    } else {
      emit(ConfTokenKind::String, std::move(text), start);
    }
    return true;
  }

  // A value starting with a digit: integer (maybe with a size suffix), float, IP-like string,
  // Zulu datetime, or a plain string such as `3xyz`, `10s` or `1Ghz`.
  bool lex_number(const Mark& start) {
    while (is_digit(peek())) advance();
    const int c = peek();
    if (c == '-') {
      if (pos_ - start.offset != 4) return fail("All ISO8601 dates must be in full Zulu form.");
      return lex_datetime(start);
    }
    if (c == '.') return lex_float_or_address(start);
    if (is_size_suffix(c)) return lex_size_suffix(start);
    if (ends_number(c)) {
      emit(ConfTokenKind::Integer, std::string(in_.substr(start.offset, pos_ - start.offset)),
           start);
      return true;
    }
    // Not a number after all: nats-server keeps this character verbatim (even '\' or a quote)
    // and reads on as an unquoted string.
    advance();
    return lex_bare_string(start);
  }

  // After '-': digits are required; unlike positive numbers, no fallback to a string.
  bool lex_negative_number(const Mark& start) {
    advance();
    if (!is_digit(peek())) {
      if (peek() == '.') return fail("Floats must start with a digit, not '.'.");
      return fail("Expected a digit but got '" + current_char() + "'.");
    }
    while (is_digit(peek())) advance();
    if (peek() == '.') return lex_float_or_address(start);
    if (is_size_suffix(peek())) return lex_size_suffix(start);
    emit(ConfTokenKind::Integer, std::string(in_.substr(start.offset, pos_ - start.offset)), start);
    return true;
  }

  // At the suffix letter: [kmgtpe] then any of b/B/i/I. Followed by anything but a value end it
  // is a string after all (`1Ghz`, `500ms`, `5e7`).
  bool lex_size_suffix(const Mark& start) {
    advance();
    while (peek() == 'b' || peek() == 'B' || peek() == 'i' || peek() == 'I') advance();
    if (ends_number(peek())) {
      emit(ConfTokenKind::Integer, std::string(in_.substr(start.offset, pos_ - start.offset)),
           start);
      return true;
    }
    return lex_bare_string(start);
  }

  // At the '.': `1.5` is a float; a second '.' makes it an address such as `127.0.0.1:4222`,
  // which nats-server returns as a string of digits, '.', ':' and '-'.
  bool lex_float_or_address(const Mark& start) {
    advance();
    if (!is_digit(peek())) {
      return fail("Floats must have a digit after the '.', but got '" + current_char() +
                  "' instead.");
    }
    while (is_digit(peek())) advance();
    if (peek() != '.') {
      emit(ConfTokenKind::Float, std::string(in_.substr(start.offset, pos_ - start.offset)), start);
      return true;
    }
    while (is_digit(peek()) || peek() == '.' || peek() == ':' || peek() == '-') advance();
    emit(ConfTokenKind::String, std::string(in_.substr(start.offset, pos_ - start.offset)), start);
    return true;
  }

  // At the '-' after four digits: the rest of YYYY-MM-DDTHH:MM:SSZ, shape only (the parser
  // checks the ranges).
  bool lex_datetime(const Mark& start) {
    advance();
    static constexpr std::string_view kShape = "00-00T00:00:00Z";  // '0' stands for any digit
    for (const char expected : kShape) {
      if (expected == '0') {
        if (!is_digit(peek())) {
          return fail("Expected digit in ISO8601 datetime, but found '" + current_char() +
                      "' instead.");
        }
      } else if (peek() != expected) {
        return fail(std::string("Expected '") + expected + "' in ISO8601 datetime, but found '" +
                    current_char() + "' instead.");
      }
      advance();
    }
    emit(ConfTokenKind::DateTime, std::string(in_.substr(start.offset, pos_ - start.offset)),
         start);
    return true;
  }

  // After '(': everything up to a ')' alone on its line (no indentation). The value keeps the new
  // line before the ')'; nats-server also keeps the ')' itself when it is the file's last byte.
  bool lex_block_string(const Mark& start) {
    advance();
    const std::size_t from = pos_;
    for (;;) {
      const int c = peek();
      if (c == kEof) return fail("Unexpected EOF processing block.");
      if (c == ')' && in_[pos_ - 1] == '\n') {
        const int after = peek(1);
        // nats-server wants "\n" or EOF after the ')'; "\r\n" is accepted too so that CRLF files
        // can close a block.
        if (after == '\n' || after == kEof || (after == '\r' && peek(2) == '\n')) {
          const std::size_t end = after == kEof ? pos_ + 1 : pos_;
          emit(ConfTokenKind::String, std::string(in_.substr(from, end - from)), start);
          advance();
          return true;
        }
      }
      advance();
    }
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
  std::vector<ConfToken> tokens_;
};

}  // namespace

std::vector<ConfToken> lex_config(std::string_view input) {
  return Lexer(input).run();
}

std::string_view to_string(ConfTokenKind kind) {
  switch (kind) {
    case ConfTokenKind::Key:
      return "Key";
    case ConfTokenKind::String:
      return "String";
    case ConfTokenKind::Bool:
      return "Bool";
    case ConfTokenKind::Integer:
      return "Integer";
    case ConfTokenKind::Float:
      return "Float";
    case ConfTokenKind::DateTime:
      return "DateTime";
    case ConfTokenKind::Variable:
      return "Variable";
    case ConfTokenKind::Include:
      return "Include";
    case ConfTokenKind::ArrayStart:
      return "ArrayStart";
    case ConfTokenKind::ArrayEnd:
      return "ArrayEnd";
    case ConfTokenKind::MapStart:
      return "MapStart";
    case ConfTokenKind::MapEnd:
      return "MapEnd";
    case ConfTokenKind::Eof:
      return "EOF";
    case ConfTokenKind::Error:
      return "Error";
  }
  return "Unknown";
}

}  // namespace gnatsd::config
