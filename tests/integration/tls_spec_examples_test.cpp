// The spec's "Securing NATS" TLS examples, run as written: its command lines and config files
// verbatim, in a scratch directory holding freshly made certificates at the relative paths
// they name (./test/configs/certs/..., ./configs/certs/...). Only the listen address is the
// harness's (-a 127.0.0.1 -p -1, which override the file), so that tests never collide on a port.
// Passes against nats-server 2.9.10 too (GNATSD_TEST_BINARY=/usr/sbin/nats-server).
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "cnats_tls.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"
#include "tls_support.hpp"

namespace gnatsd::test {
namespace {

using namespace std::chrono_literals;

// The spec's config file, verbatim (its `port` and `net` give way to the harness's flags).
constexpr std::string_view kSimpleTlsConfig = R"(# Simple TLS config file

port: 4443
net: apcera.me # net interface

tls {
  cert_file:  "./configs/certs/server-cert.pem"
  key_file:   "./configs/certs/server-key.pem"
  timeout:    0.5
}

authorization {
  user:     derek
  password: s3cr3t!
  timeout:  1
}
)";

// "If requiring client certificates as well, simply change the TLS section as follows."
constexpr std::string_view kVerifyTlsSection = R"(tls {
  cert_file: "./configs/certs/server-cert.pem"
  key_file:  "./configs/certs/server-key.pem"
  ca_file:   "./configs/certs/ca.pem"
  verify:    true
}
)";

// A scratch directory laid out as the spec's examples expect, made the current directory for
// as long as this object lives (servers started meanwhile inherit it).
class SpecDirectory {
 public:
  explicit SpecDirectory(const TestPki& pki) {
    dir_ = pki.dir() + "/spec";
    for (const char* base : {"/test/configs/certs/", "/configs/certs/"}) {
      for (const char* file : {"server-cert.pem", "server-key.pem", "ca.pem"}) {
        pki.copy(file, dir_ + base + file);
      }
    }
    previous_ = std::filesystem::current_path();
    std::filesystem::current_path(dir_);
  }
  ~SpecDirectory() { std::filesystem::current_path(previous_); }
  SpecDirectory(const SpecDirectory&) = delete;
  SpecDirectory& operator=(const SpecDirectory&) = delete;

  void write(const std::string& name, std::string_view text) const {
    std::ofstream(dir_ + "/" + name) << text;
  }

 private:
  std::string dir_;
  std::filesystem::path previous_;
};

std::string with_verify_section(std::string_view config) {
  std::string text(config);
  const auto begin = text.find("tls {");
  const auto end = text.find("}\n", begin) + 2;
  return text.replace(begin, end - begin, kVerifyTlsSection);
}

