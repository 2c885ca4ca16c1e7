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

#include "auth/permissions.hpp"
#include "config/options.hpp"

namespace gnatsd::auth {

// What a CONNECT presents ("user", "pass", "auth_token").
struct Credentials {
  std::string user;
  std::string password;
  std::string token;
  bool empty() const noexcept { return user.empty() && password.empty() && token.empty(); }
};

// Who a client turned out to be.
struct Identity {
  std::string user;  // the user name; empty for a token or single-user-less login
  std::shared_ptr<const UserPermissions> permissions;  // null: no restrictions
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

 private:
  struct UserEntry {
    std::string password;  // plaintext or bcrypt hash
    Identity identity;
  };
  // The configured secret the credentials must match, with the identity they then get; or
  // the no_auth_user's identity (no secret to check); or nothing (refused).
  struct Plan {
    enum class Kind { Refuse, Accept, Compare } kind = Kind::Refuse;
    const std::string* configured = nullptr;
    const std::string* presented = nullptr;
    const Identity* identity = nullptr;
  };
  Plan plan(const Credentials& credentials) const noexcept;

  bool required_ = false;
  bool plaintext_passwords_ = false;
  std::chrono::milliseconds timeout_;
  std::unordered_map<std::string, UserEntry> users_;
  std::string no_auth_user_;
  std::string token_;
  std::string username_;
  std::string password_;
  Identity anonymous_;  // token and single-user logins: no permissions
};

}  // namespace gnatsd::auth
