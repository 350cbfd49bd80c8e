// Runs the SecY over a capture: buffers with SecTAG/ICV room, per-frame verdicts, counters at the end.
#include "frame_tool.h"

#include <cinttypes>
#include <cstring>
#include <span>
#include <string_view>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sa_schedule.h"
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

// The SC and AN a frame names, when its SecTAG parses; every other frame goes through the SecY
// as it is and gets its verdict there (NoTag, BadTag).
struct FrameKey {
  bool known = false;
  secy::Sci sci = 0;
  uint8_t an = 0;
};

FrameKey frame_key(std::span<const uint8_t> frame, const secy::RxTable& table) {
  FrameKey k;
  if (frame.size() < secy::kAddrLen + 2 || frame[12] != 0x88 || frame[13] != 0xE5) return k;
  secy::SecTag tag;
  secy::BadTagReason why{};
  if (!secy::parse_sectag(frame, /*xpn=*/true, tag, why)) return k;
  // 9.9, as the SecY resolves it: the SCI field, else MAC SA ‖ 00-01 (ES), else the only SC.
  if (tag.has_sci) {
    k.sci = tag.sci;
  } else if (tag.tci & secy::kTciEs) {
    for (size_t b = 6; b < secy::kAddrLen; ++b) k.sci = (k.sci << 8) | frame[b];
    k.sci = (k.sci << 16) | 0x0001;
  } else if (const secy::RxSc* only = table.only_sc()) {
    k.sci = only->sci();
  } else {
    return k;
  }
  k.known = true;
  k.an = tag.an;
  return k;
}

// The counters one validation of one frame can touch, to undo a failed try.
struct CounterState {
  secy::SecyCounters secy;
  secy::RxScCounters sc;
  secy::RxSaCounters sa;
  static CounterState take(const secy::SecyCounters& c, const secy::RxSc& sc, const secy::RxSa& sa, uint32_t slot) {
    return {c, sc.counters(slot), sa.counters(slot)};
  }
  void restore(secy::SecyCounters& c, const secy::RxSc& rsc, const secy::RxSa& rsa, uint32_t slot) const {
    c = secy;
    rsc.counters(slot) = sc;
    rsa.counters(slot) = sa;
  }
};

