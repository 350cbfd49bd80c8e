// linkcryptd: options → keys/IKE config → EAL → dataplane → keying + control socket → event loop.
#include "api/commands.h"
#include "control_handlers.h"
#include "counters_dump.h"
#include "daemon_log.h"
#include "dataplane.h"
#include "dataplane_keys.h"
#include "dpdk_tools.h"
#include "eal_args.h"
#include "key_holder_start.h"
#include "eal.h"
#include "event_loop.h"
#include "inband_transport.h"
#include "key_audit.h"
#include "key_file.h"
#include "keying_config.h"
#include "keying_channel.h"
#include "keying_controller.h"
#include "keylog.h"
#include "manual_keys.h"
#include "mka_config.h"
#include "mka_controller.h"
#include "metrics_server.h"
#include "options.h"
#include "pn_keeper.h"
#include "port_errors.h"
#include "reload.h"
#include "port_links.h"
#include "process_hardening.h"
#include "secure_memory.h"
#include "split_start.h"
#include "systemd_notify.h"
#include "udp_transport.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>

namespace {

using namespace linkcrypt;

dpdk::DataplaneConfig dataplane_config(const daemon::DaemonOptions& o) {
  dpdk::DataplaneConfig c;
  c.plain.devargs = o.plain_port;
  c.plain.rx_desc = o.rx_desc;
  c.plain.tx_desc = o.tx_desc;
  c.wire = c.plain;
  c.wire.devargs = o.wire_port;
  c.plain_mtu = o.plain_mtu;
  c.plain_vlan_tags = o.plain_vlan_tags;
  c.mbuf_count = o.mbufs;
  c.kx_ethertype = o.kx_ethertype;
  if (o.mka) c.eapol_ethertype = mka::kEapolEtherType;
  c.engine = o.engine;
  c.idle_sleep_us = o.idle_sleep_us;
  c.kx_new_sa_rate = o.kx_new_sa_rate;
  c.kx_new_sa_burst = std::max<uint32_t>(1, o.kx_new_sa_rate / 4);
  c.secy = o.secy;
  return c;
}

std::string sci_hex(uint64_t sci) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(sci));
  return b;
}

