// Unit tests for the capture reader (libpcap: pcap and pcapng) and the classic-pcap writer: every refusal.
#include <gtest/gtest.h>

#include <optional>

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
  EXPECT_EQ(err.reason, reason) << pcap_error_name(err.reason) << ": " << describe_pcap_error(err);
  EXPECT_FALSE(describe_pcap_error(err).empty());
  return err;
}

// pcapng blocks (draft-ietf-opsawg-pcapng), little-endian, built by hand: SHB, IDB, EPB.
void ng_block(std::vector<uint8_t>& out, uint32_t type, const std::vector<uint8_t>& body) {
  ByteWriter w;
  const uint32_t padded = static_cast<uint32_t>((body.size() + 3) & ~size_t{3});
  w.put_u32_le(type);
  w.put_u32_le(12 + padded);
  w.put_bytes(body);
  for (size_t i = body.size(); i < padded; ++i) w.put_u8(0);
  w.put_u32_le(12 + padded);
  out.insert(out.end(), w.view().begin(), w.view().end());
}

std::vector<uint8_t> ng_file(uint16_t link, std::optional<uint8_t> tsresol) {
  std::vector<uint8_t> out;
  ByteWriter shb;
  shb.put_u32_le(0x1A2B3C4D);  // byte-order magic
  shb.put_u16_le(1);
  shb.put_u16_le(0);
  shb.put_u32_le(0xFFFFFFFF);  // section length unknown
  shb.put_u32_le(0xFFFFFFFF);
  ng_block(out, 0x0A0D0D0A, shb.take());
  ByteWriter idb;
  idb.put_u16_le(link);
  idb.put_u16_le(0);
  idb.put_u32_le(0);  // no snap length
  if (tsresol) {
    idb.put_u16_le(9);  // if_tsresol
    idb.put_u16_le(1);
    idb.put_u8(*tsresol);
    for (int i = 0; i < 3; ++i) idb.put_u8(0);
    idb.put_u32_le(0);  // opt_endofopt
  }
  ng_block(out, 1, idb.take());
  return out;
}

void ng_packet(std::vector<uint8_t>& out, uint64_t ts_units, const std::vector<uint8_t>& frame) {
  ByteWriter epb;
  epb.put_u32_le(0);  // interface 0
  epb.put_u32_le(static_cast<uint32_t>(ts_units >> 32));
  epb.put_u32_le(static_cast<uint32_t>(ts_units));
  epb.put_u32_le(static_cast<uint32_t>(frame.size()));
  epb.put_u32_le(static_cast<uint32_t>(frame.size()));
  epb.put_bytes(frame);
  ng_block(out, 6, epb.take());
}

// pcapng is what tshark and Wireshark write by default: it is read as it is, ns kept.
TEST(PcapReader, ReadsPcapNgWithNanosecondAndMicrosecondInterfaces) {
  const auto f1 = frame_of(61, 1);  // odd lengths: the EPB pads them
  const auto f2 = frame_of(1514, 2);
  auto ns = ng_file(1, 9);
  ng_packet(ns, 1700000000123456789ull, f1);
  ng_packet(ns, 1700000001000000001ull, f2);
  PcapFile file;
  PcapParseError err;
  ASSERT_TRUE(parse_pcap(ns, file, err)) << describe_pcap_error(err);
  EXPECT_EQ(file.header.format, FileFormat::PcapNg);
  EXPECT_EQ(file.header.resolution, TimeResolution::Nano);
  ASSERT_EQ(file.records.size(), 2u);
  EXPECT_EQ(file.records[0].frame, f1);
  EXPECT_EQ(file.records[0].ts_sec, 1700000000u);
  EXPECT_EQ(file.records[0].ts_frac, 123456789u);
  EXPECT_EQ(record_time_ns(file.header, file.records[0]), 1700000000123456789ll);
  EXPECT_EQ(file.records[1].frame, f2);
  EXPECT_EQ(file.records[1].ts_frac, 1u);

  auto us = ng_file(1, std::nullopt);  // default if_tsresol: microseconds
  ng_packet(us, 1700000000123456ull, f1);
  ASSERT_TRUE(parse_pcap(us, file, err)) << describe_pcap_error(err);
  ASSERT_EQ(file.records.size(), 1u);
  EXPECT_EQ(record_time_ns(file.header, file.records[0]), 1700000000123456000ll);

  // Written back as classic pcap 2.4 with ns timestamps, and read again alike.
  PcapFile again;
  const auto classic = build_pcap(file);
  ASSERT_TRUE(parse_pcap(classic, again, err)) << describe_pcap_error(err);
  EXPECT_EQ(again.header.format, FileFormat::Pcap);
  EXPECT_EQ(again.header.version_major, 2u);
  ASSERT_EQ(again.records.size(), 1u);
  EXPECT_EQ(again.records[0].frame, f1);
  EXPECT_EQ(record_time_ns(again.header, again.records[0]), 1700000000123456000ll);
}

