// Parses linkcrypt-pcap's command line with Boost.Program_options; every refusal is a UsageError.
#include "tool_options.h"

#include <openssl/crypto.h>

#include <boost/program_options.hpp>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "hex.h"
#include "sak_file.h"

namespace linkcrypt::pcaptool {
namespace po = boost::program_options;
namespace {

std::string suite_names() { return std::string(secy::cipher_suite_names()); }

// Decimal, or hex with a 0x prefix; the whole text must be the number.
bool parse_u64(std::string_view text, uint64_t& out) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && end == text.data() + text.size();
}

uint64_t parse_number(const std::string& text, const char* option, uint64_t min, uint64_t max) {
  uint64_t v = 0;
  if (!parse_u64(text, v)) {
    throw UsageError(std::string("--") + option + " '" + text + "' is not a number (decimal or 0x hex)");
  }
  if (v < min || v > max) {
    std::ostringstream msg;
    msg << "--" << option << " " << text << " is out of range (" << min << ".." << max << ")";
    throw UsageError(msg.str());
  }
  return v;
}

// Public identifiers (SCI, SSCI, salt) of an exact length, big-endian.
std::vector<uint8_t> parse_fixed_hex(const std::string& text, const char* option, size_t len) {
  auto bytes = parse_hex(text);
  if (!bytes) throw UsageError(std::string("--") + option + " '" + text + "' is not valid hex");
  if (bytes->size() != len) {
    throw UsageError(std::string("--") + option + " must be " + std::to_string(len) + " octets (" +
                     std::to_string(2 * len) + " hex digits), got " + std::to_string(bytes->size()));
  }
  return *bytes;
}

uint64_t be_value(const std::vector<uint8_t>& b) {
  uint64_t v = 0;
  for (uint8_t x : b) v = (v << 8) | x;
  return v;
}

void wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}

// The SAK given as --sak must not linger: not in argv (visible in /proc/PID/cmdline), not in
// Boost's parsed tokens, not in the variables map.
void wipe_sak_from_argv(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--sak") == 0 && i + 1 < argc) {
      std::memset(argv[i + 1], 'x', std::strlen(argv[i + 1]));
    } else if (std::strncmp(argv[i], "--sak=", 6) == 0) {
      std::memset(argv[i] + 6, 'x', std::strlen(argv[i] + 6));
    }
  }
}

po::options_description option_table() {
  po::options_description o("options");
  o.add_options()
      ("help,h", "show this help")
      ("version,V", "print the version")
      ("cipher", po::value<std::string>(), "cipher suite")
      ("sak", po::value<std::string>(), "SAK in hex")
      ("sak-file", po::value<std::string>(), "file holding the SAK in hex (mode 0600)")
      ("sci", po::value<std::string>(), "SCI, 8 octets hex")
      ("an", po::value<std::string>(), "association number 0..3")
      ("pn", po::value<std::string>(), "first PN (protect)")
      ("ssci", po::value<std::string>(), "XPN short SCI, 4 octets hex")
      ("salt", po::value<std::string>(), "XPN salt, 12 octets hex")
      ("integrity-only", po::bool_switch(), "protect without confidentiality")
      ("no-sci", po::bool_switch(), "protect without the SCI in the SecTAG (ES=1)")
      ("keylog", po::value<std::string>(), "linkcryptd's keylog: every SA (validate)")
      ("lowest-pn", po::value<std::string>(), "lowest acceptable PN (validate)")
      ("replay-window", po::value<std::string>(), "replay window (validate)")
      ("engine", po::value<std::string>(), "ipsec-mb or openssl")
      ("quiet,q", po::bool_switch(), "no per-frame verdict lines")
      ("command", po::value<std::string>(), "protect | validate")
      ("in", po::value<std::string>(), "input pcap")
      ("out", po::value<std::string>(), "output pcap");
  return o;
}

// validate: --lowest-pn within the PN space of every SA, and the replay window.
void parse_replay_options(const po::variables_map& vm, uint64_t max_pn, bool any_xpn, ToolOptions& out) {
  if (vm.count("lowest-pn")) {
    out.lowest_pn = parse_number(vm.at("lowest-pn").as<std::string>(), "lowest-pn", 1, max_pn);
  }
  if (vm.count("replay-window")) {
    // 10.6.2: for XPN the window must stay below 2^30 so the PN high bits can be recovered.
    const uint64_t max_window = any_xpn ? (1ull << 30) - 1 : UINT32_MAX;
    out.replay_window = static_cast<uint32_t>(
        parse_number(vm.at("replay-window").as<std::string>(), "replay-window", 0, max_window));
  }
}

