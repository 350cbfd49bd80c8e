// Runs linkcrypt-pcap's protect/validate on frames built here; checks bytes against an independent EVP build.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "frame_tool.h"
#include "openssl_handles.h"
#include "secy.h"

namespace linkcrypt::pcaptool {
namespace {

using secy::CipherSuite;

struct Params {
  CipherSuite suite;
  bool confidentiality;
  bool include_sci;
  secy::EngineKind engine;
};

std::vector<uint8_t> test_frame(size_t len, uint8_t seed) {
  std::vector<uint8_t> f(len);
  const uint8_t header[14] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00};
  for (size_t i = 0; i < len; ++i) f[i] = i < 14 ? header[i] : static_cast<uint8_t>(seed * 31 + i);
  return f;
}

// 802.1AE protection written out from the standard, with OpenSSL EVP directly (no SecY code):
// SecTAG (9.3-9.9), IV (14.5; 14.7 for XPN), AAD and confidentiality per 14.5.
std::vector<uint8_t> reference_protect(const ToolOptions& o, const std::vector<uint8_t>& plain, uint64_t pn) {
  const size_t secure_len = plain.size() - 12;
  const size_t header_len = o.no_sci ? 20 : 28;
  std::vector<uint8_t> out(header_len + secure_len + 16, 0);
  std::copy(plain.begin(), plain.begin() + 12, out.begin());
  uint8_t tci = o.an;
  tci |= o.no_sci ? 0x40 : 0x20;                   // ES=1 without SCI, SC=1 with it
  if (!o.integrity_only) tci |= 0x0C;              // E=C=1
  out[12] = 0x88;
  out[13] = 0xE5;
  out[14] = tci;
  out[15] = static_cast<uint8_t>(secure_len < 48 ? secure_len : 0);  // SL (9.7)
  for (int i = 0; i < 4; ++i) out[16 + i] = static_cast<uint8_t>(pn >> (24 - 8 * i));
  if (!o.no_sci) {
    for (int i = 0; i < 8; ++i) out[20 + i] = static_cast<uint8_t>(o.sci >> (56 - 8 * i));
  }
  uint8_t iv[12];
  if (o.xpn) {
    for (int i = 0; i < 4; ++i) iv[i] = static_cast<uint8_t>(o.xpn_params.ssci >> (24 - 8 * i));
    for (int i = 0; i < 8; ++i) iv[4 + i] = static_cast<uint8_t>(pn >> (56 - 8 * i));
    for (int i = 0; i < 12; ++i) iv[i] ^= o.xpn_params.salt[i];
  } else {
    for (int i = 0; i < 8; ++i) iv[i] = static_cast<uint8_t>(o.sci >> (56 - 8 * i));
    for (int i = 0; i < 4; ++i) iv[8 + i] = static_cast<uint8_t>(pn >> (24 - 8 * i));
  }
  std::copy(plain.begin() + 12, plain.end(), out.begin() + header_len);

  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  const EVP_CIPHER* cipher = o.sak.size() == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
  EXPECT_EQ(EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, o.sak.view().data(), iv), 1);
  int n = 0;
  if (o.integrity_only) {
    EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), nullptr, &n, out.data(), static_cast<int>(header_len + secure_len)), 1);
  } else {
    EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), nullptr, &n, out.data(), static_cast<int>(header_len)), 1);
    EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), out.data() + header_len, &n, out.data() + header_len,
                                static_cast<int>(secure_len)), 1);
  }
  EXPECT_EQ(EVP_EncryptFinal_ex(ctx.get(), nullptr, &n), 1);
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, out.data() + header_len + secure_len), 1);
  return out;
}

