// Socket set-up, the handshake and buffer management of a nats-bench connection.
#include "connection.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

namespace nats_bench {
namespace {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 60'000));
}

}  // namespace

Connection::Connection(std::size_t read_buffer_bytes) : in_(read_buffer_bytes) {}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

bool Connection::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return false;
}

void Connection::note_info(std::string_view json) {
  saw_info_ = true;
  // Only one field matters here; a full JSON parse per INFO is not worth a dependency.
  constexpr std::string_view key = "\"max_payload\":";
  if (auto at = json.find(key); at != std::string_view::npos) {
    std::string_view rest = json.substr(at + key.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec == std::errc{} && value > 0) max_payload_ = value;
  }
}

void Connection::make_room(std::size_t need) {
  // Keep at least this much free after the data, so each recv can take a large batch.
  constexpr std::size_t kMinFreeTail = 64 * 1024;
  std::size_t have = in_end_ - in_begin_;
  need = std::max(need, have) + kMinFreeTail;
  if (in_.size() - in_begin_ >= need) return;
  // The unparsed tail is at most one incomplete frame: moving it to the front is cheap.
  if (in_begin_ > 0) {
    std::memmove(in_.data(), in_.data() + in_begin_, have);
    in_begin_ = 0;
    in_end_ = have;
  }
  if (in_.size() < need) in_.resize(need);
}

bool Connection::write_queued() {
  while (out_sent_ < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
    if (n > 0) {
      out_sent_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return fail(std::string("write: ") + std::strerror(errno));
  }
  out_.clear();
  out_sent_ = 0;
  return true;
}

std::string Connection::open(const ServerUrl& url, std::string_view client_name,
                             Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(url.port);
  if (int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return "resolve " + url.host + ": " + ::gai_strerror(rc);
  std::string last_error = "no address for " + url.host;
  for (addrinfo* ai = found; ai != nullptr && fd_ < 0; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_error = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int ready = ::poll(&p, 1, remaining_ms(deadline));
      int err = ETIMEDOUT;
      socklen_t len = sizeof err;
      if (ready > 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc < 0) {
      last_error = "connect to " + url.text() + ": " + std::strerror(errno);
      ::close(fd);
      continue;
    }
    fd_ = fd;
  }
  ::freeaddrinfo(found);
  if (fd_ < 0) return last_error;
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  IgnoreMessages none;
  while (!saw_info_) {
    if (!pump(none, 20)) return error_;
    if (Clock::now() > deadline) return "timed out waiting for INFO from " + url.text();
  }
  std::string connect = R"(CONNECT {"verbose":false,"pedantic":false,"lang":"cpp","version":")";
  connect += "0.1.0\",\"protocol\":1,\"headers\":true,\"no_responders\":false,\"name\":";
  connect += json_string(client_name);
  if (!url.user.empty())
    connect += ",\"user\":" + json_string(url.user) + ",\"pass\":" + json_string(url.password);
  if (!url.token.empty()) connect += ",\"auth_token\":" + json_string(url.token);
  connect += "}\r\n";
  queue(connect);
  if (!flush(none, deadline)) return error_;
  return {};
}

}  // namespace nats_bench
