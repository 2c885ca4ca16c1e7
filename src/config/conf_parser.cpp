// Builds the ConfMap tree from conf_lexer's tokens the way nats-server's conf/parse.go does:
// block-scoped $variables with an environment fallback, includes merged into the enclosing map,
// size suffixes multiplied out, Zulu datetimes checked.
#include "config/conf_parser.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "config/conf_lexer.hpp"

namespace gnatsd::config {
namespace {

// nats-server recurses without bound (an include cycle overflows its stack); cycles are caught
// below, and this caps honest depth far beyond any real deployment.
constexpr std::size_t kMaxIncludeDepth = 32;

// nats-server's special case: an unquoted bcrypt hash ($2a$11$...) lexes as a variable reference;
// a name with this prefix is returned as the literal string instead of being looked up.
constexpr std::string_view kBcryptPrefix = "2a$";

// The key an environment value is parsed under ("pk=<value>"), as nats-server does.
constexpr std::string_view kEnvKey = "pk";

// State shared by a file, the files it includes and the environment values it expands.
struct ParseSession {
  std::vector<std::string> include_chain;  // canonical paths of the files being parsed
  std::vector<std::string> env_chain;      // environment variables being expanded
};

ConfResult<ConfMap> parse_text(std::string_view text, const std::string& name,
                               const std::string& include_dir, ParseSession& session);
ConfResult<ConfMap> parse_file(const std::string& path, ParseSession& session);

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Go's error strings are strerror's text starting in lower case ("no such file or directory").
std::string go_errno_text(int error) {
  std::string text = std::strerror(error);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

// Go's filepath.Dir: "." for a bare name.
std::string go_dir(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return ".";
  return parent.string();
}

// Go's filepath.Join(dir, name): always relative to `dir`, even when `name` starts with '/'
// (so `include /auth.conf` in /etc/nats/nats.conf reads /etc/nats/auth.conf), then cleaned.
std::string go_join(const std::string& dir, const std::string& name) {
  std::string joined = dir.empty() ? name : dir + "/" + name;
  std::string clean = std::filesystem::path(joined).lexically_normal().string();
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  return clean.empty() ? "." : clean;
}

// Reads a whole file; on failure returns Go's os error text ("open x: no such file or
// directory", "read x: is a directory").
ConfResult<std::string> read_file(const std::string& path) {
  auto failure = [&](const char* op, int error) {
    return ConfError{ConfPosition{path, 0, 0}, "error opening config file: " + std::string(op) +
                                                   " " + path + ": " + go_errno_text(error)};
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failure("open", errno);
  std::string data;
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return failure("read", error);
    }
    if (n == 0) break;
    data.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return data;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Go's time.Parse("2006-01-02T15:04:05Z", text) range checks; the lexer fixed the shape.
std::optional<ConfDateTime> parse_zulu(const std::string& text) {
  auto number = [&](std::size_t at, std::size_t length) {
    int value = 0;
    for (std::size_t i = at; i < at + length; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  const int year = number(0, 4);
  const int month = number(5, 2);
  const int day = number(8, 2);
  const int hour = number(11, 2);
  const int minute = number(14, 2);
  const int second = number(17, 2);
  if (month < 1 || month > 12) return std::nullopt;
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int month_days = kDaysInMonth[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day < 1 || day > month_days) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ConfDateTime{days * 86400 + hour * 3600 + minute * 60 + second, text};
}

class Parser {
 public:
  Parser(std::vector<ConfToken> tokens, std::string file, std::string include_dir,
         ParseSession& session)
      : tokens_(std::move(tokens)),
        file_(std::move(file)),
        include_dir_(std::move(include_dir)),
        session_(session) {}

  ConfResult<ConfMap> parse_document() {
    ConfMap root;
    if (auto error = parse_entries(root, /*nested=*/false)) return *std::move(error);
    return root;
  }

 private:
  // The lexer always ends with Eof or Error and the parser stops at either, so this never runs
  // past the end.
  const ConfToken& next() { return tokens_[std::min(index_++, tokens_.size() - 1)]; }

  ConfPosition position_of(const ConfToken& token) const {
    return ConfPosition{file_, token.line, token.column};
  }

  ConfError error_at(const ConfToken& token, std::string reason) const {
    return ConfError{position_of(token), std::move(reason)};
  }

  // Fills `map` until its MapEnd (nested) or the end of the file. While it is being filled the
  // map is a variable scope: `$name` sees the keys already set in it and in the maps around it.
  std::optional<ConfError> parse_entries(ConfMap& map, bool nested) {
    scopes_.push_back(&map);
    std::optional<ConfError> error = fill(map, nested);
    scopes_.pop_back();
    return error;
  }

  std::optional<ConfError> fill(ConfMap& map, bool nested) {
    for (;;) {
      const ConfToken& token = next();
      switch (token.kind) {
        case ConfTokenKind::Error:
          return error_at(token, token.text);
        case ConfTokenKind::Eof:
          if (nested) return error_at(token, "Unexpected EOF processing map.");
          return std::nullopt;
        case ConfTokenKind::MapEnd:
          if (!nested) return error_at(token, "Unexpected map end.");
          return std::nullopt;
        case ConfTokenKind::Include:
          if (auto error = include(token, map)) return error;
          break;
        case ConfTokenKind::Key: {
          const ConfToken& value_token = next();
          if (value_token.kind == ConfTokenKind::Eof) {
            // A key with no value ends the file. nats-server lets a lone "}" pass so that a
            // JSON-style file with a closing brace too many still loads.
            if (token.text == "}") return std::nullopt;
            return error_at(value_token, "config is invalid");
          }
          ConfResult<ConfValue> value = parse_value(value_token);
          if (!value) return value.error();
          map.set(token.text, position_of(token), *std::move(value));
          break;
        }
        default:
          return error_at(token, "unexpected " + std::string(to_string(token.kind)) + " token");
      }
    }
  }

  ConfResult<ConfValue> parse_value(const ConfToken& token) {
    const ConfPosition position = position_of(token);
    switch (token.kind) {
      case ConfTokenKind::String:
        return ConfValue(token.text, position);
      case ConfTokenKind::Bool: {
        const std::string word = to_lower(token.text);
        if (word == "true" || word == "yes" || word == "on") return ConfValue(true, position);
        if (word == "false" || word == "no" || word == "off") return ConfValue(false, position);
        return error_at(token, "expected boolean value, but got '" + token.text + "'");
      }
      case ConfTokenKind::Integer:
        return parse_integer(token);
      case ConfTokenKind::Float:
        return parse_float(token);
      case ConfTokenKind::DateTime: {
        std::optional<ConfDateTime> time = parse_zulu(token.text);
        if (!time) {
          return error_at(token, "expected Zulu formatted DateTime, but got '" + token.text + "'");
        }
        return ConfValue(*std::move(time), position);
      }
      case ConfTokenKind::Variable:
        return resolve_variable(token);
      case ConfTokenKind::MapStart: {
        ConfMap map;
        if (auto error = parse_entries(map, /*nested=*/true)) return *std::move(error);
        return ConfValue(std::move(map), position);
      }
      case ConfTokenKind::ArrayStart: {
        ConfArray array;
        for (;;) {
          const ConfToken& element = next();
          if (element.kind == ConfTokenKind::ArrayEnd) break;
          ConfResult<ConfValue> value = parse_value(element);
          if (!value) return value.error();
          array.push_back(*std::move(value));
        }
        return ConfValue(std::move(array), position);
      }
      case ConfTokenKind::Error:
        return error_at(token, token.text);
      default:
        return error_at(token, "unexpected " + std::string(to_string(token.kind)) + " token");
    }
  }

  // Digits with an optional size suffix: k/m/g/t/p/e are powers of 1000; with a trailing b, i or
  // ib (kb, ki, kib, ...) powers of 1024. Case does not matter.
  ConfResult<ConfValue> parse_integer(const ConfToken& token) const {
    const std::string& text = token.text;
    std::size_t digits_end = text[0] == '-' ? 1 : 0;
    while (digits_end < text.size() && text[digits_end] >= '0' && text[digits_end] <= '9') {
      ++digits_end;
    }
    std::int64_t number = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits_end, number);
    if (ec == std::errc::result_out_of_range) {
      return error_at(token, "integer '" + text + "' is out of the range");
    }
    if (ec != std::errc{} || ptr != text.data() + digits_end) {
      return error_at(token, "expected integer, but got '" + text + "'");
    }
    const std::string suffix = to_lower(std::string_view(text).substr(digits_end));
    std::int64_t multiplier = 1;
    if (!suffix.empty()) {
      static constexpr std::string_view kUnits = "kmgtpe";
      const std::size_t unit = kUnits.find(suffix[0]);
      if (unit == std::string_view::npos) {
        return error_at(token, "expected integer, but got '" + text + "'");
      }
      const std::size_t power = unit + 1;
      const std::string_view binary = std::string_view(suffix).substr(1);
      const bool is_binary = binary == "b" || binary == "i" || binary == "ib";
      if (!binary.empty() && !is_binary) {
        // nats-server silently drops such a value (and mismatches its keys); refuse it instead.
        return error_at(token, "unknown number suffix in '" + text + "'");
      }
      for (std::size_t i = 0; i < power; ++i) multiplier *= is_binary ? 1024 : 1000;
    }
    std::int64_t value = 0;
    // nats-server's multiplication wraps around silently; an error is kinder.
    if (__builtin_mul_overflow(number, multiplier, &value)) {
      return error_at(token, "integer '" + text + "' is out of the range");
    }
    return ConfValue(value, position_of(token));
  }

  ConfResult<ConfValue> parse_float(const ConfToken& token) const {
    const std::string& text = token.text;
    double value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range) {
      // Go's ParseFloat fails on overflow only; an underflow is just 0 or a denormal.
      value = std::strtod(text.c_str(), nullptr);
      if (std::isinf(value)) return error_at(token, "float '" + text + "' is out of the range");
    } else if (ec != std::errc{} || ptr != text.data() + text.size()) {
      return error_at(token, "expected float, but got '" + text + "'");
    }
    return ConfValue(value, position_of(token));
  }

  // `$name`: the innermost map being built that already holds `name`, then the environment.
  // Arrays are not scopes. The value is copied to the reference site.
  ConfResult<ConfValue> resolve_variable(const ConfToken& token) {
    const std::string& name = token.text;
    if (name.starts_with(kBcryptPrefix)) return ConfValue("$" + name, position_of(token));

    for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
      if (ConfMapEntry* entry = (*scope)->find(name)) {
        entry->used_as_variable = true;
        return ConfValue(entry->value.storage(), position_of(token));
      }
    }

    const std::string line = std::to_string(token.line);
    const char* env = name.find('\0') == std::string::npos ? std::getenv(name.c_str()) : nullptr;
    if (env == nullptr) {
      return error_at(
          token, "variable reference for '" + name + "' on line " + line + " can not be found");
    }
    // An environment value that names itself (directly or through others) would recurse forever.
    if (std::find(session_.env_chain.begin(), session_.env_chain.end(), name) !=
        session_.env_chain.end()) {
      return error_at(token, "variable reference cycle for '" + name + "'");
    }
    // The value is parsed as a config line of its own, so `22` is an integer and `{a: 1}` a map.
    session_.env_chain.push_back(name);
    ConfResult<ConfMap> parsed =
        parse_text(std::string(kEnvKey) + "=" + env, "$" + name, "", session_);
    session_.env_chain.pop_back();
    if (!parsed) {
      // Report a cycle at the reference in the real file, not inside an environment value.
      if (parsed.error().reason.starts_with("variable reference cycle")) {
        return error_at(token, parsed.error().reason);
      }
      return error_at(token, "variable reference for '" + name + "' on line " + line +
                                 " could not be parsed: " + parsed.error().reason);
    }
    const ConfValue* value = parsed->get(kEnvKey);
    if (value == nullptr) {
      return error_at(
          token, "variable reference for '" + name + "' on line " + line + " can not be found");
    }
    return ConfValue(value->storage(), position_of(token));
  }

  // `include path`: parses the file on its own (it does not see this file's variables) and sets
  // its top-level keys in `into`, where later `$name` references can use them.
  std::optional<ConfError> include(const ConfToken& token, ConfMap& into) {
    const std::string path = go_join(include_dir_, token.text);
    ConfResult<ConfMap> included = parse_file(path, session_);
    if (!included) {
      return error_at(
          token, "error parsing include file '" + token.text + "', " + included.error().message());
    }
    for (const ConfMapEntry& entry : included->entries()) into.set(entry);
    return std::nullopt;
  }

  std::vector<ConfToken> tokens_;
  std::size_t index_ = 0;
  std::string file_;
  std::string include_dir_;
  ParseSession& session_;
  std::vector<ConfMap*> scopes_;  // maps being built, outermost first; they do not move meanwhile
};

ConfResult<ConfMap> parse_text(std::string_view text, const std::string& name,
                               const std::string& include_dir, ParseSession& session) {
  Parser parser(lex_config(text), name, include_dir, session);
  return parser.parse_document();
}

ConfResult<ConfMap> parse_file(const std::string& path, ParseSession& session) {
  std::error_code ec;
  std::string canonical = std::filesystem::weakly_canonical(path, ec).string();
  if (ec) canonical = path;
  if (std::find(session.include_chain.begin(), session.include_chain.end(), canonical) !=
      session.include_chain.end()) {
    return ConfError{ConfPosition{path, 0, 0},
                     "include cycle: " + path + " is already being parsed"};
  }
  if (session.include_chain.size() >= kMaxIncludeDepth) {
    return ConfError{ConfPosition{path, 0, 0},
                     "includes nested deeper than " + std::to_string(kMaxIncludeDepth) + " files"};
  }
  ConfResult<std::string> data = read_file(path);
  if (!data) return data.error();
  session.include_chain.push_back(canonical);
  ConfResult<ConfMap> result = parse_text(*data, path, go_dir(path), session);
  session.include_chain.pop_back();
  return result;
}

}  // namespace

ConfResult<ConfMap> parse_config_file(const std::string& path) {
  ParseSession session;
  return parse_file(path, session);
}

ConfResult<ConfMap> parse_config_string(std::string_view text, const std::string& name) {
  ParseSession session;
  return parse_text(text, name, go_dir(name), session);
}

}  // namespace gnatsd::config
