// The NATS config grammar as nats-server's conf package reads it: the spec README's samples,
// every lexical form, positions, variables, includes and errors.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "config/conf_lexer.hpp"
#include "config/conf_parser.hpp"

namespace gnatsd::config {
namespace {

// A compact, ordered rendering of a tree: {key: value, ...}, [a, b], "string", 12, 0.5, true,
// @datetime. Expected trees read like the config they come from.
std::string dump(const ConfValue& value);

std::string dump(const ConfMap& map) {
  std::string out = "{";
  for (const ConfMapEntry& entry : map) {
    if (out.size() > 1) out += ", ";
    out += entry.key + ": " + dump(entry.value);
  }
  return out + "}";
}

std::string dump(const ConfValue& value) {
  switch (value.kind()) {
    case ConfValue::Kind::Map:
      return dump(value.as_map());
    case ConfValue::Kind::Array: {
      std::string out = "[";
      for (const ConfValue& element : value.as_array()) {
        if (out.size() > 1) out += ", ";
        out += dump(element);
      }
      return out + "]";
    }
    case ConfValue::Kind::String: {
      std::string out = "\"";
      for (char c : value.as_string()) {
        if (c == '\n') {
          out += "\\n";
        } else if (c == '\t') {
          out += "\\t";
        } else if (c == '\r') {
          out += "\\r";
        } else if (c == '"' || c == '\\') {
          out += '\\';
          out += c;
        } else {
          out += c;
        }
      }
      return out + "\"";
    }
    case ConfValue::Kind::Integer:
      return std::to_string(value.as_integer());
    case ConfValue::Kind::Float: {
      std::ostringstream out;
      out << value.as_float();
      return out.str();
    }
    case ConfValue::Kind::Bool:
      return value.as_bool() ? "true" : "false";
    case ConfValue::Kind::DateTime:
      return "@" + value.as_datetime().text;
  }
  return "?";
}

ConfResult<ConfMap> parse(std::string_view text) {
  return parse_config_string(text, "test.conf");
}

// The tree of `text`, rendered; a parse error is rendered as "error: <message>".
std::string tree(std::string_view text) {
  ConfResult<ConfMap> result = parse(text);
  if (!result) return "error: " + result.error().message();
  return dump(*result);
}

// The error message `text` fails with ("" if it parses).
std::string error_of(std::string_view text) {
  ConfResult<ConfMap> result = parse(text);
  return result ? "" : result.error().message();
}

std::string lexed(std::string_view text) {
  std::string out;
  for (const ConfToken& token : lex_config(text)) {
    if (!out.empty()) out += ' ';
    out += std::string(to_string(token.kind)) + "(" + token.text + ")@" +
           std::to_string(token.line) + ":" + std::to_string(token.column);
  }
  return out;
}

// ---- The spec README's samples ----

TEST(ConfParserTest, ReadmeSampleConfig) {
  constexpr std::string_view kSample = R"(
port: 4242      # port to listen for client connections
net: apcera.me  # net interface to listen

http_port: 8222 # HTTP monitoring port

# Authorization for client connections
authorization {
  user:     derek
  password: T0pS3cr3t
  timeout:  1
}

# Cluster definition

cluster {

  host: '127.0.0.1'  # host/net interface
  port: 4244         # port for inbound route connections

  # Authorization for route connections
  authorization {
    user: route_user
    password: T0pS3cr3tT00!
    timeout: 0.5
  }

  # Routes are actively solicited and connected to from this server.
  # Other servers can connect to us if they supply the correct credentials
  # in their routes definitions from above.

  routes = [
    nats-route://user1:pass1@127.0.0.1:4245
    nats-route://user2:pass2@127.0.0.1:4246
  ]
}

# logging options
debug:   false
trace:   true
logtime: false
log_file: "/tmp/gnatsd.log"

# pid file
pid_file: "/tmp/gnatsd.pid"

# Some system overides

# max_connections
max_connections: 100

# maximum protocol control line
max_control_line: 512

# maximum payload
max_payload: 65536

# slow consumer threshold
max_pending_size: 10000000

)";
  EXPECT_EQ(tree(kSample),
            "{port: 4242, net: \"apcera.me\", http_port: 8222, "
            "authorization: {user: \"derek\", password: \"T0pS3cr3t\", timeout: 1}, "
            "cluster: {host: \"127.0.0.1\", port: 4244, "
            "authorization: {user: \"route_user\", password: \"T0pS3cr3tT00!\", timeout: 0.5}, "
            "routes: [\"nats-route://user1:pass1@127.0.0.1:4245\", "
            "\"nats-route://user2:pass2@127.0.0.1:4246\"]}, "
            "debug: false, trace: true, logtime: false, log_file: \"/tmp/gnatsd.log\", "
            "pid_file: \"/tmp/gnatsd.pid\", max_connections: 100, max_control_line: 512, "
            "max_payload: 65536, max_pending_size: 10000000}");

