// Authenticator: nats-server's decision order (users, no_auth_user, token, single user), the
// INFO flag, the timeout default, which checks are slow, and which identity a client gets.
#include "auth/authenticator.hpp"

#include <gtest/gtest.h>

namespace gnatsd::auth {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kHash = "$2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS";
constexpr std::string_view kHashPassword = "#IclkRPHUpsTmACWzmIGXr";

Credentials creds(std::string user, std::string password, std::string token = {}) {
  return Credentials{std::move(user), std::move(password), std::move(token)};
}

TEST(AuthenticatorTest, NothingConfiguredLetsEveryoneIn) {
  Authenticator a{config::Options{}};
  EXPECT_FALSE(a.required());
  EXPECT_FALSE(a.advertise_auth_required());
  EXPECT_FALSE(a.has_plaintext_passwords());
  auto id = a.authenticate(creds("who", "ever"));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->permissions, nullptr);
}

TEST(AuthenticatorTest, SingleUser) {
  config::Options o;
  o.username = "derek";
  o.password = "s3cr3t";
  Authenticator a{o};
  EXPECT_TRUE(a.required());
  EXPECT_TRUE(a.advertise_auth_required());
  EXPECT_FALSE(a.has_users());
  EXPECT_TRUE(a.has_plaintext_passwords());
  EXPECT_TRUE(a.authenticate(creds("derek", "s3cr3t")).has_value());
  EXPECT_FALSE(a.authenticate(creds("derek", "wrong")).has_value());
  EXPECT_FALSE(a.authenticate(creds("other", "s3cr3t")).has_value());
  EXPECT_FALSE(a.authenticate(creds("", "")).has_value());
  EXPECT_FALSE(a.needs_slow_check(creds("derek", "s3cr3t")));
}

TEST(AuthenticatorTest, SingleUserWithBcryptPassword) {
  config::Options o;
  o.username = "derek";
  o.password = std::string(kHash);
  Authenticator a{o};
  EXPECT_FALSE(a.has_plaintext_passwords());
  EXPECT_TRUE(a.needs_slow_check(creds("derek", "anything")));
  // A wrong user is refused without hashing.
  EXPECT_FALSE(a.needs_slow_check(creds("other", "anything")));
  EXPECT_TRUE(a.authenticate(creds("derek", std::string(kHashPassword))).has_value());
  EXPECT_FALSE(a.authenticate(creds("derek", std::string(kHash))).has_value());
}

TEST(AuthenticatorTest, Token) {
  config::Options o;
  o.token = "t0k3n";
  Authenticator a{o};
  EXPECT_TRUE(a.required());
  EXPECT_FALSE(a.has_plaintext_passwords());  // nats-server warns about passwords only
  EXPECT_TRUE(a.authenticate(creds("", "", "t0k3n")).has_value());
  EXPECT_TRUE(a.authenticate(creds("ignored", "ignored", "t0k3n")).has_value());
  EXPECT_FALSE(a.authenticate(creds("", "", "t0k3N")).has_value());
  EXPECT_FALSE(a.authenticate(creds("", "t0k3n")).has_value());  // a password is not a token

  o.token = std::string(kHash);
  Authenticator hashed{o};
  EXPECT_TRUE(hashed.needs_slow_check(creds("", "", "x")));
  EXPECT_TRUE(hashed.authenticate(creds("", "", std::string(kHashPassword))).has_value());
}

config::Options users_options() {
  config::Options o;
  config::Permissions alice_perms;
  alice_perms.publish = config::SubjectPermission{{"foo.>"}, {}};
  o.users.push_back(config::User{"alice", "apw", alice_perms});
  o.users.push_back(config::User{"bob", std::string(kHash), std::nullopt});
  return o;
}

