// Operating-system error texts worded as Go prints them, so that messages built from them
// ("open /x/y.pid: no such file or directory") match nats-server's byte for byte.
#pragma once

#include <cctype>
#include <cstring>
#include <string>
#include <string_view>

namespace gnatsd::process {

// Go's syscall.Errno strings are glibc's strerror texts with a lower-case first letter.
inline std::string os_error_text(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// Go's *os.PathError: "<op> <path>: <errno text>".
inline std::string path_error_text(std::string_view op, std::string_view path, int err) {
  std::string text(op);
  text += ' ';
  text += path;
  text += ": ";
  text += os_error_text(err);
  return text;
}

}  // namespace gnatsd::process
