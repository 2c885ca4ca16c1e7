// Authentication decisions, in nats-server's order (server/auth.go
// processClientOrLeafAuthentication): nkey users, then the users list, then token, then single
// user.
#include "auth/authenticator.hpp"

#include "auth/secret.hpp"
#include "protocol/constants.hpp"

namespace gnatsd::auth {
namespace {

// nats-server's order: a signature must be present, decode, and verify over the nonce's text.
bool nkey_signature_valid(const nkey::PublicKey& key, const Credentials& credentials) {
  // No nonce: the client was sent an INFO before nkey users existed (a reload added them); a
  // signature of nothing could be a replay, so it is refused and the client reconnects.
  if (credentials.signature.empty() || credentials.nonce.empty()) return false;
  const auto signature = nkey::decode_signature(credentials.signature);
  return signature && nkey::verify(key, credentials.nonce, *signature);
}

}  // namespace

Authenticator::Authenticator(const config::Options& options)
    : required_(options.auth_required()),
      timeout_(options.auth_timeout.count() > 0 ? options.auth_timeout
               : options.tls.enabled ? options.tls.timeout + std::chrono::milliseconds(1000)
                                     : std::chrono::duration_cast<std::chrono::milliseconds>(
                                           protocol::kDefaultAuthTimeout)),
      no_auth_user_(options.no_auth_user),
      token_(options.token),
      username_(options.username),
      password_(options.password) {
  std::shared_ptr<const UserPermissions> defaults;
  if (options.default_permissions)
    defaults = UserPermissions::compile(*options.default_permissions);
  for (const config::User& user : options.users) {
    if (!user.nkey.empty()) {
      auto key = nkey::decode_user_public_key(user.nkey);
      if (!key) continue;  // the config loader refuses it
      NkeyEntry entry{*key, Identity{user.nkey, nullptr, /*nkey=*/true}};
      entry.identity.permissions =
          user.permissions ? UserPermissions::compile(*user.permissions) : defaults;
      nkeys_.insert_or_assign(user.nkey, std::move(entry));
      continue;
    }
    UserEntry entry;
    entry.password = user.password;
    entry.identity.user = user.username;
    // A user without permissions of its own gets the default ones, as nats-server.
    entry.identity.permissions =
        user.permissions ? UserPermissions::compile(*user.permissions) : defaults;
    if (!is_bcrypt(user.password)) plaintext_passwords_ = true;
    // A repeated user name (the config loader refuses one, as nats-server): the last wins.
    users_.insert_or_assign(user.username, std::move(entry));
  }
  if (!password_.empty() && !is_bcrypt(password_)) plaintext_passwords_ = true;
}

const Identity* Authenticator::no_auth_identity() const noexcept {
  if (no_auth_user_.empty()) return nullptr;
  const auto it = users_.find(no_auth_user_);
  return it == users_.end() ? nullptr : &it->second.identity;
}

Authenticator::Plan Authenticator::plan(const Credentials& credentials) const noexcept {
  Plan plan;
  if (!required_) {
    plan.kind = Plan::Kind::Accept;
    plan.identity = &anonymous_;
    return plan;
  }
  // A CONNECT with an nkey, when nkey users are configured, is that nkey user or nobody.
  if (!nkeys_.empty() && !credentials.nkey.empty()) {
    const auto it = nkeys_.find(credentials.nkey);
    if (it == nkeys_.end()) return plan;
    plan.kind = Plan::Kind::VerifyNkey;
    plan.nkey = &it->second;
    plan.identity = &it->second.identity;
    return plan;
  }
  if (!users_.empty()) {
    // nats-server maps a credential-less client to the no_auth_user by copying that user's
    // password into the CONNECT and comparing it with itself, which fails for a bcrypt
    // password; here the mapping needs no secret at all.
    if (credentials.empty()) {
      if (const Identity* identity = no_auth_identity()) {
        plan.kind = Plan::Kind::Accept;
        plan.identity = identity;
        return plan;
      }
    }
    if (!credentials.user.empty()) {
      const auto it = users_.find(credentials.user);
      if (it == users_.end()) return plan;
      plan.kind = Plan::Kind::Compare;
      plan.configured = &it->second.password;
      plan.presented = &credentials.password;
      plan.identity = &it->second.identity;
      return plan;
    }
  }
  if (!token_.empty()) {
    plan.kind = Plan::Kind::Compare;
    plan.configured = &token_;
    plan.presented = &credentials.token;
    plan.identity = &anonymous_;
  } else if (!username_.empty()) {
    // The user name is not secret: nats-server compares it plainly.
    if (credentials.user != username_) return plan;
    plan.kind = Plan::Kind::Compare;
    plan.configured = &password_;
    plan.presented = &credentials.password;
    plan.identity = &anonymous_;
  }
  return plan;
}

bool Authenticator::needs_slow_check(const Credentials& credentials) const noexcept {
  const Plan p = plan(credentials);
  return p.kind == Plan::Kind::Compare && is_bcrypt(*p.configured);
}

std::optional<Identity> Authenticator::authenticate(const Credentials& credentials) const {
  const Plan p = plan(credentials);
  switch (p.kind) {
    case Plan::Kind::Refuse:
      return std::nullopt;
    case Plan::Kind::Accept:
      return *p.identity;
    case Plan::Kind::Compare:
      if (!secret_matches(*p.configured, *p.presented)) return std::nullopt;
      return *p.identity;
    case Plan::Kind::VerifyNkey:
      if (!nkey_signature_valid(p.nkey->key, credentials)) return std::nullopt;
      return *p.identity;
  }
  return std::nullopt;
}

}  // namespace gnatsd::auth
