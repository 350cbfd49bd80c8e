// Drives protect_burst/validate_burst over the benchmark pool and checks every frame came out OK.
#include "secy_runner.h"

#include <stdexcept>

namespace linkcrypt::bench {
namespace {

constexpr secy::Sci kSci = 0x0200000000010001ull;  // MAC 02:00:00:00:00:01, port 1

std::vector<uint8_t> bench_sak(secy::CipherSuite suite) {
  std::vector<uint8_t> k(secy::sak_len(suite));
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(0xA0 + i);  // not a secret
  return k;
}

secy::XpnParams bench_xpn() {
  secy::XpnParams x;
  x.ssci = 1;
  for (size_t i = 0; i < x.salt.size(); ++i) x.salt[i] = static_cast<uint8_t>(0x50 + i);
  return x;
}

}  // namespace

SecyRunner::SecyRunner(secy::CipherSuite suite, secy::EngineKind engine)
    : suite_(suite), engine_(secy::make_engine(engine)), producer_engine_(secy::make_engine(secy::EngineKind::IpsecMb)) {
  const auto sak = bench_sak(suite);
  secy::TxSaParams tp;
  tp.suite = suite;
  tp.an = 0;
  tp.sci = kSci;
  tp.next_pn = 1;
  tp.xpn = bench_xpn();
  tx_ = std::make_unique<secy::TxSa>(tp, sak);
  producer_tx_ = std::make_unique<secy::TxSa>(tp, sak);

  secy::RxSaParams rp;
  rp.suite = suite;
  rp.an = 0;
  rp.lowest_pn = 1;
  rp.xpn = bench_xpn();
  rx_.add_sc(kSci).install_sa(std::make_unique<secy::RxSa>(rp, sak));

  cfg_.validate_frames = secy::ValidateFrames::Strict;
  cfg_.replay_protect = true;
  cfg_.replay_window = 0;
  cfg_.confidentiality = true;
  cfg_.include_sci = true;
}

std::string SecyRunner::engine_description() const { return std::string(engine_->description()); }

void SecyRunner::protect_pass(FramePool& pool) {
  last_ok_ = 0;
  for (uint32_t base = 0; base < kPoolFrames; base += kBurst) {
    for (uint32_t i = base; i < base + kBurst; ++i) refs_[i] = {pool.work_slot(i), pool.len(i)};
    last_ok_ += secy::protect_burst(*engine_, *tx_, cfg_, refs_ + base, kBurst, protect_verdicts_ + base,
                                    counters_).protected_count;
  }
}

void SecyRunner::prepare_validate(FramePool& pool) {
  pool.restore_plain();
  for (uint32_t base = 0; base < kPoolFrames; base += kBurst) {
    for (uint32_t i = base; i < base + kBurst; ++i) refs_[i] = {pool.work_slot(i), pool.len(i)};
    const auto r = secy::protect_burst(*producer_engine_, *producer_tx_, cfg_, refs_ + base, kBurst,
                                       protect_verdicts_ + base, counters_);
    if (r.protected_count != kBurst) throw std::runtime_error("bench: could not build validate input");
  }
  // refs_ now hold the protected lengths; the timed pass validates exactly these frames.
}

void SecyRunner::validate_pass(FramePool& /*pool*/) {
  last_ok_ = 0;
  for (uint32_t base = 0; base < kPoolFrames; base += kBurst) {
    last_ok_ += secy::validate_burst(*engine_, rx_, cfg_, refs_ + base, kBurst, results_ + base, counters_);
  }
}

void SecyRunner::check_last_pass(const char* op) const {
  if (last_ok_ != kPoolFrames) {
    throw std::runtime_error(std::string("bench: ") + op + " delivered " + std::to_string(last_ok_) + " of " +
                             std::to_string(kPoolFrames) + " frames: the numbers would be meaningless");
  }
}

}  // namespace linkcrypt::bench
