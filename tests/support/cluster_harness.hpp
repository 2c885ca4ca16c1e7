// Pieces of the cluster integration tests (integration/cluster_test.cpp): a cluster member on
// ephemeral ports (client, route, monitoring) that can come back on the route port it first got,
// a raw client that keeps frames whole while several connections are polled in turn, and the
// bounded waits a cluster needs (routes formed, interest known on a remote server, deliveries
// settled). In its own namespace so that nothing here can collide with other test helpers
// linked into the same binary.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "eventually.hpp"
#include "http_client.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace gnatsd::test::cluster {

using nlohmann::json;

inline constexpr std::string_view kRouteListenLine = "Listening for route connections on ";

// The route port of the first complete "Listening for route connections on HOST:PORT" line at or
// after log offset `from`, or -1 if none appears within `timeout`. nats-server logs it after the
// client listener line the harness waits for, so it may not be there yet.
inline int route_listen_port(const ServerProcess& server, size_t from = 0,
                             std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  int port = -1;
  eventually(
      [&] {
        const std::string log = server.log();
        const size_t at = log.find(kRouteListenLine, from);
        if (at == std::string::npos) return false;
        const size_t end = log.find('\n', at);
        if (end == std::string::npos) return false;
        const std::string address = log.substr(at, end - at);
        try {
          port = std::stoi(address.substr(address.rfind(':') + 1));
        } catch (const std::exception&) {
          return false;
        }
        return true;
      },
      timeout, std::chrono::milliseconds(5));
  return port;
}

