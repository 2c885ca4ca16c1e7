// Password and token verification (see secret.hpp).
#include "auth/secret.hpp"

#include <openssl/crypto.h>

#include "auth/bcrypt.hpp"

namespace gnatsd::auth {

bool is_bcrypt(std::string_view secret) noexcept {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  return secret.size() >= 7 && secret[0] == '$' && secret[1] == '2' &&
         (secret[2] == 'a' || secret[2] == 'b' || secret[2] == 'x' || secret[2] == 'y') &&
         secret[3] == '$' && digit(secret[4]) && digit(secret[5]) && secret[6] == '$';
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool secret_matches(std::string_view configured, std::string_view presented) {
  if (is_bcrypt(configured)) return bcrypt_matches(configured, presented);
  return constant_time_equal(configured, presented);
}

}  // namespace gnatsd::auth
