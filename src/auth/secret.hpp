// Checking a presented password or token against the configured one: bcrypt when the configured
// value is a bcrypt hash (as nats-server decides), otherwise a constant-time comparison.
#pragma once

#include <string_view>

namespace gnatsd::auth {

// nats-server's test (server/auth.go isBcrypt): "$2a$", "$2b$", "$2x$" or "$2y$", two digits
// of cost, then '$'.
bool is_bcrypt(std::string_view secret) noexcept;

// As Go's subtle.ConstantTimeCompare: different lengths are unequal at once; for equal lengths
// the time does not depend on where (or whether) the bytes differ.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// Whether `presented` (from CONNECT) matches `configured` (plaintext or bcrypt hash). A bcrypt
// check costs what the hash's cost says (~100 ms at 11): see Authenticator::needs_slow_check.
bool secret_matches(std::string_view configured, std::string_view presented);

}  // namespace gnatsd::auth
