// nats-bench's command line (with the TLS flags), server URLs and payload stamps.
#include "bench_options.hpp"

#include <gtest/gtest.h>

#include "payload.hpp"
#include "server_url.hpp"

namespace nats_bench {
namespace {

TEST(BenchOptions, DefaultsAndValues) {
  auto p =
      parse_bench_options({"-s", "nats://10.0.0.1:4333", "--pub", "2", "--sub=3", "--msgs", "1000",
                           "--size", "64K", "--subject", "s.x", "--queue", "g", "--json"});
  ASSERT_TRUE(p.options);
  EXPECT_EQ(p.options->server.host, "10.0.0.1");
  EXPECT_EQ(p.options->server.port, 4333);
  EXPECT_EQ(p.options->pubs, 2);
  EXPECT_EQ(p.options->subs, 3);
  EXPECT_EQ(p.options->msgs, 1000u);
  EXPECT_EQ(p.options->size, 64u * 1024);
  EXPECT_EQ(p.options->subject, "s.x");
  EXPECT_EQ(p.options->queue, "g");
  EXPECT_TRUE(p.options->json);
  EXPECT_EQ(p.options->mode, Mode::Throughput);
}

TEST(BenchOptions, SubscribersMayUseAnotherServerOfTheCluster) {
  auto p = parse_bench_options(
      {"-s", "nats://127.0.0.1:4222", "--sub-server", "nats://127.0.0.1:4223", "--sub", "1"});
  ASSERT_TRUE(p.options);
  ASSERT_TRUE(p.options->sub_server);
  EXPECT_EQ(p.options->sub_server->port, 4223);
  EXPECT_FALSE(parse_bench_options({"--request", "--sub-server", "nats://h:1"}).options);
  EXPECT_FALSE(parse_bench_options({"--sub-server", "http://h:1"}).options);
}

TEST(BenchOptions, RequestModeDefaultsToOneResponderAndAWarmup) {
  auto p = parse_bench_options({"--request", "--msgs", "5000"});
  ASSERT_TRUE(p.options);
  EXPECT_EQ(p.options->mode, Mode::Request);
  EXPECT_EQ(p.options->subs, 1);
  EXPECT_EQ(p.options->warmup, 500u);
}

TEST(BenchOptions, RequestShapesOfOtherLoaders) {
  auto p =
      parse_bench_options({"--request", "--single-thread", "--split-writes", "--spacers", "1"});
  ASSERT_TRUE(p.options) << p.message;
  EXPECT_TRUE(p.options->single_thread);
  EXPECT_TRUE(p.options->split_writes);
  EXPECT_EQ(p.options->spacers, 1);
  // One thread drives exactly one requester and one responder.
  EXPECT_EQ(parse_bench_options({"--request", "--single-thread", "--pub", "2"}).exit_code, 2);
  // The shapes are request mode's; pacing is throughput mode's.
  EXPECT_EQ(parse_bench_options({"--single-thread"}).exit_code, 2);
  EXPECT_EQ(parse_bench_options({"--spacers", "1", "--pub", "1"}).exit_code, 2);
  EXPECT_EQ(parse_bench_options({"--request", "--rate", "1000"}).exit_code, 2);
  EXPECT_EQ(parse_bench_options({"--rate", "0"}).exit_code, 2);
  auto paced = parse_bench_options({"--pub", "1", "--sub", "1", "--rate", "200000"});
  ASSERT_TRUE(paced.options) << paced.message;
  EXPECT_EQ(paced.options->rate, 200000u);
}

TEST(BenchOptions, IdleModeNeedsConnsAndIdle) {
  auto ok = parse_bench_options({"--conns", "10", "--idle", "--hold", "0"});
  ASSERT_TRUE(ok.options);
  EXPECT_EQ(ok.options->mode, Mode::Idle);
  EXPECT_EQ(ok.options->conns, 10);
  EXPECT_EQ(parse_bench_options({"--idle"}).exit_code, 2);
  EXPECT_EQ(parse_bench_options({"--conns", "5"}).exit_code, 2);
}

TEST(BenchOptions, BadInputIsAUsageError) {
  for (std::vector<std::string> bad : {std::vector<std::string>{"--pub"},
                                       {"--pub", "x"},
                                       {"--size", "1Q"},
                                       {"--frobnicate"},
                                       {"extra"},
                                       {"--pub", "0", "--sub", "0"},
                                       {"--json=1"},
                                       {"-s", "http://x:1"},
                                       {"-s", "nats://x:99999"}}) {
    auto p = parse_bench_options(bad);
    EXPECT_FALSE(p.options) << bad[0];
    EXPECT_EQ(p.exit_code, 2) << bad[0];
  }
  auto help = parse_bench_options({"--help"});
  EXPECT_FALSE(help.options);
  EXPECT_EQ(help.exit_code, 0);
}

TEST(BenchOptions, TlsFlags) {
  auto p =
      parse_bench_options({"--tls", "--tlsca", "ca.pem", "--tlscert=c.pem", "--tlskey", "k.pem"});
  ASSERT_TRUE(p.options);
  EXPECT_TRUE(p.options->tls.enabled);
  EXPECT_TRUE(p.options->server.tls);  // reports name the server tls://
  EXPECT_EQ(p.options->tls.ca_file, "ca.pem");
  EXPECT_EQ(p.options->tls.cert_file, "c.pem");
  EXPECT_EQ(p.options->tls.key_file, "k.pem");

  auto plain = parse_bench_options({"-s", "nats://127.0.0.1:4222"});
  ASSERT_TRUE(plain.options);
  EXPECT_FALSE(plain.options->tls.enabled);
}

TEST(BenchOptions, TlsImpliedByUrlOrCertificates) {
  auto by_url = parse_bench_options({"-s", "tls://127.0.0.1:4443"});
  ASSERT_TRUE(by_url.options);
  EXPECT_TRUE(by_url.options->tls.enabled);
  EXPECT_TRUE(by_url.options->tls.ca_file.empty());  // verified against the system's roots
  auto by_ca = parse_bench_options({"--tlsca", "ca.pem"});
  ASSERT_TRUE(by_ca.options);
  EXPECT_TRUE(by_ca.options->tls.enabled);
  EXPECT_EQ(by_ca.options->server.text(), "tls://127.0.0.1:4222");
}

TEST(BenchOptions, BadTlsFlagsAreUsageErrors) {
  for (std::vector<std::string> bad : {std::vector<std::string>{"--tls=yes"},
                                       {"--tlsca"},
                                       {"--tlsca", ""},
                                       {"--tlscert", "c.pem"},
                                       {"--tlskey", "k.pem"},
                                       {"--tls", "--conns", "5", "--idle"}}) {
    auto p = parse_bench_options(bad);
    EXPECT_FALSE(p.options) << bad[0];
    EXPECT_EQ(p.exit_code, 2) << bad[0];
  }
}

TEST(ServerUrl, Forms) {
  auto plain = parse_server_url("localhost");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->host, "localhost");
  EXPECT_EQ(plain->port, 4222);
  auto auth = parse_server_url("nats://bob:secret@127.0.0.1:5222");
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->user, "bob");
  EXPECT_EQ(auth->password, "secret");
  EXPECT_EQ(auth->port, 5222);
  auto token = parse_server_url("nats://t0ken@h:1");
  ASSERT_TRUE(token);
  EXPECT_EQ(token->token, "t0ken");
  EXPECT_FALSE(token->tls);
}

