// Helpers for the logging tests (with the scratch directory of tests/support): stderr capture,
// and a fixture that puts the process-wide logger back on stderr after each test.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "log/logger.hpp"
#include "temp_dir.hpp"

namespace gnatsd::log::test {

using gnatsd::test::read_file;
using gnatsd::test::TempDir;

// Points file descriptor 2 at a file for its lifetime; text() is what was written meanwhile.
class StderrCapture {
 public:
  explicit StderrCapture(const TempDir& dir) : path_(dir.file("stderr.txt")) {
    std::fflush(stderr);
    saved_ = ::dup(2);
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~StderrCapture() { restore(); }
  std::string text() {
    std::fflush(stderr);
    return read_file(path_);
  }
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
  }

 private:
  std::string path_;
  int saved_ = -1;
};

class LoggerTest : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_EQ(init(LogOptions{}), ""); }
  TempDir dir_;
};

// LogOptions built by name, e.g. Options().file(path).no_time().
struct Options : LogOptions {
  Options& file(std::string path) {
    log_file = std::move(path);
    return *this;
  }
  Options& remote(std::string url) {
    remote_syslog = std::move(url);
    return *this;
  }
  Options& no_time() {
    logtime = false;
    return *this;
  }
  Options& with_debug(bool on = true) {
    debug = on;
    return *this;
  }
  Options& with_trace(bool on = true) {
    trace = on;
    return *this;
  }
};

inline std::string pid_prefix() {
  return "[" + std::to_string(::getpid()) + "] ";
}

}  // namespace gnatsd::log::test
