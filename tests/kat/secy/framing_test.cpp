// Carrier framing known answers (docs/framing.md): clear VLAN tags and confidentiality offsets
// 30/50 for all four suites, against vectors computed independently with python3 cryptography
// (framing_vectors.py over tests/macsec_framing.py). Both engines, protect and validate; a
// changed clear tag or clear offset octet fails the ICV; fewer tags than configured are refused
// and counted on both sides; check_framing() refuses what 802.1AE does not allow.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "engine_params.h"
#include "hex.h"
#include "secy.h"

namespace linkcrypt::secy {
namespace {

struct FramingVector {
  std::string name;
  CipherSuite suite{};
  std::vector<uint8_t> key;
  Sci sci = 0;
  uint8_t an = 0;
  uint64_t pn = 0;
  XpnParams xpn;
  uint8_t clear_tags = 0;
  uint8_t offset = 0;
  std::vector<uint8_t> plain;
  std::vector<uint8_t> wire;
};

std::vector<uint8_t> hex_or_throw(const std::string& s) {
  auto v = parse_hex(s);
  if (!v) throw std::runtime_error("bad hex: " + s);
  return *v;
}

FramingVector make_vector(const std::map<std::string, std::string>& kv) {
  FramingVector v;
  v.name = kv.at("name");
  const auto suite = parse_cipher_suite(kv.at("suite"));
  if (!suite) throw std::runtime_error("unknown suite " + kv.at("suite"));
  v.suite = *suite;
  v.key = hex_or_throw(kv.at("key"));
  v.sci = std::stoull(kv.at("sci"), nullptr, 16);
  v.an = static_cast<uint8_t>(std::stoul(kv.at("an")));
  v.pn = std::stoull(kv.at("pn"));
  v.xpn.ssci = static_cast<uint32_t>(std::stoul(kv.at("ssci"), nullptr, 16));
  if (!kv.at("salt").empty()) {
    const auto salt = hex_or_throw(kv.at("salt"));
    std::copy(salt.begin(), salt.end(), v.xpn.salt.begin());
  }
  v.clear_tags = static_cast<uint8_t>(std::stoul(kv.at("clear_tags")));
  v.offset = static_cast<uint8_t>(std::stoul(kv.at("offset")));
  v.plain = hex_or_throw(kv.at("plain"));
  v.wire = hex_or_throw(kv.at("protected"));
  return v;
}

const std::vector<FramingVector>& vectors() {
  static const std::vector<FramingVector> all = [] {
    const char* path = std::getenv("LINKCRYPT_FRAMING_VECTORS");
    if (!path) throw std::runtime_error("LINKCRYPT_FRAMING_VECTORS is not set");
    std::ifstream in(path);
    if (!in) throw std::runtime_error(std::string("cannot read ") + path);
    std::vector<FramingVector> out;
    std::map<std::string, std::string> kv;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') {
        if (!kv.empty()) out.push_back(make_vector(kv));
        kv.clear();
        continue;
      }
      const auto eq = line.find(" = ");
      kv[line.substr(0, eq)] = eq + 3 <= line.size() ? line.substr(eq + 3) : "";
      if (eq == std::string::npos) throw std::runtime_error("bad line: " + line);
    }
    if (!kv.empty()) out.push_back(make_vector(kv));
    return out;
  }();
  return all;
}

SecyConfig config_of(const FramingVector& v) {
  SecyConfig cfg;
  cfg.clear_tags = v.clear_tags;
  cfg.confidentiality_offset = v.offset;
  return cfg;
}

std::unique_ptr<RxTable> rx_table_of(const FramingVector& v) {
  auto table = std::make_unique<RxTable>();
  RxSc& sc = table->add_sc(v.sci);
  RxSaParams p;
  p.suite = v.suite;
  p.an = v.an;
  p.lowest_pn = v.pn;
  p.xpn = v.xpn;
  sc.install_sa(std::make_unique<RxSa>(p, v.key));
  return table;
}

