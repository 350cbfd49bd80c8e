// The raw ipsec-mb AES-128-GCM call per frame size: the floor our protect/validate cost is compared with.
//
// For a plain frame of L octets, MACsec with SCI encrypts L-12 octets (EtherType + payload) with
// 28 octets of AAD (DA, SA, SecTAG) and a 16-octet ICV (802.1AE 14.5). This measures exactly
// that one direct call (IMB_AES128_GCM_ENC/DEC, key schedule precomputed), in TSC cycles per
// frame, as linkcryptd's per-stage cycle counters are (best 32-call batch, like its best burst).
// Usage: bench_dataplane_gcm_raw SIZE...   Prints "raw-gcm SIZE ENC_CYCLES DEC_CYCLES" per size,
// then "tsc-hz HZ" (so callers can turn cycles into time).
#include <intel-ipsec-mb.h>
#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

namespace {

struct MgrDeleter {
  void operator()(IMB_MGR* m) const { free_mb_mgr(m); }
};

// The cheapest batch of 32 back-to-back calls / 32: measured like linkcryptd's best-burst
// figure, so that preemption on a shared machine inflates neither side.
double cycles_per_call(IMB_MGR* mgr, const gcm_key_data* key, uint32_t len, bool enc) {
  constexpr int kBatch = 32;
  std::vector<uint8_t> buf(len + 64, 0x5A), aad(28, 0x11), tag(16);
  // A constant IV: rewriting it right before each call would add a store-forwarding stall
  // (design.md §6) and flatter our ratio. Timing does not depend on the IV's value.
  const uint8_t iv[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  gcm_context_data ctx;
  uint64_t best = UINT64_MAX;
  for (int batch = 0; batch < 20000; ++batch) {
    const uint64_t t0 = __rdtsc();
    for (int i = 0; i < kBatch; ++i) {
      if (enc) {
        IMB_AES128_GCM_ENC(mgr, key, &ctx, buf.data(), buf.data(), len, iv, aad.data(), 28, tag.data(), 16);
      } else {
        IMB_AES128_GCM_DEC(mgr, key, &ctx, buf.data(), buf.data(), len, iv, aad.data(), 28, tag.data(), 16);
      }
    }
    best = std::min<uint64_t>(best, __rdtsc() - t0);
  }
  return double(best) / kBatch;
}

// TSC ticks per second, over 200 ms of the steady clock.
double tsc_hz() {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const uint64_t c0 = __rdtsc();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const uint64_t c1 = __rdtsc();
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  return double(c1 - c0) / s;
}

}  // namespace

int main(int argc, char** argv) {
  std::unique_ptr<IMB_MGR, MgrDeleter> mgr(alloc_mb_mgr(0));
  if (!mgr) return 1;
  IMB_ARCH arch;
  init_mb_mgr_auto(mgr.get(), &arch);
  alignas(64) gcm_key_data key;
  const uint8_t sak[16] = {0};
  IMB_AES128_GCM_PRE(mgr.get(), sak, &key);
  for (int i = 1; i < argc; ++i) {
    const uint32_t frame_len = static_cast<uint32_t>(std::atoi(argv[i]));
    if (frame_len < 14) continue;
    const uint32_t text_len = frame_len - 12;
    std::printf("raw-gcm %u %.1f %.1f\n", frame_len, cycles_per_call(mgr.get(), &key, text_len, true),
                cycles_per_call(mgr.get(), &key, text_len, false));
  }
  std::printf("tsc-hz %.0f\n", tsc_hz());
  return 0;
}
