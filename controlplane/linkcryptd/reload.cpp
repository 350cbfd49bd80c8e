// reload_config: diff the re-parsed options against the running ones; apply the reloadable, refuse the rest, log each.
#include "reload.h"

#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "daemon_log.h"
#include "key_holder_start.h"
#include "keying_config.h"

namespace linkcrypt::daemon {
namespace {

using Get = std::function<std::string(const DaemonOptions&)>;
struct Field {
  const char* name;
  Get get;
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& w : v) s += (s.empty() ? "" : " ") + w;
  return s;
}

template <typename T>
std::string num(T v) {
  return std::to_string(v);
}

// Bound into the EAL, the ports, the SecY or the control socket at start-up.
const std::vector<Field>& restart_only() {
  static const std::vector<Field> f = {
      {"eal", [](const DaemonOptions& o) { return join(o.eal_args); }},
      {"plain-port", [](const DaemonOptions& o) { return o.plain_port; }},
      {"wire-port", [](const DaemonOptions& o) { return o.wire_port; }},
      {"plain-mtu", [](const DaemonOptions& o) { return num(o.plain_mtu); }},
      {"key-file", [](const DaemonOptions& o) { return o.key_file; }},
      {"state-dir", [](const DaemonOptions& o) { return o.state_dir; }},
      {"pn-reserve-block", [](const DaemonOptions& o) { return num(o.pn_reserve_block); }},
      {"no-keys", [](const DaemonOptions& o) { return num(o.no_keys); }},
      {"validate-frames", [](const DaemonOptions& o) { return num(static_cast<int>(o.secy.validate_frames)); }},
      {"replay-window", [](const DaemonOptions& o) { return num(o.secy.replay_window); }},
      {"no-replay-protect", [](const DaemonOptions& o) { return num(!o.secy.replay_protect); }},
      {"replay-check", [](const DaemonOptions& o) { return num(o.secy.replay_strict); }},
      {"integrity-only", [](const DaemonOptions& o) { return num(!o.secy.confidentiality); }},
      {"clear-tags", [](const DaemonOptions& o) { return num(o.secy.clear_tags); }},
      {"confidentiality-offset", [](const DaemonOptions& o) { return num(o.secy.confidentiality_offset); }},
      {"engine", [](const DaemonOptions& o) { return num(static_cast<int>(o.engine)); }},
      {"kx-ethertype", [](const DaemonOptions& o) { return num(o.kx_ethertype); }},
      {"mbufs", [](const DaemonOptions& o) { return num(o.mbufs); }},
      {"rx-desc", [](const DaemonOptions& o) { return num(o.rx_desc); }},
      {"tx-desc", [](const DaemonOptions& o) { return num(o.tx_desc); }},
      {"idle-sleep-us", [](const DaemonOptions& o) { return num(o.idle_sleep_us); }},
      {"stats-interval-ms", [](const DaemonOptions& o) { return num(o.stats_interval_ms); }},
      {"local-id", [](const DaemonOptions& o) { return o.keying.local_id; }},
      {"peer-id", [](const DaemonOptions& o) { return o.keying.peer_id; }},
      {"role", [](const DaemonOptions& o) { return o.keying.role; }},
      {"suite", [](const DaemonOptions& o) { return o.keying.suite; }},
      {"transport", [](const DaemonOptions& o) { return o.transport; }},
      {"udp-local", [](const DaemonOptions& o) { return o.udp_local; }},
      {"udp-peer", [](const DaemonOptions& o) { return o.udp_peer; }},
      {"udp-port", [](const DaemonOptions& o) { return num(o.udp_port); }},
      {"udp-nat-port", [](const DaemonOptions& o) { return num(o.udp_nat_port); }},
      {"control-socket", [](const DaemonOptions& o) { return o.control_socket; }},
      {"log", [](const DaemonOptions& o) { return o.log; }},
      {"metrics-listen", [](const DaemonOptions& o) { return o.metrics_listen ? o.metrics_listen->bind_text() : ""; }},
      {"keylog", [](const DaemonOptions& o) { return o.keylog; }},
      {"key-holder", [](const DaemonOptions& o) { return o.keying.key_holder; }},
  };
  return f;
}

// The keying controller reads these on every tick: they apply at once.
const std::vector<Field>& policy_fields() {
  static const std::vector<Field> f = {
      {"rekey-interval-s", [](const DaemonOptions& o) { return num(o.rekey_interval_s); }},
      {"rekey-bytes", [](const DaemonOptions& o) { return num(o.rekey_bytes); }},
      {"ike-rekey-interval-s", [](const DaemonOptions& o) { return num(o.ike_rekey_interval_s); }},
      {"switch-timeout-ms", [](const DaemonOptions& o) { return num(o.switch_timeout_ms); }},
      {"retire-grace-ms", [](const DaemonOptions& o) { return num(o.retire_grace_ms); }},
      {"reconnect-min-ms", [](const DaemonOptions& o) { return num(o.reconnect_min_ms); }},
      {"reconnect-max-ms", [](const DaemonOptions& o) { return num(o.reconnect_max_ms); }},
  };
  return f;
}

// Part of the ike::Config a new IKE session copies: the running IKE SA keeps the old ones.
const std::vector<Field>& handshake_fields() {
  static const std::vector<Field> f = {
      {"auth", [](const DaemonOptions& o) { return o.keying.auth; }},
      {"psk-file", [](const DaemonOptions& o) { return o.keying.psk_file; }},
      {"private-key-file", [](const DaemonOptions& o) { return o.keying.private_key_file; }},
      {"psk-uri", [](const DaemonOptions& o) { return o.keying.psk_uri; }},
      {"private-key-uri", [](const DaemonOptions& o) { return o.keying.private_key_uri; }},
      {"pkcs11-module", [](const DaemonOptions& o) { return o.keying.pkcs11_module; }},
      {"pin-file", [](const DaemonOptions& o) { return o.keying.pin_file; }},
      {"peer-public-key-file", [](const DaemonOptions& o) { return o.keying.peer_public_key_file; }},
      {"cert-file", [](const DaemonOptions& o) { return o.keying.cert_file; }},
      {"ca-file", [](const DaemonOptions& o) { return o.keying.ca_file; }},
      {"ppk-id", [](const DaemonOptions& o) { return o.keying.ppk_id; }},
      {"ppk-file", [](const DaemonOptions& o) { return o.keying.ppk_file; }},
      {"ppk-required", [](const DaemonOptions& o) { return num(o.keying.ppk_required); }},
      {"liveness-interval-ms", [](const DaemonOptions& o) { return num(o.keying.liveness_interval_ms); }},
      {"retransmit-base-ms", [](const DaemonOptions& o) { return num(o.keying.retransmit_base_ms); }},
      {"retransmit-limit", [](const DaemonOptions& o) { return num(o.keying.retransmit_limit); }},
  };
  return f;
}

void said(std::string line) { log(LogLevel::Notice, "SIGHUP: " + line, {{"REASON", "reload"}}); }
void refused(std::string line) { log(LogLevel::Warning, "SIGHUP: " + line, {{"REASON", "reload"}}); }

// The credentials the auth method reads, as "psk-file /etc/linkcrypt/a.psk" or "psk-uri pkcs11:...".
std::vector<std::string> credential_files(const config::KeyingOptions& k) {
  const std::string psk = k.psk_uri.empty() ? "psk-file " + k.psk_file : "psk-uri " + k.psk_uri;
  const std::string priv = k.private_key_uri.empty() ? "private-key-file " + k.private_key_file
                                                     : "private-key-uri " + k.private_key_uri;
  if (k.auth == "psk") return {psk};
  if (k.auth == "pubkey") return {priv, "peer-public-key-file " + k.peer_public_key_file};
  return {priv, "cert-file " + k.cert_file, "ca-file " + k.ca_file};
}

// Credentials and IKE timers for the next handshake; the identities and suite stay as started.
// Returns null (old credentials kept, reason logged) when a file does not load.
std::shared_ptr<ike::Config> reload_credentials(const ReloadContext& ctx, const DaemonOptions& fresh, size_t& applied,
                                                size_t& kept) {
  DaemonOptions& run = *ctx.running;
  config::KeyingOptions k = fresh.keying;
  k.local_id = run.keying.local_id;
  k.peer_id = run.keying.peer_id;
  k.role = run.keying.role;
  k.suite = run.keying.suite;
  k.integrity_only = run.keying.integrity_only;
  k.key_holder = run.keying.key_holder;
  if (k.key_holder == "process") {
    // A new key holder loads the new key while the running one keeps answering; the switch is
    // below, once the whole config builds. A key that does not load keeps the old key holder.
    std::string err;
    k.held_key = start_key_holder(k, err);
    if (!k.held_key) {
      refused("keeping the old credentials and IKE timers: " + err + " (the running key holder keeps the old key)");
      ++kept;
      return nullptr;
    }
  }
  config::KeyingConfig built;
  if (auto err = config::build_keying_config(k, built); !err.empty()) {
    // A half-written or mis-permissioned file must not cost the next handshake its credentials.
    refused("keeping the old credentials and IKE timers: " + err);
    ++kept;
    return nullptr;
  }
  for (const auto& f : handshake_fields()) {
    const std::string before = f.get(run), after = f.get(fresh);
    if (before != after) {
      said(std::string(f.name) + " " + before + " -> " + after + " (from the next handshake)");
      ++applied;
    }
  }
  for (const auto& file : credential_files(k)) {
    said("reloaded " + file + " for the next handshake");
    ++applied;
  }
  run.keying = k;
  return built.ike;
}

}  // namespace

