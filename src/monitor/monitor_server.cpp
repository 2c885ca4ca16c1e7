// HTTP plumbing of the monitor: routing, JSON/JSONP responses, 400s and 404s as nats-server's
// Go net/http server writes them.
#include "monitor/monitor_server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <functional>

#include <fmt/format.h>

#include "log/logger.hpp"
#include "monitor/connz.hpp"
#include "monitor/go_text.hpp"
#include "monitor/metrics.hpp"
#include "monitor/query.hpp"
#include "monitor/routez.hpp"
#include "monitor/subsz.hpp"
#include "monitor/varz.hpp"
#include "net/tls_context.hpp"
#include "server/server.hpp"

namespace gnatsd::monitor {
namespace {

// Enough for a few dashboards polling at once; requests are short and never block delivery.
constexpr std::size_t kHttpThreads = 4;
constexpr std::chrono::seconds kStartTimeout{5};

constexpr std::string_view kJsonType = "application/json";
constexpr std::string_view kJsonpType = "application/javascript";
constexpr std::string_view kTextType = "text/plain; charset=utf-8";
constexpr std::string_view kHtmlType = "text/html; charset=utf-8";

// What an endpoint answers: JSON (which a JSONP callback may wrap) or a 400 text.
struct Reply {
  int status = 200;
  std::string body;
};

Reply json_reply(const Json& value, bool indent = true) {
  return {200, to_go_json(value, indent)};
}

Reply bad_request(std::string text) {
  return {400, std::move(text)};
}

// nats-server's http_base_path: "" for none, else "/a/b" (leading slash, no trailing one).
std::string normalize_base_path(std::string_view base) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (!out.empty() && out.front() != '/') out.insert(out.begin(), '/');
  return out;
}

// cpp-httplib routes by regular expression: a configured base path must match literally.
std::string regex_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::strchr("\\^$.|?*+()[]{}", c) != nullptr) out += '\\';
    out += c;
  }
  return out;
}

// Go's syscall error texts are strerror's in lower case ("address already in use").
std::string go_errno_text(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::string index_html(std::string_view version) {
  // Relative links, so that the page works under any http_base_path.
  return fmt::format(R"(<html lang="en">
  <head>
    <title>gnatsd monitoring</title>
  </head>
  <body>
    <h1>gnatsd monitoring</h1>
    <p>gnatsd v{} (nats-server {} protocol)</p>
    <a href=./varz>General</a><br/>
    <a href=./connz>Connections</a><br/>
    <a href=./subsz>Subscriptions</a><br/>
    <a href=./routez>Routes</a><br/>
    <a href=./healthz>Health Probe</a><br/>
    <a href=./metrics>Prometheus Metrics</a><br/>
  </body>
</html>
)",
                     protocol::kGnatsdVersion, version);
}

// cpp-httplib's HTTPS server around the server's TLS policy. Its reads wait on the socket
// unless SSL_pending() says a record is decrypted, so read-ahead (bytes buffered below that)
// would stall a request until the read timeout; its writes loop over a blocking socket, so
// whole writes suit it. Both modes are turned back off here.
std::unique_ptr<httplib::Server> make_https_server(const config::TlsOptions& tls,
                                                   std::string& error) {
  config::TlsOptions https = tls;
  https.verify = false;  // nats-server's HTTPS monitor never asks for client certificates
  auto server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
    error = net::configure_server_tls_context(&ctx, https);
    SSL_CTX_clear_mode(&ctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
    SSL_CTX_set_read_ahead(&ctx, 0);
    return error.empty();
  });
  if (!server->is_valid()) {
    if (error.empty()) error = "cannot create the HTTPS TLS context";
    return nullptr;
  }
  return server;
}

}  // namespace

MonitorServer::MonitorServer(server::Server& server) : server_(server) {}

MonitorServer::~MonitorServer() {
  stop();
}

void MonitorServer::count_request(const std::string& path) {
  std::lock_guard lock(stats_mutex_);
  ++request_stats_[path];
}

std::map<std::string, std::uint64_t> MonitorServer::request_stats() const {
  std::lock_guard lock(stats_mutex_);
  return request_stats_;
}

