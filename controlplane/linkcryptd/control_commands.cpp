// The daemon's control commands: names, whether each only reads, and a one-line summary (`help`).
#include "control_commands.h"

namespace linkcrypt::daemon {

const std::vector<ControlCommand>& control_commands() {
  static const std::vector<ControlCommand> kCommands = {
      {"status", true, "link state, keying, suite, ports"},
      {"sa", true, "every SA: AN, SCI, key id, PNs, headroom, packets"},
      {"stats", true, "all counters (SecY, dataplane, ports, IKE, control socket)"},
      {"peer", true, "the IKE peer: state, algorithms, last handshake, last failure"},
      {"rotations", true, "recent key rotations (args: last=N)"},
      {"help", true, "this list"},
      {"rekey", false, "start a MACsec key rotation now (root or control-admin-group)"},
  };
  return kCommands;
}

std::set<std::string> state_changing_commands() {
  std::set<std::string> out;
  for (const auto& c : control_commands()) {
    if (!c.read_only) out.emplace(c.name);
  }
  return out;
}

json::Value control_help() {
  json::Array cmds;
  for (const auto& c : control_commands()) {
    cmds.push_back(json::Object{{"command", json::Value(std::string(c.name))},
                                {"read_only", json::Value(c.read_only)},
                                {"summary", json::Value(std::string(c.summary))}});
  }
  return json::Object{{"commands", json::Value(std::move(cmds))}};
}

}  // namespace linkcrypt::daemon
