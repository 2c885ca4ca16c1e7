// CONNECT's JSON argument decoded into what a client session keeps of it. A pure function of
// the text, so that it can be tested and fuzzed without a session.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gnatsd::protocol {

// What a client proves its identity with; the session hands it to the authenticator.
struct ConnectCredentials {
  std::string user;       // "user"
  std::string password;   // "pass"
  std::string token;      // "auth_token"
  std::string nkey;       // "nkey"
  std::string signature;  // "sig": the nonce of our INFO, signed with the nkey
};

// The CONNECT fields gnatsd reads; initialised by the caller with what applies when a field is
// absent (verbose and pedantic keep their current values; the others have fixed defaults).
struct ConnectOptions {
  bool verbose = true;
  bool pedantic = true;
  bool echo = true;
  bool headers = false;
  bool no_responders = false;
  std::string name, lang, version;
  int protocol = 0;
  // Set once every field above has been decoded (the session then counts the CONNECT as
  // activity and takes its RTT sample), before the credentials are read.
  bool options_decoded = false;
  ConnectCredentials credentials;
};

// Decodes `json` into `into`, field by field in the order of ConnectOptions. Returns nothing on
// success, or the error text the session logs before closing the connection (nats-server sends
// no -ERR for it); `into` then holds the fields decoded before the error.
std::optional<std::string> decode_connect(std::string_view json, ConnectOptions& into);

}  // namespace gnatsd::protocol
