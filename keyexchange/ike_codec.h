// IKEv2 message codec: parse_* decodes structure (consuming exactly), build_* encodes (RFC 7296 3).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "byte_reader.h"
#include "byte_writer.h"
#include "ike_session.h"
#include "ike_wire.h"

namespace linkcrypt::ike {

enum class ParseError : uint8_t {
  Ok,
  Truncated,           // a length field points past the end
  BadLength,           // a length field too small for its structure
  BadVersion,          // major version != 2 (RFC 7296 3.1)
  TrailingBytes,       // a structure did not consume its input exactly
  UnsupportedCritical, // unknown payload with the critical bit (RFC 7296 2.5)
  Duplicate,           // a payload that may appear once appeared twice
  SkNotLast,           // SK must be the last payload (RFC 7296 3.14)
  BadProposal,         // proposal numbering / SPI size / transform count wrong (3.3)
  BadAttribute,        // transform attribute malformed (3.3.5)
  BadTrafficSelector,  // TS length or address size wrong (3.13.1)
};
const char* to_string(ParseError e);

struct Header {
  uint64_t spi_i = 0;
  uint64_t spi_r = 0;
  PayloadType next_payload = PayloadType::None;
  uint8_t version = kIkeVersion;
  ExchangeType exchange = ExchangeType::IkeSaInit;
  uint8_t flags = 0;
  uint32_t message_id = 0;
  uint32_t length = 0;
};

struct Transform {
  TransformType type = TransformType::Encr;
  uint16_t id = 0;
  std::optional<uint16_t> key_len;        // Key Length attribute (TV)
  std::optional<uint16_t> macsec_offset;  // private-use attributes (docs/protocol.md)
  std::optional<uint16_t> macsec_confidentiality;
  bool unknown_attribute = false;         // an attribute we do not know: transform unusable
  bool operator==(const Transform&) const = default;
};

struct Proposal {
  uint8_t number = 1;
  ProtocolId protocol = ProtocolId::Ike;
  std::vector<uint8_t> spi;
  std::vector<Transform> transforms;
};

struct KePayload {
  uint16_t group = 0;
  std::vector<uint8_t> data;
};

struct IdPayload {
  uint8_t id_type = 0;
  std::vector<uint8_t> body;  // the whole payload body ("RestOfIDPayload", RFC 7296 2.15)
  std::vector<uint8_t> data;  // identification data
};

struct CertPayload {
  uint8_t encoding = 0;
  std::vector<uint8_t> data;
};

struct AuthPayload {
  uint8_t method = 0;
  std::vector<uint8_t> data;
};

struct NotifyPayload {
  uint8_t protocol = 0;
  std::vector<uint8_t> spi;
  uint16_t type = 0;
  std::vector<uint8_t> data;
};

struct DeletePayload {
  ProtocolId protocol = ProtocolId::Ike;
  uint8_t spi_len = 0;
  std::vector<std::vector<uint8_t>> spis;
};

// Every payload of one chain (outside SK, or the decrypted SK contents).
struct Payloads {
  std::optional<std::vector<Proposal>> sa;
  std::optional<KePayload> ke;
  std::optional<std::vector<uint8_t>> nonce;
  std::optional<IdPayload> idi;
  std::optional<IdPayload> idr;
  std::vector<CertPayload> certs;
  size_t certreq_count = 0;
  std::optional<AuthPayload> auth;
  std::vector<NotifyPayload> notifies;
  std::vector<DeletePayload> deletes;
  std::optional<std::vector<TrafficSelector>> tsi;
  std::optional<std::vector<TrafficSelector>> tsr;
  size_t vendor_count = 0;
  size_t cp_count = 0;
  size_t unknown_count = 0;  // non-critical unknown payloads, skipped (RFC 7296 2.5)

  [[nodiscard]] const NotifyPayload* find_notify(NotifyType t) const;
};

// Where the SK payload sits in the message: its first inner payload type and its body.
struct SkLocation {
  PayloadType inner_first = PayloadType::None;
  size_t header_offset = 0;  // offset of the SK generic header in the message
  size_t body_offset = 0;
  size_t body_len = 0;
};

struct Message {
  Header header;
  Payloads payloads;            // payloads before SK (all of them for IKE_SA_INIT)
  std::optional<SkLocation> sk;
};

ParseError parse_header(ByteReader& r, Header& out);
// Parses a whole datagram: header, then the unencrypted payload chain up to and including SK.
ParseError parse_message(std::span<const uint8_t> msg, Message& out);
// Parses a payload chain that starts with `first` and must end exactly at the end of `in`.
ParseError parse_payloads(PayloadType first, std::span<const uint8_t> in, Payloads& out,
                          std::optional<SkLocation>* sk = nullptr, size_t base_offset = 0);
ParseError parse_sa(std::span<const uint8_t> body, std::vector<Proposal>& out);
ParseError parse_ts(std::span<const uint8_t> body, std::vector<TrafficSelector>& out);

// ---------------------------------------------------------------------------------------------
// Building. A chain is a list of (type, body); build_chain writes generic headers and links them.

struct PayloadBody {
  PayloadType type;
  std::vector<uint8_t> body;
};

class ChainBuilder {
 public:
  void add(PayloadType type, std::vector<uint8_t> body) { items_.push_back({type, std::move(body)}); }
  [[nodiscard]] PayloadType first() const { return items_.empty() ? PayloadType::None : items_[0].type; }
  // Encodes the chain; the last payload's next-payload field is `last_next`.
  void write(ByteWriter& w, PayloadType last_next = PayloadType::None) const;
  [[nodiscard]] bool empty() const { return items_.empty(); }

 private:
  std::vector<PayloadBody> items_;
};

void write_header(ByteWriter& w, const Header& h);  // length patched later by the caller
void patch_length(ByteWriter& w);                   // sets the IKE header length field
// An unencrypted message (IKE_SA_INIT and its error replies): h with next_payload taken from
// the chain, the chain, and the length patched.
std::vector<uint8_t> build_plain_message(Header h, const ChainBuilder& chain);

std::vector<uint8_t> build_sa(const std::vector<Proposal>& proposals);
std::vector<uint8_t> build_ke(uint16_t group, std::span<const uint8_t> data);
std::vector<uint8_t> build_id(uint8_t id_type, std::span<const uint8_t> data);
std::vector<uint8_t> build_cert(uint8_t encoding, std::span<const uint8_t> data);
std::vector<uint8_t> build_auth(uint8_t method, std::span<const uint8_t> data);
std::vector<uint8_t> build_notify(uint8_t protocol, std::span<const uint8_t> spi, NotifyType type,
                                  std::span<const uint8_t> data);
std::vector<uint8_t> build_delete(ProtocolId protocol, uint8_t spi_len,
                                  const std::vector<std::vector<uint8_t>>& spis);
std::vector<uint8_t> build_ts(const std::vector<TrafficSelector>& ts);

}  // namespace linkcrypt::ike
