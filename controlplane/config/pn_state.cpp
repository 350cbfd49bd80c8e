// parse_pn_state / build_pn_state: the 40-octet PN reservation record and the key id.
#include "pn_state.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "byte_reader.h"
#include "byte_writer.h"

namespace linkcrypt::config {
namespace {

constexpr uint8_t kMagic[4] = {'L', 'C', 'P', 'N'};
constexpr size_t kCheckLen = 8;
constexpr std::string_view kKeyIdLabel = "linkcrypt pn-reservation key id v1";

std::array<uint8_t, SHA256_DIGEST_LENGTH> sha256(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  std::array<uint8_t, SHA256_DIGEST_LENGTH> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned len = 0;
  const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, a.data(), a.size()) == 1 &&
                  (b.empty() || EVP_DigestUpdate(ctx, b.data(), b.size()) == 1) &&
                  EVP_DigestFinal_ex(ctx, out.data(), &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) std::abort();  // SHA-256 cannot fail short of a broken OpenSSL
  return out;
}

}  // namespace

PnKeyId pn_key_id(std::span<const uint8_t> sak) {
  const auto d = sha256({reinterpret_cast<const uint8_t*>(kKeyIdLabel.data()), kKeyIdLabel.size()}, sak);
  PnKeyId id{};
  std::copy(d.begin(), d.begin() + id.size(), id.begin());
  return id;
}

std::string pn_key_id_hex(const PnKeyId& id) {
  std::string s;
  char b[3];
  for (uint8_t v : id) {
    std::snprintf(b, sizeof b, "%02x", v);
    s += b;
  }
  return s;
}

std::string_view pn_state_error_name(PnStateError e) {
  switch (e) {
    case PnStateError::Ok: return "ok";
    case PnStateError::BadLength: return "wrong length (truncated or extended)";
    case PnStateError::BadMagic: return "not a linkcrypt PN state file";
    case PnStateError::BadVersion: return "unknown version";
    case PnStateError::BadReserved: return "reserved octets not zero";
    case PnStateError::BadCheck: return "checksum mismatch (corrupted)";
    case PnStateError::ZeroMark: return "zero high-water mark";
  }
  return "unknown error";
}

PnStateError parse_pn_state(std::span<const uint8_t> in, PnState& out) {
  if (in.size() != kPnStateLen) return PnStateError::BadLength;
  ByteReader r(in);
  std::span<const uint8_t> magic, body_check, id;
  uint8_t version = 0;
  std::span<const uint8_t> reserved;
  uint64_t mark = 0;
  if (!r.read_bytes(sizeof kMagic, magic) || !r.read_u8(version) || !r.read_bytes(3, reserved) ||
      !r.read_bytes(out.key_id.size(), id) || !r.read_u64(mark) || !r.read_bytes(kCheckLen, body_check) || !r.empty()) {
    return PnStateError::BadLength;
  }
  if (!std::equal(magic.begin(), magic.end(), kMagic)) return PnStateError::BadMagic;
  if (version != kPnStateVersion) return PnStateError::BadVersion;
  for (uint8_t b : reserved) {
    if (b != 0) return PnStateError::BadReserved;
  }
  const auto d = sha256(in.first(kPnStateLen - kCheckLen), {});
  if (!std::equal(body_check.begin(), body_check.end(), d.begin())) return PnStateError::BadCheck;
  if (mark == 0) return PnStateError::ZeroMark;
  std::copy(id.begin(), id.end(), out.key_id.begin());
  out.reserved_through = mark;
  return PnStateError::Ok;
}

std::vector<uint8_t> build_pn_state(const PnState& s) {
  ByteWriter w;
  w.put_bytes(kMagic);
  w.put_u8(kPnStateVersion);
  w.put_zeros(3);
  w.put_bytes(s.key_id);
  w.put_u64(s.reserved_through);
  const auto d = sha256(w.view(), {});
  w.put_bytes(std::span<const uint8_t>(d).first(kCheckLen));
  return w.take();
}

}  // namespace linkcrypt::config
