// Client session: authentication (CONNECT credentials, auth timeout, no_auth_user) and the
// permission violations, with nats-server's error texts and log lines (server/client.go,
// server/parser.go, server/auth.go).
#include <sys/epoll.h>

#include "auth/check_pool.hpp"
#include "common/go_quote.hpp"
#include "log/logger.hpp"
#include "protocol/constants.hpp"
#include "server/client_session.hpp"

namespace gnatsd::server {

void ClientSession::arm_auth_timer() {
  awaiting_connect_ = true;
  update_pub_gate();
  // One timer per connection on the worker's own loop; it outlives the session harmlessly.
  worker_.loop().run_after(authenticator_->timeout(), [weak = weak_self<ClientSession>()] {
    if (auto self = weak.lock()) self->auth_timer_expired();
  });
}

void ClientSession::auth_timer_expired() {
  // Any CONNECT stops the clock, even one still being verified, as nats-server.
  if (closed_ || !awaiting_connect_) return;
  send_error(protocol::err::kAuthTimeout);
  log::debug("{} - {}", describe(), protocol::err::kAuthTimeout);
  flush();
  close(CloseReason::AuthenticationTimeout);
}

bool ClientSession::admit_before_connect() {
  // nats-server lets a client that starts with anything but CONNECT in as the no_auth_user
  // (e.g. a telnet session), and refuses it otherwise.
  authenticator_ = current_authenticator();
  if (const auth::Identity* identity = authenticator_->no_auth_identity()) {
    awaiting_connect_ = false;
    apply_identity(*identity);
    return true;
  }
  auth_violation();
  return false;
}

bool ClientSession::authenticate_connect(auth::Credentials credentials) {
  awaiting_connect_ = false;
  update_pub_gate();
  credentials_ = std::move(credentials);
  authenticator_ = current_authenticator();
  if (!authenticator_->required()) return true;
  // Inline verdicts either closed the session or applied the identity.
  return check_credentials(/*for_connect=*/true) && !closed_;
}

void ClientSession::reauthorize() {
  GNATSD_ASSERT_OWNER_THREAD();
  // Not yet authenticated: the CONNECT will meet the new authenticator. Being verified: the
  // CONNECT's verdict, when it comes, was reached with the old one (nats-server has the same
  // window).
  if (closed_ || awaiting_connect_ || input_held_) return;
  listed_before_reload_ =
      authenticator_ && !auth_user_.empty() && authenticator_->lists(auth_user_, auth_nkey_);
  authenticator_ = current_authenticator();
  if (!authenticator_->required()) {
    apply_identity(auth::Identity{});
    return;
  }
  check_credentials(/*for_connect=*/false);
}

bool ClientSession::check_credentials(bool for_connect) {
  const std::uint64_t check = ++auth_checks_;
  if (!authenticator_->needs_slow_check(credentials_)) {
    auth_checked(authenticator_->authenticate(credentials_), for_connect, check);
    return true;
  }
  // bcrypt: verified on a helper thread while this loop serves its other clients. For a
  // CONNECT, nothing more is read or parsed from this client until the verdict is back.
  if (for_connect) {
    input_held_ = true;
    update_interest();
  }
  const bool submitted = context_.check_pool().submit(
      [authenticator = authenticator_, credentials = credentials_,
       weak = weak_self<ClientSession>(), loop = &worker_.loop(), for_connect, check] {
        auto identity = authenticator->authenticate(credentials);
        loop->post([weak, identity = std::move(identity), for_connect, check]() mutable {
          if (auto self = weak.lock()) self->auth_checked(std::move(identity), for_connect, check);
        });
      });
  // Refused only while the server shuts down, which closes this session anyway.
  if (!submitted) close(CloseReason::ServerShutdown);
  return false;
}

void ClientSession::auth_checked(std::optional<auth::Identity> identity, bool for_connect,
                                 std::uint64_t check) {
  // A later check (a newer CONNECT or reload) supersedes this one's verdict.
  if (closed_ || check != auth_checks_) return;
  if (!identity) {
    // nats-server closes a client whose users-list entry a reload removed as "Client Closed",
    // without an -ERR; other refusals are authorization violations.
    if (!for_connect && listed_before_reload_ &&
        (authenticator_->has_users() || authenticator_->has_nkeys()) &&
        !authenticator_->lists(auth_user_, auth_nkey_)) {
      log::debug("{} - user {} removed by the reload", describe(), common::go_quote(auth_user_));
      close(CloseReason::ClientClosed);
      return;
    }
    auth_violation();
    return;
  }
  apply_identity(*identity);
  if (!for_connect) {
    drop_unauthorized_subscriptions();
    return;
  }
  if (!input_held_) return;  // checked inline: on_connect goes on with finish_connect
  input_held_ = false;
  if (!finish_connect()) return;
  update_interest();
  // Frames that arrived behind the CONNECT; further input comes through the loop as usual
  // (or, for TLS, from what OpenSSL already holds).
  if (in_buffered_size() > 0) process_input();
  read_buffered_input();
}

void ClientSession::apply_identity(const auth::Identity& identity) {
  auth_user_ = identity.user;
  auth_nkey_ = identity.nkey;
  permissions_ = identity.permissions;
  // Replies recorded under the previous permissions are forgotten, as nats-server does when it
  // sets a client's permissions again.
  std::shared_ptr<auth::ReplyPermits> reply_permits;
  if (permissions_ && permissions_->response) {
    reply_permits = std::make_shared<auth::ReplyPermits>(*permissions_->response);
  }
  publish_check_.reset();
  if (permissions_ && permissions_->publish) {
    publish_check_ = std::make_unique<auth::PublishCheck>(permissions_, reply_permits);
  }
  update_pub_gate();

  // Subscriptions made before (a re-CONNECT or a reload) decide the delivery filter afresh, as
  // nats-server rebuilds it on reload from the subscriptions it keeps.
  const auth::SubscribeFilter* subscribe =
      permissions_ && permissions_->subscribe ? &*permissions_->subscribe : nullptr;
  bool filter_on = false;
  if (subscribe != nullptr) {
    interest_.for_each([&](const subjects::SubscriptionPtr& sub) {
      filter_on = filter_on || (subscribe->keeps(sub->subject, sub->queue) &&
                                subscribe->turns_on_delivery_filter(sub->subject));
    });
  }
  auto out = outbound_.lock();
  out->filter.deny = filter_on ? permissions_ : nullptr;
  out->filter.deny_cache.clear();
  out->filter.reply_permits = std::move(reply_permits);
}

void ClientSession::drop_unauthorized_subscriptions() {
  if (!permissions_ || !permissions_->subscribe) return;
  const auth::SubscribeFilter& filter = *permissions_->subscribe;
  std::vector<subjects::SubscriptionPtr> denied;
  interest_.for_each([&](const subjects::SubscriptionPtr& sub) {
    if (!filter.keeps(sub->subject, sub->queue)) denied.push_back(sub);
  });
  for (const auto& sub : denied) {
    interest_.remove(sub);
    // The queue is not named here, as in nats-server.
    const std::string subject = common::go_quote(sub->subject);
    const std::string sid = common::go_quote(sub->sid);
    send_error(fmt::format("Permissions Violation for Subscription to {} (sid {})", subject, sid));
    log::info("Removed sub {} (sid {}) for {} - not authorized", subject, sid, auth_user_label());
  }
}

void ClientSession::auth_violation() {
  // nats-server names the CONNECT's nkey when nkey users are configured, else its user when a
  // users list is.
  if (authenticator_ && authenticator_->has_nkeys()) {
    log::error("{} - authentication error - Nkey {}", describe(),
               common::go_quote(credentials_.nkey));
  } else if (authenticator_ && authenticator_->has_users()) {
    log::error("{} - authentication error - User {}", describe(),
               common::go_quote(credentials_.user));
  } else {
    log::error("{} - authentication error", describe());
  }
  close_now_for_error(CloseReason::AuthenticationViolation, protocol::err::kAuthorization);
}

std::string ClientSession::auth_user_label() const {
  // nats-server names the CONNECT's user even where it was not needed (a token or no auth at
  // all, where a "_sys_" queue subscription still gets a violation), or the no_auth_user; an
  // nkey the CONNECT carries comes first.
  if (!credentials_.nkey.empty()) return "Nkey " + common::go_quote(credentials_.nkey);
  const std::string& user = auth_user_.empty() ? credentials_.user : auth_user_;
  if (user.empty()) return "User \"N/A\"";
  return "User " + common::go_quote(user);
}

void ClientSession::publish_violation(std::string_view subject) {
  const std::string quoted = common::go_quote(subject);
  send_error(fmt::format("Permissions Violation for Publish to {}", quoted));
  log::error("{} - Publish Violation - {}, Subject {}", describe(), auth_user_label(), quoted);
}

void ClientSession::subscribe_violation(const protocol::SubFrame& frame) {
  const std::string subject = common::go_quote(frame.subject);
  if (frame.queue.empty()) {
    send_error(fmt::format("Permissions Violation for Subscription to {}", subject));
    log::error("{} - Subscription Violation - {}, Subject {}, SID {}", describe(),
               auth_user_label(), subject, frame.sid);
  } else {
    const std::string queue = common::go_quote(frame.queue);
    send_error(
        fmt::format("Permissions Violation for Subscription to {} using queue {}", subject, queue));
    log::error("{} - Subscription Violation - {}, Subject {}, Queue: {}, SID {}", describe(),
               auth_user_label(), subject, queue, frame.sid);
  }
}

void ClientSession::set_log_label_from_connect() {
  // "v<version>:<lang>:<name>", leaving out what the client did not send.
  std::string client;
  if (!version_.empty()) client = "v" + version_;
  if (!lang_.empty()) client += (client.empty() ? "" : ":") + lang_;
  if (!name_.empty()) client += (client.empty() ? "" : ":") + name_;
  if (client.empty()) return;
  set_label(describe() + " - " + common::go_quote(client));
}

}  // namespace gnatsd::server
