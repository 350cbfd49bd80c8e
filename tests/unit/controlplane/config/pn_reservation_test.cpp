// PN reservation: the state-file codec (every rejection), and the store (resume, extend, every refusal).
#include "pn_reservation.h"
#include "pn_state.h"

// GCC 12 false positive on std::string operator+ at -O3 (GCC bug 105329).
#pragma GCC diagnostic ignored "-Wrestrict"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace linkcrypt::config {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t kMax32 = 0xFFFFFFFFull;

PnKeyId test_id(uint8_t seed = 7) {
  const std::vector<uint8_t> sak(16, seed);
  return pn_key_id(sak);
}

// ---- codec ----

TEST(PnState, RoundTrips) {
  const PnState s{test_id(), 0x0123456789abcdefull};
  const auto bytes = build_pn_state(s);
  ASSERT_EQ(bytes.size(), kPnStateLen);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "LCPN");
  PnState back;
  ASSERT_EQ(parse_pn_state(bytes, back), PnStateError::Ok);
  EXPECT_EQ(back.key_id, s.key_id);
  EXPECT_EQ(back.reserved_through, s.reserved_through);
}

TEST(PnState, KeyIdDependsOnTheSakOnlyAndHidesIt) {
  const std::vector<uint8_t> a(16, 1), b(16, 2);
  EXPECT_EQ(pn_key_id(a), pn_key_id(a));
  EXPECT_NE(pn_key_id(a), pn_key_id(b));
  EXPECT_EQ(pn_key_id_hex(pn_key_id(a)).size(), 32u);
  // Not the SAK itself, nor a prefix of it.
  EXPECT_NE(std::vector<uint8_t>(pn_key_id(a).begin(), pn_key_id(a).end()), a);
}

TEST(PnState, RejectsEveryMalformation) {
  const auto good = build_pn_state({test_id(), 42});
  PnState out;
  auto with = [&](size_t at, uint8_t v) {
    auto b = good;
    b[at] = v;
    return parse_pn_state(b, out);
  };
  EXPECT_EQ(parse_pn_state({}, out), PnStateError::BadLength);
  EXPECT_EQ(parse_pn_state(std::span(good).first(kPnStateLen - 1), out), PnStateError::BadLength);
  auto longer = good;
  longer.push_back(0);
  EXPECT_EQ(parse_pn_state(longer, out), PnStateError::BadLength);
  EXPECT_EQ(with(0, 'X'), PnStateError::BadMagic);
  EXPECT_EQ(with(4, 2), PnStateError::BadVersion);
  EXPECT_EQ(with(5, 1), PnStateError::BadReserved);
  EXPECT_EQ(with(10, good[10] ^ 1), PnStateError::BadCheck);   // key id
  EXPECT_EQ(with(31, good[31] ^ 1), PnStateError::BadCheck);   // the mark
  EXPECT_EQ(with(39, good[39] ^ 1), PnStateError::BadCheck);   // the check itself
  EXPECT_EQ(parse_pn_state(build_pn_state({test_id(), 0}), out), PnStateError::ZeroMark);
  for (int e = 0; e <= static_cast<int>(kLastPnStateError); ++e) {
    EXPECT_FALSE(pn_state_error_name(static_cast<PnStateError>(e)).empty());
  }
}

// ---- the store ----

class PnStore : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/linkcrypt-pnres.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  PnReservationRequest req(uint64_t first = 1, uint64_t block = 1024) const {
    PnReservationRequest r;
    r.state_dir = dir_;
    r.key_id = test_id();
    r.first_pn = first;
    r.max_pn = kMax32;
    r.block = block;
    return r;
  }
  std::string state_path() const { return dir_ + "/" + pn_key_id_hex(test_id()) + ".pn"; }
  std::string used_path() const { return dir_ + "/" + pn_key_id_hex(test_id()) + ".used"; }
  std::unique_ptr<PnReservation> open(const PnReservationRequest& r, std::string& err) {
    err.clear();
    return PnReservation::open(r, err);
  }
  PnState on_disk() const {
    std::ifstream in(state_path(), std::ios::binary);
    std::vector<uint8_t> b((std::istreambuf_iterator<char>(in)), {});
    PnState s;
    EXPECT_EQ(parse_pn_state(b, s), PnStateError::Ok);
    return s;
  }
  void write_state(const std::vector<uint8_t>& bytes) const {
    std::ofstream(state_path(), std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }

  std::string dir_;
};

