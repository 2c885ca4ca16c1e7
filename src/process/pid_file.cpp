// Pid file write and guarded removal.
#include "process/pid_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "process/os_error.hpp"
#include "process/small_file.hpp"

namespace gnatsd::process {

std::string PidFile::write(const std::string& path) {
  remove();
  const std::string contents = std::to_string(::getpid());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0660);
  if (fd < 0) return path_error_text("open", path, errno);
  std::string_view rest = contents;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      ::close(fd);
      return path_error_text("write", path, err);
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0) return path_error_text("close", path, errno);
  path_ = path;
  contents_ = contents;
  return {};
}

void PidFile::remove() {
  if (path_.empty()) return;
  // A pid file is a handful of digits.
  if (const auto file = read_small_file(path_, 64); file && file.contents == contents_) {
    ::unlink(path_.c_str());
  }
  path_.clear();
  contents_.clear();
}

}  // namespace gnatsd::process
