// Human rendering of control-socket results: aligned "key: value" lines and tables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/field_list.h"

namespace linkcrypt::ctl {

// Column order for a table under `key` (e.g. "sas"), normally api::field_names of the row
// struct; unknown columns follow in name order.
struct ColumnOrder {
  std::string_view key;
  std::vector<std::string_view> columns;
};

// Renders a result: scalars as "name: value" (aligned), nested objects as indented sections,
// arrays of objects as tables, other arrays as comma-separated lists.
[[nodiscard]] std::string render_human(const api::Json& result,
                                       const std::vector<ColumnOrder>& orders = {});

// One cell's text: numbers as numbers, null as "-", booleans as yes/no.
[[nodiscard]] std::string render_scalar(const api::Json& v);

}  // namespace linkcrypt::ctl
