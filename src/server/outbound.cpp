#include "server/outbound.hpp"

#include "common/heap_return.hpp"

namespace gnatsd::server {
namespace {

// Write buffers above this capacity are released once drained, so a burst does not pin memory
// for the life of the connection.
constexpr std::size_t kMaxRetainedBuffer = 1024 * 1024;
// ... unless a stream has needed one that big this recently.
constexpr std::chrono::seconds kKeepBigBuffer{2};

std::int64_t steady_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             Outbound::Clock::now().time_since_epoch())
      .count();
}

// A fully written buffer is emptied for reuse, or given back when a burst made it big.
void reset_write_buffer(net::ByteBuffer& writing, std::size_t& written) {
  writing.clear();
  written = 0;
  if (writing.capacity() > kMaxRetainedBuffer) {
    common::note_buffer_freed(writing.capacity());
    writing.release();
  }
}

}  // namespace

bool Outbound::append(std::string_view bytes) {
  std::lock_guard lock(mutex_);
  if (shared_.closed) return false;
  shared_.pending.append(bytes);
  shared_.pending_bytes += bytes.size();
  return true;
}

void Outbound::set_blocked_now() noexcept {
  blocked_since_ns_.store(steady_ns(), std::memory_order_relaxed);
}

void Outbound::clear_blocked() noexcept {
  if (blocked_since_ns_.load(std::memory_order_relaxed) != 0)
    blocked_since_ns_.store(0, std::memory_order_relaxed);
}

bool Outbound::stuck_for(std::chrono::nanoseconds window) const noexcept {
  const std::int64_t since = blocked_since_ns_.load(std::memory_order_relaxed);
  return since != 0 && steady_ns() - since > window.count();
}

bool Outbound::Writer::refill() {
  if (has_unwritten()) return true;
  // A big buffer is kept while a stream keeps needing it: it becomes the next pending one and
  // fills up again, where releasing it would regrow one from nothing and fault its pages in
  // every round. It goes once it has not been needed big for kKeepBigBuffer (here, or from the
  // owner's tick for a connection that went quiet: trim_idle).
  if (out_.writing_.capacity() > kMaxRetainedBuffer) {
    const auto now = Clock::now();
    if (out_.writing_.size() > kMaxRetainedBuffer / 2) out_.big_used_at_ = now;
    if (now - out_.big_used_at_ < kKeepBigBuffer) {
      out_.writing_.clear();
      out_.written_ = 0;
    } else {
      reset_write_buffer(out_.writing_, out_.written_);
    }
  } else {
    reset_write_buffer(out_.writing_, out_.written_);
  }
  std::lock_guard lock(out_.mutex_);
  out_.shared_.pending.swap(out_.writing_);
  return !out_.writing_.empty();
}

void Outbound::Writer::trim_idle(Clock::time_point now) {
  if (has_unwritten() || now - out_.big_used_at_ < kKeepBigBuffer) return;
  reset_write_buffer(out_.writing_, out_.written_);
  net::ByteBuffer idle;
  {
    std::lock_guard lock(out_.mutex_);
    if (!out_.shared_.pending.empty() || out_.shared_.pending.capacity() <= kMaxRetainedBuffer)
      return;
    out_.shared_.pending.swap(idle);
  }
  common::note_buffer_freed(idle.capacity());
}

Outbound::Writer::Take Outbound::Writer::take_at_most(std::size_t max) {
  if (has_unwritten()) return Take::TooBig;
  reset_write_buffer(out_.writing_, out_.written_);
  std::lock_guard lock(out_.mutex_);
  if (out_.shared_.pending.empty()) return Take::Nothing;
  if (out_.shared_.pending.size() > max) return Take::TooBig;
  out_.shared_.pending.swap(out_.writing_);
  return Take::Taken;
}

void Outbound::Writer::wrote(std::size_t n) {
  out_.written_ += n;
  std::lock_guard lock(out_.mutex_);
  out_.shared_.pending_bytes -= n;
}

Outbound::Backlog Outbound::backlog() {
  std::lock_guard writer(writer_mutex_);
  std::lock_guard lock(mutex_);
  return {shared_.pending_bytes,
          (shared_.pending.empty() ? 0u : 1u) + (written_ < writing_.size() ? 1u : 0u)};
}

bool Outbound::take_expired(std::vector<subjects::SubscriptionPtr>& into) {
  if (!has_expired_.load(std::memory_order_acquire)) return false;
  std::lock_guard lock(mutex_);
  into.swap(shared_.expired);
  has_expired_.store(false, std::memory_order_relaxed);
  return !into.empty();
}

void Outbound::close(const Writer& /*held*/) {
  {
    std::lock_guard lock(mutex_);
    shared_.expired.clear();  // they hold this connection: a cycle otherwise
    shared_.closed = true;
    common::note_buffer_freed(shared_.pending.capacity());
    shared_.pending.release();
    shared_.pending_bytes = 0;
    shared_.filter.deny.reset();
    shared_.filter.deny_cache.clear();
  }
  common::note_buffer_freed(writing_.capacity());
  writing_.release();
  written_ = 0;
}

}  // namespace gnatsd::server
