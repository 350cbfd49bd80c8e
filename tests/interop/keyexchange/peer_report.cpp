// ike_udp_peer's TEST-ONLY stdout: one line per library event, child SA keys in hex.
#include "peer_report.h"

#include <openssl/crypto.h>

#include <cstdio>
#include <vector>

#include "hex.h"
#include "ike_names.h"

namespace linkcrypt::interop {
namespace {

std::string hex32(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// key||salt of one direction, the layout strongSwan logs for AES-GCM (RFC 4106 8.1).
std::string keymat_hex(const ike::DirectionKeys& d) {
  std::vector<uint8_t> joined(d.key.view().begin(), d.key.view().end());
  joined.insert(joined.end(), d.salt.view().begin(), d.salt.view().end());
  std::string text = to_hex(joined, false);
  OPENSSL_cleanse(joined.data(), joined.size());
  return text;
}

// Offers joined with ',' and spaces made '_', so the line stays "key=value" tokens.
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty()) s += ',';
    for (char c : x) s += (c == ' ' ? '_' : c);
  }
  return s.empty() ? "-" : s;
}

struct Formatter {
  std::string operator()(const ike::IkeUp& e) const {
    return "IKE_UP spi_i=" + hex64(e.spi_i) + " spi_r=" + hex64(e.spi_r) +
           " encr_bits=" + std::to_string(e.encr_key_bits) +
           " prf=" + std::to_string(static_cast<int>(e.prf)) +
           " group=" + std::to_string(static_cast<int>(e.group)) +
           " nat_local=" + std::to_string(e.nat_local) +
           " nat_remote=" + std::to_string(e.nat_remote) +
           " ppk_id=" + (e.ppk_id.empty() ? std::string("-") : e.ppk_id) +
           " ppk_fallback=" + std::to_string(e.ppk_fallback);
  }
  std::string operator()(const ike::FloatToNatPort&) const { return "FLOAT_TO_4500"; }
  std::string operator()(const ike::ChildKeysReady& e) const {
    // The exchange initiator's direction is our outbound one if we initiated (RFC 7296 2.17).
    const ike::DirectionKeys& i2r = e.local_initiated ? e.outbound : e.inbound;
    const ike::DirectionKeys& r2i = e.local_initiated ? e.inbound : e.outbound;
    return std::string("CHILD_KEYS kind=") + (e.kind == ike::ChildKind::Esp ? "esp" : "macsec") +
           " esp_key_bits=" + std::to_string(e.esp_key_bits) +
           " rekey=" + std::to_string(e.is_rekey) +
           " local_initiated=" + std::to_string(e.local_initiated) +
           " pfs_group=" + (e.pfs_group ? std::to_string(static_cast<int>(*e.pfs_group)) : "none") +
           " replaces_spi=" + hex32(e.replaces_spi) +
           " spi_in=" + hex32(e.inbound.spi) + " spi_out=" + hex32(e.outbound.spi) +
           " encr_i=" + keymat_hex(i2r) + " encr_r=" + keymat_hex(r2i);
  }
  std::string operator()(const ike::ChildRekeyed& e) const {
    return "CHILD_REKEYED old_spi_in=" + hex32(e.old_inbound_spi) +
           " new_spi_in=" + hex32(e.new_inbound_spi);
  }
  std::string operator()(const ike::IkeRekeyed& e) const {
    return "IKE_REKEYED old_spi_i=" + hex64(e.old_spi_i) + " old_spi_r=" + hex64(e.old_spi_r) +
           " new_spi_i=" + hex64(e.new_spi_i) + " new_spi_r=" + hex64(e.new_spi_r);
  }
  std::string operator()(const ike::Deleted& e) const {
    return "DELETED ike=" + std::to_string(e.ike) + " spi_in=" + hex32(e.child_inbound_spi) +
           " by_peer=" + std::to_string(e.by_peer);
  }
  std::string operator()(const ike::PeerDead&) const { return "PEER_DEAD"; }
  std::string operator()(const ike::InvalidKeRetry& e) const {
    return "INVALID_KE_RETRY group=" + std::to_string(static_cast<int>(e.requested));
  }
  std::string operator()(const ike::CookieRetry&) const { return "COOKIE_RETRY"; }
  std::string operator()(const ike::UntrustedNotify& e) const {
    return std::string("UNTRUSTED_NOTIFY type=") + std::string(ike::notify_type_name(e.notify_type));
  }
  std::string operator()(const ike::Failed& e) const {
    std::string s = "FAILED reason=" + std::string(ike::fail_reason_name(e.reason)) +
                    " by_peer=" + std::to_string(e.by_peer);
    if (e.proposals) {
      s += " local_offer=" + join(e.proposals->local_offer) +
           " peer_offer=" + join(e.proposals->peer_offer);
    }
    return s + " detail=" + e.detail;
  }
};

}  // namespace

std::string format_event(const ike::Event& event) { return std::visit(Formatter{}, event); }

}  // namespace linkcrypt::interop
