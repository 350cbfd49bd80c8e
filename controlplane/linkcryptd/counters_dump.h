// Prints the dataplane's summed counters as "<scope> <name> <value>" lines (SIGUSR1 and exit).
#pragma once

#include "dataplane.h"

#include <cstdio>

namespace linkcrypt::daemon {

// One line per counter, grep-friendly: "secy InPktsNoTag 3", "rx-sa sci=... an=0 InPktsOK 12",
// and the per-stage cost "stage protect-cycles-per-frame 410.2". Framed by "=== counters ===" and
// "=== end counters ===" so a reader can find the last complete dump.
void print_counters(std::FILE* out, const dpdk::DataplaneCounters& c);

}  // namespace linkcrypt::daemon
