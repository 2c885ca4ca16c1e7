// Test nkey users: fixed Ed25519 seeds with their nkey texts (computed by an independent
// implementation of the nkeys format, so they also check gnatsd's encoder and clients'
// decoders), and signing with OpenSSL as a client would (base64 raw-URL of the signature).
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gnatsd::test {

struct TestNkey {
  std::array<std::uint8_t, 32> seed;
  std::string_view public_key;  // "U..."
  std::string_view seed_text;   // "SU...", as a .nk file or natsOptions_SetNKeyFromSeed reads it
};

// Seeds 0x00..0x1f and 0x01..0x20.
inline TestNkey test_nkey_a() {
  TestNkey k{{},
             "UAB2CB576PHBBPQ5ODORRZ2LYCMWPZGWGCN2KDK7DXOIMZASKUY3RLKK",
             "SUAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4H776Y"};
  for (std::size_t i = 0; i < k.seed.size(); ++i) k.seed[i] = static_cast<std::uint8_t>(i);
  return k;
}
inline TestNkey test_nkey_b() {
  TestNkey k{{},
             "UB43KVROR7TFJ6KAPCYRF2FJROTZAH4FHLTJLPWX4DRZCC5NASLGJBFE",
             "SUAACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6IC5CQ"};
  for (std::size_t i = 0; i < k.seed.size(); ++i) k.seed[i] = static_cast<std::uint8_t>(i + 1);
  return k;
}

// The raw 64-byte Ed25519 signature of `message` with `seed`.
inline std::string ed25519_sign(const std::array<std::uint8_t, 32>& seed,
                                std::string_view message) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()),
      &EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::string signature(64, '\0');
  std::size_t length = signature.size();
  if (!key || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
    throw std::runtime_error("Ed25519 signing failed");
  signature.resize(length);
  return signature;
}

// The raw 32-byte public key of `seed`.
inline std::array<std::uint8_t, 32> ed25519_public_key(const std::array<std::uint8_t, 32>& seed) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()),
      &EVP_PKEY_free);
  std::array<std::uint8_t, 32> out{};
  std::size_t length = out.size();
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), out.data(), &length) != 1)
    throw std::runtime_error("no Ed25519 public key");
  return out;
}

// Base64 of `bytes`: standard alphabet with padding, or raw-URL (what NATS clients send).
inline std::string base64(std::string_view bytes, bool url) {
  const std::string_view alphabet =
      url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      out += alphabet[(bits >> (count - 6)) & 63];
      count -= 6;
    }
  }
  if (count > 0) out += alphabet[(bits << (6 - count)) & 63];
  if (!url)
    while (out.size() % 4 != 0) out += '=';
  return out;
}

// CONNECT's "sig" for `nonce`, as NATS clients make it.
inline std::string sign_nonce(const TestNkey& key, std::string_view nonce) {
  return base64(ed25519_sign(key.seed, nonce), /*url=*/true);
}

}  // namespace gnatsd::test