void reload_config(const ReloadContext& ctx) {
  std::optional<DaemonOptions> parsed;
  try {
    parsed = parse_options(ctx.argc, ctx.argv);
  } catch (const std::exception& e) {
    refused(std::string("config not reloaded, keeping the running configuration: ") + e.what());
    return;
  }
  if (!parsed) return;
  DaemonOptions& fresh = *parsed;
  DaemonOptions& run = *ctx.running;
  size_t applied = 0, ignored = 0, kept = 0;

  if (fresh.log_level != run.log_level) {
    const auto level = parse_log_level(fresh.log_level);  // parse_options checked it
    if (level) {
      set_log_level(*level);
      said("log-level " + run.log_level + " -> " + fresh.log_level);
      run.log_level = fresh.log_level;
      ++applied;
    }
  }
  for (const auto& f : restart_only()) {
    if (f.get(fresh) != f.get(run)) {
      refused(std::string(f.name) + " change ignored (needs restart)");
      ++ignored;
    }
  }
  if (run.ike != fresh.ike) {
    refused("keying mode change (manual keys <-> IKE) ignored (needs restart)");
    ++ignored;
  } else if (ctx.controller != nullptr) {
    for (const auto& f : policy_fields()) {
      const std::string before = f.get(run), after = f.get(fresh);
      if (before != after) {
        said(std::string(f.name) + " " + before + " -> " + after);
        ++applied;
      }
    }
    run.rekey_interval_s = fresh.rekey_interval_s;
    run.rekey_bytes = fresh.rekey_bytes;
    run.ike_rekey_interval_s = fresh.ike_rekey_interval_s;
    run.switch_timeout_ms = fresh.switch_timeout_ms;
    run.retire_grace_ms = fresh.retire_grace_ms;
    run.reconnect_min_ms = fresh.reconnect_min_ms;
    run.reconnect_max_ms = fresh.reconnect_max_ms;
    if (fresh.rekey_pn_threshold != run.rekey_pn_threshold) {
      said("rekey-pn-threshold " + num(run.rekey_pn_threshold) + " -> " + num(fresh.rekey_pn_threshold) +
           " (from the next transmit SA)");
      run.rekey_pn_threshold = fresh.rekey_pn_threshold;
      if (ctx.sink != nullptr) ctx.sink->set_rekey_pn_threshold(run.rekey_pn_threshold);
      ++applied;
    }
    // A credential file that fails to load keeps the old credentials, not the old triggers.
    const auto creds = reload_credentials(ctx, fresh, applied, kept);
    ctx.controller->reload(keying_policy(run), creds.get());
  } else if (!run.key_file.empty()) {
    said("key-file " + run.key_file + " is not re-read: manual keys change with a restart");
  }
  said("done: " + num(applied) + " applied, " + num(ignored) + " ignored (need restart), " + num(kept) +
       " kept after an error");
}

}  // namespace linkcrypt::daemon
