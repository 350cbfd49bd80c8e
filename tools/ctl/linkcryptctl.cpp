// linkcryptctl: asks linkcryptd over its control socket and prints tables (or --json).
#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/commands.h"
#include "api/keys.h"
#include "api/peer.h"
#include "api/rotations.h"
#include "api/sa.h"
#include "api/stats.h"
#include "api/status.h"
#include "render.h"
#include "socket_choice.h"
#include "version.h"

namespace po = boost::program_options;
using namespace linkcrypt;

namespace {

// Tables print their columns in the order of the row struct's fields (api/).
const std::vector<ctl::ColumnOrder> kColumnOrders = {
    {"sas", api::field_names<api::SaRow>()},
    {"ports", api::field_names<api::PortStatus>()},
    {"commands", api::field_names<api::HelpRow>()},
    {"rotations", api::field_names<api::RotationRecord>()},
    {"keys", api::field_names<api::KeyRow>()},
};

template <class Result>
std::optional<api::Json> through(const api::Response& r, std::string& why) {
  auto typed = api::decode_result<Result>(r, why);
  if (!typed) return std::nullopt;
  return api::to_json_value(*typed);
}

// A known command's result goes through its struct, so what is printed is what the contract
// says (and a daemon that breaks it is reported); anything else is passed on as is, so a newer
// daemon's commands work with an older CLI.
std::optional<api::Json> typed_result(const std::string& cmd, const api::Response& r, std::string& why) {
  if (cmd == "status") return through<api::StatusResult>(r, why);
  if (cmd == "sa") return through<api::SaResult>(r, why);
  if (cmd == "stats") return through<api::StatsResult>(r, why);
  if (cmd == "peer") return through<api::PeerResult>(r, why);
  if (cmd == "keys") return through<api::KeysResult>(r, why);
  if (cmd == "rotations") return through<api::RotationsResult>(r, why);
  if (cmd == "help") return through<api::HelpResult>(r, why);
  if (cmd == "rekey") return through<api::RekeyResult>(r, why);
  return r.result;
}

void usage(std::ostream& os, const po::options_description& opts) {
  std::string reads, changes;
  for (const auto& c : api::commands()) {
    std::string& list = c.read_only ? reads : changes;
    list += (list.empty() ? "" : " | ") + std::string(c.name);
  }
  os << "usage: linkcryptctl [--socket PATH | --instance NAME] [--json] COMMAND [KEY=VALUE ...]\n\n"
     << "commands: " << reads << " (read-only)\n"
     << "          " << changes << " (changes state: root or the daemon's control-admin-group)\n"
     << "          'linkcryptctl help' asks the daemon for its list\n\n"
     << opts;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("options");
  opts.add_options()
      ("help,h", "show this help")
      ("version,V", "print the version and exit")
      ("socket,s", po::value<std::string>(), "linkcryptd control socket (default: /run/linkcrypt/linkcryptd.sock, "
                                             "else the only instance's socket in /run/linkcrypt)")
      ("instance,i", po::value<std::string>(), "the daemon of linkcryptd@NAME.service: /run/linkcrypt/NAME.sock")
      ("json,j", "print the daemon's JSON response instead of tables")
      ("timeout", po::value<int>()->default_value(5000), "milliseconds to wait for an answer");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::vector<std::string>>(), "");
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("command", -1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "linkcryptctl: " << e.what() << "\n";
    usage(std::cerr, opts);
    return 2;
  }
  if (vm.count("help")) {
    usage(std::cout, opts);
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "linkcryptctl " << version_string() << "\n";
    return 0;
  }
  if (!vm.count("command")) {
    std::cerr << "linkcryptctl: no command given\n";
    usage(std::cerr, opts);
    return 2;
  }
  auto words = vm["command"].as<std::vector<std::string>>();
  api::Json args = api::Json::object();
  for (size_t i = 1; i < words.size(); ++i) {
    auto eq = words[i].find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "linkcryptctl: argument '" << words[i] << "' is not KEY=VALUE\n";
      return 2;
    }
    std::string key = words[i].substr(0, eq), value = words[i].substr(eq + 1);
    // Numbers go as numbers, so `rekey an=1` and `rotations last=5` mean what they say.
    auto parsed = api::parse_bounded(value);
    args[key] = parsed.value && !parsed.value->is_object() && !parsed.value->is_array()
                    ? *parsed.value
                    : api::Json(value);
  }
  const int timeout = vm["timeout"].as<int>();
  if (timeout <= 0) {
    std::cerr << "linkcryptctl: --timeout must be positive\n";
    return 2;
  }
  auto opt = [&vm](const char* k) { return vm.count(k) ? std::optional(vm[k].as<std::string>()) : std::nullopt; };
  const ctl::SocketChoice socket = ctl::choose_socket(opt("socket"), opt("instance"));
  if (!socket.error.empty()) {
    std::cerr << "linkcryptctl: " << socket.error << "\n";
    return 2;
  }
  auto r = api::call(socket.path, api::build_request(words[0], std::move(args)), timeout);
  if (!r.response) {
    std::cerr << "linkcryptctl: " << r.error << "\n";
    return 1;
  }
  const api::Response& resp = *r.response;
  if (vm.count("json")) {
    std::cout << api::write_compact(resp.raw) << "\n";
  }
  if (!resp.ok) {
    std::cerr << "linkcryptctl: " << words[0] << ": "
              << (resp.error_message.empty() ? "request failed" : resp.error_message) << " ("
              << (resp.error_code.empty() ? "?" : resp.error_code) << ")\n";
    return 1;
  }
  if (!vm.count("json")) {
    std::string why;
    const auto result = typed_result(words[0], resp, why);
    if (!result) {
      std::cerr << "linkcryptctl: " << words[0] << ": " << why << "\n";
      return 1;
    }
    std::cout << ctl::render_human(*result, kColumnOrders);
    if (words[0] == "status" && result->value("keylog", false)) {
      std::cout << "keylog ON: linkcryptd writes every SA's keys to its --keylog file (docs/keylog.md)\n";
    }
  }
  return 0;
}
