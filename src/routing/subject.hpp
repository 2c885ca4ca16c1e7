// Subject syntax: tokens separated by '.', '*' matches one token, '>' one or more at the end.
#pragma once

#include <string_view>

namespace gnatsd::routing {

// A subject a client may subscribe to (wildcards allowed), as nats-server's IsValidSubject.
bool is_valid_subject(std::string_view subject) noexcept;
// A subject a client may publish to (no wildcards), as nats-server's IsValidLiteralSubject.
bool is_valid_literal_subject(std::string_view subject) noexcept;
// Whether the literal `subject` is matched by `pattern` (which may hold wildcards).
bool subject_matches(std::string_view pattern, std::string_view subject) noexcept;

}  // namespace gnatsd::routing