// The one SA given by --cipher, --sak/--sak-file, --sci, --an (and --ssci/--salt for XPN).
void parse_manual_sa(const po::variables_map& vm, bool protect, ToolOptions& out) {
  auto has = [&](const char* k) { return vm.count(k) != 0; };
  auto str = [&](const char* k) -> const std::string& { return vm.at(k).as<std::string>(); };
  auto need = [&](const char* k, const std::string& what) -> const std::string& {
    if (!has(k)) throw UsageError(std::string("missing ") + what);
    return str(k);
  };
  const std::string& cipher = need("cipher", "--cipher SUITE (" + std::string("one of ") + suite_names() + ")");
  const auto suite = secy::parse_cipher_suite(cipher);
  if (!suite) throw UsageError("unknown cipher suite '" + cipher + "': expected one of " + suite_names());
  out.suite = *suite;
  out.xpn = secy::is_xpn(out.suite);

  // The key: exactly one of --sak / --sak-file, of the suite's length (14.5, 14.6: 16 or 32).
  if (has("sak") == has("sak-file")) {
    throw UsageError(has("sak") ? "give --sak or --sak-file, not both"
                                : "missing the key: --sak HEX or --sak-file PATH");
  }
  if (has("sak")) {
    if (!parse_hex_secret(str("sak"), out.sak)) throw UsageError("--sak is not valid hex");
  } else {
    const std::string err = load_sak_file(str("sak-file"), out.sak);
    if (!err.empty()) throw UsageError(err);
  }
  const size_t want = secy::sak_len(out.suite);
  if (out.sak.size() != want) {
    throw UsageError("the SAK is " + std::to_string(out.sak.size()) + " octets; " + cipher + " needs " +
                     std::to_string(want) + " (" + std::to_string(2 * want) + " hex digits)");
  }

  out.sci = be_value(parse_fixed_hex(need("sci", "--sci HEX (8 octets)"), "sci", 8));
  out.an = static_cast<uint8_t>(parse_number(need("an", "--an N (0..3)"), "an", 0, 3));

  // XPN (14.7) needs the SSCI and salt; the 32-bit PN suites have no use for them.
  if (out.xpn) {
    if (!has("ssci") || !has("salt")) {
      throw UsageError(cipher + " is an XPN suite: it needs --ssci HEX (4 octets) and --salt HEX (12 octets)");
    }
    out.xpn_params.ssci = static_cast<uint32_t>(be_value(parse_fixed_hex(str("ssci"), "ssci", 4)));
    const auto salt = parse_fixed_hex(str("salt"), "salt", secy::kSaltLen);
    std::copy(salt.begin(), salt.end(), out.xpn_params.salt.begin());
  } else if (has("ssci") || has("salt")) {
    throw UsageError("--ssci and --salt apply to the XPN suites only, not " + cipher);
  }

  const uint64_t max_pn = secy::max_pn(out.suite);
  if (protect) {
    // PN 0 is never sent (9.8, 10.5.2); the operator must choose where to start on purpose,
    // because reusing a PN under the same SAK breaks GCM.
    out.first_pn = parse_number(need("pn", "--pn N (the first packet number)"), "pn", 1, max_pn);
    out.integrity_only = vm.at("integrity-only").as<bool>();
    out.no_sci = vm.at("no-sci").as<bool>();
  } else {
    parse_replay_options(vm, max_pn, out.xpn, out);
  }
}

// validate --keylog: the keylog names every SA, so the single-SA options would contradict it.
void parse_keylog_options(const po::variables_map& vm, ToolOptions& out) {
  for (const char* k : {"cipher", "sak", "sak-file", "sci", "an", "ssci", "salt"}) {
    if (vm.count(k)) {
      throw UsageError(std::string("--keylog gives every SA's suite, key and identifiers: drop --") + k);
    }
  }
  out.keylog_path = vm.at("keylog").as<std::string>();
  const std::string err = load_keylog(out.keylog_path, out.keylog);
  if (!err.empty()) throw UsageError(err);
  bool any_xpn = false, all_xpn = true;
  for (const auto& sa : out.keylog) {
    any_xpn = any_xpn || secy::is_xpn(sa.suite);
    all_xpn = all_xpn && secy::is_xpn(sa.suite);
  }
  parse_replay_options(vm, all_xpn ? UINT64_MAX : 0xFFFFFFFFull, any_xpn, out);
}

}  // namespace

