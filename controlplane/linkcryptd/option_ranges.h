// The documented range of every numeric linkcryptd option, and the one parser that checks them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace linkcrypt::daemon {

// [min, max], and when zero_off also 0 (which then means "off" or "the built-in default").
struct NumericRange {
  uint64_t min = 0;
  uint64_t max = UINT64_MAX;
  bool zero_off = false;
};

// docs/config.md lists the same ranges; --help prints them as the value name.
inline constexpr uint64_t kTenYearsS = 10ull * 365 * 24 * 3600;  // time intervals in s: no ms overflow
inline constexpr NumericRange kPlainMtuRange{68, 9190};          // IPv4 minimum .. jumbo minus SecTAG/ICV
inline constexpr NumericRange kPlainVlanTagsRange{0, 2};          // untagged, 802.1Q, QinQ
inline constexpr NumericRange kReplayWindowRange{0, UINT32_MAX};  // 10.7.8 replayWindow (XPN: below 2^30)
inline constexpr NumericRange kMbufsRange{1024, 1048575};
inline constexpr NumericRange kDescRange{64, 32768};              // the driver may round it to its limits
inline constexpr NumericRange kIdleSleepUsRange{0, 100000};       // workers must still see a stop within 0.1 s
inline constexpr NumericRange kStatsIntervalMsRange{100, 86400000, true};
inline constexpr NumericRange kPortRange{1, 65535};
inline constexpr NumericRange kRekeyIntervalSRange{1, kTenYearsS, true};
inline constexpr NumericRange kRekeyPnThresholdRange{1000, UINT64_MAX, true};  // lower: a rekey storm
inline constexpr NumericRange kRekeyBytesRange{65536, UINT64_MAX, true};
inline constexpr NumericRange kIkeRekeyIntervalSRange{1, kTenYearsS, true};
inline constexpr NumericRange kLivenessIntervalMsRange{100, 3600000, true};
inline constexpr NumericRange kRetransmitBaseMsRange{50, 60000};
inline constexpr NumericRange kRetransmitLimitRange{0, 10};
inline constexpr NumericRange kSwitchTimeoutMsRange{1, 600000};
inline constexpr NumericRange kRetireGraceMsRange{0, 600000};
inline constexpr NumericRange kReconnectMsRange{100, 86400000};
inline constexpr NumericRange kHalfOpenLimitRange{1, 1024};
inline constexpr NumericRange kCookieThresholdRange{0, 1023};    // below ike-half-open-limit
inline constexpr NumericRange kKxNewSaRateRange{1, 100000};      // per second, all workers together
inline constexpr NumericRange kPnReserveBlockRange{1024, uint64_t{1} << 32};  // >= 2 ticks of slow traffic; <= a 32-bit PN space
inline constexpr NumericRange kMkaPriorityRange{0, 255};        // 802.1X-2020 9.5.1: lower wins; 255 never key server
inline constexpr NumericRange kMkaHelloTimeMsRange{500, 30000};  // Table 9-3 default 2000
inline constexpr NumericRange kMkaLifeTimeMsRange{1000, 120000}; // Table 9-3 default 6000; above the hello time
inline constexpr NumericRange kMkaRekeyIntervalSRange{1, kTenYearsS, true};
inline constexpr NumericRange kEtherTypeRange{0x0600, 0xFFFF};  // below 0x0600: an 802.3 length

// "1024..1048575", or "0|100..3600000" when 0 is also allowed.
[[nodiscard]] std::string range_text(NumericRange r);

// Parses an unsigned decimal or 0x-hex number (no sign, no spaces) and checks it against r. Parsing
// the text ourselves is the point: Boost reads "-1" into a uint32_t as 4294967295.
[[nodiscard]] std::optional<uint64_t> parse_in_range(std::string_view text, NumericRange r);

// Why a well-known EtherType may not carry the in-band key exchange, e.g. "IPv4"; nullopt if free.
[[nodiscard]] std::optional<std::string_view> reserved_ethertype_name(uint64_t ethertype);

}  // namespace linkcrypt::daemon
