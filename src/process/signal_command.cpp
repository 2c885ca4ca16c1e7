// --signal: parse "<command>[=<pid>]", resolve the pid (number, pid file, or process name via
// /proc as pgrep would), and kill(2) it.
#include "process/signal_command.hpp"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>

#include "process/os_error.hpp"
#include "process/small_file.hpp"

namespace gnatsd::process {
namespace {

// A pid file is a few bytes; anything past 4 KiB is not a pid anyway. /proc/<pid>/comm is at
// most 16.
constexpr std::size_t kMaxReadBytes = 4096;

// nats-server takes "=<x>" as a pid file when a file by that name can be read, else as a pid.
std::string pid_text_from(const std::string& value) {
  auto file = read_small_file(value, kMaxReadBytes);
  if (!file) return value;
  std::string& contents = file.contents;
  // A trailing newline (as other tools write pid files) is not part of the pid.
  while (!contents.empty() && (contents.back() == '\n' || contents.back() == '\r' ||
                               contents.back() == ' ' || contents.back() == '\t')) {
    contents.pop_back();
  }
  return std::move(contents);
}

// Go's strconv.Atoi: optional sign, decimal digits. Pids below 1 are refused: kill(0, …) and
// kill(-n, …) signal whole process groups, never what `--signal reload=0` meant.
std::optional<pid_t> parse_pid(std::string_view text) {
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  if (digits.empty() || digits.front() == '-' || digits.front() == '+') return std::nullopt;
  long long value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (value < 1 || value > 0x7fffffff) return std::nullopt;
  return static_cast<pid_t>(value);
}

// Go's fmt "%v" of a []string: "[a b c]".
std::string go_list(const std::vector<std::string_view>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ' ';
    out += items[i];
  }
  return out + "]";
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

}  // namespace

std::optional<int> signal_for_command(std::string_view command) {
  if (command == "stop") return SIGKILL;
  if (command == "quit") return SIGINT;
  if (command == "reopen") return SIGUSR1;
  if (command == "reload") return SIGHUP;
  if (command == "ldm") return SIGUSR2;
  if (command == "term") return SIGTERM;
  return std::nullopt;
}

std::optional<std::vector<pid_t>> find_processes(std::string_view name) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return std::nullopt;
  const pid_t self = ::getpid();
  std::vector<pid_t> pids;
  while (dirent* entry = ::readdir(proc)) {
    auto pid = parse_pid(entry->d_name);
    if (!pid || *pid == self) continue;
    // comm: the executable's base name, at most 15 bytes, as pgrep matches it.
    auto file = read_small_file("/proc/" + std::string(entry->d_name) + "/comm", kMaxReadBytes);
    if (!file) continue;  // exited meanwhile
    std::string& comm = file.contents;
    if (!comm.empty() && comm.back() == '\n') comm.pop_back();
    if (comm.find(name) != std::string::npos) pids.push_back(*pid);
  }
  ::closedir(proc);
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::string send_signal_command(std::string_view spec, const std::string& pid_file,
                                std::string_view process_name) {
  const auto parts = split(spec, '=');
  if (parts.size() > 2) {
    return "invalid signal parameters: " + go_list({parts.begin() + 2, parts.end()});
  }
  const std::string_view command = parts[0];
  std::string pid_text;
  if (parts.size() == 2) {
    pid_text = pid_text_from(std::string(parts[1]));
  } else if (!pid_file.empty()) {
    pid_text = pid_text_from(pid_file);
  }

  // As nats-server: the pid is settled first, the command checked after.
  pid_t pid = 0;
  if (pid_text.empty()) {
    auto pids = find_processes(process_name);
    if (!pids) return "unable to resolve pid, try providing one";
    if (pids->empty()) return "no " + std::string(process_name) + " processes running";
    if (pids->size() > 1) {
      std::string text = "multiple " + std::string(process_name) + " processes running:";
      for (pid_t p : *pids) text += "\n" + std::to_string(p);
      return text;
    }
    pid = pids->front();
  } else if (auto parsed = parse_pid(pid_text)) {
    pid = *parsed;
  } else {
    return "invalid pid: " + pid_text;
  }

  auto signal = signal_for_command(command);
  if (!signal) return "unknown signal \"" + std::string(command) + "\"";
  if (::kill(pid, *signal) != 0) return os_error_text(errno);
  return {};
}

int run_signal_command(std::string_view spec, const std::string& pid_file,
                       std::string_view program) {
  std::string error = send_signal_command(spec, pid_file, program);
  if (error.empty()) return 0;
  std::fprintf(stderr, "%s: %s\n", std::string(program).c_str(), error.c_str());
  return 1;
}

}  // namespace gnatsd::process
