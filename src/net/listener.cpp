// Socket calls for the listening side, kept out of the server logic.
#include "net/listener.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gnatsd::net {
namespace {

std::string address_text(const sockaddr_storage& addr, int& port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET6) {
    const auto* a6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    port = ntohs(a6->sin6_port);
    // Report IPv4-mapped peers as plain IPv4, as nats-server does.
    if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
      inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], buf, sizeof buf);
    } else {
      inet_ntop(AF_INET6, &a6->sin6_addr, buf, sizeof buf);
    }
  } else {
    const auto* a4 = reinterpret_cast<const sockaddr_in*>(&addr);
    port = ntohs(a4->sin_port);
    inet_ntop(AF_INET, &a4->sin_addr, buf, sizeof buf);
  }
  return buf;
}

}  // namespace

Listener::~Listener() {
  close();
}

void Listener::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string Listener::open(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port < 0 ? 0 : port);
  const char* node = host.empty() ? nullptr : host.c_str();
  if (int rc = getaddrinfo(node, service.c_str(), &hints, &found); rc != 0)
    return "can not resolve " + host + ": " + gai_strerror(rc);
  std::string error = "no usable address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, 4096) != 0) {
      error = std::strerror(errno);
      ::close(fd);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    address_text(bound, port_);
    fd_ = fd;
    error.clear();
    break;
  }
  freeaddrinfo(found);
  return error;
}

AcceptedSocket Listener::accept() {
  AcceptedSocket out;
  sockaddr_storage peer{};
  socklen_t len = sizeof peer;
  int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) out.error = errno;
    return out;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  out.fd = fd;
  out.ip = address_text(peer, out.port);
  return out;
}

}  // namespace gnatsd::net
