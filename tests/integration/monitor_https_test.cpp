// HTTPS monitoring (-ms / https_port / `https:`) and the TLS fields of /connz, over real sockets,
// calibrated against nats-server 2.9.10 (GNATSD_TEST_BINARY=/usr/sbin/nats-server runs them
// against it). Certificates are made fresh for every test (TestPki).
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/wait.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http_client.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"
#include "tls_support.hpp"

namespace gnatsd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::vector<std::string> with(std::vector<std::string> args, std::vector<std::string> more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

bool exited_with(const ExitResult& r, int code) {
  return WIFEXITED(r.status) && WEXITSTATUS(r.status) == code;
}

std::uint64_t cid_of_info(const std::string& info_line) {
  const auto open = info_line.find('{');
  const auto close = info_line.rfind('}');
  if (open == std::string::npos || close == std::string::npos) return 0;
  return json::parse(info_line.substr(open, close - open + 1)).value("client_id", 0ULL);
}

const json* find_connection(const json& connz, std::uint64_t cid) {
  if (!connz.is_object() || !connz.contains("connections")) return nullptr;
  for (const auto& c : connz["connections"]) {
    if (c.value("cid", 0ULL) == cid) return &c;
  }
  return nullptr;
}

// ---- HTTPS monitoring -------------------------------------------------------------------------

TEST(MonitorHttpsTest, VarzAnswersOverVerifiedTlsAndTheLogNamesTheHttpsMonitor) {
  TestPki pki;
  ServerProcess server(with(pki.tls_flags(), {"-ms", "-1"}));
  const std::string log = server.log();
  EXPECT_NE(log.find("Starting https monitor on 127.0.0.1:"), std::string::npos) << log;
  EXPECT_EQ(log.find("Starting http monitor"), std::string::npos) << log;
  const int port = monitor_port(server, "https");
  ASSERT_GT(port, 0);

  const json varz = get_json_https(port, "/varz", pki.path("ca.pem"));
  ASSERT_TRUE(varz.is_object());
  EXPECT_EQ(varz["port"], server.port());
  EXPECT_EQ(varz["https_port"], -1);  // as configured, like http_port with -m -1
  EXPECT_EQ(varz["http_port"], 0);
  EXPECT_EQ(varz["tls_required"], true);
  EXPECT_EQ(varz["http_req_stats"]["/varz"], 1);

  // The other endpoints answer over the same port.
  EXPECT_EQ(get_json_https(port, "/healthz", pki.path("ca.pem"))["status"], "ok");
  EXPECT_EQ(get_json_https(port, "/connz", pki.path("ca.pem"))["num_connections"], 0);
  EXPECT_EQ(https_get(port, "/nothing-here", pki.path("ca.pem")).status, 404);

  // The certificate really is checked: a client trusting another CA refuses it.
  const HttpResponse rogue = https_get(port, "/varz", pki.path("rogue-ca.pem"));
  EXPECT_EQ(rogue.status, 0) << rogue.body;
  EXPECT_FALSE(rogue.error.empty());
  // And plain HTTP gets no JSON from the HTTPS port.
  EXPECT_NE(http_get(port, "/varz").status, 200);
}

TEST(MonitorHttpsTest, ClientCertificateVerificationDoesNotApplyToTheMonitor) {
  // tlsverify makes NATS clients present certificates; nats-server's HTTPS monitor still
  // answers a browser or curl without one.
  TestPki pki;
  ServerProcess server(with(pki.verify_flags(), {"-ms", "-1"}));
  const int port = monitor_port(server, "https");
  ASSERT_GT(port, 0);
  const json varz = get_json_https(port, "/varz", pki.path("ca.pem"));
  ASSERT_TRUE(varz.is_object());
  EXPECT_EQ(varz["tls_verify"], true);
}

TEST(MonitorHttpsTest, ConfigFileHttpsAddressServesHttps) {
  TestPki pki;
  TempFile conf("https: \"127.0.0.1:-1\"\ntls {\n  cert_file: \"" + pki.path("server-cert.pem") +
                "\"\n  key_file: \"" + pki.path("server-key.pem") + "\"\n}\n");
  ServerProcess server({"-c", conf.path()});
  const int port = monitor_port(server, "https");
  ASSERT_GT(port, 0);
  EXPECT_EQ(get_json_https(port, "/healthz", pki.path("ca.pem"))["status"], "ok");
}

TEST(MonitorHttpsTest, HttpsWithoutTlsIsAStartupError) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"-ms", "-1"}, {"-ms", "8443"}}) {
    auto result = ServerProcess::run_to_exit(args);
    ASSERT_TRUE(result);
    EXPECT_TRUE(exited_with(*result, 1)) << describe_wait_status(result->status);
    EXPECT_NE(result->output.find("Can't start monitoring: TLS cert and key required for HTTPS"),
              std::string::npos)
        << result->output;
  }
  TempFile conf("https_port: -1\n");
  auto from_file = ServerProcess::run_to_exit({"-c", conf.path()});
  ASSERT_TRUE(from_file);
  EXPECT_TRUE(exited_with(*from_file, 1)) << describe_wait_status(from_file->status);
  EXPECT_NE(from_file->output.find("TLS cert and key required for HTTPS"), std::string::npos)
      << from_file->output;
}

