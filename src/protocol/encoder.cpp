// Frames built less often than a client delivery: route messages and interest, errors, status.
#include "protocol/encoder.hpp"

#include "protocol/constants.hpp"

namespace gnatsd::protocol {
using namespace encoder_detail;

std::size_t frame_bound(const RouteMsg& msg) {
  std::size_t queues = 0;
  for (const std::string_view queue : msg.queues) queues += queue.size() + 1;
  // "HMSG ", separators after account, subject and reply, "+ " or "| ", two numbers and their
  // space, two CRLFs.
  return 5 + msg.account.size() + msg.subject.size() + msg.reply.size() + queues +
         msg.payload.size() + 3 + 2 + 2 * kMaxNumberDigits + 1 + 4;
}

char* write_frame(char* out, const RouteMsg& msg) {
  if (msg.header_len > 0) {
    out = put(out, "HMSG ");
  } else {
    out = put(out, "RMSG ");
  }
  out = put(out, msg.account);
  *out++ = ' ';
  out = put(out, msg.subject);
  *out++ = ' ';
  // Queue groups follow a marker: "|" alone, or "+ <reply>" when there is a reply too.
  if (!msg.queues.empty()) {
    if (msg.reply.empty()) {
      out = put(out, "| ");
    } else {
      out = put(out, "+ ");
      out = put(out, msg.reply);
      *out++ = ' ';
    }
    for (const std::string_view queue : msg.queues) {
      out = put(out, queue);
      *out++ = ' ';
    }
  } else if (!msg.reply.empty()) {
    out = put(out, msg.reply);
    *out++ = ' ';
  }
  return put_sizes_and_payload(out, msg.payload, msg.header_len);
}

namespace {

template <class Msg>
void append_any(std::string& out, const Msg& msg) {
  const std::size_t start = out.size();
  out.resize(start + frame_bound(msg));
  char* const end = write_frame(out.data() + start, msg);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

}  // namespace

void append_frame(std::string& out, const ClientMsg& msg) {
  append_any(out, msg);
}

void append_frame(std::string& out, const RouteMsg& msg) {
  append_any(out, msg);
}

std::string error_frame(std::string_view text) {
  std::string frame;
  frame.reserve(text.size() + 9);
  frame.append("-ERR '").append(text).append("'\r\n");
  return frame;
}

std::string no_responders_frame(std::string_view reply, std::string_view sid) {
  std::string frame;
  append_frame(frame, ClientMsg{.subject = reply,
                                .sid = sid,
                                .payload = kNoRespondersHeader,
                                .header_len = kNoRespondersHeader.size()});
  return frame;
}

std::string interest_frame(const RouteInterest& interest) {
  std::string frame = "RS+ ";
  frame.append(interest.account).append(" ").append(interest.subject);
  if (!interest.queue.empty()) {
    frame.append(" ").append(interest.queue).append(" ").append(std::to_string(interest.weight));
  }
  frame.append("\r\n");
  return frame;
}

std::string no_interest_frame(const RouteInterest& interest) {
  std::string frame = "RS- ";
  frame.append(interest.account).append(" ").append(interest.subject);
  if (!interest.queue.empty()) frame.append(" ").append(interest.queue);
  frame.append("\r\n");
  return frame;
}

}  // namespace gnatsd::protocol
