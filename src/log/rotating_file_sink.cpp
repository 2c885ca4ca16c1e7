// Size-based rotation of the log file, with nats-server's backup names and its own lines.
#include "log/rotating_file_sink.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>

#include <fmt/format.h>

#include "process/os_error.hpp"

namespace gnatsd::log {
namespace {

int open_log(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0660);
}

// "YYYY.MM.DD.HH.MM.SS" then an optional ".N…" of up to 9 digits: what nats-server's purge
// takes for one of its backups (it parses the stamp as a time).
bool is_backup_stamp(std::string_view stamp) {
  static constexpr int kFields[] = {4, 2, 2, 2, 2, 2};
  std::size_t at = 0;
  for (std::size_t f = 0; f < std::size(kFields); ++f) {
    if (f > 0) {
      if (at >= stamp.size() || stamp[at] != '.') return false;
      ++at;
    }
    for (int i = 0; i < kFields[f]; ++i, ++at) {
      if (at >= stamp.size() || !std::isdigit(static_cast<unsigned char>(stamp[at]))) return false;
    }
  }
  if (at == stamp.size()) return true;
  if (stamp[at] != '.') return false;
  const std::string_view fraction = stamp.substr(at + 1);
  return !fraction.empty() && fraction.size() <= 9 &&
         std::all_of(fraction.begin(), fraction.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

RotatingFileSink::RotatingFileSink(Settings settings, std::string& error)
    : settings_(std::move(settings)), limit_(settings_.size_limit) {
  fd_ = open_log(settings_.path);
  if (fd_ < 0) {
    error = "error opening file: " + process::path_error_text("open", settings_.path, errno);
    return;
  }
  struct stat st {};
  if (::fstat(fd_, &st) == 0) size_ = st.st_size;
}

RotatingFileSink::~RotatingFileSink() {
  if (fd_ >= 0) ::close(fd_);
}

bool RotatingFileSink::over_limit() const noexcept {
  return settings_.size_limit > 0 && size_ > settings_.size_limit;
}

void RotatingFileSink::write_all(const char* data, std::size_t size) {
  while (size > 0 && fd_ >= 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // a full disk: the line is lost, as any logger's would be
    }
    size_ += n;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void RotatingFileSink::sink_it_(const spdlog::details::log_msg& msg) {
  if (fd_ < 0) {
    // The file could not be opened again after a rotation: try once per line.
    fd_ = open_log(settings_.path);
    if (fd_ < 0) return;
    size_ = 0;
  }
  spdlog::memory_buf_t line;
  formatter_->format(msg, line);
  write_all(line.data(), line.size());
  if (limit_ > 0 && size_ > limit_) rotate();
}

void RotatingFileSink::write_direct(std::string_view label, std::string_view text) {
  std::string entry = fmt::format("[{}] ", ::getpid());
  if (settings_.logtime) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t secs = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    ::localtime_r(&secs, &local);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
        1'000'000;
    entry += fmt::format("{:04}/{:02}/{:02} {:02}:{:02}:{:02}.{:06} ", local.tm_year + 1900,
                         local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec,
                         micros);
  }
  entry += fmt::format("[{}] {}", label, text);
  // nats-server ends these lines of its own with CRLF, unlike its other lines.
  entry += "\r\n";
  write_all(entry.data(), entry.size());
}

void RotatingFileSink::rotate() {
  if (::close(fd_) != 0) {
    fd_ = open_log(settings_.path);
    limit_ *= 2;
    write_direct("ERR", fmt::format("Unable to close logfile for rotation ({}), will attempt next "
                                    "rotation at size {}",
                                    std::strerror(errno), limit_));
    return;
  }
  fd_ = -1;
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  std::tm local{};
  ::localtime_r(&secs, &local);
  const auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() %
      1'000'000'000;
  const std::string backup = fmt::format(
      "{}.{:04}.{:02}.{:02}.{:02}.{:02}.{:02}.{:09}", settings_.path, local.tm_year + 1900,
      local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec, nanos);
  ::rename(settings_.path.c_str(), backup.c_str());
  fd_ = open_log(settings_.path);
  if (fd_ < 0) {
    std::fprintf(stderr, "Unable to re-open the logfile \"%s\" after rotation: %s\n",
                 settings_.path.c_str(), std::strerror(errno));
    return;
  }
  size_ = 0;
  write_direct("INF", fmt::format("Rotated log, backup saved as \"{}\"", backup));
  limit_ = settings_.size_limit;
  if (settings_.max_files > 0) purge();
}

void RotatingFileSink::purge() {
  const std::string& path = settings_.path;
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    write_direct("ERR", fmt::format("Unable to read directory \"{}\" for log purge ({}), will "
                                    "attempt next rotation",
                                    dir, std::strerror(errno)));
    return;
  }
  std::vector<std::string> backups;
  while (dirent* entry = ::readdir(d)) {
    std::string_view name = entry->d_name;
    if (name.size() <= base.size() + 1 || !name.starts_with(base) || name[base.size()] != '.')
      continue;
    if (entry->d_type == DT_DIR) continue;
    if (is_backup_stamp(name.substr(base.size() + 1))) backups.emplace_back(name);
  }
  ::closedir(d);
  // The stamps sort oldest first.
  std::sort(backups.begin(), backups.end());
  const std::int64_t keep = settings_.max_files - 1;
  const std::int64_t extra = static_cast<std::int64_t>(backups.size()) - keep;
  for (std::int64_t i = 0; i < extra; ++i) {
    const std::string full = (slash == std::string::npos ? std::string() : dir) + backups[i];
    if (::unlink(full.c_str()) != 0) {
      write_direct("ERR", fmt::format("Unable to remove backup log file \"{}\" ({}), will attempt "
                                      "next rotation",
                                      backups[i], std::strerror(errno)));
      return;
    }
    write_direct("INF", fmt::format("Purged log file \"{}\"", backups[i]));
  }
}

}  // namespace gnatsd::log