TEST(MonitorHttpsTest, HttpAndHttpsTogetherAreAStartupErrorAsInNatsServer) {
  // nats-server serves monitoring on one port only and refuses both.
  TestPki pki;
  auto result = ServerProcess::run_to_exit(with(pki.tls_flags(), {"-m", "-1", "-ms", "-1"}));
  ASSERT_TRUE(result);
  EXPECT_TRUE(exited_with(*result, 1)) << describe_wait_status(result->status);
  EXPECT_NE(result->output.find(
                "Can't start monitoring: can't specify both HTTP (-1) and HTTPs (-1) ports"),
            std::string::npos)
      << result->output;
}

// ---- /connz TLS fields ------------------------------------------------------------------------

TEST(MonitorHttpsTest, ConnzReportsTlsVersionAndCipherSuitePerConnection) {
  TestPki pki;
  ServerProcess server(with(pki.tls_flags(), {"-ms", "-1"}));
  const int port = monitor_port(server, "https");
  ASSERT_GT(port, 0);

  TlsClientOptions v12;
  v12.min_version = v12.max_version = TLS1_2_VERSION;
  v12.ciphers = "ECDHE-RSA-AES256-GCM-SHA384";
  TlsClient c12(server.port(), v12);
  ASSERT_TRUE(c12.connect()) << c12.error();
  TlsClientOptions v13;
  v13.min_version = v13.max_version = TLS1_3_VERSION;
  TlsClient c13(server.port(), v13);
  ASSERT_TRUE(c13.connect()) << c13.error();

  const HttpResponse raw = https_get(port, "/connz?subs=1", pki.path("ca.pem"));
  ASSERT_EQ(raw.status, 200) << raw.error;
  const json connz = json::parse(raw.body);
  const json* one = find_connection(connz, cid_of_info(c12.info()));
  const json* two = find_connection(connz, cid_of_info(c13.info()));
  ASSERT_TRUE(one && two) << raw.body;
  EXPECT_EQ((*one)["tls_version"], "1.2");
  EXPECT_EQ((*one)["tls_cipher_suite"], "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
  EXPECT_EQ((*two)["tls_version"], "1.3");
  EXPECT_EQ((*two)["tls_cipher_suite"], c13.cipher());  // OpenSSL names TLS 1.3 suites by IANA

  // Where nats-server puts them: after the counters and client identity, before the lists.
  const auto version = raw.body.find("\"tls_version\"");
  const auto suite = raw.body.find("\"tls_cipher_suite\"");
  EXPECT_LT(raw.body.find("\"subscriptions\""), version);
  EXPECT_LT(version, suite);
}

TEST(MonitorHttpsTest, ConnzOmitsTlsFieldsForPlaintextConnections) {
  ServerProcess server({"-m", "-1"});
  const int port = monitor_port(server);
  ASSERT_GT(port, 0);
  RawClient client(server.port());
  const std::uint64_t cid = cid_of_info(client.read_frame());
  ASSERT_TRUE(client.send("CONNECT {\"verbose\":false,\"name\":\"plain\"}\r\nPING\r\n"));
  ASSERT_EQ(client.read_until_pong(), "PONG\r\n");

  const json connz = get_json(port, "/connz");
  const json* conn = find_connection(connz, cid);
  ASSERT_TRUE(conn) << connz.dump();
  EXPECT_EQ((*conn)["name"], "plain");
  EXPECT_FALSE(conn->contains("tls_version")) << conn->dump();
  EXPECT_FALSE(conn->contains("tls_cipher_suite")) << conn->dump();
}

}  // namespace
}  // namespace gnatsd::test
