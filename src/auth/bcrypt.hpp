// bcrypt through the system's crypt library (libxcrypt's crypt_r / crypt_gensalt_rn).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gnatsd::auth {

// bcrypt's limits (Go's bcrypt.MinCost/MaxCost), and the cost nats-server's mkpasswd uses.
inline constexpr int kBcryptMinCost = 4;
inline constexpr int kBcryptMaxCost = 31;
inline constexpr int kMkpasswdDefaultCost = 11;

// Whether `password` hashes to `hash` (a full "$2?$NN$<salt><digest>" string). A malformed
// hash matches nothing. Thread-safe.
bool bcrypt_matches(std::string_view hash, std::string_view password);

// A fresh "$2a$" hash of `password` (the variant Go's bcrypt, hence nats-server's mkpasswd,
// writes) with a random salt; nullopt when `cost` is outside [4, 31] or the library fails.
std::optional<std::string> bcrypt_hash(std::string_view password, int cost);

}  // namespace gnatsd::auth