// A loopback TCP port nobody listens on right now. Only for a server whose own flags must name
// its route port before it starts (a route to itself); everything else uses port -1 and reads
// the chosen port from the log, which cannot race with other tests.
inline int unused_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("bind/getsockname failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// One cluster member: a server with `-m -1 --cluster nats://127.0.0.1:PORT` and the ports it
// chose. restart() brings up a fresh process on the route port of the first run, which is how
// peers with --routes to it find it again; its client and monitoring ports change.
class Node {
 public:
  // What to start, e.g. Node::Config("B").route(a.route_url()).flag("-D").
  struct Config {
    explicit Config(std::string server_name) : name(std::move(server_name)) {}
    Config& cluster(std::string n) { return cluster_name = std::move(n), *this; }
    Config& route(std::string url) { return routes.push_back(std::move(url)), *this; }
    Config& flag(std::string f) { return extra.push_back(std::move(f)), *this; }
    Config& binary_path(std::string path) { return binary = std::move(path), *this; }
    Config& route_port(int port) { return cluster_port = port, *this; }
    // "user:pass": route authorization, as --cluster nats://user:pass@host:port sets it.
    Config& route_auth(std::string userinfo) {
      return cluster_userinfo = std::move(userinfo), *this;
    }

    std::string name;                   // -n: the name peers show in their logs
    std::string cluster_name = "C";     // --cluster_name; empty: none (a generated name)
    std::vector<std::string> routes;    // --routes, joined with commas
    std::vector<std::string> extra;     // further flags
    std::optional<std::string> binary;  // nullopt: the binary under test
    int cluster_port = -1;              // -1: the OS chooses
    std::string cluster_userinfo;       // empty: no route authorization
  };

  explicit Node(Config config) : config_(std::move(config)) { start(config_.cluster_port); }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  void stop() { process_->stop(); }
  void restart() {
    previous_log_ += process_->log();
    process_.reset();  // stops it and reaps it
    start(cluster_port_);
  }

  const ServerProcess& process() const { return *process_; }
  int port() const { return process_->port(); }
  int cluster_port() const { return cluster_port_; }
  int http_port() const { return http_; }
  // What another member's --routes names to reach this one.
  std::string route_url() const { return "nats://127.0.0.1:" + std::to_string(cluster_port_); }
  // The log of every incarnation; wait_for_log looks only at the running one.
  std::string log() const { return previous_log_ + process_->log(); }
  bool wait_for_log(std::string_view needle, std::chrono::milliseconds timeout) const {
    return process_->wait_for_log(needle, timeout);
  }

  // A monitoring endpoint's JSON, or null when the server does not answer 200 with JSON. Polls
  // go through here rather than get_json so that a missing endpoint fails a test once, not once
  // per try.
  json get(const std::string& path) const {
    HttpResponse r = http_get(http_, path);
    if (r.status != 200) return nullptr;
    json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    return body.is_discarded() ? json(nullptr) : body;
  }
  // /varz server_id: the remote_id peers show in /routez. Changes on restart.
  std::string server_id() const {
    json varz = get("/varz");
    return varz.is_object() ? varz.value("server_id", "") : "";
  }
  // /routez num_routes, or -1 when /routez does not answer.
  int num_routes() const {
    json routez = get("/routez");
    return routez.is_object() ? routez.value("num_routes", -1) : -1;
  }
  // The /routez entry (with `query`, e.g. "?subs=1") whose remote_id is `remote_id`, or null.
  json route_to(const std::string& remote_id, const std::string& query = "") const {
    json routez = get("/routez" + query);
    if (!routez.is_object() || !routez["routes"].is_array()) return nullptr;
    for (const auto& r : routez["routes"]) {
      if (r.value("remote_id", "") == remote_id) return r;
    }
    return nullptr;
  }

 private:
  void start(int cluster_port) {
    const std::string userinfo =
        config_.cluster_userinfo.empty() ? "" : config_.cluster_userinfo + "@";
    std::vector<std::string> args = {
        "-m", "-1", "--cluster",
        "nats://" + userinfo + "127.0.0.1:" + std::to_string(cluster_port)};
    if (!config_.name.empty()) args.insert(args.end(), {"-n", config_.name});
    if (!config_.cluster_name.empty()) {
      args.insert(args.end(), {"--cluster_name", config_.cluster_name});
    }
    if (!config_.routes.empty()) {
      std::string joined;
      for (const auto& r : config_.routes) joined += (joined.empty() ? "" : ",") + r;
      args.insert(args.end(), {"--routes", joined});
    }
    args.insert(args.end(), config_.extra.begin(), config_.extra.end());
    process_ = config_.binary
                   ? std::make_unique<ServerProcess>(ServerProcess::Binary{*config_.binary}, args)
                   : std::make_unique<ServerProcess>(args);
    cluster_port_ = route_listen_port(*process_);
    if (cluster_port_ <= 0) {
      throw std::runtime_error("server did not log its route port (\"" +
                               std::string(kRouteListenLine) + "HOST:PORT\")\nlog:\n" +
                               process_->log());
    }
    http_ = monitor_port(*process_);
  }

  Config config_;
  std::unique_ptr<ServerProcess> process_;
  std::string previous_log_;
  int cluster_port_ = -1;
  int http_ = -1;
};

// Waits until `node`'s /routez shows exactly `n` routes.
inline ::testing::AssertionResult wait_for_routes(
    const Node& node, int n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  int last = -1;
  if (eventually(
          [&] {
            last = node.num_routes();
            return last == n;
          },
          timeout, std::chrono::milliseconds(20))) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "/routez num_routes is " << last << ", not " << n << ", after " << timeout.count()
         << " ms\n/routez: " << node.get("/routez").dump(2) << "\nlog:\n"
         << node.log();
}

// A MSG or HMSG as a client received it.
struct Delivery {
  std::string op;  // "MSG" or "HMSG"
  std::string subject;
  std::string sid;
  std::string reply;    // empty when there is none
  std::string headers;  // HMSG only: the header block exactly as received
  std::string payload;
};

// A raw client of one cluster member. Unlike RawClient::read_frame, whose timeout hands back
// a partial frame, it keeps incomplete frames buffered, so a test can poll several clients
// with short timeouts and never split a message. Messages whose payload is kProbe are only
// counted: await_interest sends them, and late ones must not disturb a test's counts.
class Client {
 public:
  static constexpr std::string_view kProbe = "probe";

  // Past INFO and CONNECT, proven by a PING/PONG. `headers` asks for HMSG (and allows HPUB).
  // The CONNECT has no "protocol", so the cluster's connect_urls updates send no async INFO.
  explicit Client(int port, bool headers = false) : raw_(port) {
    const std::string info = raw_.read_frame();
    EXPECT_TRUE(info.starts_with("INFO {")) << info;
    in_ += raw_.take_buffered();
    send(std::string("CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":") +
         (headers ? "true" : "false") + "}\r\n");
    EXPECT_TRUE(flush()) << "no PONG after CONNECT";
  }

  bool send(std::string_view bytes) { return raw_.send(bytes); }
  void sub(std::string_view subject, std::string_view sid, std::string_view queue = "") {
    send("SUB " + std::string(subject) + (queue.empty() ? "" : " " + std::string(queue)) + " " +
         std::string(sid) + "\r\n");
  }
  void unsub(std::string_view sid) { send("UNSUB " + std::string(sid) + "\r\n"); }
  void pub(std::string_view subject, std::string_view payload, std::string_view reply = "") {
    send("PUB " + std::string(subject) + (reply.empty() ? "" : " " + std::string(reply)) + " " +
         std::to_string(payload.size()) + "\r\n" + std::string(payload) + "\r\n");
  }
  // `headers` is the whole header block, "NATS/1.0\r\n...\r\n\r\n".
  void hpub(std::string_view subject, std::string_view headers, std::string_view payload,
            std::string_view reply = "") {
    send("HPUB " + std::string(subject) + (reply.empty() ? "" : " " + std::string(reply)) + " " +
         std::to_string(headers.size()) + " " + std::to_string(headers.size() + payload.size()) +
         "\r\n" + std::string(headers) + std::string(payload) + "\r\n");
  }

  // PING, then reads until its PONG, keeping what arrives before it: once it returns, the
  // server has processed everything this client sent.
  bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const size_t want = pongs_ + 1;
    send("PING\r\n");
    const auto deadline = Clock::now() + timeout;
    while (pongs_ < want && !raw_.closed() && Clock::now() < deadline) {
      poll(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    }
    return pongs_ >= want;
  }

  // Takes in what arrives within `timeout` (returns at the first bytes) and parses every
  // complete frame. Server PINGs are answered, as a real client would.
  void poll(std::chrono::milliseconds timeout) {
    raw_.fill(timeout);
    in_ += raw_.take_buffered();
    parse();
  }

  const std::vector<Delivery>& deliveries() const { return deliveries_; }
  size_t probes() const { return probes_; }
  const std::vector<std::string>& errors() const { return errors_; }
  bool closed() const { return raw_.closed(); }

 private:
  void parse() {
    size_t pos = 0;
    for (;;) {
      const size_t eol = in_.find("\r\n", pos);
      if (eol == std::string::npos) break;
      const std::string line = in_.substr(pos, eol - pos);
      if (line.starts_with("MSG ") || line.starts_with("HMSG ")) {
        std::vector<std::string> args;
        for (size_t at = 0; at <= line.size();) {
          size_t space = line.find(' ', at);
          if (space == std::string::npos) space = line.size();
          if (space > at) args.push_back(line.substr(at, space - at));
          at = space + 1;
        }
        const bool hmsg = args[0] == "HMSG";
        if (args.size() < (hmsg ? 5u : 4u)) {  // not a frame we can size; keep it visible
          errors_.push_back("malformed: " + line);
          pos = eol + 2;
          continue;
        }
        const size_t total = std::stoul(args.back());
        const size_t header_size = hmsg ? std::stoul(args[args.size() - 2]) : 0;
        if (in_.size() < eol + 2 + total + 2) break;  // the rest has not arrived yet
        Delivery d;
        d.op = args[0];
        d.subject = args[1];
        d.sid = args[2];
        if (args.size() == (hmsg ? 6u : 5u)) d.reply = args[3];
        const std::string body = in_.substr(eol + 2, total);
        d.headers = body.substr(0, std::min(header_size, body.size()));
        d.payload = body.substr(d.headers.size());
        pos = eol + 2 + total + 2;
        if (d.payload == kProbe) {
          ++probes_;
        } else {
          deliveries_.push_back(std::move(d));
        }
        continue;
      }
      if (line == "PING") {
        send("PONG\r\n");
      } else if (line == "PONG") {
        ++pongs_;
      } else if (line.starts_with("-ERR")) {
        errors_.push_back(line);
      }  // INFO and +OK need nothing
      pos = eol + 2;
    }
    in_.erase(0, pos);
  }

  RawClient raw_;
  std::string in_;  // received, not yet parsed
  std::vector<Delivery> deliveries_;
  size_t probes_ = 0;
  size_t pongs_ = 0;
  std::vector<std::string> errors_;
};

// Publishes probes on `subject` from `publisher` until one reaches any of `watchers`. Interest
// crosses a route asynchronously (RS+ after the SUB); a probe arriving on the far side is the
// proof that the publisher's server now routes the subject there. For a queue group, pass only
// the members on the far server: a probe to one of them shows the group's remote weight is
// known. Probes keep going to every subscriber; Client counts them apart.
inline ::testing::AssertionResult await_interest(
    Client& publisher, std::string_view subject, const std::vector<Client*>& watchers,
    std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  std::vector<size_t> before;
  for (auto* w : watchers) before.push_back(w->probes());
  const auto deadline = Clock::now() + timeout;
  size_t sent = 0;
  while (Clock::now() < deadline) {
    publisher.pub(subject, Client::kProbe);
    ++sent;
    publisher.poll(std::chrono::milliseconds(0));
    for (size_t i = 0; i < watchers.size(); ++i) {
      watchers[i]->poll(std::chrono::milliseconds(10));
      if (watchers[i]->probes() > before[i]) return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "none of " << sent << " probes on \"" << subject
         << "\" reached the remote subscriber(s) within " << timeout.count() << " ms";
}

inline size_t total_deliveries(const std::vector<Client*>& clients) {
  size_t n = 0;
  for (auto* c : clients) n += c->deliveries().size();
  return n;
}

// Polls `clients` in turn until their deliveries add up to at least `total` or `timeout`
// passes; returns the sum reached.
inline size_t collect(const std::vector<Client*>& clients, size_t total,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = Clock::now() + timeout;
  while (total_deliveries(clients) < total && Clock::now() < deadline) {
    for (auto* c : clients) c->poll(std::chrono::milliseconds(5));
  }
  return total_deliveries(clients);
}

// After the expected deliveries arrived: round trips on every client, then a short quiet
// window, so that a duplicate or stray copy would have arrived too. Absence can only be
// observed over a window; on loopback a routed message takes well under a millisecond, so
// 300 ms is ample and keeps the suite fast.
inline void settle(const std::vector<Client*>& clients,
                   std::chrono::milliseconds window = std::chrono::milliseconds(300)) {
  for (auto* c : clients) EXPECT_TRUE(c->flush());
  const auto deadline = Clock::now() + window;
  while (Clock::now() < deadline) {
    for (auto* c : clients) c->poll(std::chrono::milliseconds(10));
  }
}

// Success iff every payload "m0".."m<n-1>" was delivered exactly once across `clients`, and
// nothing else was.
inline ::testing::AssertionResult each_delivered_once(const std::vector<Client*>& clients, int n) {
  std::map<std::string, int> counts;
  for (auto* c : clients) {
    for (const auto& d : c->deliveries()) ++counts[d.payload];
  }
  std::map<std::string, int> expected;
  for (int i = 0; i < n; ++i) expected["m" + std::to_string(i)] = 1;
  if (counts == expected) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  for (const auto& [payload, want] : expected) {
    auto it = counts.find(payload);
    const int seen = it == counts.end() ? 0 : it->second;
    if (seen != want) failure << payload << " delivered " << seen << " times; ";
  }
  for (const auto& [payload, seen] : counts) {
    if (!expected.contains(payload))
      failure << "unexpected \"" << payload << "\" x" << seen << "; ";
  }
  return failure << "total " << total_deliveries(clients) << " of " << n;
}

}  // namespace gnatsd::test::cluster
