// Go's strconv.Quote (the %q verb), which nats-server uses for subjects, user names and client
// names in its log lines and -ERR texts, for the protocol snippets of its parser errors, and
// for the input echoed by strconv errors: `foo` becomes `"foo"`, with Go's escapes.
#pragma once

#include <string>
#include <string_view>

namespace gnatsd::common {

// Appends `text` quoted to `out`. Printable ASCII and well-formed printable UTF-8 pass
// through; '"' and '\' are escaped; \a \b \f \n \r \t \v use Go's short escapes, other
// control bytes and 0x7f are \xNN, as is every byte of malformed UTF-8 (overlong forms,
// surrogates, truncated sequences); well-formed runes that are not printable (C1 controls,
// non-ASCII spaces, format characters, private use, noncharacters) are \uNNNN or \UNNNNNNNN.
// (Go decides printability with Unicode tables; this follows them except that unassigned code
// points pass through.)
void append_go_quoted(std::string& out, std::string_view text);

// The same, as a new string.
std::string go_quote(std::string_view text);

}  // namespace gnatsd::common
