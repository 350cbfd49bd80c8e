// Differential test: >= 100,000 random frames protected by each engine are byte-identical and
// validate with the other engine back to the original frame.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "secy.h"

namespace linkcrypt::secy {
namespace {

constexpr uint32_t kBursts = 3200;  // x 32 frames = 102,400 frames
constexpr uint64_t kSeed = 0x5EC7'0001'D1FFull;

uint32_t random_len(std::mt19937_64& rng) {
  // Weighted toward the small frames where SL, padding-free short tags and headers matter.
  switch (rng() % 4) {
    case 0: return kMinPlainFrameLen + rng() % (128 - kMinPlainFrameLen);
    case 1: return 128 + rng() % (1519 - 128);
    case 2: return kMinPlainFrameLen + rng() % 64;
    default: return kMinPlainFrameLen + rng() % (kMaxPlainFrameLen - kMinPlainFrameLen + 1);
  }
}

TEST(Differential, EnginesAgreeOnRandomFrames) {
  std::mt19937_64 rng(kSeed);
  auto ipsecmb = make_engine(EngineKind::IpsecMb);
  auto openssl = make_engine(EngineKind::OpenSsl);
  CipherEngine* engines[2] = {ipsecmb.get(), openssl.get()};
  SecyCounters counters[2];
  uint64_t frames_checked = 0;
  uint32_t max_len_seen = 0;

  for (uint32_t b = 0; b < kBursts; ++b) {
    SCOPED_TRACE("burst " + std::to_string(b) + " seed " + std::to_string(kSeed));
    const auto suite = static_cast<CipherSuite>(rng() % 4);
    std::vector<uint8_t> sak(sak_len(suite));
    for (auto& x : sak) x = static_cast<uint8_t>(rng());
    SecyConfig cfg;
    cfg.confidentiality = rng() % 2;
    cfg.include_sci = rng() % 4 != 0;
    TxSaParams tp;
    tp.suite = suite;
    tp.an = static_cast<uint8_t>(rng() % 4);
    tp.xpn.ssci = static_cast<uint32_t>(rng());
    for (auto& x : tp.xpn.salt) x = static_cast<uint8_t>(rng());
    tp.next_pn = 1 + rng() % (max_pn(suite) - kBurst);
    std::vector<uint8_t> mac_sa(6);
    for (auto& x : mac_sa) x = static_cast<uint8_t>(rng());
    // Without an explicit SCI the receiver derives MAC SA ‖ 00-01 (ES=1), so use that SCI.
    if (cfg.include_sci) {
      tp.sci = rng();
    } else {
      tp.sci = 0x0001;
      for (int i = 5; i >= 0; --i) tp.sci |= uint64_t{mac_sa[i]} << (16 + 8 * (5 - i));
    }
    TxSa tx[2] = {TxSa(tp, sak), TxSa(tp, sak)};

    // The receiver's lowest PN sits up to 2^32 below the frame's PN, so XPN recovery (10.6.2)
    // must carry the high bits across 2^32 boundaries.
    RxSaParams rp;
    rp.suite = suite;
    rp.an = tp.an;
    rp.xpn = tp.xpn;
    const uint64_t max_delta = is_xpn(suite) ? 0xFFFFFFFFull - kBurst : 0;
    const uint64_t delta = max_delta ? rng() % max_delta : 0;
    rp.lowest_pn = tp.next_pn > delta ? tp.next_pn - delta : 1;
    RxTable rx[2];
    rx[0].add_sc(tp.sci).install_sa(std::make_unique<RxSa>(rp, sak));
    rx[1].add_sc(tp.sci).install_sa(std::make_unique<RxSa>(rp, sak));

    const uint32_t tag_len = static_cast<uint32_t>(sectag_len(cfg.include_sci));
    std::vector<std::vector<uint8_t>> plain(kBurst), buf[2];
    buf[0].resize(kBurst);
    buf[1].resize(kBurst);
    FrameRef refs[2][kBurst];
    for (uint32_t i = 0; i < kBurst; ++i) {
      const uint32_t len = random_len(rng);
      max_len_seen = std::max(max_len_seen, len);
      plain[i].resize(len);
      for (auto& x : plain[i]) x = static_cast<uint8_t>(rng());
      std::memcpy(plain[i].data() + 6, mac_sa.data(), 6);
      for (int e = 0; e < 2; ++e) {
        buf[e][i].assign(tag_len + len + kIcvLen, 0);
        std::memcpy(buf[e][i].data() + tag_len, plain[i].data(), len);
        refs[e][i] = FrameRef{buf[e][i].data(), len};
      }
    }
    // Protect with each engine: identical bytes.
    ProtectVerdict pv[2][kBurst];
    for (int e = 0; e < 2; ++e) {
      const auto r = protect_burst(*engines[e], tx[e], cfg, refs[e], kBurst, pv[e], counters[e]);
      ASSERT_EQ(r.protected_count, kBurst);
    }
    for (uint32_t i = 0; i < kBurst; ++i) {
      ASSERT_EQ(pv[0][i], ProtectVerdict::Ok);
      ASSERT_EQ(refs[0][i].len, plain[i].size() + tag_len + kIcvLen);
      ASSERT_EQ(buf[0][i], buf[1][i]) << "frame " << i << " len " << plain[i].size();
    }
    // Validate each engine's output with the other engine: the original frame comes back.
    for (int e = 0; e < 2; ++e) {
      ValidateResult res[kBurst];
      const uint32_t ok = validate_burst(*engines[1 - e], rx[1 - e], cfg, refs[e], kBurst, res,
                                         counters[1 - e]);
      ASSERT_EQ(ok, kBurst);
      for (uint32_t i = 0; i < kBurst; ++i) {
        ASSERT_EQ(res[i].verdict, RxVerdict::Ok) << "frame " << i << ": "
                                                 << rx_verdict_name(res[i].verdict);
        ASSERT_EQ(res[i].pn, tp.next_pn + i);
        ASSERT_EQ(res[i].plain_len, plain[i].size());
        ASSERT_EQ(0, std::memcmp(buf[e][i].data() + res[i].plain_offset, plain[i].data(),
                                 plain[i].size()));
        ++frames_checked;
      }
    }
  }
  EXPECT_GE(frames_checked / 2, 100000u);
  EXPECT_EQ(max_len_seen > 9000, true);
}

}  // namespace
}  // namespace linkcrypt::secy
