// The pid file (-P / pid_file): written at start-up as nats-server writes it — the decimal pid,
// no trailing newline, mode 0660 before umask — and removed again at a clean exit.
#pragma once

#include <string>

namespace gnatsd::process {

class PidFile {
 public:
  PidFile() = default;
  ~PidFile() { remove(); }
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

  // Writes this process's pid to `path` (replacing its contents). Returns "" or the error as
  // Go words it ("open /x/y.pid: no such file or directory").
  std::string write(const std::string& path);

  // Removes the file written by write(), if it still holds our pid: another server started
  // later with the same path owns it now. Safe to call more than once.
  void remove();

 private:
  std::string path_;
  std::string contents_;
};

}  // namespace gnatsd::process