  ConfResult<ConfMap> result = parse(kSample);
  ASSERT_TRUE(result);
  const ConfValue* timeout =
      result->get("cluster")->as_map().get("authorization")->as_map().get("timeout");
  ASSERT_TRUE(timeout->is_float());
  EXPECT_DOUBLE_EQ(timeout->as_float(), 0.5);
  EXPECT_TRUE(result->get("authorization")->as_map().get("timeout")->is_integer());
}

TEST(ConfParserTest, ReadmeSimpleTlsConfig) {
  EXPECT_EQ(
      tree(R"(
# Simple TLS config file

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
)"),
      "{port: 4443, net: \"apcera.me\", tls: {cert_file: \"./configs/certs/server-cert.pem\", "
      "key_file: \"./configs/certs/server-key.pem\", timeout: 0.5}, "
      "authorization: {user: \"derek\", password: \"s3cr3t!\", timeout: 1}}");
}

TEST(ConfParserTest, ReadmeVerifyClientsTlsConfig) {
  EXPECT_EQ(tree(R"(
tls {
  cert_file: "./configs/certs/server-cert.pem"
  key_file:  "./configs/certs/server-key.pem"
  ca_file:   "./configs/certs/ca.pem"
  verify:    true
}
)"),
            "{tls: {cert_file: \"./configs/certs/server-cert.pem\", "
            "key_file: \"./configs/certs/server-key.pem\", ca_file: \"./configs/certs/ca.pem\", "
            "verify: true}}");
}

TEST(ConfParserTest, ReadmeClusterTlsConfig) {
  EXPECT_EQ(tree(R"(
cluster {
  host: '127.0.0.1'
  port: 4244

  tls {
    # Route cert
    cert_file: "./configs/certs/srva-cert.pem"
    # Private key
    key_file:  "./configs/certs/srva-key.pem"
    # Optional certificate authority verifying connected routes
    # Required when we have self-signed CA, etc.
    ca_file:   "./configs/certs/ca.pem"
  }
  # Routes are actively solicited and connected to from this server.
  # Other servers can connect to us if they supply the correct credentials
  # in their routes definitions from above.
  routes = [
    nats-route://127.0.0.1:4246
  ]
}
)"),
            "{cluster: {host: \"127.0.0.1\", port: 4244, "
            "tls: {cert_file: \"./configs/certs/srva-cert.pem\", "
            "key_file: \"./configs/certs/srva-key.pem\", ca_file: \"./configs/certs/ca.pem\"}, "
            "routes: [\"nats-route://127.0.0.1:4246\"]}}");
}

TEST(ConfParserTest, ReadmeBcryptPasswordStaysAString) {
  EXPECT_EQ(tree(R"(
  authorization {
    user: derek
    password: $2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS
  }
)"),
            "{authorization: {user: \"derek\", "
            "password: \"$2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS\"}}");
}

// ---- Keys and separators ----

TEST(ConfParserTest, KeySeparators) {
  EXPECT_EQ(tree("a = 1\nb: 2\nc 3\nd\t4\ne:5\nf=6\ng :7"),
            "{a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7}");
  // Without a separator the value may even start on a later line.
  EXPECT_EQ(tree("foo\n\n  bar\n"), "{foo: \"bar\"}");
  // Semicolons and commas end top-level values too.
  EXPECT_EQ(tree("foo='1'; bar=2.2; baz=true; boo=22"),
            "{foo: \"1\", bar: 2.2, baz: true, boo: 22}");
  EXPECT_EQ(tree("a = 1, b = 2"), "{a: 1, b: 2}");
}

TEST(ConfParserTest, QuotedKeys) {
  EXPECT_EQ(tree("'foo' : 123\n\"bar\" = 4\n' sp ace' 5\n\"a.b-c\": 6"),
            "{foo: 123, bar: 4,  sp ace: 5, a.b-c: 6}");
  EXPECT_EQ(tree("foo = {'bar-1.2.3' = { port:4242 }}"), "{foo: {bar-1.2.3: {port: 4242}}}");
}

TEST(ConfParserTest, RepeatedKeyKeepsSlotTakesLastValue) {
  EXPECT_EQ(tree("a = 1\nb = 2\na = 3"), "{a: 3, b: 2}");
}

// ---- Comments ----

TEST(ConfParserTest, Comments) {
  EXPECT_EQ(tree("# hash\n// slashes\nfoo = 123 // trailing\nbar=1    # trailing\n"),
            "{foo: 123, bar: 1}");
  EXPECT_EQ(tree("# only comments\n   # and blanks\n\n"), "{}");
  EXPECT_EQ(tree(""), "{}");
  EXPECT_EQ(tree("m {\n  # inside\n  a = 1 # after\n  // slashes\n}\n"), "{m: {a: 1}}");
  // A '#' glued to a value is part of it.
  EXPECT_EQ(tree("a = b#c"), "{a: \"b#c\"}");
}

// ---- Strings ----

TEST(ConfParserTest, BareStrings) {
  EXPECT_EQ(tree("net: apcera.me\nurl: nats://a:b@host:4222/x?y=1\npath: /tmp/x.log"),
            "{net: \"apcera.me\", url: \"nats://a:b@host:4222/x?y=1\", path: \"/tmp/x.log\"}");
  // A single quote ends a bare string and is dropped; the value is then never a bool.
  EXPECT_EQ(tree("foo = bar' \ng = true'"), "{foo: \"bar\", g: \"true\"}");
  // A value cut off by the end of the file is empty, as in nats-server.
  EXPECT_EQ(tree("foo ="), "{foo: \"\"}");
}

TEST(ConfParserTest, DoubleQuotedStringEscapes) {
  EXPECT_EQ(tree(R"(a = "tab\tnl\ncr\rq\"bs\\")"), R"({a: "tab\tnl\ncr\rq\"bs\\"})");
  EXPECT_EQ(tree(R"(a = "\x45\x71" b = 1)"),
            "error: test.conf:1:16: Expected a top-level value to end with a new line, comment "
            "or EOF, but got 'b' instead.");
  EXPECT_EQ(tree(R"(a = "\x45\x71")"), R"({a: "Eq"})");
  ConfResult<ConfMap> latin1 = parse(R"(a = "\xe9")");
  ASSERT_TRUE(latin1);
  EXPECT_EQ(latin1->get("a")->as_string(), "\xe9");  // a raw byte, not UTF-8
  EXPECT_EQ(tree("a = \"multi\nline\""), R"({a: "multi\nline"})");
  EXPECT_EQ(tree(R"(a = "")"), R"({a: ""})");
  // Quoted words are strings, never bools or variables.
  EXPECT_EQ(tree(R"(a = "true", b = "$x")"), R"({a: "true", b: "$x"})");
}

TEST(ConfParserTest, SingleQuotedStringsAreRaw) {
  EXPECT_EQ(tree(R"(a = 'bar\r\n  \t')"), R"({a: "bar\\r\\n  \\t"})");
  EXPECT_EQ(tree("expr = '(true == \"false\")'\ntext = 'multi\nline'"),
            R"x({expr: "(true == \"false\")", text: "multi\nline"})x");
  EXPECT_EQ(tree("a = ''"), R"({a: ""})");
}

TEST(ConfParserTest, EscapesInBareStrings) {
  EXPECT_EQ(tree(R"(a = \x3cmiddle\x3E)"), R"({a: "<middle>"})");
  EXPECT_EQ(tree(R"(a = start\x7Cend)"), R"({a: "start|end"})");
  EXPECT_EQ(tree("a = \\t"), R"({a: "\t"})");
  // An escape makes the value a plain string: no bool, no variable.
  EXPECT_EQ(tree(R"(a = \\true, b = \\$var)"), R"({a: "\\true", b: "\\$var"})");
}

TEST(ConfParserTest, BlockStrings) {
  EXPECT_EQ(tree("numbers (\n1234567890\n)\n"), R"({numbers: "\n1234567890\n"})");
  EXPECT_EQ(tree("numbers (\n  12(34)56\n  (\n    7890\n  )\n)\nnext = 1\n"),
            R"({numbers: "\n  12(34)56\n  (\n    7890\n  )\n", next: 1})");
  // nats-server keeps the ')' when it is the last byte of the file.
  EXPECT_EQ(tree("numbers (\nabc\n)"), R"x({numbers: "\nabc\n)"})x");
}

// ---- Numbers, sizes, addresses, dates ----

TEST(ConfParserTest, Integers) {
  EXPECT_EQ(tree("a = 123\nb = -123\nc=0\nd = 9223372036854775807"),
            "{a: 123, b: -123, c: 0, d: 9223372036854775807}");
  EXPECT_EQ(tree("a = [1, 2]\nb = {c: 3}"), "{a: [1, 2], b: {c: 3}}");
}

TEST(ConfParserTest, SizeSuffixesBecomeIntegers) {
  EXPECT_EQ(tree("k = 8k\nkb = 4kb\nki = 3ki\nkib = 4KiB\nm = 1m\nmb = 2MB\nmi = 2Mi\n"
                 "mib = 64MiB\ng = 2g\ngb = 22GB\ngi = 22Gi\ngib = 22GiB\nt = 1T\ntb = 1TB\n"
                 "p = 1p\npb = 1Pb\ne = 1e\neb = 1EB\n"),
            "{k: 8000, kb: 4096, ki: 3072, kib: 4096, m: 1000000, mb: 2097152, mi: 2097152, "
            "mib: 67108864, g: 2000000000, gb: 23622320128, gi: 23622320128, gib: 23622320128, "
            "t: 1000000000000, tb: 1099511627776, p: 1000000000000000, pb: 1125899906842624, "
            "e: 1000000000000000000, eb: 1152921504606846976}");
  EXPECT_EQ(tree("a = 1K\nb = -1m\nc = -1GB \nd = 4Gb, e = 1"),
            "{a: 1000, b: -1000000, c: -1073741824, d: 4294967296, e: 1}");
}

TEST(ConfParserTest, ValuesStartingWithDigitsCanBeStrings) {
  // Durations are the options layer's job: they must stay strings, except the unquoted `30m`
  // that nats-server itself reads as 30 million.
  EXPECT_EQ(tree("a = \"2m\"\nb = 10s\nc = 500ms\nd = 2h\ne = 30m\nf = 1h30m"),
            "{a: \"2m\", b: \"10s\", c: \"500ms\", d: \"2h\", e: 30000000, f: \"1h30m\"}");
  EXPECT_EQ(tree("a = 3xyz\nb = 1Ghz\nc = 2Pie\nd = 3Mbs,\ne = 5e7\nf = 0K1abc\ng = 5Gø"),
            "{a: \"3xyz\", b: \"1Ghz\", c: \"2Pie\", d: \"3Mbs\", e: \"5e7\", f: \"0K1abc\", "
            "g: \"5Gø\"}");
  EXPECT_EQ(tree("map {\n  foo = 3xyz,\n  bar = 4wqs\n}\n"),
            "{map: {foo: \"3xyz\", bar: \"4wqs\"}}");
  EXPECT_EQ(tree("password: 2Tybceg8yj"), "{password: \"2Tybceg8yj\"}");
}

TEST(ConfParserTest, Floats) {
  ConfResult<ConfMap> result = parse("a = 22.2\nb = -22.2\nc = 0.5\nd=1.0");
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_DOUBLE_EQ(result->get("a")->as_float(), 22.2);
  EXPECT_DOUBLE_EQ(result->get("b")->as_float(), -22.2);
  EXPECT_DOUBLE_EQ(result->get("c")->as_float(), 0.5);
  EXPECT_TRUE(result->get("d")->is_float());
}

TEST(ConfParserTest, AddressesAreStrings) {
  EXPECT_EQ(tree("a: 127.0.0.1:4222\nb: 127.0.0.1\nc: apcera.me:80\nd: nats.io:-1\ne: -1\n"
                 "f = :80\ng: 0.0.0.0:4222\nh: 1.2.3"),
            "{a: \"127.0.0.1:4222\", b: \"127.0.0.1\", c: \"apcera.me:80\", d: \"nats.io:-1\", "
            "e: -1, f: \":80\", g: \"0.0.0.0:4222\", h: \"1.2.3\"}");
  EXPECT_EQ(tree("listen = [localhost:4222, localhost:4333]"),
            "{listen: [\"localhost:4222\", \"localhost:4333\"]}");
}

TEST(ConfParserTest, Booleans) {
  EXPECT_EQ(tree("a=true\nb=TRUE\nc=yes\nd=On\ne=false\nf=No\ng=OFF\nh=tRuE"),
            "{a: true, b: true, c: true, d: true, e: false, f: false, g: false, h: true}");
  EXPECT_EQ(tree("a = \"true\"\nb = truthy"), "{a: \"true\", b: \"truthy\"}");
}

TEST(ConfParserTest, ZuluDatetime) {
  ConfResult<ConfMap> result = parse("now = 2016-05-04T18:53:41Z\ngmt = false\n");
  ASSERT_TRUE(result) << result.error().message();
  ASSERT_TRUE(result->get("now")->is_datetime());
  EXPECT_EQ(result->get("now")->as_datetime().unix_seconds, 1462388021);
  EXPECT_EQ(result->get("now")->as_datetime().text, "2016-05-04T18:53:41Z");
  EXPECT_EQ(tree("d = 2000-02-29T00:00:00Z"), "{d: @2000-02-29T00:00:00Z}");
}

// ---- Arrays and maps ----

TEST(ConfParserTest, Arrays) {
  EXPECT_EQ(tree("foo = [1, 2, 3, 'bar']"), "{foo: [1, 2, 3, \"bar\"]}");
  EXPECT_EQ(tree("foo = [1,2,3,'bar']"), "{foo: [1, 2, 3, \"bar\"]}");
  EXPECT_EQ(tree("foo = [\n 1, # One\n 2, // Two\n 3 # Three\n 'bar'     ,\n \"bar\"\n]\n"),
            "{foo: [1, 2, 3, \"bar\", \"bar\"]}");
  EXPECT_EQ(tree("foo = [\n 1 // foo\n 2\n 3\n 'bar'\n \"bar\"\n]\n"),
            "{foo: [1, 2, 3, \"bar\", \"bar\"]}");
  EXPECT_EQ(tree("a = []\nb = [ ]\nc = [1, 2, ]\nd = [[1, 2], [true]]"),
            "{a: [], b: [], c: [1, 2], d: [[1, 2], [true]]}");
  EXPECT_EQ(tree("servers = [ \"a.com\", \"b.com\", \"c.com\"]"),
            "{servers: [\"a.com\", \"b.com\", \"c.com\"]}");
}

TEST(ConfParserTest, ArrayOfMaps) {
  EXPECT_EQ(tree(R"(
authorization {
    users = [
      {user: alice, password: foo}
      {user: bob,   password: bar}
    ]
    timeout: 0.5
}
)"),
            "{authorization: {users: [{user: \"alice\", password: \"foo\"}, "
            "{user: \"bob\", password: \"bar\"}], timeout: 0.5}}");
  EXPECT_EQ(tree("array [\n  { abc: 123 }\n  { xyz: \"word\" }\n]\n"),
            "{array: [{abc: 123}, {xyz: \"word\"}]}");
}

TEST(ConfParserTest, Maps) {
  EXPECT_EQ(tree("foo = {ip='127.0.0.1', port = 4242}"), "{foo: {ip: \"127.0.0.1\", port: 4242}}");
  EXPECT_EQ(tree("foo {\n  host {\n    ip = '127.0.0.1'\n    port= 4242\n  }\n}\n"),
            "{foo: {host: {ip: \"127.0.0.1\", port: 4242}}}");
  EXPECT_EQ(tree("foo: {\n  a: 1;\n  b: 2,\n}\nbar = {}\nbaz {}"),
            "{foo: {a: 1, b: 2}, bar: {}, baz: {}}");
  // Inside a map a value may start on the line after the separator.
  EXPECT_EQ(tree("m {\n  a:\n    1\n  b\n  2\n}"), "{m: {a: 1, b: 2}}");
  EXPECT_EQ(tree("systems {\n  allinone {\n    description: \"This is a description.\"\n  }\n}\n"),
            "{systems: {allinone: {description: \"This is a description.\"}}}");
}

TEST(ConfParserTest, JsonStyleConfigs) {
  EXPECT_EQ(tree(R"(
{
  "http_port": 8227,
  "port": 4227,
  "write_deadline": "1h",
  "cluster": {
    "port": 6222,
    "routes": [
      "nats://127.0.0.1:4222",
      "nats://127.0.0.1:4223"
    ]
  }
}
)"),
            "{http_port: 8227, port: 4227, write_deadline: \"1h\", cluster: {port: 6222, "
            "routes: [\"nats://127.0.0.1:4222\", \"nats://127.0.0.1:4223\"]}}");
  EXPECT_EQ(tree(R"({"jetstream": {"store_dir": "/tmp/nats"
  "max_mem": 1000000,}, "port": 4222})"),
            "{jetstream: {store_dir: \"/tmp/nats\", max_mem: 1000000}, port: 4222}");
  EXPECT_EQ(tree("{}"), "{}");
  EXPECT_EQ(tree("{\n}\n"), "{}");
  EXPECT_EQ(tree("{ listen: 0.0.0.0:4222 }"), "{listen: \"0.0.0.0:4222\"}");
  EXPECT_EQ(tree("\n{\n  {\n    listen: 0.0.0.0:4222 // c\n  }\n  # w1\n}\n# w2\n"),
            "{listen: \"0.0.0.0:4222\"}");
  // One closing brace too many at the end is tolerated, as nats-server does.
  EXPECT_EQ(tree("accounts { users = [{}]}\n}\n"), "{accounts: {users: [{}]}}");
}