ToolOptions make_options(const Params& p, ToolCommand cmd) {
  ToolOptions o;
  o.command = cmd;
  o.suite = p.suite;
  o.xpn = secy::is_xpn(p.suite);
  std::vector<uint8_t> sak(secy::sak_len(p.suite));
  for (size_t i = 0; i < sak.size(); ++i) sak[i] = static_cast<uint8_t>(0x40 + 3 * i);
  o.sak = SecretBytes(sak);
  // Without an SCI on the wire the receiver derives it from the MAC SA (ES=1, 9.5): so must we.
  o.sci = p.include_sci ? 0x0A0B0C0D0E0F0001ull : 0x0211223344550001ull;
  o.an = 1;
  o.xpn_params.ssci = 0x01020304;
  for (size_t i = 0; i < secy::kSaltLen; ++i) o.xpn_params.salt[i] = static_cast<uint8_t>(0xA0 + i);
  o.first_pn = o.xpn ? 0x00000001FFFFFFF0ull : 0xFFFFFF00ull;  // XPN: crosses a 2^32 boundary
  o.integrity_only = !p.confidentiality;
  o.no_sci = !p.include_sci;
  o.engine = p.engine;
  return o;
}

// Captures what the tool prints.
struct Log {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  ~Log() {
    if (f) std::fclose(f);
    std::free(buf);
  }
  std::string text() {
    std::fflush(f);
    return std::string(buf, len);
  }
};

pcap::PcapFile capture_of(const std::vector<size_t>& lens) {
  pcap::PcapFile file;
  uint8_t seed = 0;
  for (size_t len : lens) file.records.push_back({1700000000u + seed, 1000u * seed, test_frame(len, seed)}), ++seed;
  return file;
}

class FrameTool : public ::testing::TestWithParam<Params> {};

TEST_P(FrameTool, ProtectMatchesTheStandardByteForByteAndValidatesBack) {
  const Params p = GetParam();
  const ToolOptions prot = make_options(p, ToolCommand::Protect);
  // Minimum (DA|SA|EtherType), below and at the SL boundary (9.7), classic sizes, a jumbo.
  const std::vector<size_t> lens = {14, 59, 60, 61, 64, 1514, 1518, 9216};
  const auto in = capture_of(lens);

  auto engine = secy::make_engine(p.engine);
  pcap::PcapFile protected_file;
  Log log;
  const auto report = run_protect(prot, *engine, in, protected_file, log.f);
  const std::string text = log.text();
  EXPECT_TRUE(report.all_ok()) << text;
  EXPECT_EQ(report.frames, lens.size());
  ASSERT_EQ(protected_file.records.size(), lens.size()) << text;
  for (size_t i = 0; i < lens.size(); ++i) {
    const uint64_t pn = prot.first_pn + i;
    EXPECT_EQ(protected_file.records[i].frame, reference_protect(prot, in.records[i].frame, pn))
        << "frame " << i + 1 << " of " << lens[i] << " octets";
    EXPECT_EQ(protected_file.records[i].ts_sec, in.records[i].ts_sec);
    EXPECT_EQ(protected_file.records[i].ts_frac, in.records[i].ts_frac);
    const std::string line = "frame " + std::to_string(i + 1) + ": pn " + std::to_string(pn) + " OK\n";
    EXPECT_NE(text.find(line), std::string::npos) << line << " missing in:\n" << text;
  }
  EXPECT_NE(text.find(p.confidentiality ? "OutPktsEncrypted     8" : "OutPktsProtected     8"),
            std::string::npos) << text;

  ToolOptions val = make_options(p, ToolCommand::Validate);
  val.lowest_pn = prot.first_pn;
  pcap::PcapFile plain_file;
  Log vlog;
  const auto vreport = run_validate(val, *engine, protected_file, plain_file, vlog.f);
  const std::string vtext = vlog.text();
  EXPECT_TRUE(vreport.all_ok()) << vtext;
  ASSERT_EQ(plain_file.records.size(), lens.size()) << vtext;
  for (size_t i = 0; i < lens.size(); ++i) {
    EXPECT_EQ(plain_file.records[i].frame, in.records[i].frame) << "frame " << i + 1;
    const std::string line = "frame " + std::to_string(i + 1) + ": pn " +
                             std::to_string(prot.first_pn + i) + " OK\n";
    EXPECT_NE(vtext.find(line), std::string::npos) << line << " missing in:\n" << vtext;
  }
  EXPECT_NE(vtext.find("InPktsOK             8"), std::string::npos) << vtext;
}

