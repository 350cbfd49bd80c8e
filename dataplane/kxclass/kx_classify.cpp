// classify_kx_frame: one header read, a few compares (runs on the worker for every punted frame).
#include "kx_classify.h"

#include "byte_reader.h"

namespace linkcrypt::kxclass {
namespace {

constexpr uint8_t kExchangeIkeSaInit = 34;     // RFC 7296 3.1 Exchange Type
constexpr uint8_t kExchangeInformational = 37;
constexpr uint8_t kFlagInitiator = 0x08;       // RFC 7296 3.1 Flags: I
constexpr uint8_t kFlagResponse = 0x20;        //                     R

struct IkeHeader {
  uint64_t spi_i = 0;
  uint64_t spi_r = 0;
  uint8_t version = 0;
  uint8_t exchange = 0;
  uint8_t flags = 0;
  uint32_t message_id = 0;
  uint32_t length = 0;
};

bool read_header(std::span<const uint8_t> frame, IkeHeader& h) {
  ByteReader in(frame);
  uint8_t next_payload = 0;
  return in.skip(kKxEthernetHeaderLen) && in.read_u64(h.spi_i) && in.read_u64(h.spi_r) &&
         in.read_u8(next_payload) && in.read_u8(h.version) && in.read_u8(h.exchange) &&
         in.read_u8(h.flags) && in.read_u32(h.message_id) && in.read_u32(h.length);
}

bool belongs_to(const IkeHeader& h, const IkeSaSpis& sa) {
  if (sa.spi_i == 0 || h.spi_i != sa.spi_i) return false;
  if (sa.spi_r == 0) return (h.flags & kFlagResponse) != 0;  // the answer to our IKE_SA_INIT
  return h.spi_r == sa.spi_r;
}

}  // namespace

KxClass classify_kx_frame(std::span<const uint8_t> frame, const KnownIkeSas& known) {
  IkeHeader h;
  if (!read_header(frame, h)) return KxClass::Junk;
  // RFC 7296 3.1: a major version other than 2 is not IKEv2 (2.5 allows answering with
  // INVALID_MAJOR_VERSION, which an unauthenticated sender does not deserve under load).
  if ((h.version >> 4) != 2) return KxClass::Junk;
  if (h.exchange < kExchangeIkeSaInit || h.exchange > kExchangeInformational) return KxClass::Junk;
  if (h.length < kKxIkeHeaderLen || h.length > frame.size() - kKxEthernetHeaderLen) return KxClass::Junk;
  const size_t n = known.count < KnownIkeSas::kMax ? known.count : KnownIkeSas::kMax;
  for (size_t i = 0; i < n; ++i) {
    if (belongs_to(h, known.sas[i])) return KxClass::KnownSa;
  }
  // RFC 7296 2.6 / 3.1: a new IKE SA starts with a request from the initiator, SPIr 0, ID 0.
  if (h.exchange == kExchangeIkeSaInit && (h.flags & kFlagResponse) == 0 && (h.flags & kFlagInitiator) != 0 &&
      h.spi_r == 0 && h.message_id == 0 && h.spi_i != 0) {
    return KxClass::NewInit;
  }
  return KxClass::UnknownSa;
}

}  // namespace linkcrypt::kxclass
