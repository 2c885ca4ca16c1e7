// --signal: each command's signal delivered to a real child process, pid from the argument, a
// pid file or the process name, and nats-server's error texts.
#include "process/signal_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace gnatsd::process {
namespace {

// A child that waits to be signalled, under a name of our choosing; it gives up by itself
// (SIGALRM) so that a failed test never leaves it behind.
class Child {
 public:
  explicit Child(const std::string& name) {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) std::abort();
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and _exit.
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);  // the test process may block some
      for (int sig : {SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM}) ::signal(sig, SIG_DFL);
      ::prctl(PR_SET_NAME, name.c_str());
      ::alarm(20);
      char byte = 1;
      (void)!::write(ready[1], &byte, 1);
      for (;;) ::pause();
    }
    ::close(ready[1]);
    pollfd p{ready[0], POLLIN, 0};
    ::poll(&p, 1, 10000);
    ::close(ready[0]);
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  // The signal that ended it (bounded by the child's own alarm).
  int wait_signal() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }

 private:
  pid_t pid_ = -1;
};

std::string unique_name() {
  return "gst" + std::to_string(::getpid());  // within comm's 15 bytes
}

class SignalCommandTest : public ::testing::Test {
 protected:
  SignalCommandTest() {
    char name[] = "/tmp/gnatsd-signal-test-XXXXXX";
    dir_ = ::mkdtemp(name);
  }
  ~SignalCommandTest() override { std::filesystem::remove_all(dir_); }
  std::string write_file(const std::string& name, const std::string& contents) {
    const auto path = dir_ + "/" + name;
    std::ofstream(path) << contents;
    return path;
  }
  std::string dir_;
};

TEST_F(SignalCommandTest, EachCommandSendsNatsServersSignal) {
  const std::pair<std::string, int> commands[] = {{"stop", SIGKILL},   {"quit", SIGINT},
                                                  {"term", SIGTERM},   {"reload", SIGHUP},
                                                  {"reopen", SIGUSR1}, {"ldm", SIGUSR2}};
  for (const auto& [command, signal] : commands) {
    EXPECT_EQ(signal_for_command(command), signal);
    Child child(unique_name());
    ASSERT_EQ(send_signal_command(command + "=" + std::to_string(child.pid()), ""), "");
    EXPECT_EQ(child.wait_signal(), signal) << command;
  }
  EXPECT_EQ(signal_for_command("RELOAD"), std::nullopt);
}

TEST_F(SignalCommandTest, PidFromAFileNamedAfterTheEqualsSign) {
  Child child(unique_name());
  const auto path = write_file("gnatsd.pid", std::to_string(child.pid()));
  ASSERT_EQ(send_signal_command("reload=" + path, ""), "");
  EXPECT_EQ(child.wait_signal(), SIGHUP);
}

TEST_F(SignalCommandTest, PidFromThePidFileOption) {
  Child child(unique_name());
  // Other tools end pid files with a newline; it is not part of the pid.
  const auto path = write_file("gnatsd.pid", std::to_string(child.pid()) + "\n");
  ASSERT_EQ(send_signal_command("reopen", path, "no-such-name"), "");
  EXPECT_EQ(child.wait_signal(), SIGUSR1);
}

TEST_F(SignalCommandTest, ExplicitPidWinsOverThePidFileOption) {
  Child child(unique_name());
  const auto path = write_file("other.pid", "99999999");
  ASSERT_EQ(send_signal_command("term=" + std::to_string(child.pid()), path), "");
  EXPECT_EQ(child.wait_signal(), SIGTERM);
}

TEST_F(SignalCommandTest, FindsTheSingleProcessByName) {
  const auto name = unique_name();
  EXPECT_EQ(send_signal_command("reload", "", name), "no " + name + " processes running");
  Child child(name);
  auto found = find_processes(name);
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, std::vector<pid_t>{child.pid()});
  ASSERT_EQ(send_signal_command("quit", "", name), "");
  EXPECT_EQ(child.wait_signal(), SIGINT);
}

TEST_F(SignalCommandTest, RefusesToGuessAmongSeveral) {
  const auto name = unique_name();
  Child a(name);
  Child b(name);
  const auto low = std::min(a.pid(), b.pid());
  const auto high = std::max(a.pid(), b.pid());
  EXPECT_EQ(send_signal_command("reload", "", name), "multiple " + name + " processes running:\n" +
                                                         std::to_string(low) + "\n" +
                                                         std::to_string(high));
}

TEST_F(SignalCommandTest, ErrorsAsNatsServer) {
  const auto self = std::to_string(::getpid());
  EXPECT_EQ(send_signal_command("reload=abc", ""), "invalid pid: abc");
  EXPECT_EQ(send_signal_command("reload=" + dir_ + "/missing.pid", ""),
            "invalid pid: " + dir_ + "/missing.pid");
  EXPECT_EQ(send_signal_command("bogus=" + self, ""), "unknown signal \"bogus\"");
  EXPECT_EQ(send_signal_command("reload=1=2=3", ""), "invalid signal parameters: [2 3]");
  EXPECT_EQ(send_signal_command("reload=99999999", ""), "no such process");
  EXPECT_EQ(send_signal_command("reload=+99999999", ""), "no such process");
  // kill(0) and kill(-n) would signal process groups: refused, unlike nats-server.
  EXPECT_EQ(send_signal_command("reload=0", ""), "invalid pid: 0");
  EXPECT_EQ(send_signal_command("reload=-1", ""), "invalid pid: -1");
}

TEST_F(SignalCommandTest, RunPrintsTheErrorAndReturnsTheExitStatus) {
  const auto captured = dir_ + "/stderr.txt";
  std::fflush(stderr);
  int saved = ::dup(2);
  int fd = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(fd, 2);
  ::close(fd);
  const int status = run_signal_command("reload=abc", "");
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  EXPECT_EQ(status, 1);
  std::ifstream in(captured);
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "gnatsd: invalid pid: abc\n");

  Child child(unique_name());
  EXPECT_EQ(run_signal_command("reload=" + std::to_string(child.pid()), ""), 0);
  EXPECT_EQ(child.wait_signal(), SIGHUP);
}

}  // namespace
}  // namespace gnatsd::process