// ---- Positions ----

TEST(ConfParserTest, PositionsOfKeysAndValues) {
  ConfResult<ConfMap> result = parse(
      "port: 4242\n"
      "cluster {\n"
      "  host: '127.0.0.1'\n"
      "  routes = [\n"
      "    nats://a:4245\n"
      "  ]\n"
      "}\n");
  ASSERT_TRUE(result) << result.error().message();
  const ConfMapEntry* port = result->find("port");
  EXPECT_EQ(port->key_position, (ConfPosition{"test.conf", 1, 1}));
  EXPECT_EQ(port->value.position(), (ConfPosition{"test.conf", 1, 7}));
  const ConfMapEntry* cluster = result->find("cluster");
  EXPECT_EQ(cluster->key_position, (ConfPosition{"test.conf", 2, 1}));
  EXPECT_EQ(cluster->value.position(), (ConfPosition{"test.conf", 2, 9}));
  const ConfMapEntry* host = cluster->value.as_map().find("host");
  EXPECT_EQ(host->key_position, (ConfPosition{"test.conf", 3, 3}));
  EXPECT_EQ(host->value.position(), (ConfPosition{"test.conf", 3, 9}));
  const ConfMapEntry* routes = cluster->value.as_map().find("routes");
  EXPECT_EQ(routes->key_position, (ConfPosition{"test.conf", 4, 3}));
  EXPECT_EQ(routes->value.position(), (ConfPosition{"test.conf", 4, 12}));
  EXPECT_EQ(routes->value.as_array()[0].position(), (ConfPosition{"test.conf", 5, 5}));
}

