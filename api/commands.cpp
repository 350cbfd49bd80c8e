// The control commands: one list for the daemon's dispatch, its permission check and `help`.
#include "api/commands.h"

namespace linkcrypt::api {

const std::vector<CommandInfo>& commands() {
  static const std::vector<CommandInfo> kCommands = {
      {"status", true, "link state, keying, suite, ports"},
      {"sa", true, "every SA: AN, SCI, key id, PNs, headroom, packets"},
      {"stats", true, "all counters (SecY, dataplane, ports, IKE, control socket)"},
      {"peer", true, "the IKE peer: state, algorithms, last handshake, last failure"},
      {"mka", true, "MKA (keying = mka): actor and peers, key server, the SAK in use, the CAK by its CKN"},
      {"keys", true, "the long-term keys (PSK or private key, file or token): fingerprint, uses, last use"},
      {"rotations", true, "recent key rotations (args: last=N)"},
      {"help", true, "this list"},
      {"rekey", false, "start a MACsec key rotation now (root or control-admin-group)"},
  };
  return kCommands;
}

std::set<std::string> state_changing_commands() {
  std::set<std::string> out;
  for (const auto& c : commands()) {
    if (!c.read_only) out.emplace(c.name);
  }
  return out;
}

HelpResult help_result() {
  HelpResult r;
  for (const auto& c : commands()) r.commands.push_back({std::string(c.name), c.read_only, std::string(c.summary)});
  return r;
}

}  // namespace linkcrypt::api
