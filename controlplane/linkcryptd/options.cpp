// parse_options: flags, INI file, EAL pass-through, and the checks that refuse a bad start.
#include "options.h"

#include <boost/program_options.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace linkcrypt::daemon {
namespace po = boost::program_options;
namespace {

secy::ValidateFrames parse_validate(const std::string& s) {
  if (s == "strict") return secy::ValidateFrames::Strict;
  if (s == "check") return secy::ValidateFrames::Check;
  if (s == "disabled") return secy::ValidateFrames::Disabled;
  throw std::runtime_error("--validate-frames must be strict, check or disabled (802.1AE 10.7.8)");
}

uint16_t parse_ethertype(const std::string& s) {
  size_t used = 0;
  unsigned long v = 0;
  try {
    v = std::stoul(s, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  // 0x0600 and up are EtherTypes; below they would be 802.3 lengths.
  if (used != s.size() || v < 0x0600 || v > 0xFFFF || v == 0x88E5) {
    throw std::runtime_error("--kx-ethertype must be an EtherType from 0x0600 to 0xFFFF other than 0x88E5");
  }
  return static_cast<uint16_t>(v);
}

std::vector<std::string> split_words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

std::optional<DaemonOptions> parse_options(int argc, char** argv) {
  DaemonOptions o;
  // Everything after "--" belongs to the EAL.
  int own_argc = argc;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--") {
      own_argc = i;
      for (int j = i + 1; j < argc; ++j) o.eal_args.emplace_back(argv[j]);
      break;
    }
  }

  std::string config_file, validate = "strict", engine = "ipsec-mb", kx = "0x88b5", eal;
  po::options_description desc(
      "linkcryptd: MACsec (IEEE 802.1AE) bump-in-the-wire between a plain and a wire port\n"
      "usage: linkcryptd [options] [-- EAL arguments]\noptions");
  desc.add_options()
      ("help,h", "show this help")
      ("config,c", po::value(&config_file), "INI config file (keys as the long options below)")
      ("eal", po::value(&eal), "EAL arguments, space-separated (alternative to '-- ...')")
      ("plain-port", po::value(&o.plain_port), "plain port: DPDK device arguments (PCI address or vdev, e.g. net_af_packet0,iface=eth1)")
      ("wire-port", po::value(&o.wire_port), "wire port: DPDK device arguments")
      ("plain-mtu", po::value(&o.plain_mtu)->default_value(1500), "largest plain L2 payload carried; the wire port needs this + 32")
      ("key-file", po::value(&o.key_file), "manual keying: key file (mode 0600 or stricter; see docs/keyfile.md)")
      ("validate-frames", po::value(&validate)->default_value("strict"), "strict | check | disabled (802.1AE 10.7.8)")
      ("replay-window", po::value(&o.secy.replay_window)->default_value(0), "replay window in PNs (10.7.8 replayWindow)")
      ("no-replay-protect", po::bool_switch(), "disable replay protection (10.7.8 replayProtect)")
      ("integrity-only", po::bool_switch(), "protect without confidentiality (E=0, C=0)")
      ("engine", po::value(&engine)->default_value("ipsec-mb"), "cipher engine: ipsec-mb | openssl")
      ("kx-ethertype", po::value(&kx)->default_value("0x88b5"), "EtherType of in-band key-exchange frames, punted to the control plane")
      ("mbufs", po::value(&o.mbufs)->default_value(8191), "mbufs in the packet pool")
      ("rx-desc", po::value(&o.rx_desc)->default_value(1024), "RX descriptors per queue")
      ("tx-desc", po::value(&o.tx_desc)->default_value(1024), "TX descriptors per queue")
      ("idle-sleep-us", po::value(&o.idle_sleep_us)->default_value(0), "sleep this long when idle (0: busy poll; veth/CI setups use ~100)")
      ("stats-interval-ms", po::value(&o.stats_interval_ms)->default_value(0), "also print counters this often (0: only on SIGUSR1 and exit)");

  po::variables_map vm;
  try {
    po::store(po::parse_command_line(own_argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return std::nullopt;
    }
    if (vm.count("config")) {
      const std::string path = vm["config"].as<std::string>();
      std::ifstream in(path);
      if (!in) throw std::runtime_error("cannot read config file " + path);
      po::store(po::parse_config_file(in, desc), vm);  // flags stored first win
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw std::runtime_error(e.what());
  }

  if (!eal.empty()) {
    auto words = split_words(eal);
    o.eal_args.insert(o.eal_args.begin(), words.begin(), words.end());
  }
  o.secy.validate_frames = parse_validate(validate);
  o.secy.replay_protect = !vm["no-replay-protect"].as<bool>();
  o.secy.confidentiality = !vm["integrity-only"].as<bool>();
  o.secy.include_sci = true;  // transparent bump in the wire: MAC SA is the host's (design §1)
  const auto kind = secy::parse_engine_kind(engine);
  if (!kind) throw std::runtime_error("--engine must be ipsec-mb or openssl");
  o.engine = *kind;
  o.kx_ethertype = parse_ethertype(kx);
  if (o.plain_port.empty() || o.wire_port.empty()) {
    throw std::runtime_error("--plain-port and --wire-port are required (DPDK device arguments)");
  }
  if (o.plain_port == o.wire_port) throw std::runtime_error("--plain-port and --wire-port must differ");
  if (o.plain_mtu < 68 || o.plain_mtu > 9190) throw std::runtime_error("--plain-mtu must be 68..9190");
  if (o.mbufs < 1024) throw std::runtime_error("--mbufs must be at least 1024");
  return o;
}

}  // namespace linkcrypt::daemon
