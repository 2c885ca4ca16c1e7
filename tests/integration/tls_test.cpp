// TLS for client connections over real sockets, calibrated against nats-server 2.9.10
// (GNATSD_TEST_BINARY=/usr/sbin/nats-server runs them against it; the few places where gnatsd
// differs on purpose say so). Certificates are made fresh for every test (TestPki).
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/wait.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "raw_client.hpp"
#include "server_process.hpp"
#include "tls_support.hpp"

namespace gnatsd::test {
namespace {

using namespace std::chrono_literals;

bool reference_server() {
  return server_binary().find("nats-server") != std::string::npos;
}

std::vector<std::string> with(std::vector<std::string> args, std::vector<std::string> more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

nlohmann::json info_of(const std::string& line) {
  EXPECT_TRUE(line.starts_with("INFO {")) << line;
  const auto open = line.find('{');
  const auto close = line.rfind('}');
  if (open == std::string::npos || close == std::string::npos) return {};
  return nlohmann::json::parse(line.substr(open, close - open + 1));
}

bool exited_with(const ExitResult& r, int code) {
  return WIFEXITED(r.status) && WEXITSTATUS(r.status) == code;
}

std::string msg_frame(std::string_view subject, std::string_view sid, std::string_view payload) {
  return "MSG " + std::string(subject) + " " + std::string(sid) + " " +
         std::to_string(payload.size()) + "\r\n" + std::string(payload) + "\r\n";
}

// Payload bytes that differ along the message, so a misplaced record would show.
std::string pattern(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return out;
}

TlsClientOptions tls12(std::string ciphers = {}) {
  TlsClientOptions o;
  o.min_version = o.max_version = TLS1_2_VERSION;
  o.ciphers = std::move(ciphers);
  return o;
}

TlsClientOptions tls13() {
  TlsClientOptions o;
  o.min_version = o.max_version = TLS1_3_VERSION;
  return o;
}

// ---- INFO, versions, suites -----------------------------------------------------------------

TEST(TlsTest, InfoRequiresTlsAndTheStartupLogSaysSo) {
  TestPki pki;
  ServerProcess server(pki.tls_flags());
  ASSERT_TRUE(server.wait_for_log("TLS required for client connections", 5s)) << server.log();
  const std::string log = server.log();
  EXPECT_LT(log.find("Listening for client connections"),
            log.find("TLS required for client connections"));

  TlsClient client(server.port());
  auto info = info_of(client.info());
  EXPECT_EQ(info.value("tls_required", false), true) << client.info();
  // gnatsd also sets the pre-2.0 name; nats-server 2.9 sends only tls_required.
  if (info.contains("ssl_required")) {
    EXPECT_EQ(info["ssl_required"], true);
  }
  EXPECT_FALSE(info.contains("tls_verify")) << client.info();
  EXPECT_TRUE(client.connect()) << client.error();
}

TEST(TlsTest, Tls12AndTls13AreAcceptedAndLoggedWithIanaNames) {
  TestPki pki;
  ServerProcess server(with(pki.tls_flags(), {"-D"}));
  {
    TlsClient client(server.port(), tls12());
    ASSERT_TRUE(client.connect()) << client.error();
    EXPECT_EQ(client.version(), "TLSv1.2");
    EXPECT_EQ(client.cipher(), "ECDHE-RSA-AES128-GCM-SHA256");  // the server's first choice
    ASSERT_TRUE(client.send("SUB a 1\r\nPUB a 2\r\nhi\r\nPING\r\n"));
    EXPECT_EQ(client.read_until("PONG\r\n"), msg_frame("a", "1", "hi") + "PONG\r\n");
  }
  {
    TlsClient client(server.port(), tls13());
    ASSERT_TRUE(client.connect()) << client.error();
    EXPECT_EQ(client.version(), "TLSv1.3");
    EXPECT_EQ(client.cipher(), "TLS_AES_128_GCM_SHA256");
  }
  EXPECT_TRUE(server.wait_for_log("TLS version 1.3, cipher suite TLS_AES_128_GCM_SHA256", 5s))
      << server.log();
  const std::string log = server.log();
  EXPECT_NE(log.find("- cid:"), std::string::npos);
  EXPECT_NE(log.find("Starting TLS client connection handshake"), std::string::npos) << log;
  EXPECT_NE(log.find("TLS handshake complete"), std::string::npos) << log;
  EXPECT_NE(log.find("TLS version 1.2, cipher suite TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            std::string::npos)
      << log;
}

TEST(TlsTest, EveryEcdheAeadSuiteOfTls12IsAccepted) {
  TestPki pki;
  ServerProcess server(pki.tls_flags());
  for (const char* suite : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                            "ECDHE-RSA-CHACHA20-POLY1305"}) {
    TlsClient client(server.port(), tls12(suite));
    EXPECT_TRUE(client.connect()) << suite << ": " << client.error();
    EXPECT_EQ(client.cipher(), suite);
  }
}

TEST(TlsTest, Tls11IsRefused) {
  TestPki pki;
  ServerProcess server(with(pki.tls_flags(), {"-D"}));
  TlsClientOptions old;
  old.min_version = old.max_version = TLS1_1_VERSION;
  old.legacy = true;
  TlsClient client(server.port(), old);
  EXPECT_FALSE(client.handshake());
  EXPECT_TRUE(server.wait_for_log(
      "TLS handshake error: tls: client offered only unsupported versions: [302 301]", 5s))
      << server.log();
  EXPECT_TRUE(server.wait_for_log("Client connection closed: TLS Handshake Failure", 5s));
}

TEST(TlsTest, CbcAndNonEcdheSuitesAreRefused) {
  TestPki pki;
  ServerProcess server(pki.tls_flags());
  // Static RSA with CBC (the classic `openssl s_client -tls1_2 -cipher AES128-SHA`), ECDHE with
  // CBC, static RSA with GCM: each lacks forward secrecy or an AEAD.
  for (const char* suite : {"AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES128-SHA256",
                            "AES128-GCM-SHA256", "AES256-GCM-SHA384"}) {
    TlsClient client(server.port(), tls12(suite));
    EXPECT_FALSE(client.handshake()) << suite << " was accepted";
  }
  EXPECT_TRUE(server.wait_for_log(
      "TLS handshake error: tls: no cipher suite supported by both client and server", 5s))
      << server.log();
}

TEST(TlsTest, ConfiguredCipherSuitesAndCurvesAreHonoured) {
  TestPki pki;
  TempFile conf("tls {\n  cert_file: \"" + pki.path("server-cert.pem") + "\"\n  key_file: \"" +
                pki.path("server-key.pem") +
                "\"\n  cipher_suites: [\"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\"]\n"
                "  curve_preferences: [\"CurveP384\"]\n}\n");
  ServerProcess server({"-c", conf.path()});
  {
    TlsClient client(server.port(), tls12());
    ASSERT_TRUE(client.connect()) << client.error();
    EXPECT_EQ(client.cipher(), "ECDHE-RSA-AES256-GCM-SHA384");
  }
  {
    TlsClient client(server.port(), tls12("ECDHE-RSA-AES128-GCM-SHA256"));
    EXPECT_FALSE(client.handshake());
  }
  {
    TlsClientOptions x25519_only = tls12();
    x25519_only.groups = "X25519";
    TlsClient client(server.port(), x25519_only);
    EXPECT_FALSE(client.handshake());
  }
}

// ---- client verification --------------------------------------------------------------------

TEST(TlsTest, VerifyAcceptsAClientCertificateFromTheCa) {
  TestPki pki;
  ServerProcess server(pki.verify_flags());
  TlsClientOptions o;
  o.ca_file = pki.path("ca.pem");  // and the client checks the server's certificate too
  o.cert_file = pki.path("client-cert.pem");
  o.key_file = pki.path("client-key.pem");
  TlsClient client(server.port(), o);
  auto info = info_of(client.info());
  EXPECT_EQ(info.value("tls_verify", false), true) << client.info();
  ASSERT_TRUE(client.connect()) << client.error();
  ASSERT_TRUE(client.send("SUB v 1\r\nPUB v 2\r\nok\r\nPING\r\n"));
  EXPECT_EQ(client.read_until("PONG\r\n"), msg_frame("v", "1", "ok") + "PONG\r\n");
}

TEST(TlsTest, VerifyRefusesAClientWithoutCertificate) {
  TestPki pki;
  ServerProcess server(with(pki.verify_flags(), {"-D"}));
  {
    // TLS 1.2: the handshake itself fails.
    TlsClient client(server.port(), tls12());
    EXPECT_FALSE(client.handshake());
  }
  {
    // TLS 1.3: the client finishes first; the server's refusal comes as an alert and a close.
    TlsClient client(server.port(), tls13());
    if (client.handshake()) {
      client.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
      EXPECT_TRUE(client.expect_closed());
      EXPECT_FALSE(client.read_until("PONG\r\n", 100ms).ends_with("PONG\r\n"));
    }
  }
  EXPECT_TRUE(
      server.wait_for_log("TLS handshake error: tls: client didn't provide a certificate", 5s))
      << server.log();
  EXPECT_TRUE(server.wait_for_log("Client connection closed: TLS Handshake Failure", 5s));
}

TEST(TlsTest, VerifyRefusesACertificateFromAnotherCa) {
  TestPki pki;
  ServerProcess server(pki.verify_flags());
  TlsClientOptions o = tls13();
  o.cert_file = pki.path("rogue-cert.pem");
  o.key_file = pki.path("rogue-key.pem");
  TlsClient client(server.port(), o);
  if (client.handshake()) {
    client.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
    EXPECT_TRUE(client.expect_closed());
  }
  EXPECT_TRUE(server.wait_for_log(
      "TLS handshake error: tls: failed to verify client certificate: x509: certificate signed "
      "by unknown authority",
      5s))
      << server.log();
}

// ---- refusing plaintext, handshake timeout ---------------------------------------------------

TEST(TlsTest, PlaintextClientIsRefusedAndClosed) {
  TestPki pki;
  ServerProcess server(with(pki.tls_flags(), {"-D"}));
  RawClient client(server.port());
  EXPECT_TRUE(client.read_line().starts_with("INFO {"));
  ASSERT_TRUE(client.send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  EXPECT_TRUE(client.expect_closed(2s));
  // The issue asks for the -ERR; nats-server 2.9.10 closes without a word.
  if (!reference_server()) {
    EXPECT_EQ(client.buffered(), "-ERR 'Secure Connection - TLS Required'\r\n");
  }
  EXPECT_TRUE(server.wait_for_log(
      "TLS handshake error: tls: first record does not look like a TLS handshake", 5s))
      << server.log();
  EXPECT_TRUE(server.wait_for_log("Client connection closed: TLS Handshake Failure", 5s));
}

// How long the server keeps a connection that sends `bytes` after INFO and then nothing.
std::chrono::milliseconds time_to_close(const ServerProcess& server, std::string_view bytes,
                                        std::string* received = nullptr) {
  RawClient client(server.port());
  EXPECT_TRUE(client.read_line().starts_with("INFO {"));
  const auto start = Clock::now();
  if (!bytes.empty()) {
    EXPECT_TRUE(client.send(bytes));
  }
  EXPECT_TRUE(client.expect_closed(10s));
  if (received != nullptr) *received = client.buffered();
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

TEST(TlsTest, HandshakeTimeoutDefaultsToTwoSeconds) {
  TestPki pki;
  ServerProcess server(pki.tls_flags());
  std::string received;
  const auto waited = time_to_close(server, "", &received);
  EXPECT_GE(waited, 1900ms);
  EXPECT_LE(waited, 3500ms);
  // A client that never started TLS is told why (plaintext); nats-server closes silently.
  if (!reference_server()) {
    EXPECT_EQ(received, "-ERR 'Secure Connection - TLS Required'\r\n");
  }
  EXPECT_TRUE(server.wait_for_log("TLS handshake timeout", 5s)) << server.log();
  EXPECT_TRUE(server.wait_for_log(": i/o timeout", 5s)) << server.log();
}

TEST(TlsTest, ConfiguredHandshakeTimeoutClosesAStalledHandshake) {
  TestPki pki;
  TempFile conf("tls {\n  cert_file: \"" + pki.path("server-cert.pem") + "\"\n  key_file: \"" +
                pki.path("server-key.pem") + "\"\n  timeout: 0.5\n}\n");
  ServerProcess server({"-c", conf.path()});
  // The start of a TLS record and no more: the handshake never completes.
  std::string received;
  const auto waited = time_to_close(server, std::string("\x16\x03\x01\x00", 4), &received);
  EXPECT_GE(waited, 400ms);
  EXPECT_LE(waited, 1800ms);
  EXPECT_EQ(received, "");  // no plaintext in the middle of a handshake
  EXPECT_TRUE(server.wait_for_log("TLS handshake timeout", 5s)) << server.log();
}

// ---- data over TLS ---------------------------------------------------------------------------

TEST(TlsTest, OneMegabytePayloadBothWays) {
  TestPki pki;
  ServerProcess server(pki.tls_flags());
  TlsClient client(server.port());
  ASSERT_TRUE(client.connect()) << client.error();
  const std::string payload = pattern(1024 * 1024);
  ASSERT_TRUE(client.send("SUB big 1\r\nPUB big " + std::to_string(payload.size()) + "\r\n" +
                          payload + "\r\nPING\r\n"));
  const std::string head = client.read_until("\r\n");
  ASSERT_EQ(head, "MSG big 1 1048576\r\n");
  EXPECT_TRUE(client.read_bytes(payload.size() + 2, 10s) == payload + "\r\n");
  EXPECT_EQ(client.read_until("PONG\r\n"), "PONG\r\n");
}

TEST(TlsTest, FramesSplitAcrossRecordsAndManyFramesInOneRecord) {
  TestPki pki;
  ServerProcess server(pki.tls_flags());
  TlsClient client(server.port());
  ASSERT_TRUE(client.connect()) << client.error();
  // Every byte its own TLS record: frames cut at every possible point.
  for (char c : std::string("SUB s 1\r\nPUB s 5\r\nhello\r\nPING\r\n")) {
    ASSERT_TRUE(client.send(std::string_view(&c, 1)));
  }
  EXPECT_EQ(client.read_until("PONG\r\n"), msg_frame("s", "1", "hello") + "PONG\r\n");
  // A frame straddling two records, then 200 frames in one record.
  ASSERT_TRUE(client.send("PUB s 11\r\nhello "));
  ASSERT_TRUE(client.send("world\r\n"));
  std::string many, expected = msg_frame("s", "1", "hello world");
  for (int i = 0; i < 200; ++i) {
    const std::string body = "m" + std::to_string(i);
    many += "PUB s " + std::to_string(body.size()) + "\r\n" + body + "\r\n";
    expected += msg_frame("s", "1", body);
  }
  ASSERT_TRUE(client.send(many + "PING\r\n"));
  EXPECT_EQ(client.read_until("PONG\r\n"), expected + "PONG\r\n");
}

// A publisher's burst far larger than one read batch: records OpenSSL has already pulled off
// the socket must still be processed when the socket itself has gone quiet.
TEST(TlsTest, BurstLargerThanAReadBatchIsProcessedCompletely) {
  TestPki pki;
  ServerProcess server(pki.tls_flags());
  TlsClient subscriber(server.port());
  ASSERT_TRUE(subscriber.connect()) << subscriber.error();
  ASSERT_TRUE(subscriber.send("SUB burst 1\r\nPING\r\n"));
  ASSERT_EQ(subscriber.read_until("PONG\r\n"), "PONG\r\n");

  TlsClient publisher(server.port());
  ASSERT_TRUE(publisher.connect()) << publisher.error();
  const std::string payload = pattern(1000);
  std::string frame = "PUB burst 1000\r\n" + payload + "\r\n";
  std::string burst;
  constexpr int kMessages = 4000;  // ~4 MB in 64 KB writes
  for (int i = 0; i < kMessages; ++i) burst += frame;
  for (std::size_t at = 0; at < burst.size(); at += 64 * 1024) {
    ASSERT_TRUE(publisher.send(std::string_view(burst).substr(at, 64 * 1024), 10s));
  }
  ASSERT_TRUE(publisher.send("PING\r\n"));
  EXPECT_EQ(publisher.read_until("PONG\r\n", 10s), "PONG\r\n");

  const std::string expected = msg_frame("burst", "1", payload);
  std::size_t got = 0;
  for (; got < kMessages; ++got) {
    std::string m = subscriber.read_bytes(expected.size(), 10s);
    if (m != expected) break;
  }
  EXPECT_EQ(got, static_cast<std::size_t>(kMessages));
}

// A burst just over one read batch (4 + 8 + 16 + 32 KB of buffer on a fresh connection): the
// batch stops with the tail already inside OpenSSL and the socket empty. The server must come
// back for it by itself, or the PING at the end is never answered.
TEST(TlsTest, TailOfABurstHeldByOpenSslIsNotForgotten) {
  TestPki pki;
  ServerProcess server(pki.tls_flags());
  const std::string frame = "PUB nobody 100\r\n" + std::string(100, 'x') + "\r\n";
  for (std::size_t kb = 56; kb <= 80; ++kb) {
    TlsClient client(server.port());
    ASSERT_TRUE(client.connect()) << client.error();
    std::string burst;
    while (burst.size() < kb * 1024) burst += frame;
    ASSERT_TRUE(client.send(burst + "PING\r\n"));
    EXPECT_EQ(client.read_until("PONG\r\n", 3s), "PONG\r\n") << "burst of " << kb << " KB";
  }
}

// TLS 1.3 key updates: the client asks the server to update its sending keys too. Once on an
// idle connection, once while the way back to the client is full of messages it has not read
// (OpenSSL sends its own KeyUpdate ahead of the next records it writes).
TEST(TlsTest, KeyUpdateRequestedByTheClientIsHonouredUnderLoad) {
  TestPki pki;
  ServerProcess server(pki.tls_flags());
  TlsClient client(server.port(), tls13());
  ASSERT_TRUE(client.connect()) << client.error();
  ASSERT_TRUE(client.request_key_update());
  ASSERT_TRUE(client.send("SUB k 1\r\nPING\r\n"));
  ASSERT_EQ(client.read_until("PONG\r\n"), "PONG\r\n");

  // Fill the path back to the client: 8 MB of messages it does not read yet.
  const std::string payload = pattern(8000);
  std::string burst;
  for (int i = 0; i < 1000; ++i) burst += "PUB k 8000\r\n" + payload + "\r\n";
  ASSERT_TRUE(client.send(burst));
  ASSERT_TRUE(client.request_key_update());
  ASSERT_TRUE(client.send("PING\r\n"));
  const std::string expected = msg_frame("k", "1", payload);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(client.read_bytes(expected.size(), 10s), expected) << "message " << i;
  }
  EXPECT_EQ(client.read_until("PONG\r\n", 10s), "PONG\r\n");
}

// ---- reload -----------------------------------------------------------------------------------

void rewrite(const TempFile& file, const std::string& text) {
  std::ofstream(file.path(), std::ios::trunc) << text;
}

std::string tls_block(const TestPki& pki) {
  return "tls {\n  cert_file: \"" + pki.path("server-cert.pem") + "\"\n  key_file: \"" +
         pki.path("server-key.pem") + "\"\n}\n";
}

// Reloads `conf` as `text` and waits until the server says it is done.
void reload(ServerProcess& server, const TempFile& conf, const std::string& text,
            std::string_view expected_line) {
  const auto from = server.log_size();
  rewrite(conf, text);
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("Reloaded server configuration", 5s, from)) << server.log();
  EXPECT_TRUE(server.wait_for_log(expected_line, 1s, from)) << server.log();
}

TEST(TlsTest, ReloadTurnsTlsOnSwapsCertificatesAndTurnsItOff) {
  TestPki first, second;
  TempFile conf("# no TLS yet\n");
  ServerProcess server({"-c", conf.path()});
  EXPECT_EQ(info_of(RawClient(server.port()).read_line()).value("tls_required", false), false);

  reload(server, conf, tls_block(first), "Reloaded: tls = enabled");
  TlsClientOptions trust_first;
  trust_first.ca_file = first.path("ca.pem");
  {
    TlsClient client(server.port(), trust_first);
    EXPECT_EQ(info_of(client.info()).value("tls_required", false), true);
    EXPECT_TRUE(client.connect()) << client.error();
  }

  reload(server, conf, tls_block(second), "Reloaded: tls = enabled");
  TlsClientOptions trust_second;
  trust_second.ca_file = second.path("ca.pem");
  {
    TlsClient client(server.port(), trust_second);
    EXPECT_TRUE(client.connect()) << client.error();
  }
  {
    TlsClient client(server.port(), trust_first);  // the old certificate is gone
    EXPECT_FALSE(client.handshake());
  }

  reload(server, conf, "# TLS off again\n", "Reloaded: tls = disabled");
  RawClient plain(server.port());
  EXPECT_EQ(info_of(plain.read_line()).value("tls_required", false), false);
  ASSERT_TRUE(plain.send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  EXPECT_EQ(plain.read_until("PONG\r\n"), "PONG\r\n");
}

TEST(TlsTest, ReloadToFilesThatDoNotLoadKeepsTheRunningTls) {
  TestPki pki;
  TempFile conf(tls_block(pki));
  ServerProcess server({"-c", conf.path()});
  const auto from = server.log_size();
  rewrite(conf, "tls {\n  cert_file: \"/nonexistent/cert.pem\"\n  key_file: \"" +
                    pki.path("server-key.pem") + "\"\n}\n");
  server.signal(SIGHUP);
  EXPECT_TRUE(
      server.wait_for_log("open /nonexistent/cert.pem: no such file or directory", 5s, from))
      << server.log();
  TlsClientOptions trust;
  trust.ca_file = pki.path("ca.pem");
  TlsClient client(server.port(), trust);
  EXPECT_TRUE(client.connect()) << client.error();
}

// ---- start-up errors -------------------------------------------------------------------------

TEST(TlsConfigTest, TlsWithoutCertificateOrKeyIsAStartupError) {
  auto no_cert = ServerProcess::run_to_exit({"--tls"});
  ASSERT_TRUE(no_cert);
  EXPECT_TRUE(exited_with(*no_cert, 1)) << describe_wait_status(no_cert->status);
  EXPECT_NE(no_cert->output.find("TLS Server certificate must be present and valid"),
            std::string::npos)
      << no_cert->output;

  TestPki pki;
  auto no_key = ServerProcess::run_to_exit({"--tlscert", pki.path("server-cert.pem")});
  ASSERT_TRUE(no_key);
  EXPECT_TRUE(exited_with(*no_key, 1));
  EXPECT_NE(no_key->output.find("TLS Server private key must be present and valid"),
            std::string::npos)
      << no_key->output;
}

TEST(TlsConfigTest, FilesThatDoNotLoadAreStartupErrorsNamingThem) {
  TestPki pki;
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  TempFile garbage("not a certificate\n", ".pem");
  const std::vector<Case> cases = {
      {{"--tls", "--tlscert", "/nonexistent/cert.pem", "--tlskey", pki.path("server-key.pem")},
       "error parsing X509 certificate/key pair: open /nonexistent/cert.pem: no such file or "
       "directory"},
      {{"--tls", "--tlscert", pki.path("server-cert.pem"), "--tlskey", "/nonexistent/key.pem"},
       "error parsing X509 certificate/key pair: open /nonexistent/key.pem: no such file or "
       "directory"},
      {{"--tls", "--tlscert", garbage.path(), "--tlskey", pki.path("server-key.pem")},
       "error parsing X509 certificate/key pair: tls: failed to find any PEM data in "
       "certificate input"},
      {{"--tls", "--tlscert", pki.path("server-cert.pem"), "--tlskey", pki.path("client-key.pem")},
       "error parsing X509 certificate/key pair: tls: private key type does not match public key "
       "type"},
      {{"--tls", "--tlscert", pki.path("client-cert.pem"), "--tlskey", pki.path("rogue-key.pem")},
       "error parsing X509 certificate/key pair: tls: private key does not match public key"},
      {{"--tls", "--tlscert", pki.path("server-cert.pem"), "--tlskey", garbage.path()},
       "error parsing X509 certificate/key pair: tls: failed to find any PEM data in key input"},
      {{"--tlsverify", "--tlscert", pki.path("server-cert.pem"), "--tlskey",
        pki.path("server-key.pem"), "--tlscacert", "/nonexistent/ca.pem"},
       "open /nonexistent/ca.pem: no such file or directory"},
      {{"--tlsverify", "--tlscert", pki.path("server-cert.pem"), "--tlskey",
        pki.path("server-key.pem"), "--tlscacert", garbage.path()},
       "failed to parse root ca certificate"},
  };
  for (const auto& c : cases) {
    auto result = ServerProcess::run_to_exit(c.args);
    ASSERT_TRUE(result);
    EXPECT_TRUE(exited_with(*result, 1)) << describe_wait_status(result->status);
    EXPECT_NE(result->output.find(c.expected), std::string::npos)
        << "expected: " << c.expected << "\ngot: " << result->output;
  }
}

TEST(TlsConfigTest, FilesOfATlsBlockThatDoNotLoadAreReportedAtTheBlock) {
  TestPki pki;
  TempFile conf("port: -1\ntls {\n  cert_file: \"/nonexistent/cert.pem\"\n  key_file: \"" +
                pki.path("server-key.pem") + "\"\n}\n");
  auto result = ServerProcess::run_to_exit({"-c", conf.path()});
  ASSERT_TRUE(result);
  EXPECT_TRUE(exited_with(*result, 1)) << describe_wait_status(result->status);
  const std::string expected = conf.path() +
                               ":2:1: error parsing X509 certificate/key pair: open "
                               "/nonexistent/cert.pem: no such file or directory";
  EXPECT_NE(result->output.find(expected), std::string::npos) << result->output;
}

TEST(TlsConfigTest, BadTlsBlocksAreConfigErrors) {
  TestPki pki;
  const std::string key_pair = "  cert_file: \"" + pki.path("server-cert.pem") +
                               "\"\n  key_file: \"" + pki.path("server-key.pem") + "\"\n";
  struct Case {
    std::string conf;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"tls {\n" + key_pair + "  cipher_suites: [\"BOGUS\"]\n}\n", "unrecognized cipher BOGUS"},
      {"tls {\n" + key_pair + "  curve_preferences: [\"BOGUS\"]\n}\n",
       "unrecognized curve preference BOGUS"},
      {"tls {\n  key_file: \"" + pki.path("server-key.pem") + "\"\n}\n",
       "missing 'cert_file' in TLS configuration"},
      {"tls {\n  cert_file: \"/nonexistent/cert.pem\"\n  key_file: \"" +
           pki.path("server-key.pem") + "\"\n}\n",
       "open /nonexistent/cert.pem: no such file or directory"},
  };
  for (const auto& c : cases) {
    TempFile conf(c.conf);
    auto result = ServerProcess::run_to_exit({"-c", conf.path()});
    ASSERT_TRUE(result);
    EXPECT_TRUE(exited_with(*result, 1)) << describe_wait_status(result->status);
    EXPECT_NE(result->output.find(c.expected), std::string::npos)
        << "expected: " << c.expected << "\ngot: " << result->output;
  }
}

}  // namespace
}  // namespace gnatsd::test
