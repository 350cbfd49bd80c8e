// Human rendering of control-socket results: aligned "key: value" lines and tables.
#include "render.h"

#include "api/bounded_json.h"

#include <algorithm>
#include <cstdio>

namespace linkcrypt::ctl {

namespace {

bool is_table(const api::Json& v) {
  if (!v.is_array() || v.empty()) return false;
  return std::all_of(v.begin(), v.end(), [](const api::Json& e) { return e.is_object(); });
}

std::string label(std::string_view key) {
  std::string s(key);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::vector<std::string> table_columns(const api::Json& rows, std::string_view key,
                                       const std::vector<ColumnOrder>& orders) {
  std::vector<std::string> seen;
  for (const auto& row : rows) {
    for (const auto& [k, _] : row.items()) {
      if (std::find(seen.begin(), seen.end(), k) == seen.end()) seen.push_back(k);
    }
  }
  std::vector<std::string> cols;
  for (const auto& o : orders) {
    if (o.key != key) continue;
    for (auto c : o.columns) {
      auto it = std::find(seen.begin(), seen.end(), c);
      if (it != seen.end()) {
        cols.emplace_back(c);
        seen.erase(it);
      }
    }
  }
  std::sort(seen.begin(), seen.end());
  cols.insert(cols.end(), seen.begin(), seen.end());
  return cols;
}

void render_table(std::string& out, const api::Json& rows, std::string_view key,
                  const std::vector<ColumnOrder>& orders, const std::string& indent) {
  auto cols = table_columns(rows, key, orders);
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width;
  for (const auto& c : cols) width.push_back(label(c).size());
  for (const auto& row : rows) {
    std::vector<std::string> line;
    for (size_t i = 0; i < cols.size(); ++i) {
      const auto v = row.find(cols[i]);
      std::string text = v != row.end() ? render_scalar(*v) : "-";
      width[i] = std::max(width[i], text.size());
      line.push_back(std::move(text));
    }
    cells.push_back(std::move(line));
  }
  auto emit = [&](const std::vector<std::string>& line) {
    std::string s = indent;
    for (size_t i = 0; i < line.size(); ++i) {
      s += line[i];
      if (i + 1 < line.size()) s += std::string(width[i] - line[i].size() + 2, ' ');
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out += s + "\n";
  };
  std::vector<std::string> header;
  for (const auto& c : cols) {
    std::string h = label(c);
    std::transform(h.begin(), h.end(), h.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    header.push_back(std::move(h));
  }
  emit(header);
  for (const auto& line : cells) emit(line);
}

void render_object(std::string& out, const api::Json& obj, const std::vector<ColumnOrder>& orders,
                   const std::string& indent) {
  size_t w = 0;
  for (const auto& [k, v] : obj.items()) {
    if (!v.is_object() && !is_table(v)) w = std::max(w, label(k).size());
  }
  // Scalars first (a summary), then sections and tables.
  for (const auto& [k, v] : obj.items()) {
    if (v.is_object() || is_table(v)) continue;
    std::string l = label(k);
    out += indent + l + ":" + std::string(w - l.size() + 1, ' ') + render_scalar(v) + "\n";
  }
  for (const auto& [k, v] : obj.items()) {
    if (v.is_object()) {
      out += indent + label(k) + ":\n";
      render_object(out, v, orders, indent + "  ");
    } else if (is_table(v)) {
      out += indent + label(k) + ":\n";
      render_table(out, v, k, orders, indent + "  ");
    }
  }
}

}  // namespace

std::string render_scalar(const api::Json& v) {
  if (v.is_null()) return "-";
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_float()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v.get<double>());
    return buf;
  }
  if (v.is_array()) {
    std::string s;
    for (const auto& e : v) {
      if (!s.empty()) s += ", ";
      s += render_scalar(e);
    }
    return s.empty() ? "-" : s;
  }
  return api::write_compact(v);
}

std::string render_human(const api::Json& result, const std::vector<ColumnOrder>& orders) {
  std::string out;
  if (result.is_object()) {
    render_object(out, result, orders, "");
  } else if (is_table(result)) {
    render_table(out, result, "", orders, "");
  } else {
    out = render_scalar(result) + "\n";
  }
  return out;
}

}  // namespace linkcrypt::ctl