// What each keylog SA did over the run: the operator sees rotations and any SA that never matched.
void print_keylog_sas(std::FILE* log, const SaSchedule& schedule, const std::vector<std::shared_ptr<secy::RxSa>>& rx) {
  std::fprintf(log, "keylog SAs (%zu):\n", schedule.sas().size());
  std::fprintf(log, "  %-5s %-3s %-16s %-2s %-16s %-30s %10s %10s %10s\n", "LINE", "DIR", "SCI", "AN", "KEY ID",
               "INSTALLED", "OK", "NOTVALID", "LATE");
  for (size_t k = 0; k < rx.size(); ++k) {
    const auto& sa = schedule.sas()[k];
    const auto c = rx[k]->counters_sum();
    char key_id[17] = "-";
    if (sa.key_id) std::snprintf(key_id, sizeof key_id, "%016" PRIx64, *sa.key_id);
    const std::string when = sa.installed_ns ? format_utc_ns(*sa.installed_ns) : "-";
    std::fprintf(log, "  %-5zu %-3s %016" PRIX64 " %-2u %-16s %-30s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
                 sa.line, sa.direction.empty() ? "-" : sa.direction.c_str(), sa.sci, static_cast<unsigned>(sa.an),
                 key_id, when.c_str(), c.in_pkts_ok, c.in_pkts_not_valid, c.in_pkts_late);
  }
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
  const bool keylog = !opts.keylog.empty();
  // Every SA the run may use: the keylog's, or the one given on the command line.
  std::vector<KeylogSa> sas;
  if (keylog) {
    for (const auto& sa : opts.keylog) sas.push_back(sa.clone());
  } else {
    KeylogSa sa;
    sa.sci = opts.sci;
    sa.an = opts.an;
    sa.suite = opts.suite;
    sa.sak = opts.sak.clone();
    sa.xpn = opts.xpn_params;
    sas.push_back(std::move(sa));
  }
  const SaSchedule schedule(std::move(sas));

  // One receive SC per SCI; each SA is its own RxSa object for the whole run (its replay state
  // and counters), put into its SC's AN slot for the frames it is tried on.
  secy::RxTable table;
  for (secy::Sci sci : schedule.scis()) {
    if (table.size() == secy::RxTable::kMaxSc) {
      throw std::invalid_argument("the keylog names more than " + std::to_string(secy::RxTable::kMaxSc) +
                                  " SCIs; keep the lines of this link only");
    }
    (void)table.add_sc(sci);
  }
  std::vector<std::shared_ptr<secy::RxSa>> rx;
  for (const auto& sa : schedule.sas()) {
    secy::RxSaParams params;
    params.suite = sa.suite;
    params.an = sa.an;
    params.lowest_pn = opts.lowest_pn;
    params.xpn = sa.xpn;
    rx.push_back(std::make_shared<secy::RxSa>(params, sa.sak.view()));
  }

  secy::SecyConfig cfg;  // Strict, as the appliance runs (10.7.8)
  cfg.validate_frames = secy::ValidateFrames::Strict;
  cfg.replay_protect = true;
  cfg.replay_window = opts.replay_window;

  secy::SecyCounters counters;
  const uint32_t slot = engine.lcore_slot();
  ToolReport report;
  out.header = in.header;
  out.records.clear();
  std::vector<uint8_t> buf;

  // One frame at a time: the SA in its AN slot may change from one frame to the next.
  for (const auto& rec : in.records) {
    ++report.frames;
    const FrameKey key = frame_key(rec.frame, table);
    secy::RxSc* sc = key.known ? table.find(key.sci) : nullptr;
    const auto cand = key.known ? schedule.candidates(key.sci, key.an, pcap::record_time_ns(in.header, rec))
                                : SaSchedule::Candidates{};
    secy::ValidateResult res{};
    secy::FrameRef ref{};
    auto attempt = [&](size_t c) {
      if (sc) {
        if (c < cand.count) {
          sc->install_sa(rx[cand.index[c]]);
        } else {
          sc->remove_sa(key.an);  // no SA for this AN: NotUsingSA, as the appliance counts it
        }
      }
      buf.assign(rec.frame.begin(), rec.frame.end());
      ref = {buf.data(), static_cast<uint32_t>(buf.size())};
      (void)secy::validate_burst(engine, table, cfg, &ref, 1, &res, counters);
      return res.verdict;
    };
    auto retry_worth = [](secy::RxVerdict v) {
      // Late: the replay check runs on the tried SA's PNs before any decryption (10.6.2).
      return v == secy::RxVerdict::NotValid || v == secy::RxVerdict::Late;
    };

    size_t used = 0;
    if (cand.count <= 1 || !sc) {
      (void)attempt(0);
    } else {
      // Counters must say what happened to the frame once, not once per SA tried: each failed
      // try is undone; if every try fails, the frame counts as the first try's verdict.
      const CounterState before = CounterState::take(counters, *sc, *rx[cand.index[0]], slot);
      (void)attempt(0);
      if (res.verdict != secy::RxVerdict::Ok && retry_worth(res.verdict)) {
        const secy::ValidateResult first = res;
        const CounterState after_first = CounterState::take(counters, *sc, *rx[cand.index[0]], slot);
        before.restore(counters, *sc, *rx[cand.index[0]], slot);
        bool found = false;
        for (size_t c = 1; c < cand.count && !found; ++c) {
          const CounterState mark = CounterState::take(counters, *sc, *rx[cand.index[c]], slot);
          if (attempt(c) == secy::RxVerdict::Ok) {
            found = true;
            used = c;
          } else {
            mark.restore(counters, *sc, *rx[cand.index[c]], slot);
          }
        }
        if (!found) {
          after_first.restore(counters, *sc, *rx[cand.index[0]], slot);
          res = first;
          used = 0;
        }
      }
    }

    if (res.verdict == secy::RxVerdict::Ok) {
      ++report.ok;
      const uint8_t* plain = ref.data + res.plain_offset;
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
    } else if (keylog && used < cand.count) {
      // Which keylog line's SA validated the frame (or was tried first).
      std::snprintf(detail, sizeof detail, " (keylog line %zu)", schedule.sas()[cand.index[used]].line);
    }
    std::fprintf(log, "frame %" PRIu64 ": %s %s%s\n", report.frames, pn, secy::rx_verdict_name(res.verdict), detail);
  }

  // The SCs' own counters, then every SA's: an AN slot held many SAs over the run.
  for (uint32_t i = 0; i < table.size(); ++i) {
    for (uint8_t an = 0; an < 4; ++an) table.at(i).remove_sa(an);
  }
  print_summary(log, "validate", report);
  print_counter_block(log, "SecY counters:", kRxNames, [&](auto&& fn) { secy::visit_counters(counters, fn); });
  for (uint32_t i = 0; i < table.size(); ++i) {
    const secy::RxSc& sc = table.at(i);
    secy::RxScCounters sum = sc.counters_sum();
    for (size_t k = 0; k < rx.size(); ++k) {
      if (schedule.sas()[k].sci == sc.sci()) sum.sa_sum += rx[k]->counters_sum();
    }
    char title[64] = "receive SC counters:";
    if (table.size() > 1) std::snprintf(title, sizeof title, "receive SC %016" PRIX64 " counters:", sc.sci());
    print_counter_block(log, title, kRxNames, [&](auto&& fn) { secy::visit_counters(sum, fn); });
  }
  if (keylog) print_keylog_sas(log, schedule, rx);
  return report;
}

}  // namespace linkcrypt::pcaptool