// Everything that can be checked before the EAL starts: a bad config exits 2 with one line.
void check_config(const daemon::DaemonOptions& o, config::KeyFile& keys, config::KeyingConfig& ike,
                  std::optional<transport::SocketAddress>& udp_local,
                  std::optional<transport::SocketAddress>& udp_peer, mka::ParticipantConfig& mka_cfg) {
  if (o.mka) {
    if (auto err = mka_keying::build_participant_config(o.mka_opts, mka_cfg); !err.empty()) throw daemon::ConfigError(err);
    // Announced in the Distributed SAK and required of the key server (802.1X-2020 Table 11-6).
    mka_cfg.confidentiality = o.secy.confidentiality;
    mka_cfg.confidentiality_offset = o.secy.confidentiality_offset;
  }
  if (!o.key_file.empty()) {
    const std::string err = config::load_key_file(o.key_file, keys);
    if (!err.empty()) throw daemon::ConfigError(err);
    if (auto e = daemon::check_suite_limits(o, keys.suite); !e.empty()) throw daemon::ConfigError(e);
  }
  if (o.ike && o.process_role.empty()) {  // split: the IKE process builds it
    if (auto err = config::build_keying_config(o.keying, ike); !err.empty()) throw daemon::ConfigError(err);
    if (o.transport == "udp") {
      udp_local = transport::SocketAddress::parse(o.udp_local, o.udp_port);
      udp_peer = transport::SocketAddress::parse(o.udp_peer, o.udp_port);
      if (!udp_local) throw daemon::ConfigError("udp-local '" + o.udp_local + "' is not an IPv4/IPv6 address");
      if (!udp_peer) throw daemon::ConfigError("udp-peer '" + o.udp_peer + "' is not an IPv4/IPv6 address");
      if (udp_local->family() != udp_peer->family()) throw daemon::ConfigError("udp-local and udp-peer must be the same address family");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Before any key is read: no core file, no ptrace by peers, OpenSSL's copies in locked memory.
  const std::string hardening = harden_process_for_secrets();
  std::optional<daemon::DaemonOptions> opts;
  auto keys = std::make_unique<config::KeyFile>();
  config::KeyingConfig ike;
  std::optional<transport::SocketAddress> udp_local, udp_peer;
  UniqueFd supervisor_socket;  // process-model = split, the dataplane child: fd 3
  mka::ParticipantConfig mka_cfg;  // keying = mka: the CAK read at check time, like the other key files
  try {
    opts = daemon::parse_options(argc, argv);
    if (!opts) return 0;
    if (opts->process_model == "split" && opts->process_role.empty() && !opts->check_only) {
      daemon::open_log(daemon::choose_log_target(opts->log), parse_log_level(opts->log_level).value_or(LogLevel::Info));
      return daemon::run_split_supervisor(argc, argv, *opts);  // docs/architecture-daemon.md
    }
    if (opts->process_role == "dataplane") {
      supervisor_socket = daemon::enter_dataplane_role();
      opts->keying.key_holder = "in-process";  // no key holder here: the IKE process has it
    }
    if (opts->ike && opts->process_role.empty()) daemon::install_key_audit(*opts);  // before the keys open: each is wrapped
    daemon::start_key_holder(*opts);  // before the EAL: key-holder = process
    check_config(*opts, *keys, ike, udp_local, udp_peer, mka_cfg);
    if (opts->check_only) {
      std::printf("config OK\n");
      return 0;
    }
  } catch (const std::exception& e) {
    daemon::log_config_error(e.what());
    return 2;
  }
  daemon::open_log(daemon::choose_log_target(opts->log), parse_log_level(opts->log_level).value_or(LogLevel::Info));
  if (!hardening.empty()) daemon::log(LogLevel::Warning, "key hygiene: " + hardening);
  if (!secure_memory_stats().all_locked) {
    daemon::log(LogLevel::Warning, "key hygiene: keys are in memory that could not be locked (mlock: raise RLIMIT_MEMLOCK): they may be swapped out");
  }
  try {
    const sigset_t signals = daemon::block_daemon_signals();
    const auto keylog = daemon::open_keylog(*opts);  // --keylog: warns; a refused file exits 2
    // Manual keys: the transmit key's PN mark is read (or refused) and a block reserved on disk
    // before the EAL starts, so a refusal costs no port set-up and no PN is ever unreserved.
    std::unique_ptr<config::PnReservation> reservation;
    if (!opts->key_file.empty()) reservation = daemon::open_pn_reservation(*opts, *keys);
    dpdk::Eal eal(daemon::with_file_prefix(opts->eal_args, opts->control_socket));
    std::unique_ptr<dpdk::Dataplane> dp_owner;
    try {
      dp_owner = std::make_unique<dpdk::Dataplane>(eal, dataplane_config(*opts));
    } catch (const dpdk::PortConfigError& e) {
      // A port the operator named wrongly, or one whose MTU cannot carry the SecTAG and ICV
      // (dpdk::PortMtuError): the operator's to fix (exit 2).
      throw daemon::ConfigError(e.what());
    }
    dpdk::Dataplane& dp = *dp_owner;
    daemon::log(LogLevel::Info, "plain port " + dp.plain_port().name() + " (MTU " + std::to_string(dp.plain_port().mtu()) +
                "), wire port " + dp.wire_port().name() + " (MTU " + std::to_string(dp.wire_port().mtu()) + "), " +
                std::to_string(dp.worker_count()) + " worker lcore(s), engine " + std::string(dp.engine_description()));
    if (dp.plain_port().mtu() > opts->plain_mtu) {
      daemon::log(LogLevel::Warning, "the plain port's MTU " + std::to_string(dp.plain_port().mtu()) + " exceeds --plain-mtu " +
                  std::to_string(opts->plain_mtu) + ": larger frames will be dropped as OutPktsTooLong");
    }
    daemon::report_startup_mtus(dp, *opts);
    if (dp.worker_count() > 1 && opts->secy.replay_protect && opts->secy.replay_window < 64 * dp.worker_count()) {
      // Each worker reserves PN blocks per burst and the peer validates on several queues: frames
      // of one SA arrive out of PN order, which a zero window (10.7.8) would drop as late.
      daemon::log(LogLevel::Warning, std::to_string(dp.worker_count()) + " workers reorder frames within an SA; set "
                  "--replay-window to at least " + std::to_string(64 * dp.worker_count()) +
                  " or frames will be dropped as InPktsLate (XPN: InPktsNotValid)");
    }

    std::unique_ptr<daemon::DataplaneKxPort> kx_port;
    std::unique_ptr<transport::Transport> transport;
    std::unique_ptr<daemon::DataplaneKeySink> sink;
    std::unique_ptr<keying::KeyingController> controller;
    std::unique_ptr<daemon::PnKeeper> pn_keeper;
    std::unique_ptr<daemon::KeyingChannel> channel;  // process-model = split: the IKE process's SA operations
    std::unique_ptr<daemon::DataplaneEapolPort> eapol_port;
    std::unique_ptr<mka_keying::MkaController> mka_ctl;
    if (!opts->key_file.empty()) {
      daemon::install_manual_keys(dp.sa(), *keys, reservation->start_pn(), reservation->reserved_through());
      pn_keeper = std::make_unique<daemon::PnKeeper>(dp.sa(), std::move(reservation), keys->tx.an);
      if (keylog) daemon::keylog_manual_keys(*keylog, *keys);
    } else if (opts->ike && supervisor_socket.valid()) {
      sink = std::make_unique<daemon::DataplaneKeySink>(dp, opts->rekey_pn_threshold);
      sink->set_keylog(keylog.get());
      channel = std::make_unique<daemon::KeyingChannel>(dp, *sink, std::move(supervisor_socket),
                                                        std::chrono::milliseconds(opts->retire_grace_ms));
      daemon::log(LogLevel::Info, "dataplane process: keys come from the IKE process (process-model split)");
    } else if (opts->ike) {
      kx_port = std::make_unique<daemon::DataplaneKxPort>(dp);
      // 802.1AE 7.1.2: SCI = the wire port's MAC address ‖ port identifier 1.
      uint64_t mac = 0;
      for (uint8_t b : kx_port->mac()) mac = mac << 8 | b;
      ike.ike->child.macsec.local_sci = mac << 16 | 1;
      if (opts->transport == "udp") {
        std::string err;
        auto udp = transport::UdpTransport::open(*udp_local, *udp_peer, opts->udp_port, opts->udp_nat_port, err);
        if (!udp) throw std::runtime_error("UDP transport: " + err);
        ike.ike->local = udp->local_endpoint();
        ike.ike->remote = udp->peer_endpoint();
        transport = std::move(udp);
      } else {
        transport = std::make_unique<transport::InbandTransport>(*kx_port, opts->kx_ethertype);
      }
      sink = std::make_unique<daemon::DataplaneKeySink>(dp, opts->rekey_pn_threshold);
      sink->set_keylog(keylog.get());
      keying::KeyingSetup setup;
      setup.ike = ike.ike;
      setup.initiator = ike.initiator;
      setup.policy = daemon::keying_policy(*opts);
      setup.responder_limits.half_open_limit = opts->ike_half_open_limit;
      setup.responder_limits.cookie_threshold = opts->ike_cookie_threshold;
      setup.log = [](const LogEvent& e) { daemon::log(e); };
      controller = std::make_unique<keying::KeyingController>(std::move(setup), *transport, *sink);
      daemon::log(LogLevel::Info, std::string("IKE keying: ") + (ike.initiator ? "initiator" : "responder") +
                       ", transport " + std::string(transport->name()) + ", suite " + opts->keying.suite +
                       ", local SCI " + sci_hex(ike.ike->child.macsec.local_sci));
    } else if (opts->mka) {
      eapol_port = std::make_unique<daemon::DataplaneEapolPort>(dp);
      // 802.1AE 7.1.2 / 802.1X-2020 9.4: SCI = the wire port's MAC address ‖ port identifier 1.
      const auto mac = eapol_port->mac();
      std::copy(mac.begin(), mac.end(), mka_cfg.own_mac.begin());
      std::copy(mac.begin(), mac.end(), mka_cfg.sci.begin());
      mka_cfg.sci[6] = 0;
      mka_cfg.sci[7] = 1;
      sink = std::make_unique<daemon::DataplaneKeySink>(dp, opts->rekey_pn_threshold);
      sink->set_keylog(keylog.get());
      mka_keying::MkaSetup setup;
      setup.participant = std::move(mka_cfg);
      setup.log = [](const LogEvent& e) { daemon::log(e); };
      std::string err;
      if (!opts->mka_opts.keychain_file.empty()) {
        err = mka_keying::load_mka_keychain(opts->mka_opts, setup.participant, setup.keys);
        if (!err.empty()) throw daemon::ConfigError(err);
      }
      mka_ctl = mka_keying::MkaController::create(std::move(setup), *eapol_port, *sink, err);
      if (!mka_ctl) throw daemon::ConfigError(err);
      daemon::log(LogLevel::Info, "MKA keying: " + (opts->mka_opts.keychain_file.empty() ? "CKN " + opts->mka_opts.ckn : "keychain " + opts->mka_opts.keychain_file) + ", suite " + opts->mka_opts.cipher_suite +
                       ", EAPOL to " + opts->mka_opts.eapol_address + ", local SCI " + sci_hex(mka_ctl->own_sci()));
    } else {
      daemon::log(LogLevel::Warning, "no key file: no transmit SA, so every plain frame is dropped "
                  "(must-secure) until keys are installed");
    }
    keys.reset();  // SAKs and salts wiped: the SA objects hold their own copies

    daemon::ControlHandlers handlers(dp, controller.get(), *opts);
    handlers.set_mka(mka_ctl.get());
    std::unique_ptr<control::ControlServer> server;
    if (opts->control_socket_enabled) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(opts->control_socket).parent_path(), ec);
      std::string err;
      server = control::ControlServer::open(
          opts->control_socket,
          [&handlers, &channel](const control::Request& r) { return channel ? channel->handle(r, handlers) : handlers.handle(r); },
          err);
      if (!server) throw std::runtime_error("control socket " + opts->control_socket + ": " + err);
      handlers.set_server(server.get());
      server->set_state_changing(api::state_changing_commands());  // rekey: root or control-admin-group
      server->set_admin_gid(opts->control_admin_gid);
    }

    std::unique_ptr<metrics::MetricsServer> metrics;
    if (opts->metrics_listen) {
      metrics = std::make_unique<metrics::MetricsServer>(*opts->metrics_listen, dp, controller.get());
      daemon::log(opts->metrics_listen->is_loopback() ? LogLevel::Info : LogLevel::Warning,
                  "metrics on http://" + opts->metrics_listen->bind_text() + "/metrics" +
                      (opts->metrics_listen->is_loopback() ? "" : " (not loopback: anyone who reaches it can read them)"));
    }

    daemon::DpdkTools dpdk_tools(dp, handlers, *opts);  // dpdk-dumpcap, dpdk-telemetry.py
    dp.start();
    if (channel) {
      if (auto e = daemon::dataplane_give_up_privileges(); !e.empty()) daemon::log(LogLevel::Warning, "dataplane process: " + e);
    }
    daemon::systemd_notify::ready();  // must-secure from the first frame: nothing leaves in the clear
    if (mka_ctl) mka_ctl->start(std::chrono::steady_clock::now());
    daemon::log(LogLevel::Info, "running (SIGUSR1: print counters; SIGHUP: reload; SIGINT/SIGTERM: stop)");
    const daemon::ReloadContext reload{argc, argv, &*opts, controller.get(), sink.get()};
    daemon::run_event_loop(dp, signals, *opts, controller.get(), server.get(), handlers,
                           [&reload] { daemon::reload_config(reload); }, metrics.get(),
                           [&dpdk_tools, &pn_keeper, &mka_ctl] {
                             dpdk_tools.on_tick();
                             if (pn_keeper) pn_keeper->on_tick();
                             if (mka_ctl) mka_ctl->tick(std::chrono::steady_clock::now());  // MKPDUs, MKA timers
                           },
                           channel ? std::function<void()>([&channel] { channel->tick(); }) : std::function<void()>());
    dp.stop();
    daemon::print_counters(stdout, dp.counters());
    return 0;
  } catch (const daemon::ConfigError& e) {
    daemon::log_config_error(e.what());
    return 2;
  } catch (const std::exception& e) {
    daemon::log(LogLevel::Error, e.what());
    return 1;
  }
}
