// A connection's outbound side: the bytes queued for it and what is known about them. Any
// worker may queue deliveries (under the lock). Whoever holds the Writer writes them out: the
// owner's loop thread, or another worker that writes a small delivery straight to the socket
// instead of waking the owner (request/reply latency: nats-server's reading goroutine does the
// same).
//
// The thread contract is the type's: everything other threads may touch is in Outbound::Shared,
// reachable only through a Locked handle; the bytes being written are reachable only through a
// Writer; the rest are atomic flags, read lock-free by both sides. Lock order: the Writer's
// before the Locked one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "auth/permissions.hpp"
#include "auth/reply_permits.hpp"
#include "net/byte_buffer.hpp"
#include "subjects/subscription.hpp"

namespace gnatsd::server {

// The negotiated TLS version ("1.2", "1.3") and cipher suite (IANA name, as nats-server reports
// it), for /connz; both empty for plain TCP or before the handshake. Static strings.
struct TlsSummary {
  std::string_view version;
  std::string_view cipher_suite;
};

// What a client's deliveries are filtered and shaped by. Written by the owner thread, read by
// every delivering thread, so it lives under the outbound lock.
struct DeliveryFilter {
  bool headers = false;  // the client negotiated headers; otherwise HMSG becomes MSG
  // nats-server's mperms: once a wildcard subscription reached into the subscribe deny list,
  // every delivery is checked against the plain deny entries of these permissions, with a cache
  // of decisions. Null: off.
  std::shared_ptr<const auth::UserPermissions> deny;
  auth::DecisionCache deny_cache;
  // allow_responses: deliveries record their reply subjects here for the client's own PUBs to
  // use. Null for everyone else, so that a delivery pays one branch.
  std::shared_ptr<auth::ReplyPermits> reply_permits;
};

class Outbound {
 public:
  using Clock = std::chrono::steady_clock;

  // Guarded by the outbound lock.
  struct Shared {
    net::ByteBuffer pending;        // queued, not yet taken by the writer
    std::size_t pending_bytes = 0;  // queued or being written
    bool closed = false;            // no more deliveries
    std::uint64_t msgs = 0, bytes = 0;
    Clock::time_point last_activity{};  // the read time of the latest delivery's message
    DeliveryFilter filter;
    TlsSummary tls;
    // Subscriptions a delivery took to their auto-unsubscribe count: the owner removes them
    // (Interest) at its next flush, which that delivery scheduled. Add through expire().
    std::vector<subjects::SubscriptionPtr> expired;
  };

  class Locked {
   public:
    explicit Locked(Outbound& out) : lock_(out.mutex_), shared_(out.shared_) {}
    Shared* operator->() const noexcept { return &shared_; }
    Shared& operator*() const noexcept { return shared_; }

   private:
    std::unique_lock<std::mutex> lock_;
    Shared& shared_;
  };
  Locked lock() { return Locked(*this); }

  // Under `locked`: hand a finished subscription to the owner.
  void expire(const Locked& locked, subjects::SubscriptionPtr sub) {
    locked->expired.push_back(std::move(sub));
    has_expired_.store(true, std::memory_order_release);
  }
  // Owner thread: the subscriptions expire() handed over since the last call (lock-free when
  // there are none).
  bool take_expired(std::vector<subjects::SubscriptionPtr>& into);

  // Any thread: queue protocol text; false once closed.
  bool append(std::string_view bytes);

  // Flags, lock-free. A publisher marks a subscriber slow (under the lock, when it would pass
  // max_pending); its owner sees it at its next flush and closes it.
  bool slow_consumer() const noexcept { return slow_consumer_.load(std::memory_order_acquire); }
  void mark_slow_consumer() noexcept { slow_consumer_.store(true, std::memory_order_release); }
  // True for the one caller that must schedule the flush; flush_started() re-arms it.
  bool claim_flush() noexcept {
    return !flush_scheduled_.exchange(true, std::memory_order_acq_rel);
  }
  void flush_started() noexcept { flush_scheduled_.store(false, std::memory_order_release); }
  // Since when the socket has refused bytes: tells publishers whether a backlogged subscriber is
  // worth pausing for or stuck (to be cut off).
  void set_blocked_now() noexcept;
  void clear_blocked() noexcept;
  bool stuck_for(std::chrono::nanoseconds window) const noexcept;

  // The right to write to the socket, and the bytes being written. The connection also holds
  // it while it takes its socket down, so that no other thread writes to a closed one.
  class Writer {
   public:
    // Only a try_writer() can come back without it.
    explicit operator bool() const noexcept { return lock_.owns_lock(); }
    // Bytes taken from the queue earlier are not all written yet (the socket refused them).
    bool has_unwritten() const noexcept { return out_.written_ < out_.writing_.size(); }
    // Once the write buffer is fully written, moves what is queued into it; false: nothing to
    // write.
    bool refill();
    enum class Take { Nothing, Taken, TooBig };
    // refill() for a writer that is not the owner: takes the queue only when the write buffer
    // is fully written and the queue holds at most `max` bytes (otherwise leaves it alone).
    Take take_at_most(std::size_t max);
    std::string_view unwritten() const noexcept {
      return out_.writing_.view().substr(out_.written_);
    }
    void wrote(std::size_t n);
    // Owner's tick: gives back buffers a burst made big once they have not been needed big
    // for a while (a stream keeps them between flushes; see refill()).
    void trim_idle(Clock::time_point now);

   private:
    friend class Outbound;
    Writer(Outbound& out, std::unique_lock<std::mutex> lock) : out_(out), lock_(std::move(lock)) {}
    Outbound& out_;
    std::unique_lock<std::mutex> lock_;
  };
  Writer writer() { return Writer(*this, std::unique_lock(writer_mutex_)); }
  Writer try_writer() { return Writer(*this, std::unique_lock(writer_mutex_, std::try_to_lock)); }
  bool has_expired() const noexcept { return has_expired_.load(std::memory_order_acquire); }

  // Queued + in the write buffer, and in how many chunks (for the write-deadline log).
  struct Backlog {
    std::size_t bytes = 0;
    std::size_t chunks = 0;
  };
  Backlog backlog();
  // No more deliveries; every buffer released.
  void close(const Writer& writer);

 private:
  std::mutex writer_mutex_;  // the Writer's
  std::mutex mutex_;
  Shared shared_;
  std::atomic<bool> slow_consumer_{false};
  std::atomic<bool> flush_scheduled_{false};
  std::atomic<bool> has_expired_{false};
  std::atomic<std::int64_t> blocked_since_ns_{0};  // steady clock ns; 0: not blocked
  net::ByteBuffer writing_;                        // the Writer's
  std::size_t written_ = 0;                        // the Writer's
  Clock::time_point big_used_at_{};                // the Writer's: a big buffer was last needed
};

}  // namespace gnatsd::server
