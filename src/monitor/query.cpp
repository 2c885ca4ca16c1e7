// Query decoding with Go's strconv rules and nats-server's error texts (server/monitor.go
// decodeBool, decodeInt, decodeUint64, decodeState, decodeSubs).
#include "monitor/query.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "common/go_quote.hpp"

namespace gnatsd::monitor {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// strconv's error text: `strconv.Atoi: parsing "x": invalid syntax`.
std::string strconv_error(std::string_view func, std::string_view input, bool range) {
  return fmt::format("strconv.{}: parsing {}: {}", func, common::go_quote(input),
                     range ? "value out of range" : "invalid syntax");
}

}  // namespace

std::string param(const Params& params, std::string_view name) {
  auto it = params.find(std::string(name));
  return it == params.end() ? std::string() : it->second;
}

Decoded<bool> decode_bool(const Params& params, std::string_view name) {
  const std::string text = param(params, name);
  if (text.empty()) return {};
  // strconv.ParseBool's spellings.
  static constexpr std::string_view kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
  static constexpr std::string_view kFalse[] = {"0", "f", "F", "FALSE", "false", "False"};
  if (std::find(std::begin(kTrue), std::end(kTrue), text) != std::end(kTrue)) return {true, {}};
  if (std::find(std::begin(kFalse), std::end(kFalse), text) != std::end(kFalse)) return {};
  return {false, fmt::format("Error decoding boolean for '{}': {}", name,
                             strconv_error("ParseBool", text, false))};
}

Decoded<std::int64_t> decode_int(const Params& params, std::string_view name) {
  const std::string text = param(params, name);
  if (text.empty()) return {};
  // strconv.Atoi: an optional sign, then decimal digits only.
  std::string_view digits = text;
  bool negative = false;
  if (digits.front() == '+' || digits.front() == '-') {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  bool syntax_ok = !digits.empty() && std::all_of(digits.begin(), digits.end(),
                                                  [](char c) { return c >= '0' && c <= '9'; });
  std::int64_t value = 0;
  bool range_ok = false;
  if (syntax_ok) {
    std::string signed_digits = (negative ? "-" : "") + std::string(digits);
    auto [end, ec] =
        std::from_chars(signed_digits.data(), signed_digits.data() + signed_digits.size(), value);
    range_ok = ec == std::errc();
  }
  if (syntax_ok && range_ok) return {value, {}};
  return {0, fmt::format("Error decoding int for '{}': {}", name,
                         strconv_error("Atoi", text, syntax_ok))};
}

Decoded<std::uint64_t> decode_uint64(const Params& params, std::string_view name) {
  const std::string text = param(params, name);
  if (text.empty()) return {};
  bool syntax_ok =
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  std::uint64_t value = 0;
  bool range_ok = false;
  if (syntax_ok) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    range_ok = ec == std::errc();
  }
  if (syntax_ok && range_ok) return {value, {}};
  return {0, fmt::format("Error decoding uint64 for '{}': {}", name,
                         strconv_error("ParseUint", text, syntax_ok))};
}

Decoded<ConnState> decode_state(const Params& params) {
  const std::string text = param(params, "state");
  if (text.empty()) return {ConnState::Open, {}};
  const std::string state = lower(text);
  if (state == "open") return {ConnState::Open, {}};
  if (state == "closed") return {ConnState::Closed, {}};
  if (state == "any" || state == "all") return {ConnState::All, {}};
  return {ConnState::Open, fmt::format("Error decoding state for {}", text)};
}

Decoded<SubsOption> decode_subs(const Params& params) {
  if (lower(param(params, "subs")) == "detail") return {SubsOption{false, true}, {}};
  auto subs = decode_bool(params, "subs");
  if (!subs.ok()) return {{}, subs.error};
  return {SubsOption{subs.value, false}, {}};
}

PageBounds page_bounds(std::int64_t offset, std::int64_t limit, std::int64_t size) {
  size = std::max<std::int64_t>(size, 0);
  PageBounds page;
  page.first = std::clamp<std::int64_t>(offset, 0, size);
  page.last = page.first + std::clamp<std::int64_t>(limit, 0, size - page.first);
  return page;
}

}  // namespace gnatsd::monitor