INSTANTIATE_TEST_SUITE_P(
    SuitesModesEngines, FrameTool,
    ::testing::Values(Params{CipherSuite::GcmAes128, true, true, secy::EngineKind::IpsecMb},
                      Params{CipherSuite::GcmAes256, true, true, secy::EngineKind::OpenSsl},
                      Params{CipherSuite::GcmAesXpn128, true, true, secy::EngineKind::OpenSsl},
                      Params{CipherSuite::GcmAesXpn256, true, true, secy::EngineKind::IpsecMb},
                      Params{CipherSuite::GcmAes128, false, true, secy::EngineKind::OpenSsl},
                      Params{CipherSuite::GcmAesXpn256, false, true, secy::EngineKind::IpsecMb},
                      Params{CipherSuite::GcmAes256, true, false, secy::EngineKind::IpsecMb},
                      Params{CipherSuite::GcmAesXpn128, false, false, secy::EngineKind::OpenSsl}));

// Every frame of a capture with one of each problem gets its own verdict, and the run fails.
TEST(FrameToolValidate, GivesEachBadFrameItsReason) {
  const Params p{CipherSuite::GcmAes128, true, true, secy::EngineKind::IpsecMb};
  const ToolOptions prot = make_options(p, ToolCommand::Protect);
  auto engine = secy::make_engine(p.engine);
  pcap::PcapFile protected_file;
  Log plog;
  ASSERT_TRUE(run_protect(prot, *engine, capture_of({100, 100, 100, 100, 100, 100}), protected_file, plog.f).all_ok());

  auto& r = protected_file.records;
  pcap::PcapFile wire;
  wire.records.push_back(r[0]);                        // 1: OK
  wire.records.push_back(r[1]);
  wire.records.back().frame[40] ^= 0x01;               // 2: one bit flipped -> NotValid
  wire.records.push_back(r[0]);                        // 3: replay of frame 1 -> Late
  wire.records.push_back(r[2]);
  wire.records.back().frame[14] = (wire.records.back().frame[14] & ~0x03) | 0x02;  // 4: AN 2 -> NotUsingSA
  wire.records.push_back(r[3]);
  wire.records.back().frame[22] ^= 0xFF;               // 5: other SCI -> NoSCI
  wire.records.push_back({0, 0, test_frame(60, 9)});   // 6: not MACsec -> NoTag
  wire.records.push_back(r[4]);
  wire.records.back().frame.resize(30);                // 7: truncated -> BadTag
  wire.records.push_back(r[5]);                        // 8: OK

  ToolOptions val = make_options(p, ToolCommand::Validate);
  val.lowest_pn = prot.first_pn;
  pcap::PcapFile plain;
  Log log;
  const auto report = run_validate(val, *engine, wire, plain, log.f);
  const std::string text = log.text();
  EXPECT_FALSE(report.all_ok());
  EXPECT_EQ(report.frames, 8u);
  EXPECT_EQ(report.ok, 2u);
  EXPECT_EQ(report.dropped, 6u);
  ASSERT_EQ(plain.records.size(), 2u);
  const uint64_t pn0 = prot.first_pn;
  for (const std::string& line : {
           "frame 1: pn " + std::to_string(pn0) + " OK\n",
           "frame 2: pn " + std::to_string(pn0 + 1) + " NotValid\n",
           "frame 3: pn " + std::to_string(pn0) + " Late\n",
           "frame 4: pn32 " + std::to_string(pn0 + 2) + " NotUsingSA (an 2)\n",  // no SA: wire PN bits
           "frame 5: pn32 " + std::to_string(pn0 + 3) + " NoSCI (sci 0A0BF30D0E0F0001)\n",
           std::string("frame 6: - NoTag\n"),
           std::string("frame 7: - BadTag (TooShort)\n"),
           "frame 8: pn " + std::to_string(pn0 + 5) + " OK\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " missing in:\n" << text;
  }
  for (const char* counter : {"InPktsOK             2", "InPktsNotValid       1", "InPktsLate           1",
                              "InPktsNotUsingSA     1", "InPktsNoSCI          1", "InPktsNoTag          1",
                              "InPktsBadTag         1"}) {
    EXPECT_NE(text.find(counter), std::string::npos) << counter << " missing in:\n" << text;
  }
}

TEST(FrameToolProtect, DropsWhatTheSecyRefusesAndSaysWhy) {
  const Params p{CipherSuite::GcmAes256, true, true, secy::EngineKind::OpenSsl};
  ToolOptions prot = make_options(p, ToolCommand::Protect);
  prot.first_pn = 0xFFFFFFFFull;  // the last PN of a 32-bit suite: one frame, then exhausted
  auto engine = secy::make_engine(p.engine);
  pcap::PcapFile out;
  Log log;
  const auto report = run_protect(prot, *engine, capture_of({60, 9217 + 32, 60}), out, log.f);
  const std::string text = log.text();
  EXPECT_FALSE(report.all_ok());
  EXPECT_EQ(report.ok, 1u);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_NE(text.find("frame 1: pn 4294967295 OK\n"), std::string::npos) << text;
  EXPECT_NE(text.find("frame 2: - TooLong\n"), std::string::npos) << text;
  EXPECT_NE(text.find("frame 3: - PnExhausted\n"), std::string::npos) << text;
  EXPECT_NE(text.find("OutPktsTooLong       1"), std::string::npos) << text;
}


// ---- several SAs in one run: --keylog ----

// One SA of a test keylog, and the frames it protected.
struct TestSa {
  secy::Sci sci;
  uint8_t an;
  uint8_t key_byte;
  std::optional<int64_t> installed_s;  // seconds; none: a hand-written manual key
};

KeylogSa keylog_sa(const TestSa& t, size_t line) {
  KeylogSa sa;
  sa.line = line;
  sa.sci = t.sci;
  sa.an = t.an;
  sa.suite = CipherSuite::GcmAesXpn128;
  sa.sak = SecretBytes(std::vector<uint8_t>(16, t.key_byte));
  sa.xpn.ssci = static_cast<uint32_t>(t.sci & 0xFF);
  for (size_t i = 0; i < secy::kSaltLen; ++i) sa.xpn.salt[i] = static_cast<uint8_t>(t.key_byte + i);
  if (t.installed_s) sa.installed_ns = *t.installed_s * 1000000000;
  sa.direction = "tx";
  return sa;
}

// Protects `frames` plain frames with t's SA from PN `pn`, stamped at second `at_s`.
std::vector<pcap::PcapRecord> protect_with(const TestSa& t, uint64_t pn, uint32_t at_s, size_t frames, uint8_t seed) {
  ToolOptions o;
  o.command = ToolCommand::Protect;
  o.suite = CipherSuite::GcmAesXpn128;
  o.xpn = true;
  const KeylogSa sa = keylog_sa(t, 0);
  o.sak = sa.sak.clone();
  o.sci = t.sci;
  o.an = t.an;
  o.xpn_params = sa.xpn;
  o.first_pn = pn;
  o.quiet = true;
  pcap::PcapFile plain;
  for (size_t i = 0; i < frames; ++i) {
    plain.records.push_back({at_s, static_cast<uint32_t>(i), test_frame(80 + i, static_cast<uint8_t>(seed + i))});
  }
  pcap::PcapFile wire;
  auto engine = secy::make_engine(secy::EngineKind::IpsecMb);
  Log log;
  EXPECT_TRUE(run_protect(o, *engine, plain, wire, log.f).all_ok());
  return wire.records;
}

// Four rotations on one SCI (AN 0 comes back with a new key), a second SCI, a frame of the old
// AN 0 key still in flight after the new one was installed, and one frame no key validates.
TEST(FrameToolKeylog, PicksEachFramesSaBySciAnAndTimeAndCountsEveryFrameOnce) {
  const std::vector<TestSa> sas = {
      {0x0200000A00010001, 0, 0xA0, 100}, {0x0200000A00010001, 1, 0xA1, 200}, {0x0200000A00010001, 2, 0xA2, 300},
      {0x0200000A00010001, 3, 0xA3, 400}, {0x0200000A00010001, 0, 0xA4, 500}, {0x0200000A00020002, 0, 0xB0, 100},
  };
  pcap::PcapFile wire;
  auto add = [&](std::vector<pcap::PcapRecord> recs) { for (auto& r : recs) wire.records.push_back(std::move(r)); };
  add(protect_with(sas[0], 1, 150, 3, 10));   // frames 1-3: AN 0, first key
  add(protect_with(sas[5], 1, 160, 2, 20));   // frames 4-5: the other SCI
  add(protect_with(sas[1], 1, 250, 2, 30));   // frames 6-7: AN 1
  add(protect_with(sas[2], 1, 350, 2, 40));   // frames 8-9
  add(protect_with(sas[3], 1, 450, 2, 50));   // frames 10-11
  add(protect_with(sas[4], 1, 550, 3, 60));   // frames 12-14: AN 0 again, new key
  add(protect_with(sas[0], 4, 551, 1, 70));   // frame 15: the old AN 0 key, still in flight
  add(protect_with({0x0200000A00010001, 0, 0xEE, {}}, 9, 552, 1, 80));  // frame 16: no logged key

  ToolOptions o;
  o.command = ToolCommand::Validate;
  for (size_t i = 0; i < sas.size(); ++i) o.keylog.push_back(keylog_sa(sas[i], i + 1));
  auto engine = secy::make_engine(secy::EngineKind::IpsecMb);
  pcap::PcapFile plain;
  Log log;
  const auto report = run_validate(o, *engine, wire, plain, log.f);
  const std::string text = log.text();
  EXPECT_EQ(report.frames, 16u);
  EXPECT_EQ(report.ok, 15u) << text;
  EXPECT_EQ(report.dropped, 1u);
  ASSERT_EQ(plain.records.size(), 15u);
  EXPECT_EQ(plain.records[0].frame, test_frame(80, 10));
  EXPECT_EQ(plain.records[14].frame, test_frame(80, 70));
  for (const std::string line : {"frame 1: pn 1 OK (keylog line 1)\n", "frame 4: pn 1 OK (keylog line 6)\n",
                                 "frame 12: pn 1 OK (keylog line 5)\n", "frame 15: pn 4 OK (keylog line 1)\n",
                                 "frame 16: pn 9 NotValid (keylog line 5)\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " missing in:\n" << text;
  }
  // Frame 16 was tried with two keys (lines 5 and 1) and frame 15 failed first with line 5's:
  // each frame still counts once, under the SA tried first when none validated it.
  for (const char* counter : {"InPktsOK             13", "InPktsNotValid       1", "InPktsLate           0",
                              "InPktsOK             2", "receive SC 0200000A00010001 counters:",
                              "receive SC 0200000A00020002 counters:"}) {
    EXPECT_NE(text.find(counter), std::string::npos) << counter << " missing in:\n" << text;
  }
  EXPECT_NE(text.find("keylog SAs (6):"), std::string::npos) << text;
}

// Manual keys, one per AN, written by hand without install times: every AN in one run.
TEST(FrameToolKeylog, ValidatesEveryAnOfHandWrittenManualKeysInOneRun) {
  std::vector<TestSa> sas;
  pcap::PcapFile wire;
  for (uint8_t an = 0; an < 4; ++an) {
    sas.push_back({0x12153524C0895E81, an, static_cast<uint8_t>(0x50 + an), std::nullopt});
    for (auto& r : protect_with(sas.back(), 100, 10 + an, 2, static_cast<uint8_t>(an * 16))) {
      wire.records.push_back(std::move(r));
    }
  }
  ToolOptions o;
  o.command = ToolCommand::Validate;
  for (size_t i = 0; i < sas.size(); ++i) o.keylog.push_back(keylog_sa(sas[i], i + 1));
  o.lowest_pn = 100;
  auto engine = secy::make_engine(secy::EngineKind::OpenSsl);
  pcap::PcapFile plain;
  Log log;
  const auto report = run_validate(o, *engine, wire, plain, log.f);
  EXPECT_TRUE(report.all_ok()) << log.text();
  ASSERT_EQ(plain.records.size(), 8u);
  for (uint8_t an = 0; an < 4; ++an) {
    EXPECT_EQ(plain.records[2 * an].frame, test_frame(80, static_cast<uint8_t>(an * 16)));
    EXPECT_EQ(plain.records[2 * an + 1].frame, test_frame(81, static_cast<uint8_t>(an * 16 + 1)));
  }
}

}  // namespace
}  // namespace linkcrypt::pcaptool
