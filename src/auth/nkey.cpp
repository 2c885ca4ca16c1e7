// NKey decoding, nonces and signature checks (see nkey.hpp); the formats follow nats-io/nkeys
// (strkey.go, crc16.go) and nats-server's server/auth.go and server/server.go (generateNonce).
#include "auth/nkey.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace gnatsd::auth::nkey {
namespace {

constexpr std::uint8_t kPrefixSeed = 18 << 3;  // 'S'
constexpr std::uint8_t kPrefixUser = 20 << 3;  // 'U'
constexpr std::size_t kNonceBytes = 11;        // nats-server's nonceRawLen

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// CRC-16/XMODEM (poly 0x1021, initial 0), as nkeys' crc16.go.
std::uint16_t crc16(std::span<const std::uint8_t> data) {
  std::uint16_t crc = 0;
  for (std::uint8_t byte : data) {
    crc ^= static_cast<std::uint16_t>(byte) << 8;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 0x8000) != 0 ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<std::uint16_t>(crc << 1);
  }
  return crc;
}

// Unpadded encoding of `data` in `Bits`-bit groups, most significant first (base32: 5,
// base64: 6), the last group zero-filled.
template <int Bits>
std::string encode_groups(std::span<const std::uint8_t> data, std::string_view alphabet) {
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (std::uint8_t byte : data) {
    bits = (bits << 8) | byte;
    count += 8;
    while (count >= Bits) {
      out += alphabet[(bits >> (count - Bits)) & ((1u << Bits) - 1)];
      count -= Bits;
    }
  }
  if (count > 0) out += alphabet[(bits << (Bits - count)) & ((1u << Bits) - 1)];
  return out;
}

std::string base32_encode(std::span<const std::uint8_t> data) {
  return encode_groups<5>(data, kBase32Alphabet);
}

// Unpadded base32 with the upper-case alphabet only, as nkeys' decoder.
std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text) {
  // Lengths that leave 1, 3 or 6 characters in the last group encode no whole byte count.
  const std::size_t tail = text.size() % 8;
  if (tail == 1 || tail == 3 || tail == 6) return std::nullopt;
  std::vector<std::uint8_t> out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const std::size_t value = kBase32Alphabet.find(c);
    if (value == std::string_view::npos) return std::nullopt;
    bits = (bits << 5) | static_cast<std::uint32_t>(value);
    count += 5;
    if (count >= 8) {
      out.push_back(static_cast<std::uint8_t>(bits >> (count - 8)));
      count -= 8;
    }
  }
  return out;
}

// [prefix | payload | CRC-16 little-endian], base32.
std::string encode(std::span<const std::uint8_t> prefix, std::span<const std::uint8_t> payload) {
  std::vector<std::uint8_t> raw(prefix.begin(), prefix.end());
  raw.insert(raw.end(), payload.begin(), payload.end());
  const std::uint16_t crc = crc16(raw);
  raw.push_back(static_cast<std::uint8_t>(crc & 0xff));
  raw.push_back(static_cast<std::uint8_t>(crc >> 8));
  return base32_encode(raw);
}

// Go's base64 decoders (encoding/base64, non-strict): '\r' and '\n' are skipped; trailing bits
// are not checked. `padded` is StdEncoding (a length multiple of four, '=' only at the end),
// otherwise RawURLEncoding (no '=' at all).
std::optional<std::string> base64_decode(std::string_view text, bool padded) {
  const std::string_view alphabet =
      padded ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string chars;
  chars.reserve(text.size());
  for (char c : text)
    if (c != '\r' && c != '\n') chars += c;
  std::size_t data_len = chars.size();
  if (padded) {
    if (chars.size() % 4 != 0) return std::nullopt;
    while (data_len > 0 && chars[data_len - 1] == '=') --data_len;
    // At most two '=', and only where they complete a group of 2 or 3 characters.
    const std::size_t pad = chars.size() - data_len;
    if (pad > 2 || (pad > 0 && data_len % 4 + pad != 4)) return std::nullopt;
  }
  if (data_len % 4 == 1) return std::nullopt;
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (std::size_t i = 0; i < data_len; ++i) {
    const std::size_t value = alphabet.find(chars[i]);
    if (value == std::string_view::npos) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      out += static_cast<char>((bits >> (count - 8)) & 0xff);
      count -= 8;
    }
  }
  return out;
}

std::string base64_raw_url_encode(std::span<const std::uint8_t> data) {
  return encode_groups<6>(data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}

}  // namespace

std::optional<PublicKey> decode_user_public_key(std::string_view text) {
  auto raw = base32_decode(text);
  if (!raw || raw->size() != 1 + sizeof(PublicKey) + 2 || (*raw)[0] != kPrefixUser)
    return std::nullopt;
  const std::size_t body = raw->size() - 2;
  const std::uint16_t crc = static_cast<std::uint16_t>((*raw)[body] | ((*raw)[body + 1] << 8));
  if (crc != crc16(std::span(raw->data(), body))) return std::nullopt;
  PublicKey key;
  std::copy(raw->begin() + 1, raw->begin() + 1 + key.size(), key.begin());
  return key;
}

std::string encode_user_public_key(const PublicKey& key) {
  const std::uint8_t prefix[] = {kPrefixUser};
  return encode(prefix, key);
}

std::string encode_user_seed(const Seed& seed) {
  // The seed prefix's 5 bits, then the user prefix's 5 bits, then 6 zero bits.
  const std::uint8_t prefix[] = {static_cast<std::uint8_t>(kPrefixSeed | (kPrefixUser >> 5)),
                                 static_cast<std::uint8_t>((kPrefixUser & 31) << 3)};
  return encode(prefix, seed);
}

std::string make_nonce() {
  std::array<std::uint8_t, kNonceBytes> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    throw std::runtime_error("no random bytes for a nonce");
  return base64_raw_url_encode(raw);
}

std::optional<std::string> decode_signature(std::string_view text) {
  if (auto raw = base64_decode(text, /*padded=*/false)) return raw;
  return base64_decode(text, /*padded=*/true);
}

bool verify(const PublicKey& key, std::string_view message, std::string_view signature) {
  using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
  using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()),
               &EVP_PKEY_free);
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!pkey || !ctx) return false;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

}  // namespace gnatsd::auth::nkey
