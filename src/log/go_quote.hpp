// Go's %q quoting (strconv.Quote), which nats-server uses for subjects, user names and client
// names in its log lines and -ERR texts: `foo` becomes `"foo"`, with Go's escapes.
#pragma once

#include <string>
#include <string_view>

namespace gnatsd::log {

// Printable ASCII and well-formed printable UTF-8 pass through; '"' and '\' are escaped; control
// bytes use Go's short escapes (\n, \t, ...) or \xNN, as do bytes of malformed UTF-8.
// (Go also escapes a few non-printable code points above U+009F by \u; those are rare enough in
// subjects and names to be passed through here.)
std::string go_quote(std::string_view text);

}  // namespace gnatsd::log
