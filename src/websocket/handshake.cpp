// The upgrade request, checked as nats-server's wsUpgrade checks it.
#include "websocket/handshake.hpp"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include <fmt/format.h>

namespace gnatsd::websocket {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s, std::string_view chars = " \t") noexcept {
  const auto b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(chars);
  return s.substr(b, e - b + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A comma-separated header has the token (nats-server's wsHeaderContains).
bool header_contains(const RequestHead& request, std::string_view name, std::string_view token) {
  for (std::string_view value : request.values(name)) {
    while (!value.empty()) {
      const auto comma = value.find(',');
      if (iequals(trim(value.substr(0, comma)), token)) return true;
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return false;
}

// The client offers permessage-deflate (any parameters: the server answers with no context
// takeover either way, which every client that offers it accepts).
bool offers_deflate(const RequestHead& request) {
  for (std::string_view list : request.values("Sec-WebSocket-Extensions")) {
    while (!list.empty()) {
      const auto comma = list.find(',');
      std::string_view extension = list.substr(0, comma);
      while (!extension.empty()) {
        const auto semi = extension.find(';');
        if (iequals(trim(extension.substr(0, semi)), "permessage-deflate")) return true;
        if (semi == std::string_view::npos) break;
        extension.remove_prefix(semi + 1);
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return false;
}

// Go's http.Date format: "Fri, 04 Dec 2026 19:00:00 GMT".
std::string http_date() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

std::string_view status_text(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 405:
      return "Method Not Allowed";
    default:
      return "Internal Server Error";
  }
}

// nats-server's wsReturnHTTPError: Go's http.Error with the Sec-Websocket-Version header. An
// HTTP/1.1 client may try again on the same connection, as with Go's server.
UpgradeOutcome refuse(int status, std::string reason, bool keep_alive) {
  UpgradeOutcome out;
  const std::string body = fmt::format("{}\n", status_text(status));
  out.response = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nSec-Websocket-Version: "
      "13\r\nX-Content-Type-Options: nosniff\r\nDate: {}\r\nContent-Length: {}\r\n{}\r\n{}",
      status, status_text(status), http_date(), body.size(),
      keep_alive ? "" : "Connection: close\r\n", body);
  out.error = std::move(reason);
  out.keep_alive = keep_alive;
  return out;
}

// Go's net.SplitHostPort then nats-server's wsGetHostAndPort: a missing port is the scheme's.
bool host_and_port(bool tls, std::string_view hostport, std::string& host, std::string& port,
                   std::string& error) {
  std::string_view h, p;
  bool has_port = false;
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) {
      error = fmt::format("address {}: missing ']' in address", hostport);
      return false;
    }
    h = hostport.substr(1, close - 1);
    std::string_view rest = hostport.substr(close + 1);
    if (rest.empty()) {
      has_port = false;
    } else if (rest.front() == ':') {
      p = rest.substr(1);
      has_port = true;
    } else {
      error = fmt::format("address {}: unexpected ']' in address", hostport);
      return false;
    }
  } else {
    const auto colons = std::count(hostport.begin(), hostport.end(), ':');
    if (colons > 1) {
      error = fmt::format("address {}: too many colons in address", hostport);
      return false;
    }
    if (colons == 1) {
      const auto c = hostport.find(':');
      h = hostport.substr(0, c);
      p = hostport.substr(c + 1);
      has_port = true;
    } else {
      h = hostport;
    }
  }
  host = lower(h);
  port = has_port ? std::string(p) : std::string(tls ? "443" : "80");
  return true;
}

// Go's url.ParseRequestURI, as far as an Origin needs: "scheme://host[:port][/...]".
bool parse_origin(std::string_view origin, std::string& scheme, std::string& hostport,
                  std::string& error) {
  const auto sep = origin.find("://");
  const bool scheme_ok =
      sep != std::string_view::npos && sep > 0 &&
      std::isalpha(static_cast<unsigned char>(origin[0])) &&
      std::all_of(origin.begin(), origin.begin() + static_cast<std::ptrdiff_t>(sep), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
      });
  if (!scheme_ok) {
    if (!origin.empty() && origin.front() == '/') {
      scheme.clear();
      hostport.clear();
      return true;
    }
    error = fmt::format("parse \"{}\": invalid URI for request", origin);
    return false;
  }
  scheme = lower(origin.substr(0, sep));
  std::string_view rest = origin.substr(sep + 3);
  hostport = std::string(rest.substr(0, rest.find_first_of("/?#")));
  if (const auto at = hostport.rfind('@'); at != std::string::npos) hostport.erase(0, at + 1);
  return true;
}

}  // namespace

std::optional<std::size_t> find_head_end(std::string_view buffered) {
  const auto end = buffered.find("\r\n\r\n");
  if (end != std::string_view::npos) return end + 4;
  // Bare LF line ends, which Go's server also takes.
  const auto lf = buffered.find("\n\n");
  if (lf != std::string_view::npos) return lf + 2;
  return std::nullopt;
}

std::vector<std::string_view> RequestHead::values(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) out.emplace_back(value);
  return out;
}

std::string_view RequestHead::get(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return {};
}

bool RequestHead::has(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return iequals(h.first, name); });
}

std::optional<RequestHead> parse_request_head(std::string_view head) {
  RequestHead out;
  bool first = true;
  while (!head.empty()) {
    auto nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first) {
      first = false;
      const auto a = line.find(' ');
      const auto b = a == std::string_view::npos ? a : line.find(' ', a + 1);
      if (a == std::string_view::npos || b == std::string_view::npos || a == 0) return std::nullopt;
      out.method = std::string(line.substr(0, a));
      out.target = std::string(line.substr(a + 1, b - a - 1));
      out.version = std::string(line.substr(b + 1));
      if (!out.version.starts_with("HTTP/1.")) return std::nullopt;
      continue;
    }
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    std::string_view name = line.substr(0, colon);
    if (name.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
    out.headers.emplace_back(std::string(name), std::string(trim(line.substr(colon + 1))));
  }
  if (first) return std::nullopt;
  return out;
}

