// Plain TCP transport: read/send on a non-blocking socket.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "net/transport.hpp"

namespace gnatsd::net {

TcpTransport::~TcpTransport() {
  if (fd_ >= 0) ::close(fd_);
}

IoResult TcpTransport::read(char* buffer, std::size_t capacity) {
  for (;;) {
    ssize_t n = ::read(fd_, buffer, capacity);
    if (n > 0) return {IoStatus::Ok, static_cast<std::size_t>(n)};
    if (n == 0) return {IoStatus::Closed};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::WouldBlock};
    return {IoStatus::Error};
  }
}

IoResult TcpTransport::write(const char* data, std::size_t size) {
  for (;;) {
    // MSG_NOSIGNAL: a peer that went away is an error code here, not a SIGPIPE.
    ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
    if (n >= 0) return {IoStatus::Ok, static_cast<std::size_t>(n)};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::WouldBlock};
    return {IoStatus::Error};
  }
}

IoResult TcpTransport::write_gather(const iovec* parts, int count) {
  msghdr message{};
  message.msg_iov = const_cast<iovec*>(parts);
  message.msg_iovlen = static_cast<std::size_t>(count);
  for (;;) {
    ssize_t n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (n >= 0) return {IoStatus::Ok, static_cast<std::size_t>(n)};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::WouldBlock};
    return {IoStatus::Error};
  }
}

IoResult Transport::write_gather(const iovec* parts, int count) {
  std::size_t total = 0;
  for (int i = 0; i < count; ++i) {
    if (parts[i].iov_len == 0) continue;
    IoResult io = write(static_cast<const char*>(parts[i].iov_base), parts[i].iov_len);
    if (io.status != IoStatus::Ok) {
      if (total > 0) return {IoStatus::Ok, total};
      return io;
    }
    total += io.bytes;
    if (io.bytes < parts[i].iov_len) break;
  }
  return {IoStatus::Ok, total};
}

void TcpTransport::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

}  // namespace gnatsd::net