class Framing : public ::testing::TestWithParam<EngineKind> {
 protected:
  std::unique_ptr<CipherEngine> engine_ = make_engine(GetParam());

  // Validates `frame` once with v's config and a fresh SA; returns the result.
  ValidateResult validate(const FramingVector& v, std::vector<uint8_t>& frame,
                          SecyCounters& counters) {
    auto table = rx_table_of(v);
    FrameRef f{frame.data(), static_cast<uint32_t>(frame.size())};
    ValidateResult res{};
    validate_burst(*engine_, *table, config_of(v), &f, 1, &res, counters);
    return res;
  }
};

TEST(FramingFile, HasEveryCase) {
  // 4 suites x 6 framings x 3 lengths; fails loudly (never skips) without the file.
  ASSERT_NO_THROW(vectors());
  EXPECT_EQ(vectors().size(), 72u);
}

TEST_P(Framing, ProtectReproducesEveryVector) {
  ASSERT_EQ(vectors().size(), 72u);
  for (const auto& v : vectors()) {
    SCOPED_TRACE(v.name);
    TxSaParams p;
    p.suite = v.suite;
    p.an = v.an;
    p.sci = v.sci;
    p.next_pn = v.pn;
    p.xpn = v.xpn;
    TxSa sa(p, v.key);
    std::vector<uint8_t> buf(kSectagLenWithSci + v.plain.size() + kIcvLen, 0xEE);
    std::memcpy(buf.data() + kSectagLenWithSci, v.plain.data(), v.plain.size());
    FrameRef f{buf.data(), static_cast<uint32_t>(v.plain.size())};
    ProtectVerdict verdict{};
    SecyCounters counters;
    protect_burst(*engine_, sa, config_of(v), &f, 1, &verdict, counters);
    ASSERT_EQ(verdict, ProtectVerdict::Ok) << protect_verdict_name(verdict);
    ASSERT_EQ(f.len, v.wire.size());
    EXPECT_EQ(to_hex({buf.data(), f.len}), to_hex(v.wire));
    EXPECT_EQ(counters.out_octets_encrypted, v.plain.size() - 12 - 4 * v.clear_tags);
  }
}

TEST_P(Framing, ValidateRecoversEveryVector) {
  for (const auto& v : vectors()) {
    SCOPED_TRACE(v.name);
    std::vector<uint8_t> buf = v.wire;
    SecyCounters counters;
    const ValidateResult res = validate(v, buf, counters);
    ASSERT_EQ(res.verdict, RxVerdict::Ok) << rx_verdict_name(res.verdict);
    EXPECT_EQ(res.pn, v.pn);
    ASSERT_EQ(res.plain_len, v.plain.size());
    EXPECT_EQ(to_hex({buf.data() + res.plain_offset, res.plain_len}), to_hex(v.plain));
  }
}

// The offset octets are on the wire as they were; the encryption starts right after them.
TEST(FramingFile, OffsetOctetsAreInTheClearAndTheRestIsNot) {
  for (const auto& v : vectors()) {
    SCOPED_TRACE(v.name);
    const size_t prefix = 12 + 4 * v.clear_tags;
    const size_t user = v.plain.size() - prefix;
    const size_t clear = std::min<size_t>(v.offset, user);
    const size_t at = prefix + kSectagLenWithSci;
    EXPECT_EQ(0, std::memcmp(v.wire.data(), v.plain.data(), prefix));  // DA‖SA‖tags
    EXPECT_EQ(0, std::memcmp(v.wire.data() + at, v.plain.data() + prefix, clear));
    if (user > clear) {
      EXPECT_NE(0, std::memcmp(v.wire.data() + at + clear, v.plain.data() + prefix + clear,
                               user - clear));
    }
  }
}

