// Pid file write and guarded removal.
#include "server/pid_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "process/os_error.hpp"

namespace gnatsd::server {
namespace {

// Reads at most `limit` bytes; a pid file is a handful of digits.
std::string read_small_file(const std::string& path, std::size_t limit) {
  std::string data;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return data;
  char buf[64];
  while (data.size() < limit) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return data;
}

}  // namespace

std::string PidFile::write(const std::string& path) {
  remove();
  const std::string contents = std::to_string(::getpid());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0660);
  if (fd < 0) return process::path_error_text("open", path, errno);
  std::string_view rest = contents;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      ::close(fd);
      return process::path_error_text("write", path, err);
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0) return process::path_error_text("close", path, errno);
  path_ = path;
  contents_ = contents;
  return {};
}

void PidFile::remove() {
  if (path_.empty()) return;
  if (read_small_file(path_, 64) == contents_) ::unlink(path_.c_str());
  path_.clear();
  contents_.clear();
}

}  // namespace gnatsd::server
