// The command line as nats-server users type it: every syntax form of Go's flag package, every
// flag of the usage text, and Go's error texts.
#include "config/command_line.hpp"

#include <gtest/gtest.h>

namespace gnatsd::config {
namespace {

using Action = CommandLine::Action;

struct Parsed {
  CommandLine cli;
  Options options;
};

Parsed parse(std::vector<std::string> args) {
  Parsed p;
  p.cli = parse_command_line(args, p.options);
  return p;
}

TEST(CommandLineTest, EverySyntaxFormOfAValueFlag) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"-p", "4333"}, {"-p=4333"}, {"--port", "4333"}, {"--port=4333"}, {"-port", "4333"}}) {
    auto p = parse(args);
    EXPECT_EQ(p.cli.action, Action::Run) << args[0];
    EXPECT_EQ(p.options.port, 4333) << args[0];
  }
}

TEST(CommandLineTest, BooleansTakeNoValueUnlessJoinedByEquals) {
  auto p = parse({"-D", "-T=false", "--trace=1"});
  EXPECT_TRUE(p.options.debug);
  EXPECT_FALSE(p.options.logtime);
  EXPECT_TRUE(p.options.trace);
  auto dv = parse({"-DV"});
  EXPECT_TRUE(dv.options.debug && dv.options.trace);
}

TEST(CommandLineTest, ServerAndLoggingFlags) {
  auto p = parse({"-a", "127.0.0.1", "-n", "alpha", "-P", "/tmp/g.pid", "-m", "8222", "-ms", "8443",
                  "-l", "/tmp/g.log", "-s", "-r", "udp://127.0.0.1:514", "--client_advertise",
                  "example.com:4222"});
  ASSERT_EQ(p.cli.action, Action::Run) << p.cli.error;
  EXPECT_EQ(p.options.host, "127.0.0.1");
  EXPECT_EQ(p.options.server_name, "alpha");
  EXPECT_EQ(p.options.pid_file, "/tmp/g.pid");
  EXPECT_EQ(p.options.http_port, 8222);
  EXPECT_EQ(p.options.https_port, 8443);
  EXPECT_EQ(p.options.log_file, "/tmp/g.log");
  EXPECT_TRUE(p.options.syslog);
  EXPECT_EQ(p.options.remote_syslog, "udp://127.0.0.1:514");
  EXPECT_EQ(p.options.client_advertise, "example.com:4222");
}

TEST(CommandLineTest, AuthTlsAndClusterFlags) {
  auto p = parse({"--user", "derek", "--pass", "s3cr3t", "--auth", "tok", "--tlsverify",
                  "--tlscert", "c.pem", "--tlskey", "k.pem", "--tlscacert", "ca.pem", "--routes",
                  "nats://a:4245, nats://b:4246", "--cluster", "nats://ru:rp@127.0.0.1:4244",
                  "--cluster_name", "c1"});
  ASSERT_EQ(p.cli.action, Action::Run) << p.cli.error;
  EXPECT_EQ(p.options.username, "derek");
  EXPECT_EQ(p.options.password, "s3cr3t");
  EXPECT_EQ(p.options.token, "tok");
  EXPECT_TRUE(p.options.tls.enabled);
  EXPECT_TRUE(p.options.tls.verify);
  EXPECT_EQ(p.options.tls.cert_file, "c.pem");
  EXPECT_EQ(p.options.tls.key_file, "k.pem");
  EXPECT_EQ(p.options.tls.ca_file, "ca.pem");
  EXPECT_EQ(p.options.cluster.routes, (std::vector<std::string>{"nats://a:4245", "nats://b:4246"}));
  EXPECT_EQ(p.options.cluster.host, "127.0.0.1");
  EXPECT_EQ(p.options.cluster.port, 4244);
  EXPECT_EQ(p.options.cluster.username, "ru");
  EXPECT_EQ(p.options.cluster.password, "rp");
  EXPECT_EQ(p.options.cluster.name, "c1");
}

