// `stats`: the counters in sections an operator reads top to bottom (frames, 802.1AE transmit
// and receive, drops, ports, key exchange, control socket); developer counters only with --all.
#include <algorithm>
#include <set>

#include "counter_groups.h"
#include "human_units.h"
#include "render_commands.h"
#include "table.h"

namespace linkcrypt::ctl {
namespace {

using Cells = std::vector<std::pair<std::string, std::string>>;

std::string value_text(std::string_view name, uint64_t v) {
  return name.find("Octets") != std::string_view::npos ? iec_bytes(v) : std::to_string(v);
}

// name/value pairs in columns, as many per line as fit the width.
std::string grid(const Cells& cells, std::string_view indent) {
  size_t nw = 0, vw = 0;
  for (const auto& [n, v] : cells) {
    nw = std::max(nw, display_width(n));
    vw = std::max(vw, display_width(v));
  }
  constexpr size_t kGap = 4;
  const size_t cell = nw + 2 + vw;
  const size_t room = kMaxWidth - indent.size();
  const size_t per_line = std::max<size_t>(1, (room + kGap) / (cell + kGap));
  std::string out;
  for (size_t i = 0; i < cells.size(); i += per_line) {
    std::string line(indent);
    for (size_t k = i; k < std::min(cells.size(), i + per_line); ++k) {
      if (k > i) line += std::string(kGap, ' ');
      const auto& [n, v] = cells[k];
      line += n + std::string(nw - display_width(n) + 2 + vw - display_width(v), ' ') + v;
    }
    out += line + "\n";
  }
  return out;
}

const api::CounterMap& map_of(const api::StatsResult& r, CounterSource s) {
  switch (s) {
    case CounterSource::kSecy: return r.secy;
    case CounterSource::kTxSc: return r.tx_sc;
    case CounterSource::kDataplane: break;
  }
  return r.dataplane;
}

// A struct of counters (api field list) as cells, in field order.
template <class T>
Cells struct_cells(const T& v) {
  const api::Json j = api::to_json_value(v);
  Cells cells;
  for (auto name : api::field_names<T>()) {
    const auto it = j.find(name);
    if (it != j.end() && it->is_number_unsigned()) cells.emplace_back(std::string(name), std::to_string(it->template get<uint64_t>()));
  }
  return cells;
}

Cells map_cells(const api::CounterMap& m) {
  Cells cells;
  for (const auto& [n, v] : m) cells.emplace_back(n, value_text(n, v));
  return cells;
}

void section(std::string& out, std::string_view title, const Cells& cells) {
  if (cells.empty()) return;
  out += std::string(title) + ":\n" + grid(cells, "  ");
}

// One row per counter, one column per port: new port counters add rows, never width.
std::string ports_table(const api::PortCounters& p, bool wide) {
  std::vector<std::string> names = {"RxPackets", "TxPackets", "RxMissed", "RxErrors", "RxNoMbuf",
                                    "TxErrors", "KxRxMissed", "KxPriorityRxMissed", "KxNoMbuf"};
  for (const auto* m : {&p.plain, &p.wire}) {
    for (const auto& [n, _] : *m) {
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  Table t({{"COUNTER"}, {"PLAIN", true}, {"WIRE", true}});
  for (const auto& n : names) {
    const auto a = p.plain.find(n), b = p.wire.find(n);
    if (a == p.plain.end() && b == p.wire.end()) continue;
    t.add_row({n, a == p.plain.end() ? "-" : std::to_string(a->second), b == p.wire.end() ? "-" : std::to_string(b->second)});
  }
  return t.render("  ", wide);
}

}  // namespace

std::string render_stats(const api::StatsResult& r, const RenderOptions& o) {
  std::string out;
  // Every listed name, so that what is left over prints under "other".
  std::set<std::pair<CounterSource, std::string>> listed;
  for (const auto& c : developer_counters()) listed.emplace(c.source, std::string(c.name));

  for (const auto& g : operator_counter_groups()) {
    Cells cells;
    for (const auto& c : g.counters) {
      listed.emplace(c.source, std::string(c.name));
      const auto& m = map_of(r, c.source);
      const auto it = m.find(std::string(c.name));
      if (it != m.end()) cells.emplace_back(it->first, value_text(it->first, it->second));
    }
    section(out, g.title, cells);
    if (g.title.starts_with("SecY receive")) {
      // Each receive SC right after the SecY's receive counters.
      for (const auto& sc : r.rx_sc) {
        Cells sc_cells;
        for (auto n : rx_sc_counter_order()) {
          const auto it = sc.counters.find(std::string(n));
          if (it != sc.counters.end()) sc_cells.emplace_back(it->first, value_text(it->first, it->second));
        }
        for (const auto& [n, v] : sc.counters) {
          const auto& order = rx_sc_counter_order();
          if (std::find(order.begin(), order.end(), n) == order.end()) sc_cells.emplace_back(n, value_text(n, v));
        }
        section(out, "receive SC " + sc.sci + " (802.1AE 10.7.9)", sc_cells);
      }
    }
    if (g.title == "dataplane drops") {
      out += "ports (drops before a worker saw the frame, or after it sent it):\n" + ports_table(r.ports, o.wide);
    }
  }
  if (r.ike) {
    section(out, "IKE session", struct_cells(r.ike->session));
    if (r.ike->responder) section(out, "IKE responder", struct_cells(*r.ike->responder));
    section(out, "keying", struct_cells(r.ike->keying));
    section(out, "IKE transport", map_cells(r.ike->transport));
  }
  if (r.control) section(out, "control socket", struct_cells(*r.control));

  Cells other;
  for (auto s : {CounterSource::kSecy, CounterSource::kTxSc, CounterSource::kDataplane}) {
    for (const auto& [n, v] : map_of(r, s)) {
      if (!listed.contains({s, n})) other.emplace_back(n, value_text(n, v));
    }
  }
  section(out, "other", other);

  Cells dev;
  for (const auto& c : developer_counters()) {
    const auto& m = map_of(r, c.source);
    const auto it = m.find(std::string(c.name));
    if (it != m.end()) dev.emplace_back(it->first, std::to_string(it->second));
  }
  if (o.all) {
    section(out, "developer counters (the implementation, not the link)", dev);
  } else if (!dev.empty()) {
    out.append("(").append(std::to_string(dev.size())).append(" developer counters not shown: linkcryptctl stats --all)\n");
  }
  return out;
}

}  // namespace linkcrypt::ctl
