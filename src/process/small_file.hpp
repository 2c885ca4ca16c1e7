// The one bounded reader of small files (pid files, /proc/<pid>/comm): at most a given number
// of bytes, so that a wrong path (a device, a huge file) can never make us read without end.
#pragma once

#include <cstddef>
#include <string>

namespace gnatsd::process {

struct SmallFile {
  bool ok = false;
  std::string contents;  // the first max_bytes bytes at most
  std::string error;     // when !ok, as Go words it: "open /x/y.pid: no such file or directory"
  explicit operator bool() const { return ok; }
};

// Reads `path` up to end of file or `max_bytes`, whichever comes first. Fails when the file
// cannot be opened or a read fails (a directory: "read /x: is a directory").
SmallFile read_small_file(const std::string& path, std::size_t max_bytes);

}  // namespace gnatsd::process
