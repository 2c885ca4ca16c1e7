// The ports file (ports_file_dir / --ports_file_dir): a JSON note of the URLs the server
// listens on, named <executable>_<pid>.ports as nats-server names it. Test launchers (nats.js's,
// nats.java's…) start a server on random ports (-1) and read this file to find them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gnatsd::process {

// The URLs under which a listener bound to `host`:`port` is reached, as nats-server lists them:
// the host itself, or every interface address when it is unspecified (0.0.0.0, ::, "").
std::vector<std::string> listen_urls(std::string_view scheme, std::string_view host, int port);

struct ListenPorts {
  std::vector<std::string> nats;        // nats://… or tls://…
  std::vector<std::string> monitoring;  // http://… or https://…
  std::vector<std::string> websocket;   // ws://… or wss://…
};

// {"nats":[…],"monitoring":[…],"websocket":[…]} with empty lists left out, compact, as Go's
// json.Marshal.
std::string ports_json(const ListenPorts& ports);

class PortsFile {
 public:
  PortsFile() = default;
  ~PortsFile() { remove(); }
  PortsFile(const PortsFile&) = delete;
  PortsFile& operator=(const PortsFile&) = delete;

  // Writes the file into `dir` (replacing one this object wrote before). Returns "" or the
  // error in nats-server's words ("Error writing ports file (/x/gnatsd_7.ports): open …").
  std::string write(const std::string& dir, const ListenPorts& ports);

  // Removes the file written last, if any. Safe to call more than once.
  void remove();

 private:
  std::string path_;
};

}  // namespace gnatsd::process
