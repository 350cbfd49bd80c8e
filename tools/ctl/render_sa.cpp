// `sa`: one table per secure channel (transmit SC first), one row per SA, in human units.
#include <algorithm>

#include "human_units.h"
#include "render_commands.h"
#include "table.h"

namespace linkcrypt::ctl {
namespace {

struct ScGroup {
  std::string direction;
  std::string sci;
  std::vector<const api::SaRow*> rows;
};

std::vector<ScGroup> by_sc(const api::SaResult& r) {
  std::vector<ScGroup> groups;
  for (const auto& row : r.sas) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const ScGroup& g) { return g.direction == row.direction && g.sci == row.sci; });
    if (it == groups.end()) it = groups.insert(groups.end(), ScGroup{row.direction, row.sci, {}});
    it->rows.push_back(&row);
  }
  return groups;
}

std::string sc_title(const ScGroup& g) {
  std::vector<std::string> suites;
  for (const auto* row : g.rows) {
    if (std::find(suites.begin(), suites.end(), row->suite) == suites.end()) suites.push_back(row->suite);
  }
  std::string s = (g.direction == "tx" ? "transmit SC " : g.direction == "rx" ? "receive SC " : g.direction + " SC ") + g.sci;
  for (size_t i = 0; i < suites.size(); ++i) s += (i ? ", " : "  ") + suites[i];
  return s;
}

template <class T, class F>
std::string opt(const std::optional<T>& v, F f) {
  return v ? f(*v) : "-";
}

}  // namespace

std::string render_sa(const api::SaResult& r, const RenderOptions& o) {
  if (r.sas.empty()) return "no SAs installed\n";
  Table t({{"AN", true},
           {"STATE"},
           {"KEY ID", false, true},
           {"SUITE", false, true},
           {"NEXT PN", true, true},
           {"LOWEST PN", true, true},
           {"PN HEADROOM", true, true},
           {"PN USED", true},
           {"EXHAUSTS IN", true},
           {"AGE", true},
           {"PACKETS", true},
           {"OCTETS", true},
           {"PKT/S", true},
           {"BIT/S", true},
           {"ERRORS", true},
           {"REKEY DUE", false, true}});
  std::vector<std::string> notes;
  for (const auto& g : by_sc(r)) {
    t.add_section(sc_title(g));
    for (const auto* s : g.rows) {
      auto text = [](auto v) { return std::to_string(v); };
      t.add_row({std::to_string(s->an), s->state, s->key_id.value_or("-"), s->suite, std::to_string(s->next_pn),
                 opt(s->lowest_pn, text), std::to_string(s->pn_headroom), pn_used_percent(s->suite, s->pn_headroom),
                 opt(s->time_to_exhaustion_s, [](double v) { return duration(v); }),
                 opt(s->age_s, [](uint64_t v) { return duration(static_cast<double>(v)); }), si_count(s->packets),
                 iec_bytes(s->octets), opt(s->rate_pps, [](double v) { return si_rate(v, ""); }),
                 opt(s->rate_bps, [](double v) { return si_rate(v, "bit/s"); }), si_count(s->errors),
                 opt(s->threshold_reached, [](bool v) { return std::string(v ? "yes" : "no"); })});
      if (s->threshold_reached.value_or(false)) {
        notes.push_back("transmit AN " + std::to_string(s->an) + " is past its rekey PN threshold: a rotation is due");
      }
    }
  }
  std::string out = t.render("  ", o.wide);
  for (const auto& n : notes) out += wrap(n, "note: ", "      ");
  return out;
}

}  // namespace linkcrypt::ctl