TEST(ConfLexerTest, TokensWithPositions) {
  EXPECT_EQ(lexed("foo = \"bar\""), "Key(foo)@1:1 String(bar)@1:7 EOF()@1:12");
  EXPECT_EQ(lexed("foo = $bar"), "Key(foo)@1:1 Variable(bar)@1:7 EOF()@1:11");
  EXPECT_EQ(lexed("include users.conf"), "Include(users.conf)@1:1 EOF()@1:19");
  EXPECT_EQ(lexed("foo { include 'users.conf' }"),
            "Key(foo)@1:1 MapStart()@1:5 Include(users.conf)@1:7 MapEnd()@1:28 EOF()@1:29");
  EXPECT_EQ(lexed("a = [1, 2k]\nb 2016-05-04T18:53:41Z"),
            "Key(a)@1:1 ArrayStart()@1:5 Integer(1)@1:6 Integer(2k)@1:9 ArrayEnd()@1:11 "
            "Key(b)@2:1 DateTime(2016-05-04T18:53:41Z)@2:3 EOF()@2:23");
  EXPECT_EQ(lexed("t true\nf Off\ns \"true\"\nx 1.5"),
            "Key(t)@1:1 Bool(true)@1:3 Key(f)@2:1 Bool(Off)@2:3 Key(s)@3:1 String(true)@3:3 "
            "Key(x)@4:1 Float(1.5)@4:3 EOF()@4:6");
  EXPECT_EQ(lexed("foo=1\r\nbar=2\r\n"),
            "Key(foo)@1:1 Integer(1)@1:5 Key(bar)@2:1 Integer(2)@2:5 "
            "EOF()@3:1");
}

