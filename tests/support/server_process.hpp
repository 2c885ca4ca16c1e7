// Integration-test harness: runs the server binary under test as a child process on an
// ephemeral port, captures its log, and stops it by pid.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace gnatsd::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Binary under test: $GNATSD_TEST_BINARY if set, else the GNATSD_BINARY compile-time path.
std::string server_binary();
// nats-server 2.9.10 for side-by-side tests: GNATSD_REFERENCE_BINARY from the environment, else
// the one scripts/reference-server.sh put in the build directory. Throws, saying how to get
// it, when it is not there.
std::string reference_binary();
// nats-server 2.10.27 (scripts/reference-server-2.10.sh), for mixed clusters with today's
// server: GNATSD_REFERENCE_210_BINARY from the environment, else the build directory's.
std::string reference_binary_210();

// A file in /tmp (mkstemp) holding `contents`; removed when this object goes away.
class TempFile {
 public:
  explicit TempFile(std::string_view contents, std::string_view suffix = ".conf");
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Outcome of a server run that was expected to end by itself (e.g. a rejected config).
struct ExitResult {
  int status;          // raw waitpid() status
  std::string output;  // everything written to stdout/stderr
};

// One running server. Constructed with extra command-line arguments (e.g. {"-c", conf});
// the harness always adds `-a 127.0.0.1 -p -1` and waits for the
// "Listening for client connections on 127.0.0.1:PORT" log line. Start-up failures throw
// std::runtime_error carrying the captured log, which GoogleTest reports as a test failure.
class ServerProcess {
 public:
  static constexpr std::chrono::milliseconds kStartTimeout = 10s;
  static constexpr std::chrono::milliseconds kStopTimeout = 5s;

  explicit ServerProcess(std::vector<std::string> extra_args = {});
  // The same with another server binary, e.g. the reference nats-server in a side-by-side test.
  struct Binary {
    std::string path;
  };
  ServerProcess(Binary binary, std::vector<std::string> extra_args);
  // Runs the server (same fixed arguments) and waits for it to exit on its own; nullopt if it
  // is still running after `timeout` (it is then killed).
  static std::optional<ExitResult> run_to_exit(std::vector<std::string> extra_args,
                                               std::chrono::milliseconds timeout = kStartTimeout);
  // Starts the server without waiting for its listener, for runs whose log does not reach
  // stdout/stderr (-l FILE, -r, -s); the caller waits on its own condition. port() stays -1.
  static std::unique_ptr<ServerProcess> spawn_only(std::vector<std::string> extra_args);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  std::string url() const;
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // Everything the process has written to stdout/stderr so far (all incarnations).
  std::string log() const;
  // True once `needle` appears in the log (at or after byte offset `from`) within `timeout`.
  bool wait_for_log(std::string_view needle, std::chrono::milliseconds timeout,
                    size_t from = 0) const;
  size_t log_size() const;

  void signal(int sig) const;
  // Raw waitpid() status once the process has exited within `timeout`, else nullopt.
  // The process is reaped; afterwards running() is false.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL if it has not exited within kStopTimeout; always reaps.
  void stop();
  // stop() and start a fresh process with the same arguments on the same port.
  void restart();

 private:
  struct NoWait {};
  ServerProcess(std::vector<std::string> extra_args, NoWait);
  void spawn(int port);
  void launch(int port);
  void reader_loop(int fd);
  void join_reader();

  std::string binary_ = server_binary();
  std::vector<std::string> extra_args_;
  std::string command_line_;  // of the latest spawn, for failure messages
  pid_t pid_ = -1;
  int port_ = -1;
  std::thread reader_;

  mutable std::mutex mu_;
  mutable std::condition_variable log_cv_;
  std::string log_;             // guarded by mu_
  bool output_closed_ = false;  // guarded by mu_; the reader saw EOF
};

// Human-readable form of a waitpid() status, for assertion messages.
std::string describe_wait_status(int status);

}  // namespace gnatsd::test