std::string MonitorServer::start(const std::string& host, int port, std::string_view base_path,
                                 const config::TlsOptions* tls) {
  https_ = tls != nullptr;
  if (https_) {
    std::string error;
    http_ = make_https_server(*tls, error);
    if (!http_) return error;
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  // cpp-httplib takes ownership of the queue it is handed as a raw pointer.
  http_->new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
  // As Go's listeners: SO_REUSEADDR, so that a restart binds while the last run's connections
  // sit in TIME_WAIT. Not cpp-httplib's default SO_REUSEPORT, which refuses that bind yet lets
  // a second server share the port.
  http_->set_socket_options([](int sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  install_routes(normalize_base_path(base_path));

  errno = 0;
  if (port < 0) {
    port_ = http_->bind_to_any_port(host);
    if (port_ < 0) port_ = 0;
  } else {
    port_ = http_->bind_to_port(host, port) ? port : 0;
  }
  if (port_ == 0) {
    const int err = errno;
    http_.reset();
    return fmt::format("can't listen to the monitor port: listen tcp {}:{}: bind: {}", host,
                       port < 0 ? 0 : port, err != 0 ? go_errno_text(err) : "failed");
  }
  log::info("Starting {} monitor on {}:{}", https_ ? "https" : "http", host, port_);
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  // stop() only interrupts a server that is already running: wait until it is.
  for (auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
       !http_->is_running() && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return {};
}

void MonitorServer::stop() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

void MonitorServer::install_routes(const std::string& base) {
  // Each JSON endpoint: count it, answer it, wrap it for JSONP when asked. nats-server leaves
  // a /connz or /routez request out of http_req_stats when its arguments do not decode.
  // `path` is also the http_req_stats key; `alias` serves the same endpoint under an old name.
  auto json_endpoint = [this, &base](const std::string& path,
                                     std::function<Reply(const Params&)> handler,
                                     bool count_rejected = true, const std::string& alias = "") {
    const std::string pattern =
        alias.empty() ? regex_escape(base + path)
                      : "(?:" + regex_escape(base + path) + "|" + regex_escape(base + alias) + ")";
    http_->Get(pattern, [this, path, count_rejected, handler = std::move(handler)](
                            const httplib::Request& req, httplib::Response& res) {
      // Counted first, so that /varz includes the request it answers.
      if (count_rejected) count_request(path);
      Reply reply = handler(req.params);
      if (!count_rejected && reply.status == 200) count_request(path);
      if (reply.status != 200) {
        res.status = reply.status;
        res.set_content(reply.body, std::string(kTextType));
        return;
      }
      const std::string callback = param(req.params, "callback");
      if (!callback.empty()) {
        res.set_content(callback + "(" + reply.body + ")", std::string(kJsonpType));
      } else {
        res.set_content(reply.body, std::string(kJsonType));
      }
    });
  };

  json_endpoint("/varz", [this](const Params&) {
    return json_reply(build_varz(server_, VarzInputs{usage_.sample(), request_stats()}));
  });
  json_endpoint(
      "/connz",
      [this](const Params& params) {
        auto options = parse_connz_options(params);
        if (!options.ok()) return bad_request(options.error);
        return json_reply(build_connz(server_, options.value));
      },
      false);
  // nats-server 1.x called /subsz /subscriptionsz; both count as /subsz.
  json_endpoint(
      "/subsz",
      [this](const Params& params) {
        auto options = parse_subsz_options(params);
        if (!options.ok()) return bad_request(options.error);
        return json_reply(build_subsz(server_, options.value));
      },
      true, "/subscriptionsz");
  json_endpoint(
      "/routez",
      [this](const Params& params) {
        auto subs = decode_subs(params);
        if (!subs.ok()) return bad_request(subs.error);
        return json_reply(build_routez(server_, subs.value));
      },
      false);
  json_endpoint("/healthz", [](const Params& params) {
    // nats-server's arguments, decoded (a bad boolean is its 400) and then moot: without
    // JetStream each check is answered "ok", as nats-server does for a server without it.
    auto js_enabled = decode_bool(params, "js-enabled");
    if (!js_enabled.ok()) return bad_request(js_enabled.error);
    if (js_enabled.value)
      log::warn("Healthcheck: js-enabled deprecated, use js-enabled-only instead");
    for (const char* name : {"js-enabled-only", "js-server-only"}) {
      auto flag = decode_bool(params, name);
      if (!flag.ok()) return bad_request(flag.error);
    }
    Json out;
    out["status"] = "ok";  // answering at all means the client listener is up
    return json_reply(out, false);
  });

  http_->Get(regex_escape(base + "/metrics"),
             [this](const httplib::Request&, httplib::Response& res) {
               count_request("/metrics");
               const Json varz = build_varz(server_, VarzInputs{usage_.sample(), request_stats()});
               const Json routez = build_routez(server_, SubsOption{});
               res.set_content(prometheus_text(varz) + prometheus_routez_text(routez),
                               std::string(kMetricsContentType));
             });
  auto root = [this](const httplib::Request&, httplib::Response& res) {
    count_request("/");
    res.set_content(index_html(protocol::kServerVersion), std::string(kHtmlType));
  };
  http_->Get(regex_escape(base + "/"), root);
  if (!base.empty()) http_->Get(regex_escape(base), root);

  // Unknown paths get Go's 404 page; other errors keep the body their handler wrote.
  http_->set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (res.status != 404) return httplib::Server::HandlerResponse::Unhandled;
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_content("404 page not found\n", std::string(kTextType));
        return httplib::Server::HandlerResponse::Handled;
      }));
  http_->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, const std::exception_ptr& error) {
        std::string what = "unknown error";
        try {
          if (error) std::rethrow_exception(error);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        log::error("Error serving monitoring request {}: {}", req.path, what);
        res.status = 500;
        res.set_content(what, std::string(kTextType));
      });
}

}  // namespace gnatsd::monitor
