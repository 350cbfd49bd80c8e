// Unit tests for the classic-pcap reader/writer: byte orders, resolutions, and every refusal.
#include <gtest/gtest.h>

#include "byte_writer.h"
#include "pcap_file.h"

namespace linkcrypt::pcap {
namespace {

// Builds a file header by hand (independently of build_pcap) in the given byte order.
std::vector<uint8_t> hand_header(bool big, uint32_t magic, uint16_t major, uint32_t link,
                                 uint32_t snap_len = 65535) {
  ByteWriter w;
  auto u16 = [&](uint16_t v) { big ? w.put_u16(v) : w.put_u16_le(v); };
  auto u32 = [&](uint32_t v) { big ? w.put_u32(v) : w.put_u32_le(v); };
  u32(magic);
  u16(major);
  u16(4);
  u32(0);
  u32(0);
  u32(snap_len);
  u32(link);
  return w.take();
}

void hand_record(std::vector<uint8_t>& out, bool big, uint32_t sec, uint32_t frac,
                 std::span<const uint8_t> frame, uint32_t cap_len, uint32_t orig_len) {
  ByteWriter w;
  auto u32 = [&](uint32_t v) { big ? w.put_u32(v) : w.put_u32_le(v); };
  u32(sec);
  u32(frac);
  u32(cap_len);
  u32(orig_len);
  w.put_bytes(frame);
  out.insert(out.end(), w.view().begin(), w.view().end());
}

std::vector<uint8_t> frame_of(size_t len, uint8_t seed) {
  std::vector<uint8_t> f(len);
  for (size_t i = 0; i < len; ++i) f[i] = static_cast<uint8_t>(seed + i);
  return f;
}

struct Variant {
  bool big;
  uint32_t magic;
  ByteOrder order;
  TimeResolution resolution;
};

class PcapVariants : public ::testing::TestWithParam<Variant> {};

TEST_P(PcapVariants, ReadsHandBuiltFileAndWritesItBackIdentically) {
  const auto v = GetParam();
  auto bytes = hand_header(v.big, v.magic, 2, kLinkTypeEthernet);
  const auto f1 = frame_of(60, 1);
  const auto f2 = frame_of(1514, 7);
  hand_record(bytes, v.big, 1700000000, 999999, f1, 60, 60);
  hand_record(bytes, v.big, 1700000001, 5, f2, 1514, 1514);

  PcapFile file;
  PcapParseError err;
  ASSERT_TRUE(parse_pcap(bytes, file, err)) << describe_pcap_error(err);
  EXPECT_EQ(file.header.byte_order, v.order);
  EXPECT_EQ(file.header.resolution, v.resolution);
  EXPECT_EQ(file.header.snap_len, 65535u);
  ASSERT_EQ(file.records.size(), 2u);
  EXPECT_EQ(file.records[0].ts_sec, 1700000000u);
  EXPECT_EQ(file.records[0].ts_frac, 999999u);
  EXPECT_EQ(file.records[0].frame, f1);
  EXPECT_EQ(file.records[1].ts_sec, 1700000001u);
  EXPECT_EQ(file.records[1].ts_frac, 5u);
  EXPECT_EQ(file.records[1].frame, f2);

  // The writer reproduces the hand-built bytes exactly (same order, resolution, snap length).
  EXPECT_EQ(build_pcap(file), bytes);
}

INSTANTIATE_TEST_SUITE_P(
    AllMagics, PcapVariants,
    ::testing::Values(Variant{false, kMagicMicro, ByteOrder::Little, TimeResolution::Micro},
                      Variant{true, kMagicMicro, ByteOrder::Big, TimeResolution::Micro},
                      Variant{false, kMagicNano, ByteOrder::Little, TimeResolution::Nano},
                      Variant{true, kMagicNano, ByteOrder::Big, TimeResolution::Nano}));

TEST(PcapReader, EmptyCaptureHasNoRecords) {
  const auto bytes = hand_header(false, kMagicMicro, 2, kLinkTypeEthernet);
  PcapFile file;
  PcapParseError err;
  ASSERT_TRUE(parse_pcap(bytes, file, err));
  EXPECT_TRUE(file.records.empty());
}

PcapParseError expect_refused(const std::vector<uint8_t>& bytes, PcapError reason) {
  PcapFile file;
  PcapParseError err;
  EXPECT_FALSE(parse_pcap(bytes, file, err));
  EXPECT_EQ(err.reason, reason) << pcap_error_name(err.reason);
  EXPECT_FALSE(describe_pcap_error(err).empty());
  return err;
}

TEST(PcapReader, RefusesPcapNgNamingEditcap) {
  // A real pcapng Section Header Block (type 0x0A0D0D0A, byte-order magic 0x1A2B3C4D).
  const std::vector<uint8_t> shb = {0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0x00, 0x00, 0x00, 0x4d, 0x3c,
                                    0x2b, 0x1a, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0xff, 0x1c, 0x00, 0x00, 0x00};
  const auto err = expect_refused(shb, PcapError::PcapNg);
  EXPECT_NE(describe_pcap_error(err).find("editcap -F pcap"), std::string::npos);
}

TEST(PcapReader, RefusesUnknownMagic) {
  auto bytes = hand_header(false, 0xA1B2CD34, 2, kLinkTypeEthernet);  // "modified" pcap
  const auto err = expect_refused(bytes, PcapError::BadMagic);
  EXPECT_EQ(err.value, 0x34CDB2A1u);
  EXPECT_NE(describe_pcap_error(err).find("editcap"), std::string::npos);
}

TEST(PcapReader, RefusesShortFileHeader) {
  auto bytes = hand_header(false, kMagicMicro, 2, kLinkTypeEthernet);
  bytes.resize(23);
  expect_refused(bytes, PcapError::ShortFileHeader);
  expect_refused({}, PcapError::ShortFileHeader);
}

TEST(PcapReader, RefusesOtherVersions) {
  expect_refused(hand_header(true, kMagicMicro, 1, kLinkTypeEthernet), PcapError::BadVersion);
}

TEST(PcapReader, RefusesNonEthernetLinkTypes) {
  for (uint32_t link : {0u, 101u, 105u, 113u, 276u, 0x10000001u}) {
    const auto err = expect_refused(hand_header(false, kMagicMicro, 2, link), PcapError::NotEthernet);
    EXPECT_EQ(err.value, link);
  }
}

TEST(PcapReader, RefusesPartialCaptureNamingSnapLength) {
  auto bytes = hand_header(false, kMagicMicro, 2, kLinkTypeEthernet, 64);
  const auto f = frame_of(64, 0);
  hand_record(bytes, false, 0, 0, f, 64, 64);
  hand_record(bytes, false, 0, 0, f, 64, 1514);  // cut by the snap length
  const auto err = expect_refused(bytes, PcapError::PartialCapture);
  EXPECT_EQ(err.record_index, 1u);
  EXPECT_EQ(err.offset, kFileHeaderLen + kRecordHeaderLen + 64);
  EXPECT_EQ(err.value, 1514u);
  EXPECT_NE(describe_pcap_error(err).find("-s 0"), std::string::npos);
}

TEST(PcapReader, RefusesCaplenAboveLen) {
  auto bytes = hand_header(false, kMagicMicro, 2, kLinkTypeEthernet);
  hand_record(bytes, false, 0, 0, frame_of(64, 0), 64, 60);
  expect_refused(bytes, PcapError::CaplenOverLen);
}

TEST(PcapReader, RefusesHugeRecordWithoutReadingIt) {
  auto bytes = hand_header(false, kMagicMicro, 2, kLinkTypeEthernet);
  hand_record(bytes, false, 0, 0, {}, kMaxRecordLen + 1, kMaxRecordLen + 1);
  expect_refused(bytes, PcapError::RecordTooLarge);
}

TEST(PcapReader, RefusesFileCutInsideARecord) {
  auto bytes = hand_header(true, kMagicNano, 2, kLinkTypeEthernet);
  hand_record(bytes, true, 0, 0, frame_of(100, 0), 100, 100);
  auto cut_data = bytes;
  cut_data.resize(cut_data.size() - 1);
  expect_refused(cut_data, PcapError::ShortRecordData);
  auto cut_header = bytes;
  cut_header.resize(kFileHeaderLen + 15);
  expect_refused(cut_header, PcapError::ShortRecordHeader);
}

TEST(PcapWriter, RaisesSnapLengthToTheLargestRecord) {
  PcapFile file;
  file.header.snap_len = 100;
  file.records.push_back({1, 2, frame_of(1546, 3)});
  const auto bytes = build_pcap(file);
  PcapFile back;
  PcapParseError err;
  ASSERT_TRUE(parse_pcap(bytes, back, err)) << describe_pcap_error(err);
  EXPECT_EQ(back.header.snap_len, 1546u);
  ASSERT_EQ(back.records.size(), 1u);
  EXPECT_EQ(back.records[0].frame, file.records[0].frame);
}

}  // namespace
}  // namespace linkcrypt::pcap
