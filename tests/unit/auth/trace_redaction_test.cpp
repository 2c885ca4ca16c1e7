// CONNECT trace redaction: what nats-server 2.9.10 shows for the same CONNECT lines.
#include "auth/trace_redaction.hpp"

#include <gtest/gtest.h>

namespace gnatsd::auth {
namespace {

TEST(TraceRedactionTest, HidesThePasswordValue) {
  EXPECT_EQ(redact_password(R"({"verbose":true,"user":"alice","pass":"bad","name":"n1"})"),
            R"({"verbose":true,"user":"alice","pass":"[REDACTED]","name":"n1"})");
  EXPECT_EQ(redact_password(R"({"user":"a","pass":"b"})"), R"({"user":"a","pass":"[REDACTED]"})");
  EXPECT_EQ(redact_password(R"({"pass" : "spaced out"})"), R"({"pass" : "[REDACTED]"})");
  EXPECT_EQ(redact_password(R"({"pass":"","x":1})"), R"({"pass":"[REDACTED]","x":1})");
  EXPECT_EQ(redact_password(R"({"password":"x"})"), R"({"password":"[REDACTED]"})");
}

TEST(TraceRedactionTest, LeavesTheRestAlone) {
  // 2.9 shows tokens in traces; so do we.
  EXPECT_EQ(redact_password(R"({"auth_token":"tok","verbose":false})"),
            R"({"auth_token":"tok","verbose":false})");
  EXPECT_EQ(redact_password(R"({"verbose":false})"), R"({"verbose":false})");
  EXPECT_EQ(redact_password(""), "");
  // "pass" without a separator after it in the same word is not a key.
  EXPECT_EQ(redact_password(R"({"name":"bypass only"})"), R"({"name":"bypass only"})");
}

TEST(TraceRedactionTest, FirstMatchOnlyAsNatsServer) {
  EXPECT_EQ(redact_password(R"({"name":"bypass","pass":"x"})"),
            R"({"name":"bypass","pass":"[REDACTED]"})");
  EXPECT_EQ(redact_password(R"({"pass":"a","pass":"b"})"), R"({"pass":"[REDACTED]","pass":"b"})");
}

TEST(TraceRedactionTest, HostileInputStaysLinear) {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "pass";
  EXPECT_EQ(redact_password(text), text);
  std::string spaced;
  for (int i = 0; i < 100000; ++i) spaced += "pass ";
  EXPECT_EQ(redact_password(spaced), spaced);
}

}  // namespace
}  // namespace gnatsd::auth