// ---- Variables ----

TEST(ConfParserTest, Variables) {
  EXPECT_EQ(tree("index = 22\nfoo = $index"), "{index: 22, foo: 22}");
  // Block scoping: the innermost map being built that already has the key wins.
  EXPECT_EQ(tree("index = 22\nnest {\n  index = 11\n  foo = $index\n}\nbar = $index"),
            "{index: 22, nest: {index: 11, foo: 11}, bar: 22}");
  // Arrays are not scopes; maps inside arrays are.
  EXPECT_EQ(tree("X = 1\narr = [$X, {X = 2, y = $X}, {z = $X}]"),
            "{X: 1, arr: [1, {X: 2, y: 2}, {z: 1}]}");
  // Maps and arrays are copied to every reference.
  EXPECT_EQ(tree("USERS = [{user: a}]\nA { users = $USERS }\nB { users: $USERS }"),
            "{USERS: [{user: \"a\"}], A: {users: [{user: \"a\"}]}, B: {users: [{user: \"a\"}]}}");
  EXPECT_EQ(tree("very { nested { env { VAR = 'NESTED', quux = $VAR }}}"),
            "{very: {nested: {env: {VAR: \"NESTED\", quux: \"NESTED\"}}}}");
}

TEST(ConfParserTest, VariableDefinitionsAreMarkedUsed) {
  ConfResult<ConfMap> result = parse("TOKEN = secret\nUNUSED = 1\nauthorization { token: $TOKEN }");
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_TRUE(result->find("TOKEN")->used_as_variable);
  EXPECT_FALSE(result->find("UNUSED")->used_as_variable);
  EXPECT_FALSE(result->find("authorization")->used_as_variable);
  // The substituted value sits where it is referenced.
  const ConfValue* token = result->get("authorization")->as_map().get("token");
  EXPECT_EQ(token->as_string(), "secret");
  EXPECT_EQ(token->position(), (ConfPosition{"test.conf", 3, 24}));
}

TEST(ConfParserTest, VariableDefinedLaterOrInClosedMapIsNotVisible) {
  EXPECT_EQ(error_of("a = $LATER_VAR_UNSET_X\nLATER_VAR_UNSET_X = 1"),
            "test.conf:1:5: variable reference for 'LATER_VAR_UNSET_X' on line 1 can not be "
            "found");
  EXPECT_EQ(error_of("m { INNER_UNSET_X = 1 }\nb = $INNER_UNSET_X"),
            "test.conf:2:5: variable reference for 'INNER_UNSET_X' on line 2 can not be found");
}