std::string tool_usage() {
  return
      "usage:\n"
      "  linkcrypt-pcap protect  --cipher SUITE (--sak HEX | --sak-file PATH) --sci HEX --an N --pn N\n"
      "                          [--ssci HEX --salt HEX] [--integrity-only] [--no-sci]\n"
      "                          [--engine ipsec-mb|openssl] [--quiet] IN.pcap OUT.pcap\n"
      "  linkcrypt-pcap validate --cipher SUITE (--sak HEX | --sak-file PATH) --sci HEX --an N\n"
      "                          [--ssci HEX --salt HEX] [--lowest-pn N] [--replay-window N]\n"
      "                          [--engine ipsec-mb|openssl] [--quiet] IN.pcap [OUT.pcap]\n"
      "  linkcrypt-pcap validate --keylog FILE [--lowest-pn N] [--replay-window N]\n"
      "                          [--engine ipsec-mb|openssl] [--quiet] IN.pcap [OUT.pcap]\n"
      "SUITE: " + suite_names() + " (the `ip macsec` names).\n"
      "XPN suites need --ssci (4 octets) and --salt (12 octets); the others refuse them.\n"
      "  linkcrypt-pcap --version | --help\n"
      "IN may be pcap or pcapng; OUT is classic pcap. --keylog FILE (written by linkcryptd --keylog)\n"
      "gives every SA: each frame is validated with the SA of its SCI and AN installed before it.\n"
      "Numbers are decimal or 0x hex. Exit: 0 every frame OK, 1 some frame dropped, 2 refused to run.\n"
      "See docs/pcap-tool.md.\n";
}

ParseOutcome parse_tool_options(int argc, char** argv, ToolOptions& out) {
  const auto table = option_table();
  po::positional_options_description positional;
  positional.add("command", 1).add("in", 1).add("out", 1);
  po::variables_map vm;
  po::parsed_options parsed(nullptr);
  const int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
  try {
    parsed = po::command_line_parser(argc, argv).options(table).positional(positional).style(style).run();
  } catch (const po::too_many_positional_options_error&) {
    wipe_sak_from_argv(argc, argv);
    throw UsageError("too many arguments: expected COMMAND IN.pcap OUT.pcap");
  } catch (const po::error& e) {
    wipe_sak_from_argv(argc, argv);
    throw UsageError(e.what());
  }
  wipe_sak_from_argv(argc, argv);
  // Boost keeps copies of every token; wipe those of --sak once the map has its own.
  struct TokenWiper {
    po::parsed_options& p;
    ~TokenWiper() {
      for (auto& opt : p.options) {
        if (opt.string_key != "sak") continue;
        for (auto& v : opt.value) wipe(v);
        for (auto& t : opt.original_tokens) wipe(t);
      }
    }
  } token_wiper{parsed};
  try {
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  struct MapWiper {
    po::variables_map& vm;
    ~MapWiper() {
      if (vm.count("sak")) wipe(boost::any_cast<std::string&>(vm.at("sak").value()));
    }
  } map_wiper{vm};

  if (vm.count("help")) return ParseOutcome::Help;
  if (vm.count("version")) return ParseOutcome::Version;
  auto has = [&](const char* k) { return vm.count(k) != 0; };
  auto str = [&](const char* k) -> const std::string& { return vm.at(k).as<std::string>(); };
  auto need = [&](const char* k, const std::string& what) -> const std::string& {
    if (!has(k)) throw UsageError(std::string("missing ") + what);
    return str(k);
  };

  const std::string& command = need("command", "the command: protect or validate");
  if (command == "protect") {
    out.command = ToolCommand::Protect;
  } else if (command == "validate") {
    out.command = ToolCommand::Validate;
  } else {
    throw UsageError("unknown command '" + command + "': expected protect or validate");
  }
  const bool protect = out.command == ToolCommand::Protect;

  // Options that belong to the other command are refused rather than silently ignored.
  if (!protect && has("pn")) {
    throw UsageError("--pn applies to protect only (validate takes --lowest-pn)");
  }
  for (const char* k : {"integrity-only", "no-sci"}) {  // switches: always in the map
    if (!protect && vm.at(k).as<bool>()) throw UsageError(std::string("--") + k + " applies to protect only");
  }
  for (const char* k : {"lowest-pn", "replay-window"}) {
    if (protect && has(k)) throw UsageError(std::string("--") + k + " applies to validate only");
  }

  if (has("keylog")) {
    if (protect) throw UsageError("--keylog applies to validate only");
    parse_keylog_options(vm, out);
  } else {
    parse_manual_sa(vm, protect, out);
  }

  if (has("engine")) {
    const auto kind = secy::parse_engine_kind(str("engine"));
    if (!kind) throw UsageError("unknown --engine '" + str("engine") + "': expected ipsec-mb or openssl");
    out.engine = *kind;
  }
  out.quiet = vm.at("quiet").as<bool>();

  out.in_path = need("in", "the input file IN.pcap");
  // validate may only report; protect exists to write its output.
  out.out_path = protect ? need("out", "the output file OUT.pcap") : (has("out") ? str("out") : "");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(out.in_path, ec)) {
    throw UsageError("input file " + out.in_path + " does not exist or is not a regular file");
  }
  if (!out.out_path.empty() && std::filesystem::equivalent(out.in_path, out.out_path, ec)) {
    throw UsageError("the output file must differ from the input file");
  }
  return ParseOutcome::Run;
}

}  // namespace linkcrypt::pcaptool
