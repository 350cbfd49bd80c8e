// Runs the SecY over a capture: buffers with SecTAG/ICV room, per-frame verdicts, counters at the end.
#include "frame_tool.h"

#include <cinttypes>
#include <cstring>
#include <span>
#include <string_view>
#include <memory>
#include <vector>

#include "secy.h"

namespace linkcrypt::pcaptool {
namespace {

// Prints the counters whose standard name starts with one of `prefixes` (the SecY block holds
// both directions; each command shows its own).
void print_counter_block(std::FILE* log, const char* title, std::span<const std::string_view> prefixes,
                         auto&& visit) {
  std::fprintf(log, "%s\n", title);
  visit([&](std::string_view name, uint64_t value) {
    for (auto p : prefixes) {
      if (name.starts_with(p)) {
        std::fprintf(log, "  %-20.*s %" PRIu64 "\n", static_cast<int>(name.size()), name.data(), value);
        return;
      }
    }
  });
}

constexpr std::string_view kTxNames[] = {"Out", "Tx"};
constexpr std::string_view kRxNames[] = {"In"};

void print_summary(std::FILE* log, const char* what, const ToolReport& r) {
  std::fprintf(log, "%s: %" PRIu64 " frames, %" PRIu64 " OK, %" PRIu64 " dropped\n", what, r.frames,
               r.ok, r.dropped);
}

}  // namespace

ToolReport run_protect(const ToolOptions& opts, secy::CipherEngine& engine,
                       const pcap::PcapFile& in, pcap::PcapFile& out, std::FILE* log) {
  secy::TxSaParams params;
  params.suite = opts.suite;
  params.an = opts.an;
  params.sci = opts.sci;
  params.next_pn = opts.first_pn;
  params.xpn = opts.xpn_params;
  secy::TxSa sa(params, opts.sak.view());

  secy::SecyConfig cfg;
  cfg.confidentiality = !opts.integrity_only;
  cfg.include_sci = !opts.no_sci;
  const uint32_t tag_len = static_cast<uint32_t>(secy::sectag_len(cfg.include_sci));

  secy::SecyCounters counters;
  ToolReport report;
  out.header = in.header;
  out.records.clear();
  std::vector<uint8_t> buf;
  for (const auto& rec : in.records) {
    ++report.frames;
    // The in-place contract: SecTAG room in front of the plain frame, ICV room behind it.
    buf.assign(tag_len + rec.frame.size() + secy::kIcvLen, 0);
    std::memcpy(buf.data() + tag_len, rec.frame.data(), rec.frame.size());
    secy::FrameRef ref{buf.data(), static_cast<uint32_t>(rec.frame.size())};
    // One frame per call so the PN printed is exactly the one this frame carries.
    const uint64_t pn = sa.next_pn();
    secy::ProtectVerdict verdict = secy::ProtectVerdict::Ok;
    (void)secy::protect_burst(engine, sa, cfg, &ref, 1, &verdict, counters);
    if (verdict == secy::ProtectVerdict::Ok) {
      ++report.ok;
      out.records.push_back({rec.ts_sec, rec.ts_frac, std::vector<uint8_t>(buf.data(), buf.data() + ref.len)});
      if (!opts.quiet) std::fprintf(log, "frame %" PRIu64 ": pn %" PRIu64 " OK\n", report.frames, pn);
    } else {
      ++report.dropped;
      if (!opts.quiet) {
        std::fprintf(log, "frame %" PRIu64 ": - %s\n", report.frames, secy::protect_verdict_name(verdict));
      }
    }
  }
  print_summary(log, "protect", report);
  print_counter_block(log, "SecY counters:", kTxNames, [&](auto&& fn) { secy::visit_counters(counters, fn); });
  print_counter_block(log, "transmit SA counters:", kTxNames,
                      [&](auto&& fn) { secy::visit_counters(sa.counters_sum(), fn); });
  std::fprintf(log, "next PN %" PRIu64 "%s\n", sa.next_pn(),
               sa.threshold_reached() ? " (rekey threshold reached)" : "");
  return report;
}

ToolReport run_validate(const ToolOptions& opts, secy::CipherEngine& engine,
                        const pcap::PcapFile& in, pcap::PcapFile& out, std::FILE* log) {
  secy::RxTable table;
  secy::RxSc& sc = table.add_sc(opts.sci);
  secy::RxSaParams params;
  params.suite = opts.suite;
  params.an = opts.an;
  params.lowest_pn = opts.lowest_pn;
  params.xpn = opts.xpn_params;
  sc.install_sa(std::make_unique<secy::RxSa>(params, opts.sak.view()));

  secy::SecyConfig cfg;  // Strict, as the appliance runs (10.7.8)
  cfg.validate_frames = secy::ValidateFrames::Strict;
  cfg.replay_protect = true;
  cfg.replay_window = opts.replay_window;

  secy::SecyCounters counters;
  ToolReport report;
  out.header = in.header;
  out.records.clear();

  // Bursts of kBurst, as the worker sees them; each frame in its own buffer.
  std::vector<std::vector<uint8_t>> bufs(secy::kBurst);
  secy::FrameRef refs[secy::kBurst];
  secy::ValidateResult results[secy::kBurst];
  for (size_t base = 0; base < in.records.size(); base += secy::kBurst) {
    const uint32_t n = static_cast<uint32_t>(std::min<size_t>(secy::kBurst, in.records.size() - base));
    for (uint32_t i = 0; i < n; ++i) {
      const auto& frame = in.records[base + i].frame;
      bufs[i].assign(frame.begin(), frame.end());
      refs[i] = {bufs[i].data(), static_cast<uint32_t>(bufs[i].size())};
    }
    (void)secy::validate_burst(engine, table, cfg, refs, n, results, counters);
    for (uint32_t i = 0; i < n; ++i) {
      const auto& res = results[i];
      const auto& rec = in.records[base + i];
      ++report.frames;
      if (res.verdict == secy::RxVerdict::Ok) {
        ++report.ok;
        const uint8_t* plain = refs[i].data + res.plain_offset;
        out.records.push_back({rec.ts_sec, rec.ts_frac, std::vector<uint8_t>(plain, plain + res.plain_len)});
      } else {
        ++report.dropped;
      }
      if (opts.quiet) continue;
      char pn[32] = "-";
      char detail[48] = "";
      if (res.pn != 0) {
        std::snprintf(pn, sizeof pn, "pn %" PRIu64, res.pn);
      } else if (res.verdict == secy::RxVerdict::NoSci || res.verdict == secy::RxVerdict::NotUsingSa) {
        // No SA, so no PN recovery (10.6.2): show the 32 PN bits the wire carries instead.
        secy::SecTag tag;
        secy::BadTagReason why{};
        if (secy::parse_sectag(rec.frame, /*xpn=*/true, tag, why)) {
          std::snprintf(pn, sizeof pn, "pn32 %" PRIu32, tag.pn32);
        }
      }
      // Say what did not match, so the operator sees which option is wrong.
      if (res.verdict == secy::RxVerdict::BadTag) {
        std::snprintf(detail, sizeof detail, " (%s)", secy::bad_tag_reason_name(res.bad_tag));
      } else if (res.verdict == secy::RxVerdict::NoSci) {
        std::snprintf(detail, sizeof detail, " (sci %016" PRIX64 ")", res.sci);
      } else if (res.verdict == secy::RxVerdict::NotUsingSa) {
        std::snprintf(detail, sizeof detail, " (an %u)", static_cast<unsigned>(res.an));
      }
      std::fprintf(log, "frame %" PRIu64 ": %s %s%s\n", report.frames, pn, secy::rx_verdict_name(res.verdict),
                   detail);
    }
  }
  print_summary(log, "validate", report);
  print_counter_block(log, "SecY counters:", kRxNames, [&](auto&& fn) { secy::visit_counters(counters, fn); });
  print_counter_block(log, "receive SC counters:", kRxNames,
                      [&](auto&& fn) { secy::visit_counters(sc.counters_sum(), fn); });
  return report;
}

}  // namespace linkcrypt::pcaptool
