// check_keying_mode: the keying option and the mka-* options, checked before anything starts.
#include "mka_options.h"

namespace linkcrypt::daemon {
namespace {

namespace po = boost::program_options;

// Given by the operator (not Boost's default).
bool given(const po::variables_map& vm, const char* name) { return vm.count(name) != 0 && !vm[name].defaulted(); }

constexpr const char* kMkaOptions[] = {"mka-ckn", "mka-cak-file", "mka-key-server-priority", "mka-cipher-suite",
                                       "mka-hello-time-ms", "mka-life-time-ms", "mka-rekey-interval-s",
                                       "mka-eapol-address"};
// IKE keying's settings that have a default, so the generic "needs IKE keying" check does not see them.
constexpr const char* kIkeSettings[] = {"suite", "role", "auth", "transport", "udp-port", "udp-nat-port",
                                        "rekey-interval-s", "rekey-bytes", "ike-rekey-interval-s",
                                        "liveness-interval-ms", "retransmit-base-ms", "retransmit-limit",
                                        "switch-timeout-ms", "retire-grace-ms", "reconnect-min-ms",
                                        "reconnect-max-ms", "ike-half-open-limit", "ike-cookie-threshold",
                                        "key-holder"};

}  // namespace

std::string check_keying_mode(const po::variables_map& vm, DaemonOptions& o,
                              const std::function<std::string(const std::string&)>& at) {
  const std::string& mode = o.keying_mode;
  if (!mode.empty() && mode != "manual" && mode != "ike" && mode != "mka") {
    return at("keying") + " must be manual, ike or mka, not '" + mode + "'";
  }
  o.mka = mode == "mka";
  if (mode == "ike" && !o.ike) return at("keying") + " = ike needs local-id and peer-id";
  if (mode == "manual" && o.key_file.empty()) return at("keying") + " = manual needs key-file";
  if (mode == "manual" && o.ike) return at("local-id") + " is IKE keying, but keying = manual";
  if (mode == "ike" && !o.key_file.empty()) return at("key-file") + " is manual keying, but keying = ike";
  if (!o.mka) {
    for (const char* k : kMkaOptions) {
      if (given(vm, k)) return at(k) + " needs keying = mka (docs/mka.md)";
    }
    return "";
  }
  if (!o.key_file.empty()) return at("key-file") + " is manual keying, but keying = mka: choose one";
  if (o.ike) return at(o.keying.local_id.empty() ? "peer-id" : "local-id") + " is IKE keying, but keying = mka: choose one";
  if (o.no_keys) return at("no-keys") + " starts without keys: it cannot go with keying = mka";
  for (const char* k : kIkeSettings) {
    if (given(vm, k)) return at(k) + " is an IKE keying setting: keying = mka does not use it (docs/mka.md)";
  }
  if (std::string err = mka_keying::check_mka_options(o.mka_opts); !err.empty()) {
    // The message starts with the option's name: say where it was set instead.
    const std::string name = err.substr(0, err.find(' '));
    return err.replace(0, name.size(), at(name));
  }
  return "";
}

}  // namespace linkcrypt::daemon
