// Hides the password of a CONNECT in trace lines, as nats-server's removePassFromTrace.
#pragma once

#include <string>
#include <string_view>

namespace gnatsd::auth {

// The CONNECT argument with the first password value replaced by "[REDACTED]". Finds what
// nats-server's pattern `"?\s*pass\S*?"?\s*[:=]\s*"?(([^",\r\n}])*)` finds: a key starting with
// "pass", then ':' or '=', then the value up to '"', ',', '}' or a line end. (2.9 leaves
// "auth_token" as it is, and so does this.) Linear in the input, whatever it holds.
std::string redact_password(std::string_view connect_json);

}  // namespace gnatsd::auth
