// Syslog sink: target parsing, connection (with Go's reconnect-once on a failed write) and the
// log/syslog frame.
#include "log/syslog_sink.hpp"

#include <netdb.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "process/os_error.hpp"

namespace gnatsd::log {
namespace {

// Go's url.Parse takes a leading "letter *(letter / digit / + - .)" followed by ':' as the
// scheme; anything else starting with a digit, or with a colon in its first path segment, is
// an error or a scheme-less path.
bool is_scheme(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Go's net.SplitHostPort, reduced to the texts an operator can trigger.
std::string split_host_port(std::string_view address, std::string& host, std::string& port) {
  const std::string missing_port = "address " + std::string(address) + ": missing port in address";
  if (!address.empty() && address.front() == '[') {
    auto close = address.find(']');
    if (close == std::string_view::npos) {
      return "address " + std::string(address) + ": missing ']' in address";
    }
    if (close + 1 >= address.size() || address[close + 1] != ':') return missing_port;
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
    return {};
  }
  auto colon = address.rfind(':');
  if (colon == std::string_view::npos) return missing_port;
  if (address.find(':') != colon) {
    return "address " + std::string(address) + ": too many colons in address";
  }
  host = address.substr(0, colon);
  port = address.substr(colon + 1);
  return {};
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string connect_error(std::string_view detail) {
  return "error connecting to syslog: " + quote(detail);
}

std::string numeric_address(const sockaddr* addr, socklen_t len) {
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (getnameinfo(addr, len, host, sizeof host, port, sizeof port,
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "?";
  }
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return h + ":" + port;
}

// Returns a connected socket, or -1 with errno set.
int connect_socket(int family, int type, const sockaddr* addr, socklen_t len) {
  int fd = ::socket(family, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, addr, len) != 0) {
    int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

}  // namespace

std::string parse_remote_syslog(std::string_view url, SyslogTarget& target) {
  target = SyslogTarget{};
  target.address = std::string(url);
  std::string scheme;
  std::string_view rest;
  if (auto sep = url.find("://"); sep != std::string_view::npos && is_scheme(url.substr(0, sep))) {
    scheme = lower(url.substr(0, sep));
    rest = url.substr(sep + 3);
  } else if (auto colon = url.find(':'); colon != std::string_view::npos) {
    auto slash = url.find('/');
    if (is_scheme(url.substr(0, colon))) {
      scheme = lower(url.substr(0, colon));  // "localhost:514": scheme "localhost"
    } else if (slash == std::string_view::npos || colon < slash) {
      return "parse " + quote(url) + ": first path segment in URL cannot contain colon";
    }
  }

  auto path_at = rest.find('/');
  std::string_view authority = rest.substr(0, path_at);
  std::string_view path = path_at == std::string_view::npos ? "" : rest.substr(path_at);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }

  target.network = scheme;
  SyslogEndpoint endpoint;
  if (scheme == "udp" || scheme == "tcp") {
    endpoint.socket_type = scheme == "udp" ? SOCK_DGRAM : SOCK_STREAM;
    if (authority.empty()) return connect_error("dial " + scheme + ": missing address");
    if (auto err = split_host_port(authority, endpoint.host, endpoint.port); !err.empty()) {
      return connect_error("dial " + scheme + ": " + err);
    }
  } else if (scheme == "unix") {
    // Go dials "unix", a stream socket, and frames it as a remote server.
    endpoint.family = AF_UNIX;
    endpoint.socket_type = SOCK_STREAM;
    endpoint.path = path;
  } else {
    return "error invalid network type: " + quote(scheme);
  }
  target.endpoints.push_back(std::move(endpoint));
  return {};
}

SyslogTarget local_syslog_target() {
  SyslogTarget target;
  target.local = true;
  for (const char* path : {"/dev/log", "/var/run/syslog", "/var/run/log"}) {
    for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
      SyslogEndpoint endpoint;
      endpoint.family = AF_UNIX;
      endpoint.socket_type = type;
      endpoint.path = path;
      target.endpoints.push_back(std::move(endpoint));
    }
  }
  return target;
}

int syslog_priority(int spdlog_level, bool local) {
  int severity = LOG_NOTICE;  // INF and TRC, as nats-server's SysLogger
  switch (static_cast<spdlog::level::level_enum>(spdlog_level)) {
    case spdlog::level::debug:
      severity = LOG_DEBUG;
      break;
    case spdlog::level::warn:
      severity = LOG_WARNING;
      break;
    case spdlog::level::err:
      severity = LOG_ERR;
      break;
    case spdlog::level::critical:
      severity = LOG_CRIT;
      break;
    default:
      break;
  }
  // Local: the writer is opened with LOG_DAEMON; remote: with LOG_DEBUG alone, so facility 0.
  return (local ? LOG_DAEMON : 0) | severity;
}

std::shared_ptr<SyslogSink> SyslogSink::connect(SyslogTarget target, std::string& error) {
  std::shared_ptr<SyslogSink> sink(new SyslogSink(std::move(target)));
  if (auto err = sink->open_connection(); !err.empty()) {
    error = sink->target_.local ? connect_error("Unix syslog delivery error") : connect_error(err);
    return nullptr;
  }
  return sink;
}

SyslogSink::SyslogSink(SyslogTarget target) : target_(std::move(target)), pid_(::getpid()) {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0) hostname_ = name;
  // Go's tag is the base name of argv[0]; glibc keeps exactly that.
  tag_ = program_invocation_short_name;
}

SyslogSink::~SyslogSink() {
  close_connection();
}

std::string SyslogSink::open_connection() {
  close_connection();
  std::string error;
  for (const auto& endpoint : target_.endpoints) {
    if (endpoint.family == AF_UNIX) {
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      if (endpoint.path.size() >= sizeof addr.sun_path) {
        error = "dial unix " + endpoint.path + ": connect: " + process::os_error_text(EINVAL);
        continue;
      }
      std::memcpy(addr.sun_path, endpoint.path.data(), endpoint.path.size());
      int fd = connect_socket(AF_UNIX, endpoint.socket_type, reinterpret_cast<sockaddr*>(&addr),
                              sizeof addr);
      if (fd >= 0) {
        fd_ = fd;
        fd_type_ = endpoint.socket_type;
        return {};
      }
      error = "dial unix " + endpoint.path + ": connect: " + process::os_error_text(errno);
      continue;
    }
    const std::string net = target_.network;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = endpoint.socket_type;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(endpoint.host.c_str(), endpoint.port.c_str(), &hints, &found);
        rc != 0) {
      std::string why =
          (rc == EAI_NONAME || rc == EAI_NODATA) ? "no such host" : lower(gai_strerror(rc));
      error = "dial " + net + ": lookup " + endpoint.host + ": " + why;
      continue;
    }
    for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
      int fd = connect_socket(ai->ai_family, ai->ai_socktype, ai->ai_addr, ai->ai_addrlen);
      if (fd >= 0) {
        ::freeaddrinfo(found);
        fd_ = fd;
        fd_type_ = endpoint.socket_type;
        return {};
      }
      error = "dial " + net + " " + numeric_address(ai->ai_addr, ai->ai_addrlen) +
              ": connect: " + process::os_error_text(errno);
    }
    ::freeaddrinfo(found);
  }
  return error.empty() ? "no address" : error;
}

