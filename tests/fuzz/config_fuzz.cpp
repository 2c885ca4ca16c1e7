// Fuzz target for the NATS config grammar and the options layer on top: any text is lexed,
// parsed and applied to Options, or rejected with an error — never a crash or a hang.
// Inputs with an `include` are only lexed: an include reads files named by the fuzzer (and
// /dev/zero never ends), which would make runs depend on the machine.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/conf_lexer.hpp"
#include "config/conf_parser.hpp"
#include "config/options.hpp"
#include "config/options_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gnatsd::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<ConfToken> tokens = lex_config(text);
  const bool includes = std::any_of(tokens.begin(), tokens.end(), [](const ConfToken& t) {
    return t.kind == ConfTokenKind::Include;
  });
  if (includes) return 0;
  // A directory that does not exist: nothing is resolved against the working directory.
  auto parsed = parse_config_string(text, "/nonexistent-gnatsd-fuzz/fuzz.conf");
  if (!parsed) return 0;
  Options options;
  const ConfigLoadResult loaded = apply_config(*parsed, options);
  // validate_options loads TLS files named by the input; the rest of it is pure.
  if (loaded.ok() && !options.tls.enabled) (void)validate_options(options);
  return 0;
}
