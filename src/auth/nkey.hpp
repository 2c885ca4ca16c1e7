// NKey user authentication: the public-key text format (nats-io/nkeys), the nonce a server puts
// in INFO, and the check of the Ed25519 signature a client returns over it in CONNECT.
//
// An nkey is base32 (RFC 4648, no padding) of [prefix | 32-byte key | CRC-16/XMODEM of both,
// little-endian]. A user's public key has the one prefix byte 'U' (20 << 3); a user's seed has
// two bytes, 'S' (18 << 3) merged with the user prefix, then the 32-byte Ed25519 seed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gnatsd::auth::nkey {

using PublicKey = std::array<std::uint8_t, 32>;
using Seed = std::array<std::uint8_t, 32>;

// The Ed25519 key of a user's public nkey ("U..."), or nullopt when the text is not one (bad
// base32, wrong length or prefix, CRC mismatch): nkeys.IsValidPublicUserKey.
std::optional<PublicKey> decode_user_public_key(std::string_view text);
inline bool is_valid_user_public_key(std::string_view text) {
  return decode_user_public_key(text).has_value();
}

// The text forms of a user's public key and seed ("SU..."), as `nk -gen user` prints them.
std::string encode_user_public_key(const PublicKey& key);
std::string encode_user_seed(const Seed& seed);

// A fresh nonce for INFO: 11 random bytes, base64 raw-URL encoded (15 characters), as
// nats-server's generateNonce. Clients sign its text, not the bytes it encodes.
std::string make_nonce();

// CONNECT's "sig": raw-URL base64, or else standard base64 with padding, as nats-server tries
// them (Go's decoders, which also skip '\r' and '\n'). nullopt when neither decodes.
std::optional<std::string> decode_signature(std::string_view text);

// Whether `signature` is `key`'s Ed25519 signature of `message`.
bool verify(const PublicKey& key, std::string_view message, std::string_view signature);

}  // namespace gnatsd::auth::nkey
