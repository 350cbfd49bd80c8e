// bench_ike's flood section: what one control-plane core absorbs while the IKE SA survives.
#pragma once

namespace linkcrypt::bench {

// Prints the replayed-IKE_SA_INIT and junk rates (issue 15 §2, docs/security.md).
void flood_bench(int scale);

}  // namespace linkcrypt::bench
