// Text layout for linkcryptctl: tables that fit a width, aligned "label: value" blocks, word wrap.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace linkcrypt::ctl {

// Every table and line linkcryptctl prints fits this many columns unless -w/--wide is given.
inline constexpr size_t kMaxWidth = 100;

struct Column {
  std::string header;
  bool right = false;      // numbers: right-aligned, header too
  bool wide_only = false;  // shown with -w/--wide only
  bool elastic = false;    // may be cut short (ending in "…") so that the table fits the width
};

class Table {
 public:
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  // One cell per column, in column order.
  void add_row(std::vector<std::string> cells) { rows_.push_back({std::move(cells), {}}); }
  // A title line (e.g. "transmit SC 9a7f800a000a0001") that opens a group of rows: printed
  // without the indent, the header repeated under it; the columns stay aligned across groups.
  void add_section(std::string title) { rows_.push_back({{}, std::move(title)}); }
  [[nodiscard]] bool empty() const { return rows_.empty(); }
  // Header and rows, each line starting with indent. Not wide: wide_only columns are left out
  // and elastic columns shrink until each line fits max_width (as a last resort a line is cut).
  [[nodiscard]] std::string render(std::string_view indent, bool wide, size_t max_width = kMaxWidth) const;

 private:
  struct Row {
    std::vector<std::string> cells;
    std::string section;  // set: a section title, no cells
  };
  std::vector<Column> columns_;
  std::vector<Row> rows_;
};

// "label: value" lines with the values aligned; a value longer than the width wraps, its
// continuation lines aligned under the value.
class FieldBlock {
 public:
  void add(std::string label, std::string value) { fields_.push_back({std::move(label), std::move(value)}); }
  [[nodiscard]] std::string render(std::string_view indent, size_t max_width = kMaxWidth) const;

 private:
  struct Entry {
    std::string label, value;
  };
  std::vector<Entry> fields_;
};

// Words of text on lines of at most max_width columns: the first line starts with first,
// the others with rest. A word longer than a line gets a line of its own.
[[nodiscard]] std::string wrap(std::string_view text, std::string_view first, std::string_view rest,
                               size_t max_width = kMaxWidth);

// text cut to width columns, ending in "…" when it was longer.
[[nodiscard]] std::string cut_to_width(std::string_view text, size_t width);

}  // namespace linkcrypt::ctl
