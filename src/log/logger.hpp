// Logging adapter over spdlog producing nats-server's line format:
//   [pid] 2016/01/10 08:54:16.178798 [INF] message      (or "[pid] [INF] message" without time)
// to one target, chosen as nats-server chooses it: the log file, else remote syslog, else
// local syslog, else stderr (with coloured labels when stderr is a terminal).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace gnatsd::log {

struct LogOptions {
  bool debug = false;               // -D: DBG lines
  bool trace = false;               // -V: TRC lines, the raw protocol per connection
  bool logtime = true;              // -T: timestamp each line
  std::string log_file;             // -l: append to this file (created 0660 if missing)
  std::int64_t log_size_limit = 0;  // logfile_size_limit: rotate the file past this size
  std::int64_t log_max_files = 0;   // logfile_max_num: the file and its backups kept (0: all)
  bool syslog = false;              // -s: local syslog daemon
  std::string remote_syslog;        // -r: udp://host:514, tcp://host:port, unix:///path
};

// Switches logging to `options`. Callable again at any time (config reload) while other
// threads log: the new target replaces the old one atomically. Returns "" or the error in
// nats-server's words ("error opening file: open /x/y.log: no such file or directory"); on
// error nothing changes.
std::string init(const LogOptions& options);

// SIGUSR1 / `--signal reopen`: reopens the log file by name (after logrotate renamed it) and
// logs "File log re-opened"; without a log file logs that the re-open is ignored.
void reopen();

// For errors before logging is set up (e.g. init() failing at start): prints the message the
// way nats-server's Go runtime logger does ("2006/01/02 15:04:05 message") and exits 1.
[[noreturn]] void exit_with_startup_error(std::string_view message);

enum class Level { Trace, Debug, Info, Warn, Error, Fatal };
void write(Level level, std::string_view message);

// Cheap checks for hot paths: formatting happens only when the level is on.
inline std::atomic<bool> g_debug{false};
inline std::atomic<bool> g_trace{false};
inline bool debug_enabled() noexcept {
  return g_debug.load(std::memory_order_relaxed);
}
inline bool trace_enabled() noexcept {
  return g_trace.load(std::memory_order_relaxed);
}

template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::Warn, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::Error, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void fatal(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::Fatal, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (debug_enabled()) write(Level::Debug, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void trace(fmt::format_string<Args...> f, Args&&... args) {
  if (trace_enabled()) write(Level::Trace, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace gnatsd::log