TEST(ConfParserTest, VariablesFallBackToTheEnvironment) {
  ::setenv("GNATSD_CONF_TEST_INT", "22", 1);
  ::setenv("GNATSD_CONF_TEST_STR", "xyz", 1);
  ::setenv("GNATSD_CONF_TEST_QUOTED", "'3xyz'", 1);
  ::setenv("GNATSD_CONF_TEST_SIZE", "3Gyz", 1);
  ::setenv("GNATSD_CONF_TEST_MAP", "{ user: a, pass: b }", 1);
  ::setenv("GNATSD_CONF_TEST_REF", "$GNATSD_CONF_TEST_INT", 1);
  EXPECT_EQ(
      tree("a = $GNATSD_CONF_TEST_INT\nb = $GNATSD_CONF_TEST_STR\nc = $GNATSD_CONF_TEST_QUOTED\n"
           "d = $GNATSD_CONF_TEST_SIZE\ne = $GNATSD_CONF_TEST_MAP\nf = $GNATSD_CONF_TEST_REF"),
      "{a: 22, b: \"xyz\", c: \"3xyz\", d: \"3Gyz\", e: {user: \"a\", pass: \"b\"}, f: 22}");
  // A config key of the same name shadows the environment.
  EXPECT_EQ(tree("GNATSD_CONF_TEST_INT = 5\na = $GNATSD_CONF_TEST_INT"),
            "{GNATSD_CONF_TEST_INT: 5, a: 5}");
  // The value is read as a config line: an unquoted space makes it fail.
  ::setenv("GNATSD_CONF_TEST_BAD", "two words", 1);
  EXPECT_EQ(error_of("a = $GNATSD_CONF_TEST_BAD"),
            "test.conf:1:5: variable reference for 'GNATSD_CONF_TEST_BAD' on line 1 could not be "
            "parsed: Expected a top-level value to end with a new line, comment or EOF, but got "
            "'w' instead.");
  ::setenv("GNATSD_CONF_TEST_LOOP_A", "$GNATSD_CONF_TEST_LOOP_B", 1);
  ::setenv("GNATSD_CONF_TEST_LOOP_B", "$GNATSD_CONF_TEST_LOOP_A", 1);
  EXPECT_EQ(error_of("\na = $GNATSD_CONF_TEST_LOOP_A"),
            "test.conf:2:5: variable reference cycle for 'GNATSD_CONF_TEST_LOOP_A'");
  for (const char* name :
       {"GNATSD_CONF_TEST_INT", "GNATSD_CONF_TEST_STR", "GNATSD_CONF_TEST_QUOTED",
        "GNATSD_CONF_TEST_SIZE", "GNATSD_CONF_TEST_MAP", "GNATSD_CONF_TEST_REF",
        "GNATSD_CONF_TEST_BAD", "GNATSD_CONF_TEST_LOOP_A", "GNATSD_CONF_TEST_LOOP_B"}) {
    ::unsetenv(name);
  }
}

TEST(ConfParserTest, UndefinedVariableIsAnError) {
  ::unsetenv("GNATSD_CONF_TEST_UNDEFINED");
  EXPECT_EQ(error_of("port = 1\nauthorization {\n  token: $GNATSD_CONF_TEST_UNDEFINED\n}"),
            "test.conf:3:10: variable reference for 'GNATSD_CONF_TEST_UNDEFINED' on line 3 can "
            "not be found");
}

TEST(ConfParserTest, OnlyTheBcryptPrefixIsExempt) {
  EXPECT_EQ(tree("password: $2a$11$ooo"), "{password: \"$2a$11$ooo\"}");
  ::unsetenv("2b$11$ooo");
  EXPECT_EQ(error_of("password: $2b$11$ooo"),
            "test.conf:1:11: variable reference for '2b$11$ooo' on line 1 can not be found");
}

// ---- Includes ----

class ConfIncludeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/gnatsd_conf_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, std::string_view contents) {
    const std::filesystem::path path = dir_ / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << contents;
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST_F(ConfIncludeTest, IncludeMergesKeysRelativeToTheIncludingFile) {
  write("includes/passwords.conf",
        "ALICE_PASS: $2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q\n"
        "BOB_PASS: bob\n");
  write("includes/users.conf",
        "include ./passwords.conf;\n"
        "users = [\n"
        "  {user: alice, password: $ALICE_PASS}\n"
        "  {user: bob,   password: $BOB_PASS}\n"
        "]\n");
  const std::string main = write("main.conf",
                                 "listen: 127.0.0.1:4222\n"
                                 "authorization {\n"
                                 "  include 'includes/users.conf'\n"
                                 "  timeout: 0.5\n"
                                 "}\n"
                                 "check = $GNATSD_CONF_TEST_CHECK\n");
  ::setenv("GNATSD_CONF_TEST_CHECK", "1", 1);
  ConfResult<ConfMap> result = parse_config_file(main);
  ::unsetenv("GNATSD_CONF_TEST_CHECK");
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(dump(*result),
            "{listen: \"127.0.0.1:4222\", authorization: {"
            "ALICE_PASS: \"$2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q\", "
            "BOB_PASS: \"bob\", users: [{user: \"alice\", "
            "password: \"$2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q\"}, "
            "{user: \"bob\", password: \"bob\"}], timeout: 0.5}, check: 1}");

  // Included entries keep the file and position they were written at.
  const ConfMapEntry* bob = result->get("authorization")->as_map().find("BOB_PASS");
  EXPECT_EQ(bob->key_position, (ConfPosition{(dir_ / "includes/passwords.conf").string(), 2, 1}));
  EXPECT_TRUE(bob->used_as_variable);
  const ConfMapEntry* timeout = result->get("authorization")->as_map().find("timeout");
  EXPECT_EQ(timeout->key_position, (ConfPosition{main, 4, 3}));
}

TEST_F(ConfIncludeTest, IncludedKeysAreVariablesForTheRestOfTheFile) {
  write("vars.conf", "TOKEN = s3cr3t\n");
  const std::string main =
      write("main.conf", "include vars.conf\nauthorization { token = $TOKEN }\n");
  ConfResult<ConfMap> result = parse_config_file(main);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(dump(*result), "{TOKEN: \"s3cr3t\", authorization: {token: \"s3cr3t\"}}");
}

TEST_F(ConfIncludeTest, IncludedFileDoesNotSeeTheParentsVariables) {
  ::unsetenv("PARENT_ONLY_VAR");
  write("child.conf", "x = $PARENT_ONLY_VAR\n");
  const std::string main = write("main.conf", "PARENT_ONLY_VAR = 1\ninclude \"child.conf\"\n");
  ConfResult<ConfMap> result = parse_config_file(main);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(),
            main + ":2:1: error parsing include file 'child.conf', " +
                (dir_ / "child.conf").string() +
                ":1:5: variable reference for 'PARENT_ONLY_VAR' on line 1 can not be found");
}

