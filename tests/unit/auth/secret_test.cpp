// Password/token verification: bcrypt through libxcrypt (known vectors, including the hash
// nats-server's mkpasswd printed in the spec), the bcrypt test, and the constant-time compare.
#include "auth/secret.hpp"

#include <gtest/gtest.h>

#include "auth/bcrypt.hpp"

namespace gnatsd::auth {
namespace {

// From the spec's mkpasswd example (Go's bcrypt, as nats-server's util/mkpasswd.go writes it).
constexpr std::string_view kSpecPassword = "#IclkRPHUpsTmACWzmIGXr";
constexpr std::string_view kSpecHash =
    "$2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS";

TEST(SecretTest, IsBcryptFollowsNatsServersPattern) {
  EXPECT_TRUE(is_bcrypt(kSpecHash));
  EXPECT_TRUE(is_bcrypt("$2b$10$x"));
  EXPECT_TRUE(is_bcrypt("$2y$04$"));
  EXPECT_TRUE(is_bcrypt("$2x$31$whatever"));
  EXPECT_FALSE(is_bcrypt("$2c$10$x"));   // unknown minor version
  EXPECT_FALSE(is_bcrypt("$2a$1$x"));    // one cost digit
  EXPECT_FALSE(is_bcrypt("$2a$ab$x"));   // cost not digits
  EXPECT_FALSE(is_bcrypt("$2a$10"));     // no '$' after the cost
  EXPECT_FALSE(is_bcrypt("2a$10$x"));    // no leading '$'
  EXPECT_FALSE(is_bcrypt("$1$salt$x"));  // md5-crypt is plaintext to nats-server
  EXPECT_FALSE(is_bcrypt("secret"));
  EXPECT_FALSE(is_bcrypt(""));
}

TEST(SecretTest, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("s3cr3t", "s3cr3t"));
  EXPECT_FALSE(constant_time_equal("s3cr3t", "s3cr3T"));
  EXPECT_FALSE(constant_time_equal("s3cr3t", "s3cr3"));
  EXPECT_FALSE(constant_time_equal("s3cr3t", "s3cr3tt"));
  EXPECT_FALSE(constant_time_equal("s3cr3t", ""));
  EXPECT_FALSE(constant_time_equal("", "x"));
  // Bytes past a NUL count.
  EXPECT_FALSE(constant_time_equal(std::string_view("ab\0c", 4), std::string_view("ab\0d", 4)));
}

TEST(SecretTest, BcryptVerifiesTheHashFromNatsServersMkpasswd) {
  EXPECT_TRUE(bcrypt_matches(kSpecHash, kSpecPassword));
  EXPECT_FALSE(bcrypt_matches(kSpecHash, "#IclkRPHUpsTmACWzmIGXR"));
  EXPECT_FALSE(bcrypt_matches(kSpecHash, ""));
}

TEST(SecretTest, BcryptAcceptsEveryPrefixNatsServerDoes) {
  // crypt_blowfish's test vector; for ASCII passwords $2a$, $2b$ and $2y$ hash alike.
  for (std::string_view hash : {"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                                "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                                "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"}) {
    EXPECT_TRUE(bcrypt_matches(hash, "U*U")) << hash;
    EXPECT_FALSE(bcrypt_matches(hash, "U*V")) << hash;
  }
}

TEST(SecretTest, MalformedHashesAndNulsMatchNothing) {
  EXPECT_FALSE(bcrypt_matches("$2a$05$short", "U*U"));
  EXPECT_FALSE(bcrypt_matches("$2a$05$", ""));
  EXPECT_FALSE(bcrypt_matches("not a hash", "not a hash"));
  // A password cut at a NUL must not pass for its prefix.
  EXPECT_FALSE(bcrypt_matches("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                              std::string_view("U*U\0extra", 9)));
}

TEST(SecretTest, BcryptHashRoundTripsWithTheRequestedCost) {
  auto hash = bcrypt_hash("correct horse", 4);
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(hash->starts_with("$2a$04$")) << *hash;
  EXPECT_EQ(hash->size(), 60u);
  EXPECT_TRUE(bcrypt_matches(*hash, "correct horse"));
  EXPECT_FALSE(bcrypt_matches(*hash, "correct horsE"));
  // A fresh salt every time.
  auto again = bcrypt_hash("correct horse", 4);
  ASSERT_TRUE(again.has_value());
  EXPECT_NE(*hash, *again);
}

TEST(SecretTest, BcryptHashRejectsCostsOutsideBcryptsRange) {
  EXPECT_FALSE(bcrypt_hash("x", 3).has_value());
  EXPECT_FALSE(bcrypt_hash("x", 32).has_value());
  EXPECT_FALSE(bcrypt_hash(std::string_view("a\0b", 3), 4).has_value());
}

TEST(SecretTest, SecretMatchesPicksBcryptOrPlaintext) {
  EXPECT_TRUE(secret_matches(kSpecHash, kSpecPassword));
  EXPECT_FALSE(secret_matches(kSpecHash, kSpecHash));  // the hash is not the password
  EXPECT_TRUE(secret_matches("plain", "plain"));
  EXPECT_FALSE(secret_matches("plain", "Plain"));
  // Something that only looks like a hash prefix is compared as plaintext.
  EXPECT_TRUE(secret_matches("$2a$1$x", "$2a$1$x"));
}

}  // namespace
}  // namespace gnatsd::auth
