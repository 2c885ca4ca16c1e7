// bcrypt via libxcrypt. crypt_r is reentrant given its own crypt_data (32 KiB, so on the heap).
#include "auth/bcrypt.hpp"

#include <crypt.h>

#include <cstring>
#include <memory>

#include "auth/secret.hpp"

namespace gnatsd::auth {

bool bcrypt_matches(std::string_view hash, std::string_view password) {
  // crypt_r takes C strings: a NUL inside either would silently shorten it, and a password cut
  // at a NUL must not pass for the part before it.
  if (hash.find('\0') != std::string_view::npos || password.find('\0') != std::string_view::npos ||
      !is_bcrypt(hash)) {
    return false;
  }
  const std::string setting(hash);
  const std::string phrase(password);
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r(phrase.c_str(), setting.c_str(), data.get());
  // Failure is NULL or a string starting with '*', which never equals a bcrypt hash.
  if (out == nullptr) return false;
  const bool match = constant_time_equal(out, hash);
  // The buffer held material derived from the password.
  explicit_bzero(data.get(), sizeof(crypt_data));
  return match;
}

std::optional<std::string> bcrypt_hash(std::string_view password, int cost) {
  if (cost < kBcryptMinCost || cost > kBcryptMaxCost) return std::nullopt;
  if (password.find('\0') != std::string_view::npos) return std::nullopt;
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  // NULL random bytes: libxcrypt draws the salt from the OS (getrandom).
  if (crypt_gensalt_rn("$2a$", static_cast<unsigned long>(cost), nullptr, 0, setting,
                       sizeof setting) == nullptr) {
    return std::nullopt;
  }
  const std::string phrase(password);
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r(phrase.c_str(), setting, data.get());
  std::optional<std::string> hash;
  if (out != nullptr && out[0] != '*') hash.emplace(out);
  explicit_bzero(data.get(), sizeof(crypt_data));
  return hash;
}

}  // namespace gnatsd::auth
