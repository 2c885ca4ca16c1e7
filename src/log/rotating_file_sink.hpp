// The log file, rotated by size as nats-server 2.10 rotates it (logfile_size_limit,
// logfile_max_num): each line is one write(2) to the file; the line that takes the file past
// the limit still goes wholly into it, then the file is renamed to
// "<name>.YYYY.MM.DD.HH.MM.SS.NNNNNNNNN", a new one is opened under the name and starts with
// "Rotated log, backup saved as ...", and the oldest backups beyond logfile_max_num - 1 are
// removed ("Purged log file ..."). Without a limit it is a plain appending file.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include <spdlog/sinks/base_sink.h>

namespace gnatsd::log {

class RotatingFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  struct Settings {
    std::string path;
    std::int64_t size_limit = 0;  // bytes; 0: never rotate
    std::int64_t max_files = 0;   // the current file and its backups; 0: keep every backup
    bool logtime = true;          // the timestamp of the lines this sink writes itself
  };
  // Opens (creates, 0660) the file for appending; `error` says why not (nats-server's words),
  // and the sink is then unusable.
  RotatingFileSink(Settings settings, std::string& error);
  ~RotatingFileSink() override;
  // Over the limit already (a big file from an earlier run): the next line rotates it.
  bool over_limit() const noexcept;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  void write_all(const char* data, std::size_t size);
  void rotate();
  void purge();
  // A line of the sink's own (rotation, purge), as nats-server's logDirect writes it.
  void write_direct(std::string_view label, std::string_view text);

  Settings settings_;
  int fd_ = -1;
  std::int64_t size_ = 0;
  std::int64_t limit_ = 0;  // doubles after a failed rotation, as nats-server's
};

}  // namespace gnatsd::log
