// `sa` rows from the SecY's report: nothing here recomputes what the SecY already knows.
#include "sa_rows.h"

#include "api/hex_id.h"

namespace linkcrypt::daemon {
namespace {

using Clock = std::chrono::steady_clock;

void fill_common(api::SaRow& s, uint8_t an, secy::Sci sci, secy::CipherSuite suite, uint64_t next_pn,
                 const keying::SaEntry* e, const SaRates& rates, Clock::time_point now) {
  s.an = an;
  s.sci = api::hex_id(sci);
  s.suite = std::string(secy::cipher_suite_name(suite));
  if (e) s.key_id = api::hex_id(e->key_id);
  s.next_pn = next_pn;
  s.pn_headroom = secy::pn_headroom(suite, next_pn);
  s.pn_headroom_str = std::to_string(s.pn_headroom);
  const uint64_t space = secy::max_pn(suite);  // PNs 1..max_pn
  s.pn_used_percent = 100.0 * static_cast<double>(space - s.pn_headroom) / static_cast<double>(space);
  if (rates.pn_per_s > 0) s.time_to_exhaustion_s = static_cast<double>(s.pn_headroom) / rates.pn_per_s;
  s.rate_pps = rates.pps;
  s.rate_bps = rates.bps;
  if (e) s.age_s = static_cast<uint64_t>(std::chrono::duration<double>(now - e->installed).count());
}

}  // namespace

uint64_t sa_packets(const dpdk::TxSaReport& t) { return t.counters.out_pkts_protected + t.counters.out_pkts_encrypted; }
uint64_t sa_octets(const dpdk::TxSaReport& t) { return t.counters.out_octets_protected + t.counters.out_octets_encrypted; }
uint64_t sa_packets(const dpdk::RxSaReport& r) {
  return r.counters.in_pkts_ok + r.counters.in_pkts_unchecked + r.counters.in_pkts_delayed + r.counters.in_pkts_invalid;
}
uint64_t sa_octets(const dpdk::RxSaReport& r) { return r.counters.in_octets_validated + r.counters.in_octets_decrypted; }

api::SaRow tx_sa_row(const dpdk::TxSaReport& t, const keying::SaEntry* e, const SaRates& rates, Clock::time_point now) {
  api::SaRow s;
  s.direction = "tx";
  fill_common(s, t.an, t.sci, t.suite, t.next_pn, e, rates, now);
  s.state = t.active ? "active" : "standby";
  s.threshold_reached = t.threshold_reached;
  s.packets = sa_packets(t);
  s.octets = sa_octets(t);
  s.errors = t.counters.tx_pn_exhausted + t.counters.tx_pn_unreserved;
  return s;
}

api::SaRow rx_sa_row(const dpdk::RxSaReport& r, const keying::SaEntry* e, const SaRates& rates, Clock::time_point now) {
  api::SaRow s;
  s.direction = "rx";
  fill_common(s, r.an, r.sci, r.suite, r.next_pn, e, rates, now);
  s.state = e && e->state == keying::SaState::Retiring ? "retiring" : "active";
  s.lowest_pn = r.lowest_pn;  // the SecY's 10.6.2 lowestPN: what frames are checked against
  s.packets = sa_packets(r);
  s.octets = sa_octets(r);
  s.errors = r.counters.in_pkts_not_valid + r.counters.in_pkts_invalid + r.counters.in_pkts_late;
  return s;
}

}  // namespace linkcrypt::daemon