// Every octet of the clear tags and of the clear offset is authenticated: changing one fails
// the ICV (NotValid), never delivers.
TEST_P(Framing, ChangedClearTagOrOffsetOctetFailsTheIcv) {
  size_t tried = 0;
  for (const auto& v : vectors()) {
    SCOPED_TRACE(v.name);
    const size_t prefix = 12 + 4 * v.clear_tags;
    const size_t user = v.plain.size() - prefix;
    std::vector<size_t> octets;
    // The VLAN ID octets (the TPID is checked before the ICV and would be a different verdict).
    for (size_t t = 0; t < v.clear_tags; ++t) octets.push_back(12 + 4 * t + 3);
    if (v.offset != 0) {
      octets.push_back(prefix + kSectagLenWithSci);  // the first clear user octet
      octets.push_back(prefix + kSectagLenWithSci + std::min<size_t>(v.offset, user) - 1);
    }
    for (size_t at : octets) {
      std::vector<uint8_t> buf = v.wire;
      buf[at] ^= 0x01;
      SecyCounters counters;
      const ValidateResult res = validate(v, buf, counters);
      EXPECT_EQ(res.verdict, RxVerdict::NotValid) << "octet " << at << ": " << rx_verdict_name(res.verdict);
      ++tried;
    }
  }
  EXPECT_GT(tried, 100u);
}

// The receiver must use the same framing: a different offset or tag count does not verify.
TEST_P(Framing, AnotherFramingDoesNotVerify) {
  for (const auto& v : vectors()) {
    if (v.offset == 0) continue;
    const size_t user = v.plain.size() - 12 - 4 * v.clear_tags;
    if (user <= 30) continue;  // all of it is in the clear with either offset
    SCOPED_TRACE(v.name);
    FramingVector other = v;
    other.offset = v.offset == 30 ? 50 : 30;
    std::vector<uint8_t> buf = v.wire;
    SecyCounters counters;
    EXPECT_EQ(validate(other, buf, counters).verdict, RxVerdict::NotValid);
  }
}

// Fewer tags than configured: the transmitter refuses the frame (TxClearTagMissing), the
// receiver refuses a SecTAG found before the configured tags (BadTag ClearTagMismatch), and a
// plain frame with fewer tags is an untagged frame (NoTag under Strict).
TEST_P(Framing, FewerTagsThanConfiguredAreRefusedAndCounted) {
  for (const auto& v : vectors()) {
    if (v.clear_tags != 2) continue;
    SCOPED_TRACE(v.name);
    TxSaParams p;
    p.suite = v.suite;
    p.sci = v.sci;
    p.an = v.an;
    p.next_pn = v.pn;
    p.xpn = v.xpn;
    TxSa sa(p, v.key);
    // The plain frame with its inner tag removed: one tag only.
    std::vector<uint8_t> one_tag(v.plain.begin(), v.plain.begin() + 16);
    one_tag.insert(one_tag.end(), v.plain.begin() + 20, v.plain.end());
    std::vector<uint8_t> buf(kSectagLenWithSci + one_tag.size() + kIcvLen, 0);
    std::memcpy(buf.data() + kSectagLenWithSci, one_tag.data(), one_tag.size());
    FrameRef f{buf.data(), static_cast<uint32_t>(one_tag.size())};
    ProtectVerdict verdict{};
    SecyCounters tx;
    const auto r = protect_burst(*engine_, sa, config_of(v), &f, 1, &verdict, tx);
    EXPECT_EQ(r.protected_count, 0u);
    EXPECT_EQ(verdict, ProtectVerdict::ClearTagMissing);
    EXPECT_EQ(tx.tx_clear_tag_missing, 1u);
    EXPECT_EQ(sa.next_pn(), v.pn);  // no PN spent on it

    // The same frame protected with one clear tag, received by a SecY expecting two.
    FramingVector one = v;
    one.clear_tags = 1;
    TxSa sa1(p, v.key);
    std::memcpy(buf.data() + kSectagLenWithSci, one_tag.data(), one_tag.size());
    f = FrameRef{buf.data(), static_cast<uint32_t>(one_tag.size())};
    protect_burst(*engine_, sa1, config_of(one), &f, 1, &verdict, tx);
    ASSERT_EQ(verdict, ProtectVerdict::Ok);
    std::vector<uint8_t> wire(buf.begin(), buf.begin() + f.len);
    SecyCounters rx;
    const ValidateResult res = validate(v, wire, rx);
    EXPECT_EQ(res.verdict, RxVerdict::BadTag);
    EXPECT_EQ(res.bad_tag, BadTagReason::ClearTagMismatch);
    EXPECT_EQ(rx.in_bad_tag_by_reason[static_cast<size_t>(BadTagReason::ClearTagMismatch)], 1u);

    // A plain frame with one tag (no SecTAG) under Strict: NoTag.
    std::vector<uint8_t> plain1 = one_tag;
    SecyCounters rx2;
    EXPECT_EQ(validate(v, plain1, rx2).verdict, RxVerdict::NoTag);
    EXPECT_EQ(rx2.in_pkts_no_tag, 1u);
  }
}

