// Syslog targets (-s local, -r udp://|tcp://|unix:// remote) as an spdlog sink. nats-server
// writes syslog through Go's log/syslog; this sink puts the same bytes on the wire:
//   remote: "<PRI>2006-01-02T15:04:05Z07:00 HOST TAG[PID]: MSG\n", facility kern (0)
//   local:  "<PRI>Jan _2 15:04:05 TAG[PID]: MSG\n" to /dev/log, facility daemon
// with the message alone (no "[pid] time [INF]" prefix) and nats-server's severities: INF and
// TRC notice, WRN warning, ERR err, FTL crit, DBG debug. spdlog's own syslog_sink maps INF to
// LOG_INFO (an operator's "daemon.notice" filter would drop every INF line) and TRC to
// LOG_DEBUG, and its udp/tcp sinks neither frame syslog nor resolve host names nor speak unix.
#pragma once

#include <sys/socket.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/sinks/base_sink.h>

namespace gnatsd::log {

struct SyslogEndpoint {
  int family = AF_UNSPEC;  // AF_UNIX, or AF_UNSPEC for a host name resolved per connect
  int socket_type = SOCK_DGRAM;
  std::string host;  // inet
  std::string port;  // inet
  std::string path;  // unix
};

struct SyslogTarget {
  // Tried in order until one connects (local syslog: each path as datagram, then stream).
  std::vector<SyslogEndpoint> endpoints;
  bool local = false;   // local daemon framing and facility
  std::string network;  // "udp", "tcp", "unix" for error texts; empty for local
  std::string address;  // as given, for error texts
};

// "udp://host:514", "tcp://host:601", "unix:///path" → target; "" or nats-server's error text
// (e.g. `error invalid network type: "foo"`).
std::string parse_remote_syslog(std::string_view url, SyslogTarget& target);

// The local syslog daemon's sockets, as Go's log/syslog looks for them.
SyslogTarget local_syslog_target();

// Priority byte of the frame for an spdlog level (facility | severity).
int syslog_priority(int spdlog_level, bool local);

class SyslogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // Connects at once, as nats-server does: an unreachable target is a start-up error. Returns
  // nullptr and sets `error` (nats-server's text) on failure.
  static std::shared_ptr<SyslogSink> connect(SyslogTarget target, std::string& error);
  ~SyslogSink() override;

  // What one message becomes on the wire (exposed for tests).
  std::string frame(const spdlog::details::log_msg& msg) const;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  explicit SyslogSink(SyslogTarget target);
  // "" or the dial error text ("dial tcp 127.0.0.1:1: connect: connection refused").
  std::string open_connection();
  bool send_frame(std::string_view frame);
  void close_connection();

  SyslogTarget target_;
  std::string hostname_;
  std::string tag_;
  int pid_ = 0;
  int fd_ = -1;
  int fd_type_ = SOCK_DGRAM;
};

}  // namespace gnatsd::log
