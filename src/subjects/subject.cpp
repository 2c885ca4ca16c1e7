// Subject syntax checks and single-pattern matching, with nats-server's rules (server/sublist.go:
// IsValidSubject, IsValidLiteralSubject, matchLiteral).
#include "subjects/subject.hpp"

#include <cstddef>

namespace gnatsd::subjects {
namespace {

// The set nats-server rejects in a subject; other control bytes are accepted as it does.
constexpr bool is_subject_whitespace(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

}  // namespace

bool is_valid_subject(std::string_view subject) noexcept {
  if (subject.empty()) return false;
  bool after_full_wildcard = false;
  std::size_t token_start = 0;
  for (std::size_t i = 0; i <= subject.size(); ++i) {
    if (i == subject.size() || subject[i] == '.') {
      const std::string_view token = subject.substr(token_start, i - token_start);
      // '>' must be the last token, so any token after it is as bad as an empty one.
      if (token.empty() || after_full_wildcard) return false;
      after_full_wildcard = is_single_char_token(token, '>');
      token_start = i + 1;
    } else if (is_subject_whitespace(subject[i])) {
      return false;
    }
  }
  return true;
}

bool is_valid_subscription_subject(std::string_view subject) noexcept {
  if (subject.empty()) return false;
  std::string_view rest = subject;
  bool more = true;
  bool after_full_wildcard = false;
  while (more) {
    const std::string_view token = next_token(rest, more);
    if (token.empty() || after_full_wildcard) return false;
    after_full_wildcard = is_single_char_token(token, '>');
  }
  return true;
}

// nats-server's IsValidLiteralSubject checks only for empty and wildcard tokens, not whitespace;
// a PUB subject cannot hold a space or tab anyway because the protocol line splits on them.
bool is_valid_literal_subject(std::string_view subject) noexcept {
  std::string_view rest = subject;
  bool more = true;
  while (more) {
    const std::string_view token = next_token(rest, more);
    if (token.empty() || is_single_char_token(token, '*') || is_single_char_token(token, '>'))
      return false;
  }
  return true;
}

bool subject_matches(std::string_view pattern, std::string_view subject) noexcept {
  bool pattern_more = true;
  bool subject_more = true;
  while (pattern_more && subject_more) {
    const std::string_view p = next_token(pattern, pattern_more);
    const std::string_view s = next_token(subject, subject_more);
    if (s.empty()) return false;
    // '>' only acts as a wildcard in last position, as in the index.
    if (is_single_char_token(p, '>') && !pattern_more) return true;
    if (!is_single_char_token(p, '*') && p != s) return false;
  }
  // Both must run out together: "foo.*" does not match "foo" nor "foo.bar.baz".
  return !pattern_more && !subject_more;
}

bool has_wildcard(std::string_view subject) noexcept {
  std::string_view rest = subject;
  bool more = true;
  while (more) {
    const std::string_view token = next_token(rest, more);
    if (is_single_char_token(token, '*') || is_single_char_token(token, '>')) return true;
  }
  return false;
}

bool is_subset_match(std::string_view subject, std::string_view pattern) noexcept {
  bool subject_more = true;
  bool pattern_more = true;
  while (pattern_more) {
    if (!subject_more) return false;  // the pattern asks for more tokens than the subject has
    const std::string_view p = next_token(pattern, pattern_more);
    const std::string_view s = next_token(subject, subject_more);
    if (p.empty()) return false;
    // The pattern's '>' covers whatever is left of the subject (nats-server does not check
    // where the '>' stands).
    if (is_single_char_token(p, '>')) return true;
    // The subject's '>' stands for any number of tokens: no narrower pattern covers it.
    if (s.empty() || is_single_char_token(s, '>')) return false;
    // The subject's '*' is covered by a '*' only.
    if (is_single_char_token(s, '*')) {
      if (!is_single_char_token(p, '*')) return false;
      continue;
    }
    if (!is_single_char_token(p, '*') && p != s) return false;
  }
  return !subject_more;
}

}  // namespace gnatsd::subjects
