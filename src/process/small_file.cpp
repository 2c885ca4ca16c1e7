// Bounded small-file reads (see small_file.hpp).
#include "process/small_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "process/os_error.hpp"

namespace gnatsd::process {

SmallFile read_small_file(const std::string& path, std::size_t max_bytes) {
  SmallFile file;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    file.error = path_error_text("open", path, errno);
    return file;
  }
  char buf[256];
  while (file.contents.size() < max_bytes) {
    const std::size_t want = std::min(sizeof buf, max_bytes - file.contents.size());
    const ssize_t n = ::read(fd, buf, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      file.error = path_error_text("read", path, errno);
      file.contents.clear();
      ::close(fd);
      return file;
    }
    if (n == 0) break;
    file.contents.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  file.ok = true;
  return file;
}

}  // namespace gnatsd::process
