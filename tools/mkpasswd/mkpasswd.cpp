// mkpasswd: prints a fresh random password and its bcrypt hash, or the hash of a password read
// from stdin (-p), in the format of nats-server's util/mkpasswd.go:
//   pass: #IclkRPHUpsTmACWzmIGXr
//   bcrypt hash: $2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS
// Flags take Go's syntax (-p, -c 12, -c=12, --c 12); --cost is the long name of -c.
#include <sys/random.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "auth/bcrypt.hpp"

namespace {

// As util/mkpasswd.go: 22 characters from this set, each drawn uniformly.
constexpr std::string_view kAlphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@$#%^&*()";
constexpr std::size_t kPasswordLength = 22;
// Go's bcrypt.GenerateFromPassword quietly uses its DefaultCost for a cost below the minimum.
constexpr int kGoBcryptDefaultCost = 10;

void usage() {
  std::printf("Usage: mkpasswd [-p <stdin password>] [-c COST] \n");
  std::fprintf(stderr,
               "  -c int\n"
               "    \tThe cost weight, range of %d-%d (default %d)\n"
               "  -cost int\n"
               "    \tSame as -c\n"
               "  -p\tInput password via stdin\n",
               gnatsd::auth::kBcryptMinCost, gnatsd::auth::kBcryptMaxCost,
               gnatsd::auth::kMkpasswdDefaultCost);
}

[[noreturn]] void fail(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s\n", message.c_str());
  std::exit(1);
}

std::optional<std::string> random_password() {
  std::string password;
  // Rejection sampling: only bytes below the largest multiple of the alphabet size are used,
  // so every character is equally likely.
  const unsigned limit = 256 - 256 % kAlphabet.size();
  while (password.size() < kPasswordLength) {
    unsigned char bytes[64];
    ssize_t n = getrandom(bytes, sizeof bytes, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    for (ssize_t i = 0; i < n && password.size() < kPasswordLength; ++i) {
      if (bytes[i] < limit) password.push_back(kAlphabet[bytes[i] % kAlphabet.size()]);
    }
  }
  return password;
}

// One line from stdin without echoing it on a terminal; nullopt at end of input.
std::optional<std::string> read_secret_line() {
  termios saved{};
  const bool terminal = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (terminal) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  if (!got && line.empty()) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  bool from_stdin = false;
  int cost = gnatsd::auth::kMkpasswdDefaultCost;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-" || arg == "--" || !arg.starts_with("-")) break;  // Go stops at these
    arg.remove_prefix(arg.starts_with("--") ? 2 : 1);
    std::optional<std::string_view> value;
    if (const auto eq = arg.find('='); eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    if (arg == "h" || arg == "help") {
      usage();
      return 0;
    }
    if (arg == "p") {
      if (value && *value != "true" && *value != "1") {
        if (*value == "false" || *value == "0") {
          from_stdin = false;
          continue;
        }
        std::fprintf(stderr, "invalid boolean value \"%.*s\" for -p: parse error\n",
                     static_cast<int>(value->size()), value->data());
        usage();
        return 2;
      }
      from_stdin = true;
    } else if (arg == "c" || arg == "cost") {
      if (!value) {
        if (i + 1 >= argc) {
          std::fprintf(stderr, "flag needs an argument: -%.*s\n", static_cast<int>(arg.size()),
                       arg.data());
          usage();
          return 2;
        }
        value = argv[++i];
      }
      const auto parsed = parse_int(*value);
      if (!parsed) {
        std::fprintf(stderr, "invalid value \"%.*s\" for flag -%.*s: parse error\n",
                     static_cast<int>(value->size()), value->data(), static_cast<int>(arg.size()),
                     arg.data());
        usage();
        return 2;
      }
      cost = *parsed;
    } else {
      std::fprintf(stderr, "flag provided but not defined: -%.*s\n", static_cast<int>(arg.size()),
                   arg.data());
      usage();
      return 2;
    }
  }

  std::string password;
  if (from_stdin) {
    std::printf("Enter Password: ");
    std::fflush(stdout);
    auto first = read_secret_line();
    std::printf("\nReenter Password: ");
    std::fflush(stdout);
    auto second = read_secret_line();
    // Piped input with a single line has nothing to confirm it with: take it as it is.
    if (!second && !isatty(STDIN_FILENO)) second = first;
    if (first.value_or("") != second.value_or("")) fail("Error, passwords do not match");
    password = first.value_or("");
    std::printf("\n");
  } else {
    auto generated = random_password();
    if (!generated) fail("Error producing random integer: getrandom failed");
    password = *generated;
    std::printf("pass: %s\n", password.c_str());
  }

  if (cost < gnatsd::auth::kBcryptMinCost) cost = kGoBcryptDefaultCost;
  if (cost > gnatsd::auth::kBcryptMaxCost) {
    fail("Error producing bcrypt hash: crypto/bcrypt: cost " + std::to_string(cost) +
         " is outside allowed range (" + std::to_string(gnatsd::auth::kBcryptMinCost) + "," +
         std::to_string(gnatsd::auth::kBcryptMaxCost) + ")");
  }
  auto hash = gnatsd::auth::bcrypt_hash(password, cost);
  if (!hash) fail("Error producing bcrypt hash: the crypt library refused it");
  std::printf("bcrypt hash: %s\n", hash->c_str());
  return 0;
}