OriginPolicy::OriginPolicy(const config::WebsocketOptions& options)
    : same_origin_(options.same_origin) {
  for (const std::string& origin : options.allowed_origins) {
    std::string scheme, hostport, error, host, port;
    if (!parse_origin(origin, scheme, hostport, error)) continue;  // nats-server logs and skips
    if (!host_and_port(scheme == "https", hostport, host, port, error)) host = lower(hostport);
    allowed_[host] = Allowed{scheme, port};
  }
}

std::string OriginPolicy::check(const RequestHead& request, bool tls) const {
  if (!same_origin_ && allowed_.empty()) return {};
  std::string_view origin = request.get("Origin");
  if (origin.empty()) origin = request.get("Sec-WebSocket-Origin");
  // No Origin: not a browser, and any client could write any Origin anyway (RFC 6455 1.6).
  if (origin.empty()) return {};
  std::string scheme, hostport, error, host, port;
  if (!parse_origin(origin, scheme, hostport, error)) return error;
  if (!host_and_port(scheme == "https", hostport, host, port, error)) return error;
  if (same_origin_) {
    std::string request_host, request_port;
    if (!host_and_port(tls, request.get("Host"), request_host, request_port, error)) return error;
    if (host != request_host || port != request_port) return "not same origin";
  }
  if (!allowed_.empty()) {
    auto it = allowed_.find(host);
    if (it == allowed_.end() || it->second.scheme != scheme || it->second.port != port)
      return "not in the allowed list";
  }
  return {};
}

std::string accept_key(std::string_view key) {
  std::string input(key);
  input.append(kGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n));
}

std::string bad_request_response(std::string_view why) {
  const std::string body =
      why.empty() ? std::string("400 Bad Request") : fmt::format("400 Bad Request: {}", why);
  return fmt::format(
      "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: "
      "close\r\n\r\n{}",
      body);
}

std::string header_too_large_response() {
  return "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; "
         "charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large";
}

UpgradeOutcome answer_upgrade(std::string_view head, bool data_after_head,
                              const UpgradePolicy& policy) {
  auto parsed = parse_request_head(head);
  if (!parsed) {
    UpgradeOutcome out;
    out.response = bad_request_response();
    out.error = "malformed HTTP request";
    out.log_refusal = false;
    return out;
  }
  const RequestHead& request = *parsed;
  // Go's server itself refuses an HTTP/1.1 request without Host before nats-server sees it.
  if (request.version == "HTTP/1.1" && !request.has("Host")) {
    UpgradeOutcome out;
    out.response = bad_request_response("missing required Host header");
    out.error = "missing required Host header";
    out.log_refusal = false;
    return out;
  }
  const bool keep_alive =
      request.version == "HTTP/1.1" && !header_contains(request, "Connection", "close");
  auto refuse = [keep_alive](int status, std::string reason) {
    return websocket::refuse(status, std::move(reason), keep_alive);
  };
  if (request.method != "GET") return refuse(405, "request method must be GET");
  if (request.get("Host").empty()) return refuse(400, "'Host' missing in request");
  if (!header_contains(request, "Upgrade", "websocket"))
    return refuse(400, "invalid value for header 'Upgrade'");
  if (!header_contains(request, "Connection", "Upgrade"))
    return refuse(400, "invalid value for header 'Connection'");
  const std::string_view key = request.get("Sec-WebSocket-Key");
  if (key.empty()) return refuse(400, "key missing");
  if (!header_contains(request, "Sec-WebSocket-Version", "13"))
    return refuse(400, "invalid version");
  if (policy.origins != nullptr) {
    if (std::string err = policy.origins->check(request, policy.tls); !err.empty())
      return refuse(403, "origin not allowed: " + err);
  }
  // nats-server has already taken the socket over from Go's server here: it is closed.
  if (data_after_head)
    return websocket::refuse(400, "client sent data before handshake is complete", false);

  UpgradeOutcome out;
  out.accepted = true;
  out.settings.compress = policy.compression && offers_deflate(request);
  out.settings.require_mask = request.get("Nats-No-Masking") != "true";
  out.response = fmt::format(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
      "Upgrade\r\nSec-WebSocket-Accept: {}\r\n",
      accept_key(key));
  if (out.settings.compress) {
    out.response.append(
        "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
        "client_no_context_takeover\r\n");
  }
  if (!out.settings.require_mask) out.response.append("Nats-No-Masking: true\r\n");
  out.response.append("\r\n");
  // The first X-Forwarded-For header, when it is one IP address (nats-server's rule).
  const auto forwarded = request.values("X-Forwarded-For");
  if (!forwarded.empty()) {
    std::string ip(forwarded.front());
    unsigned char buf[sizeof(in6_addr)];
    if (inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1)
      out.client_ip = std::move(ip);
  }
  const std::string_view agent = request.get("User-Agent");
  if (agent.starts_with("Mozilla/")) {
    out.settings.browser = true;
    // Safari (but not Chrome on macOS, which also says "Safari/") has "Version/" too.
    out.settings.no_compressed_fragments = out.settings.compress &&
                                           agent.find("Version/") != std::string_view::npos &&
                                           agent.find("Safari/") != std::string_view::npos;
  }
  return out;
}

}  // namespace gnatsd::websocket
