// Child-process control for integration tests: posix_spawn, a log-capturing reader thread,
// bounded waits on the log and on process exit, and stop-by-pid.
#include "server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "eventually.hpp"

extern char** environ;

namespace gnatsd::test {
namespace {

// The server's environment: the test's, except that GNATSD_SERVER_TSAN_OPTIONS, when set, is the
// server's TSAN_OPTIONS (make test-tsan suppresses a client library's races in the test
// processes only, so that none of the server's own can hide behind them).
std::vector<std::string> server_environment() {
  std::vector<std::string> env;
  const char* server_tsan = std::getenv("GNATSD_SERVER_TSAN_OPTIONS");
  for (char** e = environ; *e != nullptr; ++e) {
    if (server_tsan != nullptr && std::string_view(*e).starts_with("TSAN_OPTIONS=")) continue;
    env.emplace_back(*e);
  }
  if (server_tsan != nullptr) env.push_back(std::string("TSAN_OPTIONS=") + server_tsan);
  return env;
}

constexpr std::string_view kListeningLine = "Listening for client connections on ";

std::string errno_text(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// Returns the port in the first complete "Listening for client connections on HOST:PORT" line
// at or after `from`, or -1 if there is none yet.
int parse_listen_port(const std::string& log, size_t from) {
  size_t at = log.find(kListeningLine, from);
  if (at == std::string::npos) return -1;
  size_t start = at + kListeningLine.size();
  size_t end = log.find('\n', start);
  if (end == std::string::npos) return -1;  // line not complete yet
  std::string address = log.substr(start, end - start);
  while (!address.empty() && (address.back() == '\r' || address.back() == ' ')) {
    address.pop_back();
  }
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return -1;
  try {
    return std::stoi(address.substr(colon + 1));
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

std::string server_binary() {
  if (const char* env = std::getenv("GNATSD_TEST_BINARY"); env != nullptr && *env != '\0') {
    return env;
  }
#ifdef GNATSD_BINARY
  return GNATSD_BINARY;
#else
  throw std::runtime_error("set GNATSD_TEST_BINARY or compile with -DGNATSD_BINARY=...");
#endif
}

namespace {

// A reference server: `env` from the environment, else `built` (the build directory's, put there
// by `script`); throws, saying how to get it, when it is not there.
std::string reference_at(const char* env, const char* built, std::string_view script,
                         std::string_view what) {
  std::string path;
  if (const char* value = std::getenv(env); value != nullptr && *value != '\0') {
    path = value;
  } else if (built != nullptr) {
    path = built;
  }
  if (path.empty() || ::access(path.c_str(), X_OK) != 0) {
    throw std::runtime_error(std::string(what) + " not found at \"" + path + "\": run " +
                             std::string(script) + " <build>/reference (make test does)");
  }
  return path;
}

}  // namespace

std::string reference_binary() {
#ifdef GNATSD_REFERENCE_BINARY
  const char* built = GNATSD_REFERENCE_BINARY;
#else
  const char* built = nullptr;
#endif
  return reference_at("GNATSD_REFERENCE_BINARY", built, "scripts/reference-server.sh",
                      "reference nats-server");
}

std::string reference_binary_210() {
#ifdef GNATSD_REFERENCE_210_BINARY
  const char* built = GNATSD_REFERENCE_210_BINARY;
#else
  const char* built = nullptr;
#endif
  return reference_at("GNATSD_REFERENCE_210_BINARY", built, "scripts/reference-server-2.10.sh",
                      "nats-server 2.10");
}

TempFile::TempFile(std::string_view contents, std::string_view suffix) {
  std::string name = "/tmp/gnatsd-test-XXXXXX" + std::string(suffix);
  int fd = ::mkstemps(name.data(), static_cast<int>(suffix.size()));
  if (fd < 0) throw std::runtime_error(errno_text("mkstemps"));
  path_ = name;
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error(errno_text("write " + path_));
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

TempFile::~TempFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

ServerProcess::ServerProcess(std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)) {
  launch(-1);
}

ServerProcess::ServerProcess(Binary binary, std::vector<std::string> extra_args)
    : binary_(std::move(binary.path)), extra_args_(std::move(extra_args)) {
  launch(-1);
}

ServerProcess::ServerProcess(std::vector<std::string> extra_args, NoWait)
    : extra_args_(std::move(extra_args)) {
  spawn(-1);
}

std::optional<ExitResult> ServerProcess::run_to_exit(std::vector<std::string> extra_args,
                                                     std::chrono::milliseconds timeout) {
  ServerProcess process(std::move(extra_args), NoWait{});
  auto status = process.wait_exit(timeout);
  if (!status) return std::nullopt;  // the destructor stops it
  process.join_reader();
  return ExitResult{*status, process.log()};
}

std::unique_ptr<ServerProcess> ServerProcess::spawn_only(std::vector<std::string> extra_args) {
  return std::unique_ptr<ServerProcess>(new ServerProcess(std::move(extra_args), NoWait{}));
}

ServerProcess::~ServerProcess() {
  stop();
  join_reader();
}

std::string ServerProcess::url() const {
  return "nats://127.0.0.1:" + std::to_string(port_);
}

std::string ServerProcess::log() const {
  std::lock_guard lock(mu_);
  return log_;
}

size_t ServerProcess::log_size() const {
  std::lock_guard lock(mu_);
  return log_.size();
}

bool ServerProcess::wait_for_log(std::string_view needle, std::chrono::milliseconds timeout,
                                 size_t from) const {
  std::unique_lock lock(mu_);
  return log_cv_.wait_for(lock, timeout, [&] {
    return log_.size() >= from && log_.find(needle, from) != std::string::npos;
  });
}

void ServerProcess::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

void ServerProcess::spawn(int port) {
  join_reader();

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(errno_text("pipe2"));

  std::vector<std::string> args = {binary_, "-a", "127.0.0.1", "-p", std::to_string(port)};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  {
    std::lock_guard lock(mu_);
    output_closed_ = false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);

  // The child starts with default signal dispositions and an empty mask, whatever the test
  // process (or a client library) did to its own.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> env = server_environment();
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    throw std::runtime_error("posix_spawn " + args[0] + ": " + std::strerror(rc));
  }
  pid_ = pid;
  reader_ = std::thread([this, fd = fds[0]] { reader_loop(fd); });
  command_line_.clear();
  for (const auto& a : args) command_line_ += a + " ";
}

void ServerProcess::launch(int port) {
  size_t log_start = log_size();
  spawn(port);

  int parsed = -1;
  bool output_closed = false;
  {
    std::unique_lock lock(mu_);
    log_cv_.wait_for(lock, kStartTimeout, [&] {
      parsed = parse_listen_port(log_, log_start);
      return parsed > 0 || output_closed_;  // closed output: the process has gone
    });
    output_closed = output_closed_;
  }
  if (parsed <= 0) {
    std::optional<int> status = output_closed ? wait_exit(1s) : std::nullopt;
    stop();
    join_reader();
    std::string what =
        status ? "server " + describe_wait_status(*status) + " before reporting its client port"
               : "server did not report its client port within " +
                     std::to_string(kStartTimeout.count()) + " ms";
    throw std::runtime_error(what + "\ncommand: " + command_line_ + "\nlog:\n" +
                             log().substr(log_start));
  }
  port_ = parsed;
}

void ServerProcess::reader_loop(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    {
      std::lock_guard lock(mu_);
      log_.append(buf, static_cast<size_t>(n));
    }
    log_cv_.notify_all();
  }
  ::close(fd);
  {
    std::lock_guard lock(mu_);
    output_closed_ = true;
  }
  log_cv_.notify_all();
}

void ServerProcess::join_reader() {
  if (reader_.joinable()) reader_.join();
}

std::optional<int> ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  // A pidfd becomes readable when the process exits: a bounded wait without polling.
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    int ready;
    do {
      ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    ::close(pidfd);
    if (ready <= 0) return std::nullopt;
    if (::waitpid(pid_, &status, 0) != pid_) return std::nullopt;
  } else {
    // Kernels without pidfd_open: poll waitpid() until the deadline.
    pid_t reaped = 0;
    eventually(
        [&] {
          reaped = ::waitpid(pid_, &status, WNOHANG);
          return reaped != 0;
        },
        timeout, 2ms);
    if (reaped != pid_) return std::nullopt;
  }
  pid_ = -1;
  return status;
}

void ServerProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (wait_exit(kStopTimeout)) return;
  ::kill(pid_, SIGKILL);
  if (wait_exit(kStopTimeout)) return;
  int status = 0;
  ::waitpid(pid_, &status, 0);  // SIGKILL cannot be ignored; this returns.
  pid_ = -1;
}

void ServerProcess::restart() {
  int port = port_;
  stop();
  launch(port);
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

}  // namespace gnatsd::test
