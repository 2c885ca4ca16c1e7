// Name translation at the TLS boundary: nats-server's cipher and curve names to OpenSSL's, and
// the names logs and /connz show.
#include "net/tls_names.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

namespace gnatsd::net {
namespace {

TEST(TlsNamesTest, ConfigCipherNamesMapToOpenSsl) {
  EXPECT_EQ(openssl_cipher_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(openssl_cipher_name("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
            "ECDHE-ECDSA-AES256-GCM-SHA384");
  EXPECT_EQ(openssl_cipher_name("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"),
            "ECDHE-RSA-CHACHA20-POLY1305");
  // Weak suites nats-server accepts stay accepted by name (an operator's explicit choice).
  EXPECT_EQ(openssl_cipher_name("TLS_RSA_WITH_AES_128_CBC_SHA"), "AES128-SHA");
  EXPECT_FALSE(openssl_cipher_name("BOGUS"));
  EXPECT_FALSE(openssl_cipher_name("ECDHE-RSA-AES128-GCM-SHA256"));  // OpenSSL's own spelling
  EXPECT_FALSE(openssl_cipher_name("tls_ecdhe_rsa_with_aes_128_gcm_sha256"));
}

TEST(TlsNamesTest, CurveNamesMapToOpenSslGroups) {
  EXPECT_EQ(openssl_group_name("X25519"), "X25519");
  EXPECT_EQ(openssl_group_name("CurveP256"), "P-256");
  EXPECT_EQ(openssl_group_name("CurveP384"), "P-384");
  EXPECT_EQ(openssl_group_name("CurveP521"), "P-521");
  EXPECT_FALSE(openssl_group_name("P-256"));
}

TEST(TlsNamesTest, ReportedNamesFollowNatsServer) {
  EXPECT_EQ(reported_cipher_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(reported_cipher_name("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305");
  EXPECT_EQ(reported_cipher_name("TLS_CHACHA20_POLY1305_SHA256"), "TLS_CHACHA20_POLY1305_SHA256");
  EXPECT_EQ(reported_cipher_name("TLS_AES_128_GCM_SHA256"), "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(tls_version_name(TLS1_2_VERSION), "1.2");
  EXPECT_EQ(tls_version_name(TLS1_3_VERSION), "1.3");
}

TEST(TlsNamesTest, EveryMappedModernSuiteIsKnownToOpenSsl) {
  // Each default name must parse on its own; a typo would silently drop a suite.
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ASSERT_NE(ctx, nullptr);
  for (auto name :
       {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
        "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}) {
    auto openssl = openssl_cipher_name(name);
    ASSERT_TRUE(openssl) << name;
    EXPECT_EQ(SSL_CTX_set_cipher_list(ctx, std::string(*openssl).c_str()), 1) << name;
  }
  EXPECT_EQ(SSL_CTX_set_cipher_list(ctx, std::string(kDefaultTls12Ciphers).c_str()), 1);
  EXPECT_EQ(SSL_CTX_set_ciphersuites(ctx, std::string(kDefaultTls13Ciphers).c_str()), 1);
  EXPECT_EQ(SSL_CTX_set1_groups_list(ctx, std::string(kDefaultGroups).c_str()), 1);
  SSL_CTX_free(ctx);
}

}  // namespace
}  // namespace gnatsd::net
