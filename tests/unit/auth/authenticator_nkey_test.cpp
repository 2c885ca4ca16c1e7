// Authenticator with nkey users: the nonce signature decides, an nkey in CONNECT goes to the
// nkey users only, permissions and the no_auth_user work as for user/password users.
#include <gtest/gtest.h>

#include "../../support/nkey_test_keys.hpp"
#include "auth/authenticator.hpp"

namespace gnatsd::auth {
namespace {

using test::sign_nonce;

config::Options nkey_options() {
  config::Options o;
  config::User nkey_user;
  nkey_user.nkey = std::string(test::test_nkey_a().public_key);
  config::Permissions perms;
  perms.publish = config::SubjectPermission{{"foo"}, {}};
  nkey_user.permissions = perms;
  config::User plain;
  plain.username = "alice";
  plain.password = "pw";
  o.users = {nkey_user, plain};
  return o;
}

Credentials nkey_creds(std::string_view nkey, std::string signature, std::string nonce) {
  Credentials c;
  c.nkey = std::string(nkey);
  c.signature = std::move(signature);
  c.nonce = std::move(nonce);
  return c;
}

TEST(AuthenticatorNkeyTest, SignedNonceAuthenticates) {
  const test::TestNkey a = test::test_nkey_a();
  Authenticator auth{nkey_options()};
  EXPECT_TRUE(auth.required());
  EXPECT_TRUE(auth.has_nkeys());
  EXPECT_TRUE(auth.has_plaintext_passwords());  // alice's; an nkey user has no password
  const std::string nonce = "abcdefghijklmno";
  EXPECT_FALSE(auth.needs_slow_check(nkey_creds(a.public_key, "", nonce)));
  auto id = auth.authenticate(nkey_creds(a.public_key, sign_nonce(a, nonce), nonce));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->user, a.public_key);
  EXPECT_TRUE(id->nkey);
  ASSERT_NE(id->permissions, nullptr);
  EXPECT_TRUE(id->permissions->publish.has_value());
  // Standard base64 with padding is accepted too, as nats-server.
  const std::string raw = test::ed25519_sign(a.seed, nonce);
  EXPECT_TRUE(auth.authenticate(nkey_creds(a.public_key, test::base64(raw, false), nonce)));
}

TEST(AuthenticatorNkeyTest, BadOrMissingSignaturesAndUnknownKeysAreRefused) {
  const test::TestNkey a = test::test_nkey_a();
  const test::TestNkey b = test::test_nkey_b();
  Authenticator auth{nkey_options()};
  const std::string nonce = "abcdefghijklmno";
  EXPECT_FALSE(auth.authenticate(nkey_creds(a.public_key, "", nonce)));
  EXPECT_FALSE(auth.authenticate(nkey_creds(a.public_key, "***", nonce)));
  EXPECT_FALSE(auth.authenticate(nkey_creds(a.public_key, sign_nonce(b, nonce), nonce)));
  EXPECT_FALSE(auth.authenticate(nkey_creds(a.public_key, sign_nonce(a, "other"), nonce)));
  // Another connection's nonce (a replayed CONNECT).
  EXPECT_FALSE(auth.authenticate(nkey_creds(a.public_key, sign_nonce(a, nonce), "zzz")));
  EXPECT_FALSE(auth.authenticate(nkey_creds(b.public_key, sign_nonce(b, nonce), nonce)));
  // A client sent its INFO before a reload added nkey users has no nonce: a signature of the
  // empty text (which could be a replay) is refused.
  EXPECT_FALSE(auth.authenticate(nkey_creds(a.public_key, sign_nonce(a, ""), "")));
}

TEST(AuthenticatorNkeyTest, AnNkeyInConnectIsCheckedAgainstNkeyUsersOnly) {
  const test::TestNkey a = test::test_nkey_a();
  const test::TestNkey b = test::test_nkey_b();
  Authenticator auth{nkey_options()};
  const std::string nonce = "abcdefghijklmno";
  // Good user/password with an unknown nkey: refused. Good nkey with user/password: the nkey
  // user.
  Credentials unknown = nkey_creds(b.public_key, sign_nonce(b, nonce), nonce);
  unknown.user = "alice";
  unknown.password = "pw";
  EXPECT_FALSE(auth.authenticate(unknown));
  Credentials both = nkey_creds(a.public_key, sign_nonce(a, nonce), nonce);
  both.user = "alice";
  both.password = "pw";
  auto id = auth.authenticate(both);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->user, a.public_key);
  // Users still log in with their passwords.
  Credentials alice;
  alice.user = "alice";
  alice.password = "pw";
  id = auth.authenticate(alice);
  ASSERT_TRUE(id.has_value());
  EXPECT_FALSE(id->nkey);
}

TEST(AuthenticatorNkeyTest, NoAuthUserAndStrayNkeys) {
  const test::TestNkey b = test::test_nkey_b();
  config::Options o = nkey_options();
  o.no_auth_user = "alice";
  Authenticator with_nkeys{o};
  EXPECT_EQ(with_nkeys.authenticate(Credentials{})->user, "alice");
  // With nkey users configured, a CONNECT's nkey is not mapped to the no_auth_user.
  EXPECT_FALSE(with_nkeys.authenticate(nkey_creds(b.public_key, "", "n")));
  // Without them, nats-server ignores the nkey.
  config::Options users_only;
  users_only.users = {o.users[1]};
  users_only.no_auth_user = "alice";
  Authenticator without{users_only};
  EXPECT_FALSE(without.has_nkeys());
  EXPECT_EQ(without.authenticate(nkey_creds(b.public_key, "", "n"))->user, "alice");
}

TEST(AuthenticatorNkeyTest, DefaultPermissionsApply) {
  config::Options o;
  config::User nkey_user;
  nkey_user.nkey = std::string(test::test_nkey_a().public_key);
  o.users = {nkey_user};
  config::Permissions defaults;
  defaults.subscribe = config::SubjectPermission{{"bar"}, {}};
  o.default_permissions = defaults;
  Authenticator auth{o};
  const test::TestNkey a = test::test_nkey_a();
  auto id = auth.authenticate(nkey_creds(a.public_key, sign_nonce(a, "n"), "n"));
  ASSERT_TRUE(id.has_value());
  ASSERT_NE(id->permissions, nullptr);
  EXPECT_TRUE(id->permissions->subscribe.has_value());
  EXPECT_FALSE(auth.has_plaintext_passwords());
}

}  // namespace
}  // namespace gnatsd::auth