TEST_F(PnStore, FirstUseReservesABlockAndRecordsTheKey) {
  std::string err;
  auto r = open(req(1, 1024), err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->start_pn(), 1u);
  EXPECT_EQ(r->reserved_through(), 1024u);
  EXPECT_EQ(r->previous_mark(), 0u);
  EXPECT_EQ(on_disk().reserved_through, 1024u);
  EXPECT_EQ(on_disk().key_id, test_id());
  struct stat st {};
  ASSERT_EQ(::stat(state_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(used_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_GT(st.st_size, 0);
  EXPECT_FALSE(fs::exists(state_path() + ".tmp"));
}

TEST_F(PnStore, RestartStartsAboveTheMark) {
  std::string err;
  auto r = open(req(1, 1024), err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->extend_if_needed(600, err), PnReservation::Extend::Extended);  // 425 left < 512
  EXPECT_EQ(r->reserved_through(), 600u + 1023);
  r.reset();  // as after kill -9: the lock goes, the mark stays
  auto again = open(req(1, 1024), err);
  ASSERT_TRUE(again) << err;
  EXPECT_EQ(again->previous_mark(), 1623u);
  EXPECT_EQ(again->start_pn(), 1624u);
  EXPECT_EQ(again->reserved_through(), 1624u + 1023);
  // A key file asking for a higher next-pn gets it.
  again.reset();
  auto higher = open(req(100000, 1024), err);
  ASSERT_TRUE(higher) << err;
  EXPECT_EQ(higher->start_pn(), 100000u);
}

TEST_F(PnStore, ExtendsOnlyWhenLessThanHalfABlockIsLeft) {
  std::string err;
  auto r = open(req(1, 1024), err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->extend_if_needed(1, err), PnReservation::Extend::NotNeeded);
  EXPECT_EQ(r->extend_if_needed(513, err), PnReservation::Extend::NotNeeded);   // 512 left
  EXPECT_EQ(r->extend_if_needed(514, err), PnReservation::Extend::Extended);    // 511 left
  EXPECT_EQ(r->writes(), 2u);
  // The workers stopped at the limit (next PN = mark + 1): the next block starts there.
  const uint64_t mark = r->reserved_through();
  EXPECT_EQ(r->extend_if_needed(mark + 1, err), PnReservation::Extend::Extended);
  EXPECT_EQ(r->reserved_through(), mark + 1024);
  EXPECT_EQ(on_disk().reserved_through, mark + 1024);
  EXPECT_EQ(r->extend_if_needed(0, err), PnReservation::Extend::NotNeeded);  // XPN past its end
}

TEST_F(PnStore, NeverReservesPastThePnSpace) {
  std::string err;
  auto r = open(req(kMax32 - 100, 1024), err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->reserved_through(), kMax32);
  EXPECT_EQ(r->extend_if_needed(kMax32, err), PnReservation::Extend::NotNeeded);
  r.reset();
  auto spent = open(req(), err);
  EXPECT_FALSE(spent);
  EXPECT_NE(err.find("whole PN space"), std::string::npos) << err;
  EXPECT_NE(err.find("rotate the key"), std::string::npos) << err;
}

TEST_F(PnStore, RefusesAUsedKeyWhoseStateFileIsMissing) {
  std::string err;
  ASSERT_TRUE(open(req(), err)) << err;
  fs::remove(state_path());
  EXPECT_FALSE(open(req(), err));
  EXPECT_NE(err.find("is missing, but transmit key " + pn_key_id_hex(test_id()) + " has been used"), std::string::npos) << err;
  EXPECT_NE(err.find("rotate the key"), std::string::npos) << err;
}

TEST_F(PnStore, RefusesACorruptStateFile) {
  std::string err;
  ASSERT_TRUE(open(req(), err)) << err;
  auto bytes = build_pn_state({test_id(), 5000});
  bytes[30] ^= 0x40;
  write_state(bytes);
  EXPECT_FALSE(open(req(), err));
  EXPECT_NE(err.find("is corrupt (checksum mismatch"), std::string::npos) << err;
  EXPECT_NE(err.find("rotate the key"), std::string::npos) << err;
  write_state({'h', 'i'});
  EXPECT_FALSE(open(req(), err));
  EXPECT_NE(err.find("is corrupt (wrong length"), std::string::npos) << err;
  write_state(build_pn_state({test_id(9), 5000}));  // another key's record under this name
  EXPECT_FALSE(open(req(), err));
  EXPECT_NE(err.find("names another key"), std::string::npos) << err;
  // Even without the .used record, a corrupt state file is refused.
  write_state({});
  fs::remove(used_path());
  EXPECT_FALSE(open(req(), err));
  EXPECT_NE(err.find("is corrupt"), std::string::npos) << err;
}

TEST_F(PnStore, RefusesASecondDaemonWithTheSameKey) {
  std::string err;
  auto first = open(req(), err);
  ASSERT_TRUE(first) << err;
  EXPECT_FALSE(open(req(), err));
  EXPECT_NE(err.find("in use by another running linkcryptd"), std::string::npos) << err;
  first.reset();
  EXPECT_TRUE(open(req(), err)) << err;
}

TEST_F(PnStore, RefusesAnUnsafeStateDirectory) {
  std::string err;
  ASSERT_EQ(::chmod(dir_.c_str(), 0777), 0);
  EXPECT_FALSE(open(req(), err));
  EXPECT_NE(err.find("others could write it"), std::string::npos) << err;
  ASSERT_EQ(::chmod(dir_.c_str(), 0700), 0);
  const std::string link = dir_ + "/link";
  fs::create_directory(dir_ + "/real");
  fs::create_directory_symlink(dir_ + "/real", link);
  auto r = req();
  r.state_dir = link;
  EXPECT_FALSE(open(r, err));
  EXPECT_NE(err.find("symlink is refused"), std::string::npos) << err;
  r.state_dir = dir_ + "/no/such/parent";
  EXPECT_FALSE(open(r, err));
  EXPECT_NE(err.find("cannot create state directory"), std::string::npos) << err;
  // A missing last component is created, private.
  r.state_dir = dir_ + "/fresh";
  EXPECT_TRUE(open(r, err)) << err;
  struct stat st {};
  ASSERT_EQ(::stat(r.state_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(PnStore, AFailedWriteKeepsTheOldMark) {
  std::string err;
  auto r = open(req(1, 1024), err);
  ASSERT_TRUE(r) << err;
  // A directory where the temporary file goes: the create fails for root too.
  ASSERT_TRUE(fs::create_directory(state_path() + ".tmp"));
  EXPECT_EQ(r->extend_if_needed(1000, err), PnReservation::Extend::Failed);
  EXPECT_NE(err.find("cannot create PN state file"), std::string::npos) << err;
  EXPECT_EQ(r->reserved_through(), 1024u);
  EXPECT_EQ(on_disk().reserved_through, 1024u);
  fs::remove(state_path() + ".tmp");
  EXPECT_EQ(r->extend_if_needed(1000, err), PnReservation::Extend::Extended);
}

}  // namespace
}  // namespace linkcrypt::config