TEST(ServerUrl, TlsScheme) {
  auto url = parse_server_url("tls://bob:secret@localhost:4443");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "localhost");
  EXPECT_EQ(url->port, 4443);
  EXPECT_EQ(url->user, "bob");
  EXPECT_EQ(url->text(), "tls://localhost:4443");
  EXPECT_EQ(url->host_port(), "localhost:4443");
  EXPECT_FALSE(parse_server_url("tcp://h:1"));
  EXPECT_FALSE(parse_server_url("https://h:1"));
}

TEST(ServerUrl, WebSocketScheme) {
  auto url = parse_server_url("ws://127.0.0.1:8080");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->websocket);
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->text(), "ws://127.0.0.1:8080");
  auto no_port = parse_server_url("ws://h");
  ASSERT_TRUE(no_port);
  EXPECT_EQ(no_port->port, 80);
  auto secure = parse_server_url("wss://h:443");
  ASSERT_TRUE(secure);
  EXPECT_TRUE(secure->websocket && secure->tls);
}

TEST(BenchOptions, WebSocketRefusesTlsAndIdle) {
  auto ok = parse_bench_options({"-s", "ws://127.0.0.1:8080", "--pub", "1", "--sub", "1"});
  ASSERT_TRUE(ok.options);
  EXPECT_TRUE(ok.options->server.websocket);
  EXPECT_FALSE(ok.options->tls.enabled);
  for (std::vector<std::string> bad : {std::vector<std::string>{"-s", "wss://127.0.0.1:8443"},
                                       {"-s", "ws://127.0.0.1:8080", "--tls"},
                                       {"-s", "ws://127.0.0.1:8080", "--tlsca", "ca.pem"},
                                       {"-s", "ws://127.0.0.1:8080", "--conns", "5", "--idle"}}) {
    auto p = parse_bench_options(bad);
    EXPECT_FALSE(p.options) << bad.back();
    EXPECT_EQ(p.exit_code, 2) << bad.back();
  }
}

TEST(Payload, StampRoundTrip) {
  char payload[16] = {};
  write_stamp(payload, 513, (std::uint64_t{1} << 40) + 7);
  write_run_tag(payload, 0xfeedbeefcafe1234ull);
  Stamp s = read_stamp(std::string_view(payload, sizeof payload));
  EXPECT_EQ(s.publisher, 513u);
  EXPECT_EQ(s.seq, (std::uint64_t{1} << 40) + 7);
  EXPECT_TRUE(has_run_tag(std::string_view(payload, sizeof payload), 0xfeedbeefcafe1234ull));
  EXPECT_FALSE(has_run_tag(std::string_view(payload, sizeof payload), 1));
}

}  // namespace
}  // namespace nats_bench