TEST(PcapReader, RefusesPcapNgOfAnotherLinkType) {
  auto bytes = ng_file(113, 6);  // Linux cooked capture (tshark -i any)
  ng_packet(bytes, 1, frame_of(60, 0));
  const auto err = expect_refused(bytes, PcapError::NotEthernet);
  EXPECT_NE(describe_pcap_error(err).find("-i any"), std::string::npos);
}

TEST(PcapReader, RefusesWhatIsNoCaptureNamingEditcap) {
  auto bytes = hand_header(false, 0x4C494E4B, 2, kLinkTypeEthernet);  // "LINK": no capture format
  const auto err = expect_refused(bytes, PcapError::NotCapture);
  EXPECT_NE(describe_pcap_error(err).find("editcap"), std::string::npos);
  EXPECT_FALSE(err.detail.empty()) << "libpcap's own words";
  // A pcapng packet block before any Interface Description Block: no link type to read it by.
  std::vector<uint8_t> shb_only;
  ByteWriter shb;
  shb.put_u32_le(0x1A2B3C4D);
  shb.put_u16_le(1);
  shb.put_u16_le(0);
  shb.put_u32_le(0xFFFFFFFF);
  shb.put_u32_le(0xFFFFFFFF);
  ng_block(shb_only, 0x0A0D0D0A, shb.take());
  ng_packet(shb_only, 1, frame_of(60, 0));
  expect_refused(shb_only, PcapError::NotCapture);
}

TEST(PcapReader, RefusesShortFileHeader) {
  auto bytes = hand_header(false, kMagicMicro, 2, kLinkTypeEthernet);
  bytes.resize(23);
  expect_refused(bytes, PcapError::NotCapture);
  expect_refused({}, PcapError::NotCapture);
  expect_refused({0xd4, 0xc3}, PcapError::NotCapture);
}

TEST(PcapReader, RefusesOtherVersions) {
  expect_refused(hand_header(true, kMagicMicro, 1, kLinkTypeEthernet), PcapError::NotCapture);
}

TEST(PcapReader, RefusesNonEthernetLinkTypes) {
  for (uint32_t link : {0u, 101u, 105u, 113u, 276u, 0x10000001u}) {
    const auto err = expect_refused(hand_header(false, kMagicMicro, 2, link), PcapError::NotEthernet);
    EXPECT_NE(describe_pcap_error(err).find("not Ethernet"), std::string::npos);
  }
}

TEST(PcapReader, RefusesPartialCaptureNamingSnapLength) {
  auto bytes = hand_header(false, kMagicMicro, 2, kLinkTypeEthernet, 64);
  const auto f = frame_of(64, 0);
  hand_record(bytes, false, 0, 0, f, 64, 64);
  hand_record(bytes, false, 0, 0, f, 64, 1514);  // cut by the snap length
  const auto err = expect_refused(bytes, PcapError::PartialCapture);
  EXPECT_EQ(err.record_index, 1u);
  EXPECT_EQ(err.value, 1514u);
  EXPECT_NE(describe_pcap_error(err).find("frame 2:"), std::string::npos);
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
  expect_refused(bytes, PcapError::ReadFailed);
}

TEST(PcapReader, RefusesFileCutInsideARecord) {
  auto bytes = hand_header(true, kMagicNano, 2, kLinkTypeEthernet);
  hand_record(bytes, true, 0, 0, frame_of(100, 0), 100, 100);
  auto cut_data = bytes;
  cut_data.resize(cut_data.size() - 1);
  const auto err = expect_refused(cut_data, PcapError::ReadFailed);
  EXPECT_EQ(err.record_index, 0u);
  EXPECT_NE(describe_pcap_error(err).find("editcap"), std::string::npos);
  auto cut_header = bytes;
  cut_header.resize(kFileHeaderLen + 15);
  expect_refused(cut_header, PcapError::ReadFailed);
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
