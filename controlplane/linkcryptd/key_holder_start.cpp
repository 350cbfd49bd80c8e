// start_key_holder: the key options as linkcrypt-keyholder's arguments, and its client as the keying config's long-term key.
#include "key_holder_start.h"

#include <cstdlib>

#include "daemon_log.h"
#include "key_holder_program.h"
#include "key_source.h"
#include "remote_long_term_key.h"

namespace linkcrypt::daemon {
namespace {

// The key options that apply to the auth method; the same refusals open_long_term_key gives in process.
std::string key_source(const config::KeyingOptions& k, keyholder::KeySource& src) {
  const bool psk = k.auth == "psk";
  const std::string& file = psk ? k.psk_file : k.private_key_file;
  const std::string& uri = psk ? k.psk_uri : k.private_key_uri;
  const std::string file_opt = psk ? "psk-file" : "private-key-file";
  const std::string uri_opt = psk ? "psk-uri" : "private-key-uri";
  if (!file.empty() && !uri.empty()) return file_opt + " and " + uri_opt + " are both set: keep one";
  if (file.empty() && uri.empty()) return "auth = " + k.auth + " needs " + file_opt + " or " + uri_opt;
  (psk ? src.psk_file : src.private_key_file) = file;
  (psk ? src.psk_uri : src.private_key_uri) = uri;
  if (!uri.empty()) {  // the key holder reads the PIN; linkcryptd passes only the paths
    src.pkcs11_module = k.pkcs11_module;
    src.pin_file = k.pin_file;
  }
  return {};
}

// The key holder starts with an empty environment, except what PKCS#11 modules read to find
// their tokens (docs/hsm.md): softhsm2's config, tpm2-pkcs11's store and TPM connection.
std::vector<std::string> module_environment() {
  std::vector<std::string> env;
  for (const char* name : {"SOFTHSM2_CONF", "TPM2_PKCS11_STORE", "TPM2_PKCS11_TCTI", "TPM2TOOLS_TCTI"}) {
    if (const char* v = std::getenv(name)) env.push_back(std::string(name) + "=" + v);
  }
  return env;
}

}  // namespace

std::shared_ptr<ike::LongTermKey> start_key_holder(const config::KeyingOptions& k, std::string& error, bool quiet) {
  keyholder::KeySource src;
  if (auto e = key_source(k, src); !e.empty()) {
    error = e;
    return nullptr;
  }
  keyholder::KeyHolderSpec spec;
  spec.program = keyholder::find_key_holder_program();
  if (spec.program.empty()) {
    error = "key-holder = process: linkcrypt-keyholder not found beside linkcryptd or in the libexec directory";
    return nullptr;
  }
  spec.args = keyholder::key_source_args(src);
  if (quiet) spec.args.emplace_back("--quiet");
  if (src.token()) spec.env = module_environment();
  spec.log = [](const LogEvent& e) { log(e); };
  return keyholder::RemoteLongTermKey::start(std::move(spec), error);
}

void start_key_holder(DaemonOptions& o) {
  if (!o.ike || o.keying.key_holder != "process") return;
  const auto& a = o.keying.auth;
  if (a != "psk" && a != "pubkey" && a != "cert") return;  // build_keying_config names the valid ones
  std::string err;
  o.keying.held_key = start_key_holder(o.keying, err, o.check_only);
  if (!o.keying.held_key) throw ConfigError(err);
}

}  // namespace linkcrypt::daemon
