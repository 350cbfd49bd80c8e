// `status`: one line saying whether the link is secured and why, then the details and the ports.
#include "human_units.h"
#include "render_commands.h"
#include "table.h"

namespace linkcrypt::ctl {
namespace {

const api::PortStatus* port(const api::StatusResult& r, std::string_view role) {
  for (const auto& p : r.ports) {
    if (p.role == role) return &p;
  }
  return nullptr;
}

std::string or_dash(const std::optional<std::string>& s) { return s ? *s : "-"; }

std::string speed(const std::optional<uint32_t>& mbps) {
  if (!mbps) return "-";
  if (*mbps >= 1000 && *mbps % 1000 == 0) return std::to_string(*mbps / 1000) + " Gbit/s";
  return std::to_string(*mbps) + " Mbit/s";
}

std::string transport_words(std::string_view t) {
  if (t == "inband") return "in-band Ethernet frames";
  if (t == "udp") return "UDP";
  return std::string(t);
}

std::string port_name(const api::PortStatus& p) {
  return p.interface ? p.device + " (" + *p.interface + ")" : p.device;
}

}  // namespace

std::string status_headline(const api::StatusResult& r, const RenderOptions& o) {
  const bool manual = r.transport == "manual";
  const bool mka = r.transport == "mka";
  const std::string peer = r.peer_id ? *r.peer_id : "the peer";
  const api::PortStatus* wire = port(r, "wire");
  const bool wire_down = wire && wire->link == "down";
  std::string failure_ago;  // appended, not " " + age(): GCC 12 -Wrestrict misfires on that
  if (r.failure_s_ago) failure_ago.append(" ").append(age(o.now_unix - static_cast<int64_t>(*r.failure_s_ago), o.now_unix));
  std::string text;
  if (r.state == "secured") {
    if (wire_down) {
      text = "link secured, but the wire port " + port_name(*wire) +
             " is down: frames are dropped (WireDownDrops) until its link comes back";
    } else {
      text = "link secured: " + or_dash(r.suite) +
             (manual ? " with manual keys" : mka ? " keys from MKA (`linkcryptctl mka`)" : " keys from IKEv2 with " + peer);
      if (r.tx_an) text += ", transmit AN " + std::to_string(*r.tx_an);
    }
  } else {
    std::string why;
    if (wire_down) {
      why = "the wire port " + port_name(*wire) + " is down (operstate " + wire->operstate + ", carrier " +
            (wire->carrier ? "yes" : "no") + "): check the cable, the switch port and the peer host";
      if (r.failure) why += " (last failure: " + *r.failure + failure_ago + ")";
    } else if (r.failure) {
      why = *r.failure + failure_ago + ": " + or_dash(r.failure_hint);
    } else if (manual) {
      why = "no transmit SA is installed: check the key file (manual keys)";
    } else if (mka) {
      why = r.state == "keying" ? "MKA: a live peer, waiting for the SAK to be in use on both sides (`linkcryptctl mka`)"
                                : "MKA: no live peer (no valid MKPDU with our CKN): check the wire link and the peer's MKA";
    } else if (r.state == "keying") {
      why = "keying with " + peer + " is in progress (IKE " + r.ike_state + ")";
    } else if (r.state == "failed") {
      why = "keying with " + peer + " failed (IKE " + r.ike_state + "): `linkcryptctl peer` shows why";
    } else {
      why = "no IKE SA with " + peer + " yet (IKE " + r.ike_state + ")";
    }
    text = "link NOT secured: " + why;
  }
  return text + "\n";  // one line, however long: `linkcryptctl status | head -1` is the whole answer
}

std::string render_status(const api::StatusResult& r, const RenderOptions& o) {
  std::string out = status_headline(r, o);
  const bool manual = r.transport == "manual";
  FieldBlock f;
  f.add("state", r.state);
  if (manual) {
    f.add("keying", "manual keys (key file)");
  } else if (r.transport == "mka") {
    f.add("keying", "MKA (pre-shared CAK), in-band EAPOL on the wire port: `linkcryptctl mka`");
  } else {
    f.add("keying", "IKEv2 " + (r.role ? *r.role : std::string("peer")) + " over " + transport_words(r.transport) +
                        ", IKE SA " + r.ike_state);
    f.add("peer", or_dash(r.peer_id));
    f.add("PPK", r.ppk_protected ? "id " + r.ppk_id.value_or("-") + " (post-quantum preshared key, RFC 8784)"
                                 : std::string("none"));
  }
  f.add("suite", or_dash(r.suite));
  std::string tx = "none";
  if (r.tx_an) tx = "AN " + std::to_string(*r.tx_an) + (r.tx_key_id ? ", key id " + *r.tx_key_id : "");
  f.add("transmit SA", tx);
  f.add("rotations", std::to_string(r.rotations));
  f.add("must secure", r.must_secure ? "yes: without an active transmit SA, plain frames are dropped, never sent in the clear"
                                     : "no");
  f.add("up since", when(o.now_unix - static_cast<int64_t>(r.uptime_s), o.now_unix));
  out += f.render("  ");
  if (!r.ports.empty()) {
    Table t({{"ROLE"},
             {"DEVICE", false, false, true},
             {"INTERFACE", false, false, true},
             {"LINK"},
             {"MTU", true},
             {"OPERSTATE"},
             {"CARRIER"},
             {"ADMIN UP", false, true},
             {"SOURCE", false, true},
             {"IF INDEX", true, true},
             {"SPEED", true}});
    for (const auto& p : r.ports) {
      t.add_row({p.role, p.device, or_dash(p.interface), p.link, std::to_string(p.mtu), p.operstate,
                 p.carrier ? "yes" : "no", p.admin_up ? "yes" : "no", p.source,
                 p.if_index ? std::to_string(*p.if_index) : "-", speed(p.speed_mbps)});
    }
    out += "\nports:\n" + t.render("  ", o.wide);
  }
  // Last, where docs/keylog.md says it is: a link whose keys are being written to a file.
  if (r.keylog) out += "keylog ON: linkcryptd writes every SA's keys to its --keylog file (docs/keylog.md)\n";
  return out;
}

}  // namespace linkcrypt::ctl
