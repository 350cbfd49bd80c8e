// linkcryptctl: asks linkcryptd over its control socket and prints what it says for humans
// (tables that fit 100 columns, human units), or the daemon's JSON with --json.
#include <boost/program_options.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/commands.h"
#include "human_units.h"
#include "render_commands.h"
#include "socket_choice.h"
#include "version.h"
#include "watch.h"

namespace po = boost::program_options;
using namespace linkcrypt;

namespace {

void usage(std::ostream& os, const po::options_description& opts) {
  std::string reads, changes;
  for (const auto& c : api::commands()) {
    std::string& list = c.read_only ? reads : changes;
    list += (list.empty() ? "" : " | ") + std::string(c.name);
  }
  os << "usage: linkcryptctl [--socket PATH | --instance NAME] [--json] [-w] [-a] [--watch [SECONDS]]\n"
     << "                    COMMAND [KEY=VALUE ...]\n\n"
     << "commands: " << reads << " (read-only)\n"
     << "          " << changes << " (changes state: root or the daemon's control-admin-group)\n"
     << "          'linkcryptctl help' asks the daemon for its list\n\n"
     << opts;
}

bool is_read_only(const std::string& cmd) {
  for (const auto& c : api::commands()) {
    if (c.name == cmd) return c.read_only;
  }
  return false;
}

// "--watch 2" means "--watch=2": the interval is optional, so Program_options alone would take
// the 2 for the command.
std::vector<std::string> join_watch_interval(int argc, char** argv) {
  std::vector<std::string> out;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--watch" && i + 1 < argc) {
      char* end = nullptr;
      std::strtod(argv[i + 1], &end);
      if (end && *end == '\0' && end != argv[i + 1]) {
        out.push_back(a + "=" + argv[++i]);
        continue;
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

struct Invocation {
  std::string socket;
  std::string command;
  api::Json args;
  int timeout_ms;
  bool json;
  ctl::RenderOptions render;
};

// One request and its output: what to print on stdout, or the error for stderr (exit 1).
struct Outcome {
  std::string out;
  std::string err;
};

Outcome ask(const Invocation& inv) {
  auto r = api::call(inv.socket, api::build_request(inv.command, inv.args), inv.timeout_ms);
  if (!r.response) return {{}, "linkcryptctl: " + r.error + "\n"};
  const api::Response& resp = *r.response;
  Outcome o;
  if (inv.json) o.out = api::write_compact(resp.raw) + "\n";
  if (!resp.ok) {
    o.err = "linkcryptctl: " + inv.command + ": " + (resp.error_message.empty() ? "request failed" : resp.error_message) +
            " (" + (resp.error_code.empty() ? "?" : resp.error_code) + ")\n";
    return o;
  }
  if (!inv.json) {
    ctl::RenderOptions ro = inv.render;
    ro.now_unix = static_cast<int64_t>(std::time(nullptr));
    auto rendered = ctl::render_result(inv.command, resp.result, ro);
    if (!rendered.text) return {{}, "linkcryptctl: " + inv.command + ": " + rendered.error + "\n"};
    o.out = *rendered.text;
  }
  return o;
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
      ("json,j", "print the daemon's JSON response (raw values) instead of tables")
      ("wide,w", "every column, without the 100-column limit")
      ("all,a", "stats: the developer counters too (cycles, loop counts)")
      ("watch", po::value<double>()->implicit_value(1.0),
       "redraw a read-only command's output every SECONDS (default 1) until Ctrl-C")
      ("timeout", po::value<int>()->default_value(5000), "milliseconds to wait for an answer");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::vector<std::string>>(), "");
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("command", -1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(join_watch_interval(argc, argv)).options(all).positional(pos).run(), vm);
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
  Invocation inv;
  inv.command = words[0];
  inv.args = api::Json::object();
  for (size_t i = 1; i < words.size(); ++i) {
    auto eq = words[i].find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "linkcryptctl: argument '" << words[i] << "' is not KEY=VALUE\n";
      return 2;
    }
    std::string key = words[i].substr(0, eq), value = words[i].substr(eq + 1);
    // Numbers go as numbers, so `rekey an=1` and `rotations last=5` mean what they say.
    auto parsed = api::parse_bounded(value);
    inv.args[key] = parsed.value && !parsed.value->is_object() && !parsed.value->is_array()
                        ? *parsed.value
                        : api::Json(value);
  }
  inv.timeout_ms = vm["timeout"].as<int>();
  if (inv.timeout_ms <= 0) {
    std::cerr << "linkcryptctl: --timeout must be positive\n";
    return 2;
  }
  inv.json = vm.count("json") > 0;
  inv.render.wide = vm.count("wide") > 0;
  inv.render.all = vm.count("all") > 0;
  std::optional<double> watch;
  if (vm.count("watch")) {
    watch = vm["watch"].as<double>();
    if (!(*watch >= 0.1 && *watch <= 86400)) {
      std::cerr << "linkcryptctl: --watch takes 0.1 to 86400 seconds\n";
      return 2;
    }
    if (!is_read_only(inv.command)) {
      std::cerr << "linkcryptctl: --watch repeats read-only commands only, not '" << inv.command << "'\n";
      return 2;
    }
  }
  auto opt = [&vm](const char* k) { return vm.count(k) ? std::optional(vm[k].as<std::string>()) : std::nullopt; };
  const ctl::SocketChoice socket = ctl::choose_socket(opt("socket"), opt("instance"));
  if (!socket.error.empty()) {
    std::cerr << "linkcryptctl: " << socket.error << "\n";
    return 2;
  }
  inv.socket = socket.path;

  if (watch) {
    char every[32];
    std::snprintf(every, sizeof every, "%g s", *watch);
    return ctl::run_watch(*watch, [&] {
      const Outcome o = ask(inv);
      if (inv.json) return o.out + o.err;  // one JSON line per interval
      return std::string("every ") + every + ": linkcryptctl " + inv.command + "    " +
             ctl::iso8601_utc(static_cast<int64_t>(std::time(nullptr))) + "    (Ctrl-C to stop)\n\n" + o.out + o.err +
             (::isatty(STDOUT_FILENO) ? "" : "\n");
    }, STDOUT_FILENO);
  }
  const Outcome o = ask(inv);
  std::cout << o.out;
  std::cerr << o.err;
  return o.err.empty() ? 0 : 1;
}
