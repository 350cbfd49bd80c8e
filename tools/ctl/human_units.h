// Values as an operator reads them: IEC octets, SI counts and rates, durations, ISO 8601 UTC
// times with their age, and PN use as a share of the suite's PN space.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace linkcrypt::ctl {

// Every number below keeps three significant digits, cut (not rounded) so that a value never
// reads larger than it is ("1023 KiB", never "1024 KiB").

// "0 B", "1023 B", "1.50 KiB", "395 MiB", "16.0 EiB".
[[nodiscard]] std::string iec_bytes(uint64_t octets);
// Exact below 100000, else "276 k", "1.23 M", "18.4 E".
[[nodiscard]] std::string si_count(uint64_t n);
// A rate with an SI prefix before unit: ("0", "pkt/s") -> "0", (1234, "") -> "1.23 k",
// (4.41e6, "bit/s") -> "4.41 Mbit/s".
[[nodiscard]] std::string si_rate(double per_second, std::string_view unit);
// "0 s", "< 1 s", "12 s", "2.5 min", "42 min", "3.1 h", "4.5 d", "120 d", "2.3 y", "> 1000 y".
[[nodiscard]] std::string duration(double seconds);
// "2026-12-06T11:36:58Z".
[[nodiscard]] std::string iso8601_utc(int64_t unix_s);
// "12 s ago" ("in 3 s" for a time ahead of now: clocks of two hosts, or a stepped clock).
[[nodiscard]] std::string age(int64_t unix_s, int64_t now_unix);
// "2026-12-06T11:36:58Z (12 s ago)".
[[nodiscard]] std::string when(int64_t unix_s, int64_t now_unix);

// The largest PN of a suite: 2^64 - 1 for the XPN suites, 2^32 - 1 for the others (802.1AE 10.5.2).
[[nodiscard]] uint64_t pn_space(std::string_view suite);
// The PNs used (space - headroom) as a share of the space: "0%", "< 0.01%", "3.14%", "42.5%", "100%".
[[nodiscard]] std::string pn_used_percent(std::string_view suite, uint64_t pn_headroom);

// The width of text on a terminal: UTF-8 code points (our text has no wide characters).
[[nodiscard]] size_t display_width(std::string_view text);

}  // namespace linkcrypt::ctl
