// Fuzz target: the dataplane <-> keying process parser refuses any malformed frame, and what it accepts re-encodes to the same bytes.
#include "keying_wire.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

namespace ipc = linkcrypt::ipc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Both processes parse what the other sends: the dataplane a compromised IKE process's
  // install/kx-out/status, the IKE process a compromised dataplane's kx-in/counters.
  if (auto d = ipc::parse({data, size})) {
    if (auto* s = std::get_if<ipc::InstallSa>(&d->msg); s && s->sak.size() != 16 && s->sak.size() != 32) __builtin_trap();
    if (auto* c = std::get_if<ipc::Counters>(&d->msg); c && c->sas.size() > ipc::kMaxSasReported) __builtin_trap();
    const auto again = ipc::encode(d->type, d->seq, d->msg);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) __builtin_trap();
  }
  return 0;
}
