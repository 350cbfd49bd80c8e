// The numeric option parser refuses signs, junk and overflow and keeps to each range; the EtherType deny list.
#include "option_ranges.h"

#include <gtest/gtest.h>

namespace linkcrypt::daemon {
namespace {

TEST(ParseInRange, AcceptsDecimalAndHexWithinTheRange) {
  EXPECT_EQ(parse_in_range("1024", kMbufsRange), 1024u);
  EXPECT_EQ(parse_in_range("1048575", kMbufsRange), 1048575u);
  EXPECT_EQ(parse_in_range("0x400", kMbufsRange), 1024u);
  EXPECT_EQ(parse_in_range("0X88B5", kEtherTypeRange), 0x88B5u);
  EXPECT_EQ(parse_in_range("18446744073709551615", kRekeyBytesRange), UINT64_MAX);
}

TEST(ParseInRange, RefusesSignsInsteadOfWrapping) {
  // Boost reads "-1" into a uint32_t as 4294967295: the bug this parser exists for.
  EXPECT_FALSE(parse_in_range("-1", kReplayWindowRange));
  EXPECT_FALSE(parse_in_range("-0", kIdleSleepUsRange));
  EXPECT_FALSE(parse_in_range("+5", kIdleSleepUsRange));
  EXPECT_FALSE(parse_in_range("-0x1", kReplayWindowRange));
}

TEST(ParseInRange, RefusesJunkAndOverflow) {
  for (const char* bad : {"", " 5", "5 ", "5k", "1.5", "1e3", "0x", "0xg", "abc", "18446744073709551616"}) {
    EXPECT_FALSE(parse_in_range(bad, kRekeyBytesRange)) << bad;
  }
}

TEST(ParseInRange, KeepsToTheBoundsAndZeroOnlyWhereItMeansOff) {
  EXPECT_FALSE(parse_in_range("1023", kMbufsRange));
  EXPECT_FALSE(parse_in_range("1048576", kMbufsRange));
  EXPECT_FALSE(parse_in_range("0", kDescRange));
  EXPECT_FALSE(parse_in_range("0", kRetransmitBaseMsRange));
  EXPECT_EQ(parse_in_range("0", kRekeyIntervalSRange), 0u);
  EXPECT_EQ(parse_in_range("0", kLivenessIntervalMsRange), 0u);
  EXPECT_FALSE(parse_in_range("99", kLivenessIntervalMsRange));
  EXPECT_FALSE(parse_in_range("315360001", kRekeyIntervalSRange));
  EXPECT_FALSE(parse_in_range("0x05ff", kEtherTypeRange));
  EXPECT_FALSE(parse_in_range("0x10000", kEtherTypeRange));
}

// Issue 15 §4: configs that weaken crypto. A wrapped replay window (-1 read as 2^32-1) delivered
// replayed frames; a rekey interval near the type limit overflowed into a rekey storm.
TEST(ParseInRange, RefusesReplayWindowAndRekeyIntervalsThatWrap) {
  for (const char* bad : {"-1", "4294967296", "18446744073709551615", "18446744073709551616"}) {
    EXPECT_FALSE(parse_in_range(bad, kReplayWindowRange)) << bad;
  }
  EXPECT_EQ(parse_in_range("4294967295", kReplayWindowRange), 4294967295u);
  for (const char* bad : {"-1", "315360001", "4294967296", "18446744073709551615"}) {
    EXPECT_FALSE(parse_in_range(bad, kRekeyIntervalSRange)) << bad;
    EXPECT_FALSE(parse_in_range(bad, kIkeRekeyIntervalSRange)) << bad;
  }
  EXPECT_EQ(parse_in_range("315360000", kRekeyIntervalSRange), 315360000u);
}

TEST(ParseInRange, TenYearsInMillisecondsFitsTheTimers) {
  // main.cpp turns seconds into std::chrono::milliseconds (int64): the cap keeps it exact.
  EXPECT_LT(kRekeyIntervalSRange.max * 1000, static_cast<uint64_t>(INT64_MAX));
  EXPECT_LT(kIkeRekeyIntervalSRange.max * 1000, static_cast<uint64_t>(INT64_MAX));
}

TEST(RangeText, ShowsZeroWhenItMeansOff) {
  EXPECT_EQ(range_text(kMbufsRange), "1024..1048575");
  EXPECT_EQ(range_text(kRekeyIntervalSRange), "0|1..315360000");
  EXPECT_EQ(range_text(kIdleSleepUsRange), "0..100000");
}

TEST(ReservedEtherType, NamesWellKnownTypesOnly) {
  EXPECT_EQ(reserved_ethertype_name(0x0800), "IPv4");
  EXPECT_EQ(reserved_ethertype_name(0x0806), "ARP");
  EXPECT_EQ(reserved_ethertype_name(0x86DD), "IPv6");
  EXPECT_EQ(reserved_ethertype_name(0x88CC), "LLDP");
  for (uint64_t vlan : {0x8100, 0x88A8, 0x9100}) EXPECT_TRUE(reserved_ethertype_name(vlan)) << vlan;
  EXPECT_TRUE(reserved_ethertype_name(0x888E));
  EXPECT_TRUE(reserved_ethertype_name(0x88E5));
  EXPECT_FALSE(reserved_ethertype_name(0x88B5));  // the default: IEEE 802 local experimental
  EXPECT_FALSE(reserved_ethertype_name(0x88B6));
}

}  // namespace
}  // namespace linkcrypt::daemon