TEST_F(ConfIncludeTest, MissingIncludeIsAnError) {
  const std::string main = write("main.conf", "port = 4222\n\ninclude nope.conf\n");
  ConfResult<ConfMap> result = parse_config_file(main);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().position, (ConfPosition{main, 3, 1}));
  EXPECT_EQ(result.error().message(),
            main +
                ":3:1: error parsing include file 'nope.conf', error opening config file: open " +
                (dir_ / "nope.conf").string() + ": no such file or directory");
}

TEST_F(ConfIncludeTest, SyntaxErrorInIncludeNamesBothFiles) {
  write("bad.conf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  const std::string main = write("main.conf", "accounts {\n  bar { include 'bad.conf'}\n}\n");
  ConfResult<ConfMap> result = parse_config_file(main);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(), main + ":2:9: error parsing include file 'bad.conf', " +
                                          (dir_ / "bad.conf").string() +
                                          ":1:35: config is invalid");
}

TEST_F(ConfIncludeTest, EmptyAndCommentOnlyIncludesAreFine) {
  write("empty.conf", "");
  write("comments.conf", "# just comments\n");
  write("json.json", "{ \"users\": [ {\"user\": \"foo\"} ] }");
  const std::string main =
      write("main.conf",
            "accounts {\n foo { include 'empty.conf' }\n bar { include comments.conf }\n"
            " quux { include 'json.json' }\n}\n");
  ConfResult<ConfMap> result = parse_config_file(main);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(dump(*result), "{accounts: {foo: {}, bar: {}, quux: {users: [{user: \"foo\"}]}}}");
}

TEST_F(ConfIncludeTest, IncludeCycleIsAnError) {
  write("a.conf", "a = 1\ninclude b.conf\n");
  write("b.conf", "b = 1\ninclude a.conf\n");
  const std::string main = write("main.conf", "include a.conf\n");
  ConfResult<ConfMap> result = parse_config_file(main);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("include cycle: " + (dir_ / "a.conf").string()),
            std::string::npos)
      << result.error().message();
}

TEST_F(ConfIncludeTest, IncludeWithAnAbsolutePathStaysUnderTheIncludingDirectory) {
  // Go's filepath.Join: nats-server reads `include /sub/x.conf` relative to the config's dir.
  write("sub/x.conf", "x = 1\n");
  const std::string main = write("main.conf", "include /sub/x.conf\n");
  ConfResult<ConfMap> result = parse_config_file(main);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(dump(*result), "{x: 1}");
}

TEST_F(ConfIncludeTest, UnreadableConfigFile) {
  ConfResult<ConfMap> missing = parse_config_file((dir_ / "none.conf").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "error opening config file: open " +
                                           (dir_ / "none.conf").string() +
                                           ": no such file or directory");
  ConfResult<ConfMap> directory = parse_config_file(dir_.string());
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().message(),
            "error opening config file: read " + dir_.string() + ": is a directory");
}

// ---- Errors ----

TEST(ConfParserErrorTest, UnterminatedStrings) {
  EXPECT_EQ(error_of("\nlisten: \"localhost:4242\n\nhttp: localhost:8222\n"),
            "test.conf:5:1: Unexpected EOF.");
  EXPECT_EQ(error_of("\nlisten: 'localhost:4242\n\nhttp: localhost:8222\n"),
            "test.conf:5:1: Unexpected EOF.");
  EXPECT_EQ(error_of("\"foo"), "test.conf:1:5: Unexpected EOF.");
}

TEST(ConfParserErrorTest, UnterminatedMapArrayBlock) {
  EXPECT_EQ(error_of("\nlisten = 4222\n\ncluster = {\n\n  foo = bar\n\n"),
            "test.conf:8:1: Unexpected EOF processing map.");
  EXPECT_EQ(error_of("routes = [\n  a\n  b\n"), "test.conf:4:1: Unexpected EOF processing array.");
  EXPECT_EQ(error_of("\nlisten = 4222\n\nquote = (\n\n  foo = bar\n\n"),
            "test.conf:8:1: Unexpected EOF processing block.");
  EXPECT_EQ(error_of("m { 'key"), "test.conf:1:9: Unexpected EOF processing quoted map key.");
}

