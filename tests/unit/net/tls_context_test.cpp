// The server TLS context's policy (versions, suites, verification) and its start-up errors,
// with a self-signed certificate made in-process for each test.
#include "net/tls_context.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace gnatsd::net {
namespace {

// A temp directory with cert.pem/key.pem (a self-signed P-256 certificate) and other-key.pem.
class SelfSigned {
 public:
  SelfSigned() {
    std::string name = "/tmp/gnatsd-unit-tls-XXXXXX";
    dir_ = ::mkdtemp(name.data());
    EVP_PKEY* key = EVP_EC_gen("P-256");
    write_key(key, path("key.pem"));
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_NAME* subject = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert, subject);
    X509_set_pubkey(cert, key);
    X509_sign(cert, key, EVP_sha256());
    std::FILE* f = std::fopen(path("cert.pem").c_str(), "w");
    PEM_write_X509(f, cert);
    std::fclose(f);
    X509_free(cert);
    EVP_PKEY_free(key);
    EVP_PKEY* other = EVP_EC_gen("P-256");
    write_key(other, path("other-key.pem"));
    EVP_PKEY_free(other);
  }
  ~SelfSigned() { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& file) const { return dir_ + "/" + file; }

  config::TlsOptions options() const {
    config::TlsOptions o;
    o.enabled = true;
    o.cert_file = path("cert.pem");
    o.key_file = path("key.pem");
    return o;
  }

 private:
  static void write_key(EVP_PKEY* key, const std::string& to) {
    std::FILE* f = std::fopen(to.c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
  }
  std::string dir_;
};

TEST(TlsContextTest, PolicyIsTls12MinimumWithEcdheAeadSuitesOnly) {
  SelfSigned pki;
  auto result = make_server_tls_context(pki.options());
  ASSERT_TRUE(result.context) << result.error;
  SSL_CTX* ctx = result.context.get();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_CIPHER_SERVER_PREFERENCE, 0u);
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_NONE);
  STACK_OF(SSL_CIPHER)* suites = SSL_CTX_get_ciphers(ctx);
  ASSERT_GT(sk_SSL_CIPHER_num(suites), 0);
  for (int i = 0; i < sk_SSL_CIPHER_num(suites); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(suites, i);
    EXPECT_EQ(SSL_CIPHER_is_aead(c), 1) << SSL_CIPHER_get_name(c);
    // TLS 1.3 suites leave the key exchange open ("any"): it is always (EC)DHE there.
    const int kx = SSL_CIPHER_get_kx_nid(c);
    EXPECT_TRUE(kx == NID_kx_ecdhe || kx == NID_kx_any) << SSL_CIPHER_get_name(c);
  }
  // The server's first choice for TLS 1.2 is the spec's ECDHE AES-128-GCM.
  EXPECT_STREQ(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(suites, 3)),
               "ECDHE-ECDSA-AES128-GCM-SHA256");  // after TLS 1.3's three
}

TEST(TlsContextTest, VerifyRequiresAClientCertificate) {
  SelfSigned pki;
  auto options = pki.options();
  options.verify = true;
  options.ca_file = pki.path("cert.pem");
  auto result = make_server_tls_context(options);
  ASSERT_TRUE(result.context) << result.error;
  EXPECT_EQ(SSL_CTX_get_verify_mode(result.context.get()),
            SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
}

TEST(TlsContextTest, ConfiguredSuitesReplaceTheDefaults) {
  SelfSigned pki;
  auto options = pki.options();
  options.cipher_suites = {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"};
  options.curve_preferences = {"CurveP384"};
  auto result = make_server_tls_context(options);
  ASSERT_TRUE(result.context) << result.error;
  STACK_OF(SSL_CIPHER)* suites = SSL_CTX_get_ciphers(result.context.get());
  ASSERT_EQ(sk_SSL_CIPHER_num(suites), 4);  // TLS 1.3's three, then the configured one
  EXPECT_STREQ(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(suites, 3)),
               "ECDHE-ECDSA-AES256-GCM-SHA384");
}

TEST(TlsContextTest, ErrorsUseNatsServerWordsAndNameTheFile) {
  SelfSigned pki;
  auto error_for = [&](auto change) {
    auto options = pki.options();
    change(options);
    auto result = make_server_tls_context(options);
    EXPECT_FALSE(result.context);
    return result.error;
  };
  EXPECT_EQ(error_for([](auto& o) { o.cert_file.clear(); }),
            "TLS Server certificate must be present and valid");
  EXPECT_EQ(error_for([](auto& o) { o.key_file.clear(); }),
            "TLS Server private key must be present and valid");
  EXPECT_EQ(error_for([](auto& o) { o.cert_file = "/nonexistent/c.pem"; }),
            "error parsing X509 certificate/key pair: open /nonexistent/c.pem: no such file or "
            "directory");
  EXPECT_EQ(error_for([&](auto& o) { o.key_file = pki.path("other-key.pem"); }),
            "error parsing X509 certificate/key pair: tls: private key does not match public key "
            "(" +
                pki.path("other-key.pem") + ")");
  EXPECT_EQ(error_for([&](auto& o) { o.key_file = pki.path("cert.pem"); }),
            "error parsing X509 certificate/key pair: tls: failed to parse private key (" +
                pki.path("cert.pem") + ")");
  EXPECT_EQ(error_for([](auto& o) { o.ca_file = "/nonexistent/ca.pem"; }),
            "open /nonexistent/ca.pem: no such file or directory");
  EXPECT_EQ(error_for([&](auto& o) { o.ca_file = pki.path("key.pem"); }),
            "failed to parse root ca certificate (" + pki.path("key.pem") + ")");
  EXPECT_EQ(error_for([](auto& o) { o.cipher_suites = {"BOGUS"}; }), "unrecognized cipher BOGUS");
  EXPECT_EQ(error_for([](auto& o) { o.curve_preferences = {"P-256"}; }),
            "unrecognized curve preference P-256");
}

}  // namespace
}  // namespace gnatsd::net