void SyslogSink::close_connection() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool SyslogSink::send_frame(std::string_view frame) {
  std::size_t sent = 0;
  // A datagram goes whole or not at all; a stream may take several sends, each making progress
  // or failing, so the loop ends.
  while (sent < frame.size()) {
    ssize_t n = ::send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (fd_type_ == SOCK_DGRAM) return true;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string SyslogSink::frame(const spdlog::details::log_msg& msg) const {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(msg.time);
  std::tm local{};
  ::localtime_r(&seconds, &local);
  char stamp[64];
  std::string out = "<" + std::to_string(syslog_priority(msg.level, target_.local)) + ">";
  if (target_.local) {
    std::strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &local);  // Go's time.Stamp
    out += stamp;
  } else {
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &local);  // Go's time.RFC3339
    out += stamp;
    if (local.tm_gmtoff == 0) {
      out += 'Z';
    } else {
      long offset = local.tm_gmtoff / 60;
      char zone[32];
      std::snprintf(zone, sizeof zone, "%c%02ld:%02ld", offset < 0 ? '-' : '+',
                    std::labs(offset) / 60, std::labs(offset) % 60);
      out += zone;
    }
    out += ' ';
    out += hostname_;
  }
  out += ' ';
  out += tag_;
  out += '[';
  out += std::to_string(pid_);
  out += "]: ";
  out.append(msg.payload.data(), msg.payload.size());
  if (out.back() != '\n') out += '\n';
  return out;
}

void SyslogSink::sink_it_(const spdlog::details::log_msg& msg) {
  const std::string data = frame(msg);
  // As Go's writeAndRetry: one write on the current connection, then one reconnect and retry;
  // a line that still cannot be delivered is dropped (a server does not stop for its syslog).
  if (fd_ >= 0 && send_frame(data)) return;
  if (open_connection().empty()) send_frame(data);
}

}  // namespace gnatsd::log
