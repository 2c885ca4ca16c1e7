// Ports file: listener URLs (interface enumeration for wildcard binds) and the file itself.
#include "process/ports_file.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "common/host_port.hpp"
#include "process/os_error.hpp"

namespace gnatsd::process {
namespace {

using common::join_host_port;

std::string ip_text(const sockaddr* addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, text, sizeof text);
  } else if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, text, sizeof text);
  }
  return text;
}

// Every IPv4 and IPv6 address of every interface, interface by interface in index order and
// IPv4 before IPv6 within one, as Go's net.Interfaces()/Addrs() walk them.
std::vector<std::string> interface_addresses() {
  struct Entry {
    unsigned index;
    int family_rank;
    std::size_t seen;
    std::string ip;
  };
  std::vector<Entry> entries;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  for (ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr) continue;
    const int family = it->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    entries.push_back({if_nametoindex(it->ifa_name), family == AF_INET ? 0 : 1, entries.size(),
                       ip_text(it->ifa_addr)});
  }
  freeifaddrs(list);
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.index, a.family_rank, a.seen) < std::tie(b.index, b.family_rank, b.seen);
  });
  std::vector<std::string> ips;
  for (auto& entry : entries) ips.push_back(std::move(entry.ip));
  return ips;
}

// The numeric address a listener on `host` is bound to: the literal itself, or the first
// address the name resolves to (as the listener resolved it).
std::string numeric_host(std::string_view host) {
  const std::string name(host);
  in6_addr scratch{};
  if (inet_pton(AF_INET, name.c_str(), &scratch) == 1) return name;
  if (inet_pton(AF_INET6, name.c_str(), &scratch) == 1) return name;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) return name;
  std::string ip = ip_text(found->ai_addr);
  freeaddrinfo(found);
  return ip.empty() ? name : ip;
}

bool is_unspecified(std::string_view ip) {
  return ip.empty() || ip == "0.0.0.0" || ip == "::" || ip == "[::]";
}

}  // namespace

std::vector<std::string> listen_urls(std::string_view scheme, std::string_view host, int port) {
  const std::string prefix = std::string(scheme) + "://";
  std::vector<std::string> urls;
  if (is_unspecified(host)) {
    for (const auto& ip : interface_addresses()) urls.push_back(prefix + join_host_port(ip, port));
  } else {
    urls.push_back(prefix + join_host_port(numeric_host(host), port));
  }
  return urls;
}

std::string ports_json(const ListenPorts& ports) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  if (!ports.nats.empty()) doc["nats"] = ports.nats;
  if (!ports.monitoring.empty()) doc["monitoring"] = ports.monitoring;
  if (!ports.websocket.empty()) doc["websocket"] = ports.websocket;
  return doc.dump();
}

std::string PortsFile::write(const std::string& dir, const ListenPorts& ports) {
  remove();
  // nats-server: filepath.Join(dir, "<basename of argv[0]>_<pid>.ports").
  std::string path = dir;
  if (!path.empty() && path.back() != '/') path += '/';
  path += std::string(program_invocation_short_name) + "_" + std::to_string(::getpid()) + ".ports";
  const std::string contents = ports_json(ports);
  auto failed = [&path](std::string_view op, int err) {
    return "Error writing ports file (" + path + "): " + path_error_text(op, path, err);
  };
  // O_NOFOLLOW: the name is predictable and often in /tmp; never write through a symlink.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd < 0) return failed("open", errno);
  std::string_view rest = contents;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      ::unlink(path.c_str());  // no half-written file for a launcher to misread
      return failed("write", err);
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0) return failed("close", errno);
  path_ = std::move(path);
  return {};
}

void PortsFile::remove() {
  if (path_.empty()) return;
  ::unlink(path_.c_str());
  path_.clear();
}

}  // namespace gnatsd::process
