// `--watch [SECONDS]`: a command's output redrawn in place until SIGINT or SIGTERM.
#pragma once

#include <functional>
#include <string>

namespace linkcrypt::ctl {

// Calls frame() every interval_s seconds and shows its text. On a terminal (fd is a tty) each
// frame replaces the previous one (cursor home, lines cleared, cursor hidden meanwhile); else
// frames are written one after the other, as they are. SIGINT/SIGTERM end it cleanly: the
// cursor is shown again, the signal handlers restored. Returns 0.
int run_watch(double interval_s, const std::function<std::string()>& frame, int fd);

// The terminal text of a frame redrawn in place: home, each line cleared to its end, the rest
// of the screen cleared. Exposed for tests.
[[nodiscard]] std::string redraw_in_place(const std::string& text);

inline constexpr const char* kHideCursor = "\x1b[?25l";
inline constexpr const char* kShowCursor = "\x1b[?25h";

}  // namespace linkcrypt::ctl
