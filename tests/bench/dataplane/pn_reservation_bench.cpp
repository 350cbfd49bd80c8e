// The cost of one durable PN mark (temporary file, fsync, rename, fsync of the directory) in a
// state directory on the disk under test. Usage: bench_pn_reservation STATE_DIR [WRITES]
#include "pn_reservation.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s STATE_DIR [WRITES]\n", argv[0]);
    return 2;
  }
  const int writes = argc > 2 ? std::atoi(argv[2]) : 200;
  linkcrypt::config::PnReservationRequest r;
  r.state_dir = argv[1];
  r.key_id = linkcrypt::config::pn_key_id(std::vector<uint8_t>(16, static_cast<uint8_t>(std::rand())));
  r.max_pn = UINT64_MAX;
  r.block = 1024;
  std::string err;
  auto res = linkcrypt::config::PnReservation::open(r, err);
  if (!res) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  std::vector<double> us;
  for (int i = 0; i < writes; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    if (res->extend_if_needed(res->reserved_through() + 1, err) != linkcrypt::config::PnReservation::Extend::Extended) {
      std::fprintf(stderr, "%s\n", err.c_str());
      return 1;
    }
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  std::printf("durable-mark-writes %d median-us %.0f p99-us %.0f max-us %.0f\n", writes, us[us.size() / 2],
              us[us.size() * 99 / 100], us.back());
  return 0;
}
