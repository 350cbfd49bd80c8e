// The message windows' sending side: encrypted IKE messages (SK payload, RFC 5282), requests and cached responses (RFC 7296 2.1).
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "byte_reader.h"
#include "ike_session_impl.h"
#include "ike_session_util.h"

namespace linkcrypt::ike {

using namespace detail;

// ---- message plumbing ------------------------------------------------------------------------

std::vector<uint8_t> SessionImpl::seal(IkeSa& sa, ExchangeType ex, bool response, uint32_t mid,
                                       const ChainBuilder& inner) {
  ByteWriter chain;
  inner.write(chain);
  auto out = seal_chain(sa, ex, response, mid, inner.first(), chain.view());
  OPENSSL_cleanse(chain.bytes().data(), chain.size());
  return out;
}

std::vector<uint8_t> SessionImpl::seal_raw_for_test(ExchangeType ex, bool response, uint32_t mid, PayloadType first,
                                                    std::span<const uint8_t> chain) {
  if (!sas_.ike) return {};
  return seal_chain(*sas_.ike, ex, response, mid, first, chain);
}

std::vector<uint8_t> SessionImpl::seal_chain(IkeSa& sa, ExchangeType ex, bool response, uint32_t mid,
                                             PayloadType first, std::span<const uint8_t> chain) {
  ByteWriter pt;
  pt.put_bytes(chain);
  pt.put_u8(0);  // Pad Length (RFC 7296 3.14); GCM needs no padding
  Header h;
  h.spi_i = sa.spi_i;
  h.spi_r = sa.spi_r;
  h.next_payload = PayloadType::Sk;
  h.exchange = ex;
  h.flags = static_cast<uint8_t>((sa.initiator ? kFlagInitiator : 0) | (response ? kFlagResponse : 0));
  h.message_id = mid;
  ByteWriter w;
  write_header(w, h);
  w.put_u8(static_cast<uint8_t>(first));
  w.put_u8(0);
  w.put_u16(static_cast<uint16_t>(kGenericHeaderLen + kGcmIvLen + pt.size() + kGcmIcvLen));
  w.patch_u32(24, static_cast<uint32_t>(w.size() + kGcmIvLen + pt.size() + kGcmIcvLen));
  // RFC 5282 5.1: AAD = IKE header .. SK generic header. The explicit IV is a per-SA counter,
  // so it never repeats under one key (RFC 5282 3.1).
  std::vector<uint8_t> aad(w.view().begin(), w.view().end());
  std::array<uint8_t, kGcmIvLen> iv{};
  const uint64_t ctr = sa.iv_counter++;
  for (size_t i = 0; i < 8; ++i) iv[i] = static_cast<uint8_t>(ctr >> (56 - 8 * i));
  std::vector<uint8_t> out = w.take();
  out.insert(out.end(), iv.begin(), iv.end());
  const SecretBytes& key = sa.initiator ? sa.keys.sk_ei : sa.keys.sk_er;
  if (!gcm_seal(key.view(), iv, aad, pt.view(), out)) return {};
  OPENSSL_cleanse(pt.bytes().data(), pt.size());
  return out;
}

bool SessionImpl::open(IkeSa& sa, std::span<const uint8_t> msg, const Message& m, Payloads& inner) {
  if (!m.sk) return false;
  const SkLocation& sk = *m.sk;
  if (sk.body_len < kGcmIvLen + kGcmIcvLen + 1) return false;
  const auto body = msg.subspan(sk.body_offset, sk.body_len);
  const auto aad = msg.first(sk.body_offset);
  std::span<const uint8_t, kGcmIvLen> iv(body.data(), kGcmIvLen);
  const bool from_initiator = (m.header.flags & kFlagInitiator) != 0;
  const SecretBytes& key = from_initiator ? sa.keys.sk_ei : sa.keys.sk_er;
  SecretBytes plain;
  if (!gcm_open(key.view(), iv, aad, body.subspan(kGcmIvLen), plain)) {
    ++counters_.rx_decrypt_failed;
    return false;
  }
  const auto pv = plain.view();
  const uint8_t pad = pv.back();
  if (size_t{pad} + 1 > pv.size()) {
    ++counters_.rx_malformed;
    return false;
  }
  if (parse_payloads(sk.inner_first, pv.first(pv.size() - 1 - pad), inner) != ParseError::Ok) {
    ++counters_.rx_malformed;
    return false;
  }
  return true;
}

void SessionImpl::send_bytes(std::vector<uint8_t> bytes, Output& out) {
  if (bytes.empty()) return;
  out.send.push_back(Datagram{std::move(bytes), nat_.on_nat_port()});
}

void SessionImpl::transmit_pending(IkeSa& sa, ExchangeType ex, const ChainBuilder& inner, TimePoint now, Output& out) {
  Pending& p = *sa.pending;
  p.mid = sa.next_mid++;
  p.bytes = seal(sa, ex, false, p.mid, inner);
  p.interval = cfg_->timers.retransmit_base;
  p.next_retx = now + p.interval;
  p.retries = 0;
  send_bytes(p.bytes, out);
}

void SessionImpl::send_last_request(IkeSa& sa, ExchangeType ex, const ChainBuilder& inner, Output& out) {
  const uint32_t mid = sa.next_mid++;
  send_bytes(seal(sa, ex, false, mid, inner), out);
}

void SessionImpl::send_response(IkeSa& sa, ExchangeType ex, uint32_t mid, const ChainBuilder& inner, Output& out) {
  sa.cached_response = seal(sa, ex, true, mid, inner);
  sa.cached_mid = mid;
  sa.has_cached = true;
  send_bytes(sa.cached_response, out);
}

}  // namespace linkcrypt::ike
