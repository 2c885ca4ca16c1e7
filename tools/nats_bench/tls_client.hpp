// nats-bench's TLS client side (OpenSSL): one context per run, shared by every connection, and
// one stream per connection that encrypts over the connection's non-blocking socket.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

// OpenSSL's types, declared here so that users of this header do not pull in <openssl/ssl.h>.
struct ssl_ctx_st;
struct ssl_st;

namespace nats_bench {

struct TlsSettings {
  bool enabled = false;
  std::string ca_file;    // verify the server against this CA; empty: the system's default roots
  std::string cert_file;  // client certificate, for servers that verify their clients
  std::string key_file;
};

// Its OpenSSL settings are fixed once made, so every thread may open streams from it at once.
class TlsClientContext {
 public:
  struct Made;
  // Loads the CA and the client certificate; the error text says which file was unusable.
  static Made make(const TlsSettings& settings);
  class Key {  // only make() constructs a context
    friend class TlsClientContext;
    Key() = default;
  };
  TlsClientContext(Key, ssl_ctx_st* ctx) : ctx_(ctx) {}
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  ssl_ctx_st* native() const { return ctx_; }
  // The protocol and suite of the first completed handshake ("TLSv1.3 TLS_AES_128_GCM_SHA256"):
  // every connection of a run talks to the same server with the same settings.
  void note_negotiated(const std::string& description) const;
  std::string negotiated() const;

 private:
  ssl_ctx_st* ctx_;
  mutable std::mutex negotiated_mutex_;
  mutable std::string negotiated_;
};

struct TlsClientContext::Made {
  std::unique_ptr<TlsClientContext> context;  // null when `error` says why
  std::string error;
};

// One TLS session over a connected non-blocking socket it does not own. Used by one thread.
class TlsStream {
 public:
  enum class Status { Ok, WantRead, WantWrite, Closed, Failed };
  struct Io {
    std::size_t bytes = 0;
    Status status = Status::Ok;  // why it stopped when bytes is 0
  };

  // `host` is what the server's certificate must name (a DNS name or an IP address).
  TlsStream(const TlsClientContext& context, int fd, const std::string& host);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Runs the client handshake to the end, waiting on the socket as needed. Returns an error
  // text (OpenSSL's reason, the certificate check that failed), empty on success.
  std::string handshake(std::chrono::steady_clock::time_point deadline);

  // Decrypted input into buf: everything already received up to len, at most one recv.
  Io read(char* buf, std::size_t len);
  // Encrypts and sends as many whole records of data as the socket takes. A write that stopped
  // on WantRead/WantWrite must be retried with the same bytes first (more may follow).
  Io write(const char* data, std::size_t len);
  // Received bytes still inside OpenSSL: the socket may not poll readable for them.
  bool has_buffered_input() const;

  // Why the last read/write/handshake failed or closed.
  const std::string& error() const { return error_; }
  // "TLSv1.3 TLS_AES_128_GCM_SHA256"
  std::string negotiated() const;

 private:
  Status classify(int rc);

  ssl_st* ssl_ = nullptr;
  int fd_;
  std::string error_;
};

}  // namespace nats_bench
