// Subject syntax: tokens separated by '.', '*' matches one token, '>' one or more at the end.
#pragma once

#include <cstddef>
#include <string_view>

namespace gnatsd::subjects {

// Wildcards count only as whole tokens: "foo*" and ">bar" are literals.
constexpr bool is_single_char_token(std::string_view token, char c) noexcept {
  return token.size() == 1 && token[0] == c;
}

// Splits off the token before the next '.'; `rest` keeps what follows it and `more` says
// whether a '.' followed.
constexpr std::string_view next_token(std::string_view& rest, bool& more) noexcept {
  const std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos) {
    const std::string_view token = rest;
    rest = {};
    more = false;
    return token;
  }
  const std::string_view token = rest.substr(0, dot);
  rest.remove_prefix(dot + 1);
  more = true;
  return token;
}

// A subject a client may subscribe to (wildcards allowed), as nats-server's IsValidSubject.
bool is_valid_subject(std::string_view subject) noexcept;
// What a client's SUB may name: nats-server's Sublist.Insert rule, non-empty tokens and none
// after a '>' token. Other bytes are allowed (a form feed, say): the protocol line has already
// split on spaces and tabs.
bool is_valid_subscription_subject(std::string_view subject) noexcept;
// A subject a client may publish to (no wildcards), as nats-server's IsValidLiteralSubject.
bool is_valid_literal_subject(std::string_view subject) noexcept;
// Whether the literal `subject` is matched by `pattern` (which may hold wildcards).
bool subject_matches(std::string_view pattern, std::string_view subject) noexcept;
// Whether some token of `subject` is exactly '*' or '>' (nats-server's subjectHasWildcard).
bool has_wildcard(std::string_view subject) noexcept;
// Whether everything `subject` stands for (wildcards honoured) is covered by `pattern`, as
// nats-server's subjectIsSubsetMatch: "a.dev" and "*.dev" are within "*.dev", "a.*" is within
// "a.>" but not within "a.b", and neither side may hold an empty token.
bool is_subset_match(std::string_view subject, std::string_view pattern) noexcept;

}  // namespace gnatsd::subjects
