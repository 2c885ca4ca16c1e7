// Tokenizer for the NATS config language, the one nats-server's conf/lex.go accepts: keys,
// scalars, maps, arrays, $variables and include directives, each with where it starts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gnatsd::config {

enum class ConfTokenKind {
  Key,         // text: the key, quotes removed
  String,      // text: the value, quotes removed and escapes applied
  Bool,        // text: as written (true/false/yes/no/on/off, any case)
  Integer,     // text: as written, size suffix included ("-1", "64MB")
  Float,       // text: as written ("0.5")
  DateTime,    // text: "2016-05-04T18:53:41Z"
  Variable,    // text: the name after '$'
  Include,     // text: the path as written; position: the `include` keyword
  ArrayStart,  // '['
  ArrayEnd,    // ']'
  MapStart,    // '{' of a value (a top-level '{' ... '}' wrapper produces no tokens)
  MapEnd,      // '}'
  Eof,
  Error,  // text: nats-server's message; position: where lexing stopped
};

struct ConfToken {
  ConfTokenKind kind;
  std::string text;
  int line = 0;    // 1-based
  int column = 0;  // 1-based byte offset within the line
};

// Lexes all of `input`. The last token is Eof, or Error when the input breaks the grammar (lexing
// stops at the first error, as in nats-server).
std::vector<ConfToken> lex_config(std::string_view input);

std::string_view to_string(ConfTokenKind kind);

}  // namespace gnatsd::config