// As in nats-server, any TLS flag turns TLS on (cert and key are then required).
TEST(CommandLineTest, AnyTlsFileFlagEnablesTls) {
  EXPECT_TRUE(parse({"--tlscert", "c.pem"}).options.tls.enabled);
  EXPECT_TRUE(parse({"--tlskey", "k.pem"}).options.tls.enabled);
  EXPECT_TRUE(parse({"--tlscacert", "ca.pem"}).options.tls.enabled);
  EXPECT_FALSE(parse({"--tlscert", "c.pem", "--tls=false"}).options.tls.enabled);
  EXPECT_FALSE(parse({}).options.tls.enabled);
}

TEST(CommandLineTest, ActionsAndTheirPrecedence) {
  EXPECT_EQ(parse({"-h"}).cli.action, Action::ShowHelp);
  EXPECT_EQ(parse({"--help"}).cli.action, Action::ShowHelp);
  EXPECT_EQ(parse({"-v"}).cli.action, Action::ShowVersion);
  EXPECT_EQ(parse({"--help_tls"}).cli.action, Action::ShowTlsHelp);
  EXPECT_EQ(parse({"-v", "-h"}).cli.action, Action::ShowHelp);
  auto t = parse({"-t", "-c", "x.conf"});
  EXPECT_EQ(t.cli.action, Action::TestConfig);
  EXPECT_EQ(t.cli.config_file, "x.conf");
  auto sig = parse({"--signal", "reload=42"});
  EXPECT_EQ(sig.cli.action, Action::SendSignal);
  EXPECT_EQ(sig.cli.signal, "reload=42");
  EXPECT_EQ(parse({"-sl", "quit"}).cli.signal, "quit");
}

TEST(CommandLineTest, GoFlagErrorTexts) {
  auto unknown = parse({"--bogus"});
  EXPECT_EQ(unknown.cli.action, Action::Error);
  EXPECT_EQ(unknown.cli.error, "flag provided but not defined: -bogus");
  EXPECT_EQ(parse({"-p", "abc"}).cli.error, "invalid value \"abc\" for flag -p: parse error");
  EXPECT_EQ(parse({"-p"}).cli.error, "flag needs an argument: -p");
  EXPECT_EQ(parse({"-D=maybe"}).cli.error, "invalid boolean value \"maybe\" for -D: parse error");
  EXPECT_EQ(parse({"-p", "70000"}).cli.action, Action::Error);
  EXPECT_EQ(parse({"--jetstream"}).cli.action, Action::Error);
}

TEST(CommandLineTest, ParsingStopsAtTheFirstNonFlag) {
  auto p = parse({"-p", "4333", "extra", "-p", "5555"});
  EXPECT_EQ(p.cli.action, Action::Run);
  EXPECT_EQ(p.options.port, 4333);
}

TEST(CommandLineTest, UnsupportedButHarmlessFlagsWarn) {
  auto p = parse({"--max_traced_msg_len", "1000", "--profile", "6060"});
  EXPECT_EQ(p.cli.action, Action::Run);
  EXPECT_EQ(p.cli.warnings.size(), 2u);
}

TEST(CommandLineTest, LogSizeLimit) {
  auto p = parse({"--log_size_limit", "1000"});
  EXPECT_EQ(p.cli.action, Action::Run);
  EXPECT_TRUE(p.cli.warnings.empty());
  EXPECT_EQ(p.options.log_size_limit, 1000);
}

TEST(CommandLineTest, PortsFileDir) {
  auto p = parse({"--ports_file_dir", "/tmp/ports"});
  EXPECT_EQ(p.cli.action, Action::Run);
  EXPECT_TRUE(p.cli.warnings.empty());
  EXPECT_EQ(p.options.ports_file_dir, "/tmp/ports");
}

TEST(CommandLineTest, UsageListsEveryFlagOfTheSpec) {
  const std::string usage = usage_text();
  for (const char* flag :
       {"--addr",    "--port",      "--pid",       "--http_port",     "--https_port", "--config",
        "--log",     "--logtime",   "--syslog",    "--remote_syslog", "--debug",      "--trace",
        "-DV",       "--user",      "--pass",      "--auth",          "--tls ",       "--tlscert",
        "--tlskey",  "--tlsverify", "--tlscacert", "--routes",        "--cluster ",   "--help",
        "--version", "--signal"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace gnatsd::config
