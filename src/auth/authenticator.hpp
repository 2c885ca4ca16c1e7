// Client authentication as nats-server 2.9 does it: a users list (optionally with a
// no_auth_user), a token, or a single user/password, checked against a CONNECT's credentials.
//
// Immutable once built from the options, so the server can replace it atomically on a config
// reload while sessions keep the one they started with; any thread may use it.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "auth/nkey.hpp"
#include "auth/permissions.hpp"
#include "config/options.hpp"

namespace gnatsd::auth {

// What a CONNECT presents ("user", "pass", "auth_token", "nkey", "sig"), and the nonce the
// server's INFO gave this connection (what "sig" signs).
struct Credentials {
  std::string user;
  std::string password;
  std::string token;
  std::string nkey = {};
  std::string signature = {};
  std::string nonce = {};
  // No user, password or token (an nkey does not count: nats-server maps such a client to the
  // no_auth_user when no nkey users are configured).
  bool empty() const noexcept { return user.empty() && password.empty() && token.empty(); }
};

// Who a client turned out to be.
struct Identity {
  std::string user;  // the user name or nkey; empty for a token or single-user-less login
  std::shared_ptr<const UserPermissions> permissions;  // null: no restrictions
  bool nkey = false;                                   // `user` is a public nkey
};

class Authenticator {
 public:
  explicit Authenticator(const config::Options& options);

  // Clients must authenticate (a users list, a token or a user is configured).
  bool required() const noexcept { return required_; }
  // INFO's auth_required: nats-server leaves it out when a no_auth_user is configured, since a
  // client without credentials is then let in (it still arms the auth timer).
  bool advertise_auth_required() const noexcept { return required_ && no_auth_user_.empty(); }
  // A users list is configured: authentication errors then name the CONNECT's user.
  bool has_users() const noexcept { return !users_.empty(); }
  // Nkey users are configured: INFO then carries a nonce for the client to sign, and
  // authentication errors name the CONNECT's nkey.
  bool has_nkeys() const noexcept { return !nkeys_.empty(); }
  // How long a client has to send its CONNECT (authorization { timeout }, default 2 s, or the
  // TLS timeout + 1 s with TLS), as nats-server.
  std::chrono::milliseconds timeout() const noexcept { return timeout_; }
  // nats-server warns at start-up when a password is not a bcrypt hash.
  bool has_plaintext_passwords() const noexcept { return plaintext_passwords_; }

  // The no_auth_user's identity: taken by a client whose first operation is not a CONNECT or
  // whose CONNECT has no credentials. Null when none is configured (or it is not a user).
  const Identity* no_auth_identity() const noexcept;

  // Whether authenticate() will run a bcrypt check (tens to hundreds of milliseconds), which
  // an event loop should hand to a helper thread.
  bool needs_slow_check(const Credentials& credentials) const noexcept;
  // The client's identity, or nullopt when the credentials are refused.
  std::optional<Identity> authenticate(const Credentials& credentials) const;
  // Whether `name` is an entry of the users list (an nkey when `nkey`).
  bool lists(const std::string& name, bool nkey) const {
    return nkey ? nkeys_.count(name) != 0 : users_.count(name) != 0;
  }

 private:
  struct UserEntry {
    std::string password;  // plaintext or bcrypt hash
    Identity identity;
  };
  struct NkeyEntry {
    nkey::PublicKey key;
    Identity identity;
  };
  // The configured secret the credentials must match, with the identity they then get; or
  // the no_auth_user's identity (no secret to check); or an nkey whose signature of the nonce
  // must check out; or nothing (refused).
  struct Plan {
    enum class Kind { Refuse, Accept, Compare, VerifyNkey } kind = Kind::Refuse;
    const NkeyEntry* nkey = nullptr;
    const std::string* configured = nullptr;
    const std::string* presented = nullptr;
    const Identity* identity = nullptr;
  };
  Plan plan(const Credentials& credentials) const noexcept;

  bool required_ = false;
  bool plaintext_passwords_ = false;
  std::chrono::milliseconds timeout_;
  std::unordered_map<std::string, UserEntry> users_;
  std::unordered_map<std::string, NkeyEntry> nkeys_;  // by public nkey text
  std::string no_auth_user_;
  std::string token_;
  std::string username_;
  std::string password_;
  Identity anonymous_;  // token and single-user logins: no permissions
};

}  // namespace gnatsd::auth
