// Fuzz target: arbitrary bytes as a keylog; every SA parsed must be usable, and the schedule must hold its promises.
#include <cstdlib>
#include <vector>

#include "keylog_file.h"
#include "sa_schedule.h"

using namespace linkcrypt;
using namespace linkcrypt::pcaptool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<KeylogSa> sas;
  const KeylogResult r = parse_keylog({data, size}, sas);
  if (!r.ok()) {
    if (describe_keylog_error(r).empty()) std::abort();
    return 0;
  }
  for (const auto& sa : sas) {
    if (sa.an > 3 || sa.sak.size() != secy::sak_len(sa.suite) || sa.line == 0) std::abort();
    // A time we parsed prints back as the same instant.
    if (sa.installed_ns && parse_utc_ns(format_utc_ns(*sa.installed_ns)) != sa.installed_ns) std::abort();
  }
  const SaSchedule schedule(std::move(sas));
  for (const auto& sa : schedule.sas()) {
    const auto c = schedule.candidates(sa.sci, sa.an, sa.installed_ns.value_or(0));
    if (c.count == 0 || c.count > SaSchedule::kMaxCandidates) std::abort();
    for (size_t i = 0; i < c.count; ++i) {
      const auto& k = schedule.sas()[c.index[i]];
      if (k.sci != sa.sci || k.an != sa.an) std::abort();
    }
  }
  return 0;
}
