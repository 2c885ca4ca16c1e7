// The built mkpasswd tool: output format and errors as nats-server's util/mkpasswd.go.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <regex>
#include <string>

namespace gnatsd::test {
namespace {

struct ToolRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

ToolRun run(const std::string& args, const std::string& input = {}) {
  std::string command = std::string(MKPASSWD_BINARY) + " " + args + " 2>&1";
  command = input.empty() ? command + " </dev/null" : "printf '%s' '" + input + "' | " + command;
  ToolRun result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char chunk[512];
  while (std::fgets(chunk, sizeof chunk, pipe) != nullptr) result.output += chunk;
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TEST(MkpasswdTest, NoArgumentsPrintsAPasswordAndItsHashAtCost11) {
  ToolRun r = run("");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_match(
      r.output,
      std::regex("pass: [a-zA-Z0-9!@$#%^&*()]{22}\nbcrypt hash: \\$2a\\$11\\$[./A-Za-z0-9]{53}\n")))
      << r.output;
  // Fresh every time.
  EXPECT_NE(run("-c 4").output.substr(0, 28), run("-c 4").output.substr(0, 28));
}

TEST(MkpasswdTest, PasswordFromStdin) {
  ToolRun r = run("-p -c=5", "pw\npw\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(
      std::regex_match(r.output, std::regex("Enter Password: \nReenter Password: \nbcrypt hash: "
                                            "\\$2a\\$05\\$[./A-Za-z0-9]{53}\n")))
      << r.output;
  ToolRun mismatch = run("-p", "one\ntwo\n");
  EXPECT_EQ(mismatch.exit_code, 1);
  EXPECT_NE(mismatch.output.find("Error, passwords do not match"), std::string::npos)
      << mismatch.output;
}

TEST(MkpasswdTest, CostFlagForms) {
  for (std::string args : {"-c 6", "-c=6", "--c 6", "--cost 6", "-cost=6"}) {
    ToolRun r = run(args);
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.output;
    EXPECT_NE(r.output.find("bcrypt hash: $2a$06$"), std::string::npos) << args << ": " << r.output;
  }
  // Below bcrypt's minimum, Go's bcrypt quietly uses its default of 10.
  EXPECT_NE(run("-c 2").output.find("bcrypt hash: $2a$10$"), std::string::npos);
  ToolRun too_high = run("-c 32");
  EXPECT_EQ(too_high.exit_code, 1);
  EXPECT_NE(too_high.output.find(
                "Error producing bcrypt hash: crypto/bcrypt: cost 32 is outside allowed range "
                "(4,31)"),
            std::string::npos)
      << too_high.output;
}

TEST(MkpasswdTest, BadFlags) {
  ToolRun unknown = run("-x");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("flag provided but not defined: -x"), std::string::npos);
  EXPECT_NE(unknown.output.find("Usage: mkpasswd [-p <stdin password>] [-c COST]"),
            std::string::npos);
  ToolRun bad_cost = run("-c abc");
  EXPECT_EQ(bad_cost.exit_code, 2);
  EXPECT_NE(bad_cost.output.find("invalid value \"abc\" for flag -c"), std::string::npos);
  EXPECT_EQ(run("-h").exit_code, 0);
}

}  // namespace
}  // namespace gnatsd::test
