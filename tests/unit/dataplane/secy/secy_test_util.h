// Test helpers: build matching transmit/receive SAs and protect one frame into a byte vector.
#pragma once

#include <cstring>
#include <memory>
#include <vector>

#include "secy.h"

namespace linkcrypt::secy::testutil {

inline std::vector<uint8_t> test_sak(CipherSuite s) {
  std::vector<uint8_t> k(sak_len(s));
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(0x11 * (i + 1));
  return k;
}

inline XpnParams test_xpn() {
  XpnParams x;
  x.ssci = 0x7A30C118;
  for (size_t i = 0; i < x.salt.size(); ++i) x.salt[i] = static_cast<uint8_t>(0xE0 + i);
  return x;
}

inline constexpr Sci kTestSci = 0x1215'3524'C089'5E81ull;
inline constexpr uint8_t kTestAn = 1;

// A plain frame DA‖SA‖EtherType‖payload of `len` octets; SA bytes are 12:15:35:24:C0:89.
inline std::vector<uint8_t> plain_frame(uint32_t len, uint8_t seed = 0) {
  std::vector<uint8_t> f(len);
  for (uint32_t i = 0; i < len; ++i) f[i] = static_cast<uint8_t>(seed + 7 * i);
  const uint8_t mac_sa[6] = {0x12, 0x15, 0x35, 0x24, 0xC0, 0x89};
  if (len >= 14) {
    std::memcpy(f.data() + 6, mac_sa, 6);
    f[12] = 0x08;
    f[13] = 0x00;
  }
  return f;
}

inline std::unique_ptr<TxSa> make_tx(CipherSuite s, uint64_t next_pn, uint64_t threshold = 0,
                                     Sci sci = kTestSci, uint8_t an = kTestAn) {
  TxSaParams p;
  p.suite = s;
  p.an = an;
  p.sci = sci;
  p.next_pn = next_pn;
  p.rekey_threshold = threshold;
  p.xpn = test_xpn();
  return std::make_unique<TxSa>(p, test_sak(s));
}

inline std::unique_ptr<RxTable> make_rx(CipherSuite s, uint64_t lowest_pn, Sci sci = kTestSci,
                                        uint8_t an = kTestAn) {
  auto t = std::make_unique<RxTable>();
  RxSaParams p;
  p.suite = s;
  p.an = an;
  p.lowest_pn = lowest_pn;
  p.xpn = test_xpn();
  t->add_sc(sci).install_sa(std::make_unique<RxSa>(p, test_sak(s)));
  return t;
}

// Protects `plain` with `sa` under `cfg` and returns the protected frame bytes.
inline std::vector<uint8_t> protect_one(CipherEngine& e, TxSa& sa, const SecyConfig& cfg,
                                        const std::vector<uint8_t>& plain,
                                        ProtectVerdict* verdict_out = nullptr) {
  const size_t tag_len = sectag_len(cfg.include_sci);
  std::vector<uint8_t> buf(tag_len + plain.size() + kIcvLen);
  std::memcpy(buf.data() + tag_len, plain.data(), plain.size());
  FrameRef f{buf.data(), static_cast<uint32_t>(plain.size())};
  ProtectVerdict v{};
  SecyCounters c;
  protect_burst(e, sa, cfg, &f, 1, &v, c);
  if (verdict_out) *verdict_out = v;
  if (v != ProtectVerdict::Ok) return {};
  buf.resize(f.len);
  return buf;
}

struct RxOne {
  ValidateResult res;
  std::vector<uint8_t> plain;  // the delivered frame, empty when discarded
};

inline RxOne validate_one(CipherEngine& e, const RxTable& t, const SecyConfig& cfg,
                          std::vector<uint8_t> frame, SecyCounters* counters = nullptr) {
  SecyCounters local;
  FrameRef f{frame.data(), static_cast<uint32_t>(frame.size())};
  RxOne out{};
  validate_burst(e, t, cfg, &f, 1, &out.res, counters ? *counters : local);
  if (rx_delivers(out.res.verdict)) {
    out.plain.assign(frame.begin() + out.res.plain_offset,
                     frame.begin() + out.res.plain_offset + out.res.plain_len);
  }
  return out;
}

}  // namespace linkcrypt::secy::testutil
