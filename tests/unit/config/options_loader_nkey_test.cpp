// Config files with nkey users: parsing, and nats-server 2.9.10's errors (checked with
// `nats-server -t -c`) for bad or conflicting entries, duplicates and the no_auth_user.
#include <gtest/gtest.h>

#include "config/options_loader.hpp"
#include "options_loader_test_support.hpp"

namespace gnatsd::config {
namespace {

constexpr std::string_view kNkey = "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4";

using test::load;
using test::Loaded;

std::string users_conf(std::string_view entries) {
  return "port: 4222\nauthorization {\n  users = [\n" + std::string(entries) + "  ]\n}\n";
}

TEST(OptionsLoaderNkeyTest, NkeyUsersMixWithPasswordUsers) {
  auto l = load(users_conf("    { nkey: " + std::string(kNkey) +
                           ", permissions: { publish: foo } }\n"
                           "    { user: a, password: b }\n"));
  ASSERT_TRUE(l.result.errors.empty()) << l.result.errors[0];
  ASSERT_EQ(l.options.users.size(), 2u);
  EXPECT_EQ(l.options.users[0].nkey, kNkey);
  EXPECT_TRUE(l.options.users[0].username.empty());
  ASSERT_TRUE(l.options.users[0].permissions.has_value());
  EXPECT_EQ(l.options.users[1].username, "a");
  EXPECT_TRUE(l.options.auth_required());
  EXPECT_EQ(validate_options(l.options), "");
}

TEST(OptionsLoaderNkeyTest, BadEntriesAreErrorsAsNatsServer) {
  std::string bad_crc(kNkey);
  bad_crc.back() = '5';
  auto l = load(users_conf("    { nkey: " + bad_crc + " }\n"));
  ASSERT_EQ(l.result.errors.size(), 1u);
  EXPECT_EQ(l.result.errors[0], "test.conf:4:7: Not a valid public nkey for a user");
  // A seed is not a public key.
  l = load(
      users_conf("    { nkey: SUAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4H776Y }\n"));
  ASSERT_EQ(l.result.errors.size(), 1u);
  EXPECT_EQ(l.result.errors[0], "test.conf:4:7: Not a valid public nkey for a user");
  l = load(users_conf("    { nkey: " + std::string(kNkey) + ",\n      user: x }\n"));
  ASSERT_EQ(l.result.errors.size(), 1u);
  EXPECT_EQ(l.result.errors[0], "test.conf:5:7: Nkey users do not take usernames or passwords");
  l = load(users_conf("    { nkey: " + std::string(kNkey) + ",\n      password: x }\n"));
  ASSERT_EQ(l.result.errors.size(), 1u);
  EXPECT_EQ(l.result.errors[0], "test.conf:5:7: Nkey users do not take usernames or passwords");
  l = load(users_conf("    { permissions: { publish: foo } }\n"));
  ASSERT_EQ(l.result.errors.size(), 1u);
  EXPECT_EQ(l.result.errors[0], "test.conf:4:7: User entry requires a user");
}

TEST(OptionsLoaderNkeyTest, NkeysKeyIsUnknown) {
  // nats-server 2.9 has no "nkeys" option, at the top level or in authorization.
  auto l = load("port: 4222\nnkeys = [ " + std::string(kNkey) + " ]\n");
  ASSERT_EQ(l.result.errors.size(), 1u);
  EXPECT_EQ(l.result.errors[0], "test.conf:2:1: unknown field \"nkeys\"");
}

TEST(OptionsLoaderNkeyTest, DuplicatesAreErrorsAtTheAuthorizationBlock) {
  const std::string n(kNkey);
  auto l = load(users_conf("    { nkey: " + n + " }\n    { nkey: " + n + " }\n"));
  ASSERT_EQ(l.result.errors.size(), 1u);
  EXPECT_EQ(l.result.errors[0], "test.conf:2:1: Duplicate nkey \"" + n + "\" detected");
  // A user named like an nkey clashes with it; repeated user names are reported first.
  l = load(users_conf("    { nkey: " + n + " }\n    { user: " + n + " }\n"));
  ASSERT_EQ(l.result.errors.size(), 1u);
  EXPECT_EQ(l.result.errors[0], "test.conf:2:1: Duplicate nkey \"" + n + "\" detected");
  l = load(users_conf("    { nkey: " + n + " }\n    { nkey: " + n +
                      " }\n    { user: a }\n    { user: a }\n"));
  ASSERT_EQ(l.result.errors.size(), 1u);
  EXPECT_EQ(l.result.errors[0], "test.conf:2:1: Duplicate user \"a\" detected");
}

TEST(OptionsLoaderNkeyTest, NoAuthUserMustBeAPasswordUser) {
  Options o;
  o.no_auth_user = "x";
  EXPECT_EQ(validate_options(o), "no_auth_user: \"x\" present, but users are not defined");
  User nkey_user;
  nkey_user.nkey = std::string(kNkey);
  o.users = {nkey_user};
  EXPECT_EQ(validate_options(o), "no_auth_user: \"x\" present, but users are not defined");
  o.no_auth_user = std::string(kNkey);
  EXPECT_EQ(validate_options(o),
            "no_auth_user: \"" + std::string(kNkey) + "\" present, but users are not defined");
  User plain;
  plain.username = "a";
  o.users.push_back(plain);
  EXPECT_EQ(validate_options(o), "no_auth_user: \"" + std::string(kNkey) +
                                     "\" not present as user in authorization block or account "
                                     "configuration");
  o.no_auth_user = "a";
  EXPECT_EQ(validate_options(o), "");
}

}  // namespace
}  // namespace gnatsd::config
