// linkcryptctl: asks linkcryptd over its control socket and prints tables (or --json).
#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "control_client.h"
#include "render.h"
#include "socket_choice.h"
#include "version.h"

namespace po = boost::program_options;
using namespace linkcrypt;

namespace {

// Commands with their table column order; anything else is passed to the daemon as is, so a
// newer daemon's commands work with an older CLI.
const std::vector<ctl::ColumnOrder> kColumnOrders = {
    {"sas", {"direction", "an", "sci", "suite", "key_id", "next_pn", "lowest_pn", "pn_headroom",
             "time_to_exhaustion_s", "age_s", "packets", "octets", "errors"}},
    {"ports", {"role", "device", "interface", "link", "mtu", "operstate", "carrier", "admin_up", "source"}},
    {"commands", {"command", "read_only", "summary"}},
    {"rotations", {"when", "reason", "duration_ms", "frames_dropped", "old_key_id", "new_key_id"}},
};

void usage(std::ostream& os, const po::options_description& opts) {
  os << "usage: linkcryptctl [--socket PATH | --instance NAME] [--json] COMMAND [KEY=VALUE ...]\n\n"
        "commands: status | sa | stats | peer | rotations | help (read-only)\n"
        "          rekey (changes state: root or the daemon's control-admin-group)\n"
        "          'linkcryptctl help' asks the daemon for its list\n\n"
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
  json::Object args;
  for (size_t i = 1; i < words.size(); ++i) {
    auto eq = words[i].find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "linkcryptctl: argument '" << words[i] << "' is not KEY=VALUE\n";
      return 2;
    }
    std::string key = words[i].substr(0, eq), value = words[i].substr(eq + 1);
    // Numbers go as numbers, so `rekey an=1` and `rotations last=5` mean what they say.
    auto parsed = json::parse(value);
    args[key] = parsed.value && !parsed.value->is_object() && !parsed.value->is_array()
                    ? *parsed.value
                    : json::Value(value);
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
  auto r = control::call(socket.path,
                         control::build_request(words[0], json::Value(std::move(args))), timeout);
  if (!r.response) {
    std::cerr << "linkcryptctl: " << r.error << "\n";
    return 1;
  }
  const json::Value& resp = *r.response;
  if (vm.count("json")) {
    std::cout << json::write(resp) << "\n";
  }
  const json::Value* ok = resp.find("ok");
  if (!ok || ok->as_bool() != true) {
    const json::Value* err = resp.find("error");
    const json::Value* code = err ? err->find("code") : nullptr;
    const json::Value* msg = err ? err->find("message") : nullptr;
    std::cerr << "linkcryptctl: " << words[0] << ": "
              << (msg && msg->as_string() ? *msg->as_string() : "request failed") << " ("
              << (code && code->as_string() ? *code->as_string() : "?") << ")\n";
    return 1;
  }
  if (!vm.count("json")) {
    const json::Value* result = resp.find("result");
    std::cout << ctl::render_human(result ? *result : json::Value(), kColumnOrders);
  }
  return 0;
}
