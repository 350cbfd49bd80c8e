// Human units: three significant digits, cut towards zero; UTC times with their age.
#include "human_units.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

namespace linkcrypt::ctl {
namespace {

// v with `decimals` digits after the point, cut towards zero (a tiny epsilon absorbs binary
// fractions such as 3.1 stored as 3.0999...).
std::string cut(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  const double c = std::floor(v * scale + 1e-9) / scale;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, c);
  return buf;
}

// Three significant digits for 0 <= v < 1000 (cut, so 999.9 stays "999").
std::string three_digits(double v) {
  if (v < 10) return cut(v, 2);
  if (v < 100) return cut(v, 1);
  return cut(v, 0);
}

// Three significant digits below 1000, and between 1000 and base (1024: "1023").
std::string scaled(double v) { return v < 1000 ? three_digits(v) : cut(v, 0); }

}  // namespace

std::string iec_bytes(uint64_t octets) {
  static constexpr std::array<const char*, 7> kUnits = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (octets < 1024) return std::to_string(octets) + " B";
  double v = static_cast<double>(octets);
  size_t u = 0;
  while (v >= 1024 && u + 1 < kUnits.size()) {
    v /= 1024;
    ++u;
  }
  return scaled(v) + " " + kUnits[u];
}

std::string si_count(uint64_t n) {
  if (n < 100000) return std::to_string(n);
  static constexpr std::array<const char*, 7> kPrefixes = {"", "k", "M", "G", "T", "P", "E"};
  double v = static_cast<double>(n);
  size_t p = 0;
  while (v >= 1000 && p + 1 < kPrefixes.size()) {
    v /= 1000;
    ++p;
  }
  return three_digits(v) + " " + kPrefixes[p];
}

std::string si_rate(double per_second, std::string_view unit) {
  static constexpr std::array<const char*, 7> kPrefixes = {"", "k", "M", "G", "T", "P", "E"};
  if (!std::isfinite(per_second) || per_second <= 0) return unit.empty() ? "0" : "0 " + std::string(unit);
  double v = per_second;
  size_t p = 0;
  while (v >= 1000 && p + 1 < kPrefixes.size()) {
    v /= 1000;
    ++p;
  }
  std::string num = p == 0 && v == std::floor(v) ? cut(v, 0) : three_digits(v);
  std::string suffix = std::string(kPrefixes[p]) + std::string(unit);
  return suffix.empty() ? num : num + " " + suffix;
}

std::string duration(double s) {
  if (std::isnan(s) || s < 0) return "-";
  if (s == 0) return "0 s";
  if (s < 1) return "< 1 s";
  if (s < 60) return cut(s, 0) + " s";
  const double min = s / 60;
  if (min < 10) return cut(min, 1) + " min";
  if (min < 60) return cut(min, 0) + " min";
  const double h = s / 3600;
  if (h < 24) return cut(h, 1) + " h";
  const double d = s / 86400;
  if (d < 10) return cut(d, 1) + " d";
  if (d < 365.25) return cut(d, 0) + " d";
  const double y = d / 365.25;
  if (y < 10) return cut(y, 1) + " y";
  if (y < 1000) return cut(y, 0) + " y";
  return "> 1000 y";
}

std::string iso8601_utc(int64_t unix_s) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  if (!::gmtime_r(&t, &tm)) return std::to_string(unix_s);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string age(int64_t unix_s, int64_t now_unix) {
  if (unix_s > now_unix) return "in " + duration(static_cast<double>(unix_s - now_unix));
  return duration(static_cast<double>(now_unix - unix_s)) + " ago";
}

std::string when(int64_t unix_s, int64_t now_unix) {
  return iso8601_utc(unix_s) + " (" + age(unix_s, now_unix) + ")";
}

uint64_t pn_space(std::string_view suite) {
  return suite.find("xpn") != std::string_view::npos ? std::numeric_limits<uint64_t>::max()
                                                     : std::numeric_limits<uint32_t>::max();
}

std::string pn_used_percent(std::string_view suite, uint64_t pn_headroom) {
  const uint64_t space = pn_space(suite);
  if (pn_headroom >= space) return "0%";
  if (pn_headroom == 0) return "100%";
  const uint64_t used = space - pn_headroom;
  const long double pct = static_cast<long double>(used) / static_cast<long double>(space) * 100.0L;
  if (pct < 0.01L) return "< 0.01%";
  std::string s = pct < 10 ? cut(static_cast<double>(pct), 2) : cut(static_cast<double>(pct), 1);
  if (s == "100.0") s = "99.9";  // PNs are left: never say 100%
  return s + "%";
}

size_t display_width(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace linkcrypt::ctl
