// linkcryptctl's human output for each command, from the contract's result structs (api/).
// Pure functions of their input and the options (a fixed `now` gives fixed text: golden tests).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/commands.h"
#include "api/keys.h"
#include "api/mka.h"
#include "api/peer.h"
#include "api/rotations.h"
#include "api/sa.h"
#include "api/stats.h"
#include "api/status.h"

namespace linkcrypt::ctl {

struct RenderOptions {
  int64_t now_unix = 0;  // for ages ("12 s ago") and absolute times
  bool wide = false;     // -w: every column, no width limit
  bool all = false;      // -a: developer counters in `stats` too
};

[[nodiscard]] std::string render_status(const api::StatusResult& r, const RenderOptions& o);
[[nodiscard]] std::string render_sa(const api::SaResult& r, const RenderOptions& o);
[[nodiscard]] std::string render_stats(const api::StatsResult& r, const RenderOptions& o);
[[nodiscard]] std::string render_peer(const api::PeerResult& r, const RenderOptions& o);
[[nodiscard]] std::string render_rotations(const api::RotationsResult& r, const RenderOptions& o);
[[nodiscard]] std::string render_help(const api::HelpResult& r, const RenderOptions& o);
[[nodiscard]] std::string render_rekey(const api::RekeyResult& r, const RenderOptions& o);
[[nodiscard]] std::string render_keys(const api::KeysResult& r, const RenderOptions& o);
[[nodiscard]] std::string render_mka(const api::MkaResult& r, const RenderOptions& o);

// The status headline alone: "link secured: ..." or "link NOT secured: <why>", on one line
// however long (the only line exempt from the 100 columns: `status | head -1` is the answer).
[[nodiscard]] std::string status_headline(const api::StatusResult& r, const RenderOptions& o);

// A command's result as linkcryptctl prints it: a known command's result is decoded into its
// struct first (a result that breaks the contract sets `error`); an unknown command's result
// is printed generically (a newer daemon's commands still work).
struct RenderedResult {
  std::optional<std::string> text;
  std::string error;
};
[[nodiscard]] RenderedResult render_result(std::string_view command, const api::Json& result,
                                           const RenderOptions& o);

}  // namespace linkcrypt::ctl