// A burst of mixed lengths with one SA goes through the fast paths (repeated headers) with the
// same result as one at a time.
TEST_P(Framing, BurstOfRepeatedHeadersValidates) {
  for (const auto& v : vectors()) {
    if (v.plain.size() < 100) continue;
    SCOPED_TRACE(v.name);
    TxSaParams p;
    p.suite = v.suite;
    p.sci = v.sci;
    p.an = v.an;
    p.next_pn = v.pn;
    p.xpn = v.xpn;
    TxSa sa(p, v.key);
    constexpr uint32_t kN = 40;  // more than one kBurst
    std::vector<std::vector<uint8_t>> bufs(kN);
    std::vector<FrameRef> frames(kN);
    for (uint32_t i = 0; i < kN; ++i) {
      const size_t len = v.plain.size() - i;  // down to the offsets and SL boundary region
      bufs[i].assign(kSectagLenWithSci + len + kIcvLen, 0);
      std::memcpy(bufs[i].data() + kSectagLenWithSci, v.plain.data(), len);
      frames[i] = FrameRef{bufs[i].data(), static_cast<uint32_t>(len)};
    }
    std::vector<ProtectVerdict> verdicts(kN);
    SecyCounters tx;
    ASSERT_EQ(protect_burst(*engine_, sa, config_of(v), frames.data(), kN, verdicts.data(), tx)
                  .protected_count, kN);
    auto table = rx_table_of(v);
    std::vector<ValidateResult> res(kN);
    SecyCounters rx;
    EXPECT_EQ(validate_burst(*engine_, *table, config_of(v), frames.data(), kN, res.data(), rx), kN);
    for (uint32_t i = 0; i < kN; ++i) {
      ASSERT_EQ(res[i].verdict, RxVerdict::Ok) << i;
      EXPECT_EQ(0, std::memcmp(bufs[i].data() + res[i].plain_offset, v.plain.data(), res[i].plain_len)) << i;
    }
  }
}

TEST(FramingConfig, CheckFramingAllowsWhatTheStandardAllows) {
  SecyConfig c;
  EXPECT_EQ(check_framing(c), nullptr);
  for (uint8_t off : {0, 30, 50}) {
    for (uint8_t tags : {0, 1, 2}) {
      c.confidentiality_offset = off;
      c.clear_tags = tags;
      EXPECT_EQ(check_framing(c), nullptr) << int(off) << " " << int(tags);
    }
  }
  c.clear_tags = 3;
  c.confidentiality_offset = 0;
  EXPECT_STREQ(check_framing(c), "clear-tags must be 0, 1 or 2");
  c.clear_tags = 0;
  for (uint8_t off : {1, 29, 31, 40, 49, 51, 255}) {
    c.confidentiality_offset = off;
    ASSERT_NE(check_framing(c), nullptr) << int(off);
    EXPECT_NE(std::string(check_framing(c)).find("0, 30 or 50"), std::string::npos);
  }
  c.confidentiality_offset = 30;
  c.confidentiality = false;
  ASSERT_NE(check_framing(c), nullptr);
  EXPECT_NE(std::string(check_framing(c)).find("confidentiality"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Engines, Framing, testutil::kBothEngines, testutil::engine_param_name);

}  // namespace
}  // namespace linkcrypt::secy
