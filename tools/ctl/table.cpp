// Tables, label blocks and word wrap, measured in terminal columns.
#include "table.h"

#include <algorithm>

#include "human_units.h"

namespace linkcrypt::ctl {
namespace {

constexpr size_t kGap = 2;          // spaces between columns
constexpr size_t kMinElastic = 8;   // an elastic column never shrinks below this (or its header)

std::string pad(std::string_view s, size_t width, bool right) {
  const size_t w = display_width(s);
  const std::string fill(w < width ? width - w : 0, ' ');
  return right ? fill + std::string(s) : std::string(s) + fill;
}

std::string trim_right(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

std::string cut_to_width(std::string_view text, size_t width) {
  if (display_width(text) <= width) return std::string(text);
  if (width == 0) return {};
  std::string out;
  size_t cols = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) {
      if (cols + 1 == width) break;
      ++cols;
    }
    out += text[i];
  }
  return out + "…";
}

std::string Table::render(std::string_view indent, bool wide, size_t max_width) const {
  std::vector<size_t> shown;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (wide || !columns_[i].wide_only) shown.push_back(i);
  }
  std::vector<size_t> width(columns_.size(), 0);
  for (size_t i : shown) {
    width[i] = display_width(columns_[i].header);
    for (const auto& r : rows_) {
      if (i < r.cells.size()) width[i] = std::max(width[i], display_width(r.cells[i]));
    }
  }
  auto total = [&] {
    size_t t = display_width(indent);
    for (size_t k = 0; k < shown.size(); ++k) t += width[shown[k]] + (k ? kGap : 0);
    return t;
  };
  if (!wide) {
    // Shrink the widest elastic column one step at a time until the table fits.
    while (total() > max_width) {
      size_t best = columns_.size();
      for (size_t i : shown) {
        const size_t floor = std::max(kMinElastic, display_width(columns_[i].header));
        if (columns_[i].elastic && width[i] > floor && (best == columns_.size() || width[i] > width[best])) best = i;
      }
      if (best == columns_.size()) break;
      --width[best];
    }
  }
  auto line = [&](auto cell_of) {
    std::string s(indent);
    for (size_t k = 0; k < shown.size(); ++k) {
      const size_t i = shown[k];
      if (k) s += std::string(kGap, ' ');
      s += pad(cut_to_width(cell_of(i), width[i]), width[i], columns_[i].right);
    }
    s = trim_right(std::move(s));
    if (!wide) s = cut_to_width(s, max_width);
    return s + "\n";
  };
  const std::string header = line([&](size_t i) -> std::string_view { return columns_[i].header; });
  std::string out;
  if (rows_.empty() || rows_.front().section.empty()) out = header;
  for (size_t k = 0; k < rows_.size(); ++k) {
    const auto& r = rows_[k];
    if (!r.section.empty()) {
      if (k) out += "\n";
      out += (wide ? r.section : cut_to_width(r.section, max_width)) + "\n" + header;
      continue;
    }
    out += line([&](size_t i) -> std::string_view { return i < r.cells.size() ? std::string_view(r.cells[i]) : "-"; });
  }
  return out;
}

std::string FieldBlock::render(std::string_view indent, size_t max_width) const {
  size_t w = 0;
  for (const auto& f : fields_) w = std::max(w, display_width(f.label) + 1);
  std::string out;
  for (const auto& f : fields_) {
    const std::string first = std::string(indent) + pad(f.label + ":", w + 1, false);
    out += wrap(f.value, first, std::string(display_width(first), ' '), max_width);
  }
  return out;
}

std::string wrap(std::string_view text, std::string_view first, std::string_view rest, size_t max_width) {
  std::string out;
  std::string cur(first);
  size_t cur_w = display_width(first);
  bool line_has_word = false;
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(pos, end - pos);
    const size_t ww = display_width(word);
    if (line_has_word && cur_w + 1 + ww > max_width) {
      out += cur + "\n";
      cur = std::string(rest);
      cur_w = display_width(rest);
      line_has_word = false;
    }
    if (line_has_word) {
      cur += ' ';
      ++cur_w;
    }
    cur += word;
    cur_w += ww;
    line_has_word = true;
    pos = end;
  }
  return out + trim_right(std::move(cur)) + "\n";
}

}  // namespace linkcrypt::ctl
