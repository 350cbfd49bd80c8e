// Annex C known answers: both engines, both directions, byte for byte; every bit flip rejected.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "annex_c_vectors.h"
#include "engine_params.h"
#include "hex.h"
#include "secy.h"

namespace linkcrypt::secy {
namespace {

using test::AnnexCVector;

const std::vector<AnnexCVector>& vectors() {
  static const std::vector<AnnexCVector> v = [] {
    const char* dir = std::getenv("LINKCRYPT_VECTORS_DIR");
    if (!dir) throw std::runtime_error("LINKCRYPT_VECTORS_DIR is not set");
    return test::load_annex_c(dir);
  }();
  return v;
}

XpnParams xpn_of(const AnnexCVector& v) {
  XpnParams x;
  x.ssci = v.ssci;
  if (v.salt.size() == x.salt.size()) std::copy(v.salt.begin(), v.salt.end(), x.salt.begin());
  return x;
}

SecyConfig config_of(const AnnexCVector& v) {
  SecyConfig cfg;
  cfg.confidentiality = v.confidentiality;
  cfg.include_sci = v.sci_on_wire;
  cfg.validate_frames = ValidateFrames::Strict;
  cfg.replay_protect = true;
  cfg.replay_window = 0;
  return cfg;
}

CipherSuite suite_of(const AnnexCVector& v) {
  std::string lower = v.cipher;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  auto s = parse_cipher_suite(lower);
  if (!s) throw std::runtime_error("unknown cipher " + v.cipher);
  return *s;
}

std::unique_ptr<RxTable> rx_table_of(const AnnexCVector& v) {
  auto table = std::make_unique<RxTable>();
  RxSc& sc = table->add_sc(v.sci);
  RxSaParams p;
  p.suite = suite_of(v);
  p.an = v.an;
  p.lowest_pn = v.pn;
  p.xpn = xpn_of(v);
  sc.install_sa(std::make_unique<RxSa>(p, v.sak));
  return table;
}

class AnnexC : public ::testing::TestWithParam<EngineKind> {
 protected:
  std::unique_ptr<CipherEngine> engine_ = make_engine(GetParam());
};

TEST(AnnexCFile, HasAll32Vectors) {
  // Fails loudly (with the path) when the vectors are missing: never skipped.
  ASSERT_NO_THROW(vectors());
  EXPECT_EQ(vectors().size(), 32u);
}

TEST_P(AnnexC, ProtectReproducesEveryVector) {
  ASSERT_EQ(vectors().size(), 32u);
  for (const auto& v : vectors()) {
    SCOPED_TRACE(v.name);
    const SecyConfig cfg = config_of(v);
    TxSaParams p;
    p.suite = suite_of(v);
    p.an = v.an;
    p.sci = v.sci;
    p.next_pn = v.pn;
    p.xpn = xpn_of(v);
    TxSa sa(p, v.sak);
    const size_t tag_len = sectag_len(cfg.include_sci);
    std::vector<uint8_t> buf(tag_len + v.plaintext_frame.size() + kIcvLen, 0xEE);
    std::memcpy(buf.data() + tag_len, v.plaintext_frame.data(), v.plaintext_frame.size());
    FrameRef f{buf.data(), static_cast<uint32_t>(v.plaintext_frame.size())};
    ProtectVerdict verdict{};
    SecyCounters counters;
    const auto r = protect_burst(*engine_, sa, cfg, &f, 1, &verdict, counters);
    ASSERT_EQ(verdict, ProtectVerdict::Ok);
    EXPECT_EQ(r.protected_count, 1u);
    ASSERT_EQ(f.len, v.protected_frame.size());
    EXPECT_EQ(to_hex({buf.data(), f.len}), to_hex(v.protected_frame));
    EXPECT_EQ(sa.next_pn(), v.pn + 1);
  }
}

TEST_P(AnnexC, ValidateRecoversEveryVector) {
  for (const auto& v : vectors()) {
    SCOPED_TRACE(v.name);
    const SecyConfig cfg = config_of(v);
    auto table = rx_table_of(v);
    std::vector<uint8_t> buf = v.protected_frame;
    FrameRef f{buf.data(), static_cast<uint32_t>(buf.size())};
    ValidateResult res{};
    SecyCounters counters;
    EXPECT_EQ(validate_burst(*engine_, *table, cfg, &f, 1, &res, counters), 1u);
    ASSERT_EQ(res.verdict, RxVerdict::Ok) << rx_verdict_name(res.verdict);
    EXPECT_EQ(res.pn, v.pn);
    EXPECT_EQ(res.sci, v.sci);
    ASSERT_EQ(res.plain_len, v.plaintext_frame.size());
    EXPECT_EQ(to_hex({buf.data() + res.plain_offset, res.plain_len}), to_hex(v.plaintext_frame));
    const RxSa& sa = *table->at(0).sa(v.an);
    EXPECT_EQ(sa.counters_sum().in_pkts_ok, 1u);
    EXPECT_EQ(sa.next_pn(), v.pn + 1);
  }
}

TEST_P(AnnexC, EverySingleBitFlipIsRejected) {
  size_t flips = 0;
  for (const auto& v : vectors()) {
    SCOPED_TRACE(v.name);
    const SecyConfig cfg = config_of(v);
    auto table = rx_table_of(v);
    std::vector<uint8_t> buf(v.protected_frame.size());
    for (size_t bit = 0; bit < v.protected_frame.size() * 8; ++bit) {
      std::memcpy(buf.data(), v.protected_frame.data(), buf.size());
      buf[bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
      FrameRef f{buf.data(), static_cast<uint32_t>(buf.size())};
      ValidateResult res{};
      SecyCounters counters;
      EXPECT_EQ(validate_burst(*engine_, *table, cfg, &f, 1, &res, counters), 0u)
          << "bit " << bit << " accepted as " << rx_verdict_name(res.verdict);
      EXPECT_FALSE(rx_delivers(res.verdict));
      ++flips;
    }
    // Nothing moved the replay window: the untouched frame still validates afterwards.
    std::vector<uint8_t> good = v.protected_frame;
    FrameRef f{good.data(), static_cast<uint32_t>(good.size())};
    ValidateResult res{};
    SecyCounters counters;
    EXPECT_EQ(validate_burst(*engine_, *table, cfg, &f, 1, &res, counters), 1u);
    EXPECT_EQ(res.verdict, RxVerdict::Ok);
  }
  EXPECT_GT(flips, 32u * 54 * 8);
}

INSTANTIATE_TEST_SUITE_P(Engines, AnnexC, testutil::kBothEngines, testutil::engine_param_name);

}  // namespace
}  // namespace linkcrypt::secy
