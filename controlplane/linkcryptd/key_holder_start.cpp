// start_key_holder: the arguments for linkcrypt-keyholder, and its client as the keying config's long-term key.
#include "key_holder_start.h"

#include "daemon_log.h"
#include "key_holder_program.h"
#include "remote_long_term_key.h"

namespace linkcrypt::daemon {

void start_key_holder(DaemonOptions& o) {
  if (!o.ike || o.keying.key_holder != "process") return;
  keyholder::KeyHolderSpec spec;
  spec.program = keyholder::find_key_holder_program();
  if (spec.program.empty()) {
    throw ConfigError("key-holder = process: linkcrypt-keyholder not found beside linkcryptd or in the libexec directory");
  }
  if (o.keying.auth == "psk") {
    if (o.keying.psk_file.empty()) return;  // build_keying_config says what is missing
    spec.args = {"--psk-file", o.keying.psk_file};
  } else {
    if (o.keying.private_key_file.empty()) return;
    spec.args = {"--private-key-file", o.keying.private_key_file};
  }
  spec.log = [](const LogEvent& e) { log(e); };
  std::string err;
  o.keying.held_key = keyholder::RemoteLongTermKey::start(std::move(spec), err);
  if (!o.keying.held_key) throw ConfigError("key-holder = process: " + err);
}

}  // namespace linkcrypt::daemon
