// Fuzz target: arbitrary bytes as a received wire frame into secy::validate_burst (802.1AE 10.6).
//
// Input: a 13-octet header choosing the configuration, then the frame.
//   [0]     bits 0-1 cipher suite (CipherSuite order), bits 2-3 validateFrames (0/3 Strict,
//           1 Check, 2 Disabled), bit 4 replayProtect, bit 5 engine (0 ipsec-mb, 1 OpenSSL),
//           bits 6-7 carrier framing (docs/framing.md): 0 none, 1 one clear tag + offset 30,
//           2 two clear tags, 3 offset 50
//   [1..4]  replay window (big-endian; XPN: masked below 2^30, 10.6.2)
//   [5..12] the SAs' lowest acceptable PN (big-endian; 0 reads as 1)
// Four receive SCs are installed, the SCI/AN/SAK sets of 802.1AE Annex C, so the seed corpus
// (Annex C protected frames) validates and the fuzzer mutates from real, valid frames.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "secy.h"

using namespace linkcrypt::secy;

namespace {

struct KeySet {
  Sci sci;
  uint8_t an;
  uint8_t sak128[16];
  uint8_t sak256[32];
};

// Public test keys from 802.1AE-2018 Annex C (C.1..C.8), not secrets.
constexpr KeySet kKeySets[4] = {
    {0x12153524C0895E81ull, 2,
     {0xAD, 0x7A, 0x2B, 0xD0, 0x3E, 0xAC, 0x83, 0x5A, 0x6F, 0x62, 0x0F, 0xDC, 0xB5, 0x06, 0xB3, 0x45},
     {0xE3, 0xC0, 0x8A, 0x8F, 0x06, 0xC6, 0xE3, 0xAD, 0x95, 0xA7, 0x05, 0x57, 0xB2, 0x3F, 0x75, 0x48,
      0x3C, 0xE3, 0x30, 0x21, 0xA9, 0xC7, 0x2B, 0x70, 0x25, 0x66, 0x62, 0x04, 0xC6, 0x9C, 0x0B, 0x72}},
    {0x7AE8E2CA4EC50001ull, 1,
     {0x88, 0xEE, 0x08, 0x7F, 0xD9, 0x5D, 0xA9, 0xFB, 0xF6, 0x72, 0x5A, 0xA9, 0xD7, 0x57, 0xB0, 0xCD},
     {0x4C, 0x97, 0x3D, 0xBC, 0x73, 0x64, 0x62, 0x16, 0x74, 0xF8, 0xB5, 0xB8, 0x9E, 0x5C, 0x15, 0x51,
      0x1F, 0xCE, 0xD9, 0x21, 0x64, 0x90, 0xFB, 0x1C, 0x1A, 0x2C, 0xAA, 0x0F, 0xFE, 0x04, 0x07, 0xE5}},
    {0x7CFDE9F9E33724C6ull, 3,
     {0x01, 0x3F, 0xE0, 0x0B, 0x5F, 0x11, 0xBE, 0x7F, 0x86, 0x6D, 0x0C, 0xBB, 0xC5, 0x5A, 0x7A, 0x90},
     {0x83, 0xC0, 0x93, 0xB5, 0x8D, 0xE7, 0xFF, 0xE1, 0xC0, 0xDA, 0x92, 0x6A, 0xC4, 0x3F, 0xB3, 0x60,
      0x9A, 0xC1, 0xC8, 0x0F, 0xEE, 0x1B, 0x62, 0x44, 0x97, 0xEF, 0x94, 0x2E, 0x2F, 0x79, 0xA8, 0x23}},
    {0xF0761E8DCD3D0001ull, 0,
     {0x07, 0x1B, 0x11, 0x3B, 0x0C, 0xA7, 0x43, 0xFE, 0xCC, 0xCF, 0x3D, 0x05, 0x1F, 0x73, 0x73, 0x82},
     {0x69, 0x1D, 0x3E, 0xE9, 0x09, 0xD7, 0xF5, 0x41, 0x67, 0xFD, 0x1C, 0xA0, 0xB5, 0xD7, 0x69, 0x08,
      0x1F, 0x2B, 0xDE, 0x1A, 0xEE, 0x65, 0x5F, 0xDB, 0xAB, 0x80, 0xBD, 0x52, 0x95, 0xAE, 0x6B, 0xE7}},
};
constexpr uint32_t kSsci = 0x7A30C118;
constexpr uint8_t kSalt[12] = {0xE6, 0x30, 0xE8, 0x1A, 0x48, 0xDE, 0x86, 0xA2, 0x1C, 0x66, 0xFA, 0x6D};
constexpr size_t kHeaderLen = 13;

uint64_t read_be(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Engines are per lcore and reusable: built once, like a worker does at start-up.
  static std::unique_ptr<CipherEngine> engines[2] = {make_engine(EngineKind::IpsecMb),
                                                     make_engine(EngineKind::OpenSsl)};
  if (size < kHeaderLen) return 0;
  const uint8_t sel = data[0];
  const auto suite = static_cast<CipherSuite>(sel & 3);
  SecyConfig cfg;
  const uint8_t mode = (sel >> 2) & 3;
  cfg.validate_frames = mode == 1 ? ValidateFrames::Check : mode == 2 ? ValidateFrames::Disabled
                                                                      : ValidateFrames::Strict;
  cfg.replay_protect = (sel >> 4) & 1;
  constexpr uint8_t kClearTags[4] = {0, 1, 2, 0};
  constexpr uint8_t kOffsets[4] = {0, 30, 0, 50};
  cfg.clear_tags = kClearTags[sel >> 6];
  cfg.confidentiality_offset = kOffsets[sel >> 6];
  CipherEngine& engine = *engines[(sel >> 5) & 1];
  cfg.replay_window = static_cast<uint32_t>(read_be(data + 1, 4));
  if (is_xpn(suite)) cfg.replay_window &= (1u << 30) - 1;
  uint64_t lowest_pn = read_be(data + 5, 8);
  if (lowest_pn == 0) lowest_pn = 1;
  if (!is_xpn(suite) && lowest_pn > max_pn(suite)) lowest_pn = max_pn(suite);

  RxTable table;
  for (const auto& ks : kKeySets) {
    RxSaParams p;
    p.suite = suite;
    p.an = ks.an;
    p.lowest_pn = lowest_pn;
    p.xpn.ssci = kSsci;
    std::memcpy(p.xpn.salt.data(), kSalt, sizeof kSalt);
    std::span<const uint8_t> sak = sak_len(suite) == 16 ? std::span<const uint8_t>(ks.sak128)
                                                        : std::span<const uint8_t>(ks.sak256);
    table.add_sc(ks.sci).install_sa(std::make_unique<RxSa>(p, sak));
  }

  // The frame in its own exactly-sized heap buffer, so ASan sees any read or write past it.
  const size_t frame_len = size - kHeaderLen;
  std::vector<uint8_t> original(data + kHeaderLen, data + size);
  std::unique_ptr<uint8_t[]> buf(new uint8_t[frame_len ? frame_len : 1]);
  std::copy(original.begin(), original.end(), buf.get());  // memcpy(nullptr, 0) is UB
  FrameRef frame{buf.get(), static_cast<uint32_t>(frame_len)};
  ValidateResult result{};
  SecyCounters counters;
  const uint32_t delivered = validate_burst(engine, table, cfg, &frame, 1, &result, counters);

  // Invariants: the verdict and the count agree; a delivered frame lies inside the buffer; a
  // verified frame lost exactly its SecTAG and ICV.
  if (delivered != (rx_delivers(result.verdict) ? 1u : 0u)) std::abort();
  if (delivered) {
    if (uint64_t{result.plain_offset} + result.plain_len > frame_len) std::abort();
    if (result.verdict == RxVerdict::Ok &&
        result.plain_offset + result.plain_len + kIcvLen != frame_len) {
      std::abort();
    }
  }
  // Replay protection (10.6.5) with no window: the same verified frame a second time is never
  // accepted. (32-bit PN: Late. XPN: 10.6.2 recovers the PN as 2^32 higher, so the ICV fails.)
  if (result.verdict == RxVerdict::Ok && cfg.replay_protect && cfg.replay_window == 0) {
    std::copy(original.begin(), original.end(), buf.get());
    FrameRef again{buf.get(), static_cast<uint32_t>(frame_len)};
    ValidateResult second{};
    (void)validate_burst(engine, table, cfg, &again, 1, &second, counters);
    if (second.verdict == RxVerdict::Ok) std::abort();
    if (!is_xpn(suite) && second.verdict != RxVerdict::Late) std::abort();
  }
  return 0;
}