TEST(ConfParserErrorTest, KeyWithoutValue) {
  EXPECT_EQ(error_of("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            "test.conf:1:42: config is invalid");
  EXPECT_EQ(error_of("\n# comments\n   aaaa\n    "), "test.conf:4:5: config is invalid");
  EXPECT_EQ(error_of("a,a,a,a"), "test.conf:1:8: config is invalid");
  EXPECT_EQ(error_of("m {\n  bar\n}"),
            "test.conf:3:1: Expected a value for key 'bar' but got '}'.");
  EXPECT_EQ(error_of("foo:\n  1"), "test.conf:1:5: Expected value but found new line");
}

TEST(ConfParserErrorTest, BadIncludes) {
  EXPECT_EQ(error_of("include [a.conf]"),
            "test.conf:1:9: Expected include value but found start of an array");
  EXPECT_EQ(error_of("include {a}"),
            "test.conf:1:9: Expected include value but found start of a map");
  EXPECT_EQ(error_of("include 4.conf"),
            "test.conf:1:9: Expected include value but found start of a number");
  EXPECT_EQ(error_of("include\nfoo.conf"),
            "test.conf:1:8: Expected include value but found new line");
  EXPECT_EQ(error_of("include \"foo.conf"),
            "test.conf:1:18: Unexpected EOF in double quoted include");
  // `include` followed by a separator is an ordinary key.
  EXPECT_EQ(tree("include: 1"), "{include: 1}");
}

TEST(ConfParserErrorTest, BadValues) {
  EXPECT_EQ(error_of("foo = 1 2"),
            "test.conf:1:9: Expected a top-level value to end with a new line, comment or EOF, "
            "but got '2' instead.");
  EXPECT_EQ(error_of("foo = .2"), "test.conf:1:7: Floats must start with a digit");
  EXPECT_EQ(error_of("foo = 1.x"),
            "test.conf:1:9: Floats must have a digit after the '.', but got 'x' instead.");
  EXPECT_EQ(error_of("foo = -x"), "test.conf:1:8: Expected a digit but got 'x'.");
  EXPECT_EQ(error_of("foo = -.5"), "test.conf:1:8: Floats must start with a digit, not '.'.");
  EXPECT_EQ(error_of(" :foo = 22"), "test.conf:1:2: Unexpected key separator ':'");
  EXPECT_EQ(error_of("foo = \\y"),
            "test.conf:1:8: Invalid escape character 'y'. Only the following escape characters "
            "are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.");
  EXPECT_EQ(error_of("foo = \"\\u00e9\""),
            "test.conf:1:9: Invalid escape character 'u'. Only the following escape characters "
            "are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.");
  EXPECT_EQ(error_of("foo = \"[\\xe]\""),
            "test.conf:1:13: Expected two hexadecimal digits after '\\x', but got 'e]'");
  EXPECT_EQ(error_of("foo = xyz\\x\n"),
            "test.conf:1:12: Expected two hexadecimal digits after '\\x', but hit end of line");
  EXPECT_EQ(error_of("m = {a = 1 b = 2}"),
            "test.conf:1:12: Expected a map value terminator ',' or a map terminator '}', but "
            "got 'b' instead.");
  EXPECT_EQ(error_of("m = {a = ,}"), "test.conf:1:10: Unexpected map value terminator ','.");
  // After ',' a ',' starts a key (nats-server's reading), so the error comes later.
  EXPECT_EQ(error_of("m = {a = 1,, b = 2}"),
            "test.conf:1:16: Expected a map value terminator ',' or a map terminator '}', but "
            "got '=' instead.");
  EXPECT_EQ(error_of("a = [1 2]"),
            "test.conf:1:8: Expected an array value terminator ',' or an array terminator ']', "
            "but got '2' instead.");
  EXPECT_EQ(error_of("a = [,1]"), "test.conf:1:6: Unexpected array value terminator ','.");
  EXPECT_EQ(error_of("m { ] }"), "test.conf:1:5: Unexpected array end ']' processing map.");
  EXPECT_EQ(error_of("m { = }"), "test.conf:1:5: Unexpected key separator '='.");
}

TEST(ConfParserErrorTest, BadNumbersAndDates) {
  EXPECT_EQ(error_of("a = 9223372036854775808"),
            "test.conf:1:5: integer '9223372036854775808' is out of the range");
  EXPECT_EQ(error_of("a = -9223372036854775809"),
            "test.conf:1:5: integer '-9223372036854775809' is out of the range");
  EXPECT_EQ(error_of("a = 8EB"), "test.conf:1:5: integer '8EB' is out of the range");
  EXPECT_EQ(tree("a = 7EB"), "{a: 8070450532247928832}");
  EXPECT_EQ(error_of("a = 1kbb"), "test.conf:1:5: unknown number suffix in '1kbb'");
  EXPECT_EQ(error_of("a = 12-3"), "test.conf:1:7: All ISO8601 dates must be in full Zulu form.");
  EXPECT_EQ(error_of("a = 2016-05-04\n"),
            "test.conf:1:15: Expected 'T' in ISO8601 datetime, but found '\\n' instead.");
  EXPECT_EQ(error_of("a = 2016-05-x4T18:53:41Z"),
            "test.conf:1:13: Expected digit in ISO8601 datetime, but found 'x' instead.");
  EXPECT_EQ(error_of("a = 2016-13-04T18:53:41Z"),
            "test.conf:1:5: expected Zulu formatted DateTime, but got '2016-13-04T18:53:41Z'");
  EXPECT_EQ(error_of("a = 2015-02-29T00:00:00Z"),
            "test.conf:1:5: expected Zulu formatted DateTime, but got '2015-02-29T00:00:00Z'");
}

TEST(ConfParserErrorTest, HostileInputStops) {
  EXPECT_NE(error_of("A@@Føøøø?˛ø:{øøøø˙˙"), "");
  EXPECT_NE(error_of("include \"9/\xff"), "");
  EXPECT_EQ(error_of(std::string(100000, '[')), "test.conf:1:100001: config is invalid");
  EXPECT_EQ(error_of("a = " + std::string(1000, '[')),
            "test.conf:1:261: Maximum nesting depth exceeded.");
}

}  // namespace
}  // namespace gnatsd::config
