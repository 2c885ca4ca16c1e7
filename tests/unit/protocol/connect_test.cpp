// CONNECT JSON decoding: fields, defaults, type errors, and what is kept when decoding fails.
#include "protocol/connect.hpp"

#include <gtest/gtest.h>

namespace gnatsd::protocol {
namespace {

TEST(DecodeConnect, ReadsEveryField) {
  ConnectOptions o;
  const auto error = decode_connect(
      R"({"verbose":false,"pedantic":false,"echo":false,"headers":true,"no_responders":true,)"
      R"("name":"n","lang":"c","version":"3.7.0","protocol":1,"user":"u","pass":"p",)"
      R"("auth_token":"t","tls_required":false})",
      o);
  ASSERT_FALSE(error) << *error;
  EXPECT_FALSE(o.verbose);
  EXPECT_FALSE(o.pedantic);
  EXPECT_FALSE(o.echo);
  EXPECT_TRUE(o.headers);
  EXPECT_TRUE(o.no_responders);
  EXPECT_EQ(o.name, "n");
  EXPECT_EQ(o.lang, "c");
  EXPECT_EQ(o.version, "3.7.0");
  EXPECT_EQ(o.protocol, 1);
  EXPECT_TRUE(o.options_decoded);
  EXPECT_EQ(o.credentials.user, "u");
  EXPECT_EQ(o.credentials.password, "p");
  EXPECT_EQ(o.credentials.token, "t");
}

TEST(DecodeConnect, AbsentVerboseAndPedanticKeepTheirValues) {
  ConnectOptions o;
  o.verbose = false;
  o.pedantic = true;
  o.echo = false;
  o.headers = true;
  ASSERT_FALSE(decode_connect("{}", o));
  EXPECT_FALSE(o.verbose);
  EXPECT_TRUE(o.pedantic);
  EXPECT_TRUE(o.echo);  // the others have fixed defaults
  EXPECT_FALSE(o.headers);
  EXPECT_EQ(o.protocol, 0);
}

TEST(DecodeConnect, NotAnObjectOrNotJson) {
  ConnectOptions o;
  EXPECT_TRUE(decode_connect("", o));
  EXPECT_TRUE(decode_connect("[1]", o));
  EXPECT_TRUE(decode_connect("{\"verbose\":", o));
  EXPECT_EQ(*decode_connect("1", o), "CONNECT argument is not a JSON object");
  EXPECT_FALSE(o.options_decoded);
}

TEST(DecodeConnect, WrongTypeIsAnErrorAndKeepsTheFieldsBeforeIt) {
  ConnectOptions o;
  EXPECT_TRUE(decode_connect(R"({"name":"x","lang":5})", o));
  EXPECT_EQ(o.name, "x");
  EXPECT_FALSE(o.options_decoded);
  ConnectOptions p;
  EXPECT_TRUE(decode_connect(R"({"protocol":1,"user":7})", p));
  EXPECT_TRUE(p.options_decoded);
  EXPECT_TRUE(decode_connect(R"({"verbose":"yes"})", p));
}

// As json.Unmarshal into nats-server's connect struct (checked against nats-server 2.9.10): null
// sets nothing, whether it is the whole argument or one field; a byte order mark is not JSON.
TEST(DecodeConnect, NullSetsNothingAndAByteOrderMarkIsNotJson) {
  ConnectOptions o;
  o.verbose = true;
  EXPECT_FALSE(decode_connect("null", o));
  EXPECT_TRUE(o.options_decoded);
  EXPECT_TRUE(o.verbose);
  EXPECT_TRUE(o.echo);
  ConnectOptions p;
  p.verbose = true;
  EXPECT_FALSE(
      decode_connect(R"({"verbose":null,"echo":null,"name":null,"protocol":null,"user":null})", p));
  EXPECT_TRUE(p.verbose);
  EXPECT_TRUE(p.echo);
  EXPECT_EQ(p.name, "");
  EXPECT_EQ(p.protocol, 0);
  ConnectOptions q;
  EXPECT_TRUE(decode_connect("\xEF\xBB\xBF{}", q));
  EXPECT_FALSE(q.options_decoded);
  EXPECT_TRUE(decode_connect("[]", q));
}

// Found by fuzzing: "protocol":1e30 was converted to int with undefined behaviour. As in
// nats-server (a Go int), a float is a decoding error; and an integer beyond int must not wrap
// onto a valid version (2^32 used to become 0).
TEST(DecodeConnect, ProtocolMustBeAnIntegerAndNeverWraps) {
  for (const char* json : {R"({"protocol":1e30})", R"({"protocol":-1e300})", R"({"protocol":1.0})",
                           R"({"protocol":18446744073709551615})", R"({"protocol":"1"})"}) {
    ConnectOptions o;
    EXPECT_TRUE(decode_connect(json, o)) << json;
    EXPECT_FALSE(o.options_decoded) << json;
  }
  ConnectOptions o;
  ASSERT_FALSE(decode_connect(R"({"protocol":4294967296})", o));
  EXPECT_EQ(o.protocol, 2147483647);
  ASSERT_FALSE(decode_connect(R"({"protocol":-4294967296})", o));
  EXPECT_EQ(o.protocol, -2147483648);
  ASSERT_FALSE(decode_connect(R"({"protocol":9223372036854775807})", o));
  EXPECT_EQ(o.protocol, 2147483647);
  ASSERT_FALSE(decode_connect(R"({"protocol":1})", o));
  EXPECT_EQ(o.protocol, 1);
}

}  // namespace
}  // namespace gnatsd::protocol
