// NKeys: decoding users' public keys (valid, bad CRC, wrong prefix, bad base32), the encoders,
// nonces, signature decoding as nats-server accepts it, and Ed25519 verification.
#include "auth/nkey.hpp"

#include <gtest/gtest.h>

#include "../../support/nkey_test_keys.hpp"

namespace gnatsd::auth::nkey {
namespace {

using test::base64;
using test::ed25519_public_key;
using test::ed25519_sign;

// From the NATS documentation (nkey authentication); its key bytes checked independently.
constexpr std::string_view kDocsUser = "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4";

TEST(NkeyTest, DecodesAUserPublicKey) {
  auto key = decode_user_public_key(kDocsUser);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ((*key)[0], 0xef);
  EXPECT_EQ((*key)[1], 0x4e);
  EXPECT_EQ((*key)[31], 0xb1);
  EXPECT_EQ(encode_user_public_key(*key), kDocsUser);
}

TEST(NkeyTest, EncodesAsTheNkeysLibrary) {
  const test::TestNkey a = test::test_nkey_a();
  const test::TestNkey b = test::test_nkey_b();
  EXPECT_EQ(encode_user_public_key(ed25519_public_key(a.seed)), a.public_key);
  EXPECT_EQ(encode_user_public_key(ed25519_public_key(b.seed)), b.public_key);
  EXPECT_EQ(encode_user_seed(a.seed), a.seed_text);
  EXPECT_EQ(encode_user_seed(b.seed), b.seed_text);
  EXPECT_EQ(decode_user_public_key(a.public_key), ed25519_public_key(a.seed));
}

TEST(NkeyTest, RefusesWhatIsNotAUserPublicKey) {
  std::string bad_crc(kDocsUser);
  bad_crc.back() = '5';
  EXPECT_FALSE(is_valid_user_public_key(bad_crc));
  std::string flipped(kDocsUser);
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(is_valid_user_public_key(flipped));
  // Another prefix: an operator key ('O'), and a seed (valid CRC, wrong kind and length).
  std::string operator_key(kDocsUser);
  operator_key[0] = 'O';
  EXPECT_FALSE(is_valid_user_public_key(operator_key));
  EXPECT_FALSE(is_valid_user_public_key(test::test_nkey_a().seed_text));
  // Not base32: lower case (nkeys does not fold case), digits outside 2-7, wrong lengths.
  std::string lower(kDocsUser);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_FALSE(is_valid_user_public_key(lower));
  std::string one(kDocsUser);
  one[5] = '1';
  EXPECT_FALSE(is_valid_user_public_key(one));
  EXPECT_FALSE(is_valid_user_public_key(kDocsUser.substr(0, 55)));
  EXPECT_FALSE(is_valid_user_public_key(std::string(kDocsUser) + "AAAAAAAA"));
  EXPECT_FALSE(is_valid_user_public_key(""));
  EXPECT_FALSE(is_valid_user_public_key("UABC"));
}

TEST(NkeyTest, NoncesAreFifteenRawUrlBase64Characters) {
  const std::string a = make_nonce();
  const std::string b = make_nonce();
  EXPECT_EQ(a.size(), 15u);
  EXPECT_NE(a, b);
  for (char c : a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
}

TEST(NkeyTest, SignaturesDecodeAsRawUrlOrPaddedStandardBase64) {
  // Bytes whose encodings differ between the alphabets (0xfb 0xff → "-_" / "+/").
  const std::string bytes = "\xfb\xff\xbf\x01";
  EXPECT_EQ(base64(bytes, true), "-_-_AQ");
  EXPECT_EQ(base64(bytes, false), "+/+/AQ==");
  EXPECT_EQ(decode_signature("-_-_AQ"), bytes);
  EXPECT_EQ(decode_signature("+/+/AQ=="), bytes);
  EXPECT_EQ(decode_signature("-_-_\r\nAQ"), bytes);  // Go skips line breaks
  // nats-server's decoders refuse: raw-URL with padding (unless it is also valid standard
  // base64), standard without padding, mixed alphabets, stray padding.
  EXPECT_FALSE(decode_signature("-_-_AQ==").has_value());
  EXPECT_FALSE(decode_signature("+/+/AQ").has_value());
  EXPECT_FALSE(decode_signature("-/+_AQ").has_value());
  EXPECT_FALSE(decode_signature("AAAA=").has_value());
  EXPECT_FALSE(decode_signature("AAAAA").has_value());
  EXPECT_FALSE(decode_signature("!!!").has_value());
  EXPECT_EQ(decode_signature("AQ=="), std::string("\x01"));
}

TEST(NkeyTest, VerifiesEd25519Signatures) {
  const test::TestNkey a = test::test_nkey_a();
  const test::TestNkey b = test::test_nkey_b();
  const auto key = *decode_user_public_key(a.public_key);
  const std::string nonce = make_nonce();
  const std::string signature = ed25519_sign(a.seed, nonce);
  EXPECT_TRUE(verify(key, nonce, signature));
  EXPECT_TRUE(verify(key, nonce, *decode_signature(test::sign_nonce(a, nonce))));
  EXPECT_FALSE(verify(key, nonce + "x", signature));
  EXPECT_FALSE(verify(key, nonce, ed25519_sign(b.seed, nonce)));
  std::string tampered = signature;
  tampered[3] = static_cast<char>(tampered[3] ^ 1);
  EXPECT_FALSE(verify(key, nonce, tampered));
  EXPECT_FALSE(verify(key, nonce, signature.substr(0, 63)));
  EXPECT_FALSE(verify(key, nonce, ""));
}

}  // namespace
}  // namespace gnatsd::auth::nkey
