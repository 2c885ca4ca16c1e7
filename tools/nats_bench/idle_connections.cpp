// Idle mode: one epoll loop opens N connections (a bounded number handshaking at once, so the
// server's accept backlog never overflows), subscribes each to its own subject, and holds them.
#include "idle_connections.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "run_support.hpp"

namespace nats_bench {
namespace {

constexpr int kMaxHandshaking = 256;

volatile std::sig_atomic_t g_release = 0;
void on_release_signal(int) {
  g_release = 1;
}

enum class State { Unused, Connecting, Handshaking, Established, Closed };

struct IdleConnection {
  int fd = -1;
  State state = State::Unused;
  std::string pending;  // an incomplete protocol line from the server
};

class IdleLoop {
 public:
  IdleLoop(const BenchOptions& o, const sockaddr_storage& addr, socklen_t addr_len)
      : o_(o), addr_(addr), addr_len_(addr_len), conns_(static_cast<std::size_t>(o.conns)) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  }
  ~IdleLoop() {
    for (auto& c : conns_)
      if (c.fd >= 0) ::close(c.fd);
    if (epoll_ >= 0) ::close(epoll_);
  }

  // Runs until every connection is established or one fails; false with error() on failure.
  bool establish(std::atomic<int>& established_out) {
    Clock::time_point progress_at = Clock::now();
    auto patience = std::chrono::duration<double>(o_.timeout_seconds);
    while (established_ < o_.conns) {
      while (handshaking_ < kMaxHandshaking && next_ < o_.conns)
        if (!launch(next_++)) return false;
      int before = established_;
      if (!wait_events(50)) return false;
      established_out.store(established_, std::memory_order_relaxed);
      if (established_ != before) {
        progress_at = Clock::now();
      } else if (Clock::now() - progress_at > patience) {
        return fail(std::to_string(o_.conns - established_) +
                    " connections not established after " + seconds_text(o_.timeout_seconds) +
                    " without progress");
      }
      if (g_release) return fail("interrupted while connecting");
    }
    return true;
  }

  // Holds the connections, answering PINGs, until the hold time passes or a signal arrives.
  bool hold() {
    Clock::time_point until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(o_.hold_seconds));
    while (!g_release && Clock::now() < until)
      if (!wait_events(100)) return false;
    return true;
  }

  int established() const { return established_; }
  const std::string& error() const { return error_; }
  bool ok() const { return epoll_ >= 0; }