TEST(TlsSpecExamplesTest, FlagsExampleRequiresTlsAndLogsTheHandshakeInDebugMode) {
  TestPki pki;
  SpecDirectory cwd(pki);
  // gnatsd --tls --tlscert=./test/configs/certs/server-cert.pem --tlskey=... (-D: the debug lines)
  ServerProcess server({"--tls", "--tlscert=./test/configs/certs/server-cert.pem",
                        "--tlskey=./test/configs/certs/server-key.pem", "-D"});
  ASSERT_TRUE(server.wait_for_log(" is ready", 5s)) << server.log();
  const std::string log = server.log();
  const auto listening = log.find("Listening for client connections on");
  const auto tls_required = log.find("[INF] TLS required for client connections");
  const auto ready = log.find(" is ready");
  ASSERT_NE(tls_required, std::string::npos) << log;
  EXPECT_LT(listening, tls_required);
  EXPECT_LT(tls_required, ready);

  // The spec's debug output comes from a TLS 1.2 client (2015's Go).
  TlsClientOptions tls12;
  tls12.max_version = TLS1_2_VERSION;
  tls12.ca_file = pki.path("ca.pem");
  TlsClient client(server.port(), tls12);
  ASSERT_TRUE(client.connect()) << client.error();
  ASSERT_TRUE(server.wait_for_log("cipher suite", 5s)) << server.log();
  const std::string prefix = R"(\[DBG\] 127\.0\.0\.1:\d+ - cid:\d+ - )";
  for (const std::string line :
       {"Starting TLS client connection handshake", "TLS handshake complete",
        "TLS version 1\\.2, cipher suite TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}) {
    EXPECT_TRUE(std::regex_search(server.log(), std::regex(prefix + line))) << line << "\n"
                                                                            << server.log();
  }

  auto opts = nats_tls_options(server.port(), pki);
  NatsConnection nc;
  natsStatus s = nats_connect(opts.get(), nc);
  ASSERT_EQ(s, NATS_OK) << nats_status_text(s);
  expect_nats_round_trip(nc.get(), "spec.flags", "hello");
}

TEST(TlsSpecExamplesTest, ConfigFileExampleServesTlsWithItsHalfSecondTimeout) {
  TestPki pki;
  SpecDirectory cwd(pki);
  cwd.write("tls.conf", kSimpleTlsConfig);
  ServerProcess server({"-c", "tls.conf"});
  ASSERT_TRUE(server.wait_for_log("TLS required for client connections", 5s)) << server.log();

  auto opts = nats_tls_options(server.port(), pki, "", "derek:s3cr3t!@");
  NatsConnection nc;
  natsStatus s = nats_connect(opts.get(), nc);
  ASSERT_EQ(s, NATS_OK) << nats_status_text(s);
  expect_nats_round_trip(nc.get(), "spec.config", "hello");
  {
    // The authorization block holds over TLS too.
    auto anonymous = nats_tls_options(server.port(), pki);
    NatsConnection refused;
    EXPECT_NE(nats_connect(anonymous.get(), refused), NATS_OK);
  }

  // timeout: 0.5 — a client that never starts TLS is dropped after half a second.
  RawClient silent(server.port());
  EXPECT_TRUE(silent.read_line().starts_with("INFO {"));
  const auto start = Clock::now();
  EXPECT_TRUE(silent.expect_closed(5s));
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, 400ms);
  EXPECT_LE(waited, 1800ms);
}

TEST(TlsSpecExamplesTest, VerifyBlockExampleRequiresAClientCertificate) {
  TestPki pki;
  SpecDirectory cwd(pki);
  cwd.write("tls.conf", with_verify_section(kSimpleTlsConfig));
  ServerProcess server({"-c", "tls.conf"});
  {
    auto opts = nats_tls_options(server.port(), pki, "client", "derek:s3cr3t!@");
    NatsConnection nc;
    natsStatus s = nats_connect(opts.get(), nc);
    ASSERT_EQ(s, NATS_OK) << nats_status_text(s);
    expect_nats_round_trip(nc.get(), "spec.verify", "hello");
  }
  {
    auto opts = nats_tls_options(server.port(), pki, "", "derek:s3cr3t!@");
    NatsConnection nc;
    EXPECT_NE(nats_connect(opts.get(), nc), NATS_OK);
  }
}

TEST(TlsSpecExamplesTest, TlsVerifyFlagsExampleRequiresAClientCertificate) {
  TestPki pki;
  SpecDirectory cwd(pki);
  ServerProcess server({"--tlsverify", "--tlscert=./test/configs/certs/server-cert.pem",
                        "--tlskey=./test/configs/certs/server-key.pem",
                        "--tlscacert=./test/configs/certs/ca.pem"});
  {
    auto opts = nats_tls_options(server.port(), pki, "client");
    NatsConnection nc;
    natsStatus s = nats_connect(opts.get(), nc);
    ASSERT_EQ(s, NATS_OK) << nats_status_text(s);
    expect_nats_round_trip(nc.get(), "spec.tlsverify", "hello");
  }
  for (const std::string cert : {"", "rogue"}) {
    auto opts = nats_tls_options(server.port(), pki, cert);
    NatsConnection nc;
    EXPECT_NE(nats_connect(opts.get(), nc), NATS_OK) << "certificate: '" << cert << "'";
  }
}

}  // namespace
}  // namespace gnatsd::test