TEST(AuthenticatorTest, UsersListWithPermissions) {
  Authenticator a{users_options()};
  EXPECT_TRUE(a.required());
  EXPECT_TRUE(a.has_users());
  EXPECT_TRUE(a.has_plaintext_passwords());
  auto alice = a.authenticate(creds("alice", "apw"));
  ASSERT_TRUE(alice.has_value());
  EXPECT_EQ(alice->user, "alice");
  ASSERT_NE(alice->permissions, nullptr);
  EXPECT_TRUE(alice->permissions->publish->allows("foo.bar"));
  EXPECT_FALSE(alice->permissions->publish->allows("bar"));
  EXPECT_FALSE(alice->permissions->subscribe.has_value());

  EXPECT_FALSE(a.needs_slow_check(creds("alice", "apw")));
  EXPECT_TRUE(a.needs_slow_check(creds("bob", "x")));
  auto bob = a.authenticate(creds("bob", std::string(kHashPassword)));
  ASSERT_TRUE(bob.has_value());
  EXPECT_EQ(bob->user, "bob");
  EXPECT_EQ(bob->permissions, nullptr);

  EXPECT_FALSE(a.authenticate(creds("alice", "bad")).has_value());
  EXPECT_FALSE(a.authenticate(creds("carol", "apw")).has_value());
  EXPECT_FALSE(a.authenticate(creds("", "")).has_value());
  EXPECT_EQ(a.no_auth_identity(), nullptr);
}

TEST(AuthenticatorTest, DefaultPermissionsApplyToUsersWithoutTheirOwn) {
  config::Options o = users_options();
  config::Permissions defaults;
  defaults.subscribe = config::SubjectPermission{{}, {"private.>"}};
  o.default_permissions = defaults;
  Authenticator a{o};
  auto bob = a.authenticate(creds("bob", std::string(kHashPassword)));
  ASSERT_TRUE(bob && bob->permissions);
  EXPECT_FALSE(bob->permissions->subscribe->allows("private.x", {}));
  auto alice = a.authenticate(creds("alice", "apw"));
  ASSERT_TRUE(alice && alice->permissions);
  EXPECT_FALSE(alice->permissions->subscribe.has_value());  // her own replace the defaults
}

// As nats-server: default permissions are for listed users only.
TEST(AuthenticatorTest, DefaultPermissionsDoNotApplyToASingleUserOrAToken) {
  config::Permissions defaults;
  defaults.publish = config::SubjectPermission{{"ok"}, {}};
  config::Options single;
  single.username = "derek";
  single.password = "pw";
  single.default_permissions = defaults;
  auto id = Authenticator{single}.authenticate(creds("derek", "pw"));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->permissions, nullptr);
  config::Options token;
  token.token = "t0k3n";
  token.default_permissions = defaults;
  id = Authenticator{token}.authenticate(creds("", "", "t0k3n"));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->permissions, nullptr);
}

TEST(AuthenticatorTest, NoAuthUserTakesCredentialLessClients) {
  config::Options o = users_options();
  o.no_auth_user = "bob";
  Authenticator a{o};
  EXPECT_TRUE(a.required());
  EXPECT_FALSE(a.advertise_auth_required());  // nats-server leaves it out of INFO
  ASSERT_NE(a.no_auth_identity(), nullptr);
  EXPECT_EQ(a.no_auth_identity()->user, "bob");
  // No secret to check, even though bob's password is a bcrypt hash.
  EXPECT_FALSE(a.needs_slow_check(creds("", "")));
  auto id = a.authenticate(creds("", ""));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->user, "bob");
  // Credentials, when given, are checked as usual.
  EXPECT_TRUE(a.authenticate(creds("alice", "apw")).has_value());
  EXPECT_FALSE(a.authenticate(creds("alice", "bad")).has_value());
  EXPECT_FALSE(a.authenticate(creds("", "pw")).has_value());
}

TEST(AuthenticatorTest, NoAuthUserThatIsNotAUserIsIgnored) {
  config::Options o = users_options();
  o.no_auth_user = "nobody";
  Authenticator a{o};
  EXPECT_EQ(a.no_auth_identity(), nullptr);
  EXPECT_FALSE(a.authenticate(creds("", "")).has_value());
}

TEST(AuthenticatorTest, TimeoutDefaultsAsNatsServer) {
  config::Options o;
  o.token = "t";
  EXPECT_EQ(Authenticator{o}.timeout(), 2000ms);
  o.auth_timeout = 500ms;
  EXPECT_EQ(Authenticator{o}.timeout(), 500ms);
  o.auth_timeout = 0ms;
  o.tls.enabled = true;
  o.tls.timeout = 2000ms;
  EXPECT_EQ(Authenticator{o}.timeout(), 3000ms);  // the TLS handshake timeout + 1 s
}

}  // namespace
}  // namespace gnatsd::auth