 private:
  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  bool launch(int i) {
    int fd = ::socket(addr_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
      return fail("socket for connection " + std::to_string(i + 1) + ": " + std::strerror(errno));
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr_), addr_len_) < 0 &&
        errno != EINPROGRESS) {
      int err = errno;
      ::close(fd);
      return fail("connect " + std::to_string(i + 1) + ": " + std::strerror(err));
    }
    IdleConnection& c = conns_[static_cast<std::size_t>(i)];
    c.fd = fd;
    c.state = State::Connecting;
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
    ++handshaking_;
    return true;
  }

  bool send_text(IdleConnection& c, std::string_view text) {
    // Handshake lines and PONGs are tiny: they always fit in an idle socket's send buffer.
    ssize_t n = ::send(c.fd, text.data(), text.size(), MSG_NOSIGNAL);
    return n == static_cast<ssize_t>(text.size());
  }

  bool on_connected(int i, IdleConnection& c) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return fail("connect " + std::to_string(i + 1) + ": " + std::strerror(err));
    // Each connection gets its own subject, as distinct clients would.
    std::string hello =
        "CONNECT "
        "{\"verbose\":false,\"pedantic\":false,\"lang\":\"cpp\",\"name\":\"nats-bench-idle\"";
    if (!o_.server.user.empty())
      hello += ",\"user\":\"" + o_.server.user + "\",\"pass\":\"" + o_.server.password + "\"";
    if (!o_.server.token.empty()) hello += ",\"auth_token\":\"" + o_.server.token + "\"";
    hello += "}\r\nSUB " + o_.subject + ".idle." + std::to_string(i) + " 1\r\nPING\r\n";
    if (!send_text(c, hello))
      return fail("handshake write failed on connection " + std::to_string(i + 1));
    c.state = State::Handshaking;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
    return true;
  }

  bool on_readable(int i, IdleConnection& c) {
    char buf[4096];
    for (int rounds = 0; rounds < 16; ++rounds) {
      ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
      if (n == 0) {
        c.state = State::Closed;
        return fail("connection " + std::to_string(i + 1) + " closed by the server");
      }
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
        return fail("read on connection " + std::to_string(i + 1) + ": " + std::strerror(errno));
      }
      c.pending.append(buf, static_cast<std::size_t>(n));
      std::size_t pos = 0;
      for (std::size_t nl; (nl = c.pending.find('\n', pos)) != std::string::npos; pos = nl + 1) {
        std::string_view line(c.pending.data() + pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line == "PING") {
          if (!send_text(c, "PONG\r\n")) return fail("PONG write failed");
        } else if (line == "PONG" && c.state == State::Handshaking) {
          c.state = State::Established;
          --handshaking_;
          ++established_;
        } else if (line.starts_with("-ERR")) {
          return fail("connection " + std::to_string(i + 1) + ": server sent " + std::string(line));
        }
      }
      c.pending.erase(0, pos);
      if (c.state == State::Established && c.pending.empty()) c.pending.shrink_to_fit();
      if (c.pending.size() > 64 * 1024) return fail("unexpected data on an idle connection");
    }
    return true;
  }

  bool wait_events(int timeout_ms) {
    epoll_event events[256];
    int n = ::epoll_wait(epoll_, events, 256, timeout_ms);
    if (n < 0) return errno == EINTR || fail(std::string("epoll_wait: ") + std::strerror(errno));
    for (int k = 0; k < n; ++k) {
      int i = static_cast<int>(events[k].data.u32);
      IdleConnection& c = conns_[static_cast<std::size_t>(i)];
      if (c.state == State::Connecting && (events[k].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
        if (!on_connected(i, c)) return false;
      if (events[k].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        if (!on_readable(i, c)) return false;
    }
    return true;
  }

  const BenchOptions& o_;
  sockaddr_storage addr_;
  socklen_t addr_len_;
  std::vector<IdleConnection> conns_;
  int epoll_ = -1;
  int next_ = 0;
  int handshaking_ = 0;
  int established_ = 0;
  std::string error_;
};

}  // namespace

BenchResult run_idle(const BenchOptions& o, bool progress,
                     void (*on_established)(const BenchResult&)) {
  BenchResult result;
  result.options = o;
  result.expected = static_cast<std::uint64_t>(o.conns);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(o.server.port);
  if (int rc = ::getaddrinfo(o.server.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    result.problems.push_back("resolve " + o.server.host + ": " + ::gai_strerror(rc));
    result.connect_failed = true;
    on_established(result);
    return result;
  }
  sockaddr_storage addr{};
  socklen_t addr_len = found->ai_addrlen;
  std::memcpy(&addr, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);

  struct sigaction sa {};
  sa.sa_handler = on_release_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  IdleLoop loop(o, addr, addr_len);
  std::atomic<int> established{0};
  Clock::time_point start = Clock::now();
  bool ok;
  {
    ProgressLine line(progress, [&] {
      return "established " + std::to_string(established.load()) + "/" + std::to_string(o.conns);
    });
    ok = loop.ok() && loop.establish(established);
  }
  result.connect_seconds = seconds_between(start, Clock::now());
  result.established = loop.established();
  result.delivered = static_cast<std::uint64_t>(loop.established());
  if (!ok) {
    result.problems.push_back(loop.error().empty() ? "epoll_create1 failed" : loop.error());
    result.connect_failed = loop.established() == 0;
  }
  on_established(result);
  if (ok && !loop.hold()) result.problems.push_back("while holding: " + loop.error());
  return result;
}

}  // namespace nats_bench
