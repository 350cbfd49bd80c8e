// Writes a classic pcap of MKPDUs from our encoder (every parameter set we send, each suite's
// Distributed SAK), and prints the fields tshark must show, for tshark_dissects_mkpdu.sh.
#include <cstdio>
#include <fstream>
#include <string>

#include "hex.h"
#include "mkpdu.h"

using namespace linkcrypt;
using namespace linkcrypt::mka;

namespace {

void put_u32_le(std::ofstream& f, uint32_t v) {
  for (int i = 0; i < 4; ++i) f.put(static_cast<char>(v >> (8 * i)));
}

MemberIdentifier mi(uint8_t seed) {
  MemberIdentifier m{};
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<uint8_t>(seed + i);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: mkpdu_samples OUT.pcap\n");
    return 2;
  }
  const Mac dst{0x01, 0x80, 0xC2, 0x00, 0x00, 0x03};
  const Mac src{0x02, 0x00, 0x00, 0x00, 0x00, 0x0A};
  const std::vector<uint8_t> ick(16, 0x5A);

  std::vector<Mkpdu> pdus;
  Mkpdu hello;  // a new participant: no peers yet
  hello.basic.key_server_priority = 16;
  hello.basic.sci = {0x02, 0, 0, 0, 0, 0x0A, 0, 1};
  hello.basic.mi = mi(0x10);
  hello.basic.mn = 1;
  hello.basic.ckn = {0x96, 0x43, 0x7a, 0x93, 0xcc};
  pdus.push_back(hello);

  Mkpdu ks = hello;  // the key server distributing an XPN-256 SAK to one live peer
  ks.basic.key_server = true;
  ks.basic.mn = 5;
  ks.live_peers = std::vector<PeerEntry>{{mi(0x30), 4}};
  ks.potential_peers = std::vector<PeerEntry>{{mi(0x50), 1}};
  SakUse use;
  use.latest_an = 1;
  use.latest_tx = use.latest_rx = true;
  use.has_keys = true;
  use.latest_server_mi = mi(0x10);
  use.latest_kn = 2;
  use.latest_lowest_pn = 1;
  ks.sak_use = use;
  DistributedSak d;
  d.an = 1;
  d.key_number = 2;
  d.cipher_suite = 0x0080C20001000004;
  d.wrapped_sak.assign(40, 0xC3);
  ks.distributed_sak = d;
  ks.xpn = XpnSet{0, 0, 0};
  pdus.push_back(ks);

  Mkpdu gcm128 = ks;  // the default suite: no cipher suite field
  gcm128.basic.mn = 6;
  gcm128.distributed_sak->cipher_suite.reset();
  gcm128.distributed_sak->wrapped_sak.assign(24, 0xA5);
  gcm128.xpn.reset();
  pdus.push_back(gcm128);

  std::ofstream f(argv[1], std::ios::binary);
  put_u32_le(f, 0xa1b2c3d4);
  f.put(2), f.put(0), f.put(4), f.put(0);
  put_u32_le(f, 0), put_u32_le(f, 0), put_u32_le(f, 65535), put_u32_le(f, 1);
  uint32_t t = 0;
  for (const auto& p : pdus) {
    const auto frame = encode_mkpdu(p, dst, src, ick);
    if (!frame) {
      std::fprintf(stderr, "encode failed\n");
      return 1;
    }
    put_u32_le(f, ++t), put_u32_le(f, 0);
    put_u32_le(f, static_cast<uint32_t>(frame->size())), put_u32_le(f, static_cast<uint32_t>(frame->size()));
    f.write(reinterpret_cast<const char*>(frame->data()), static_cast<std::streamsize>(frame->size()));
    // What tshark must show for this frame: MI, MN, key server flag, CKN, and the SAK key number.
    const auto& d = p.distributed_sak;
    std::printf("mi=%s mn=%u ks=%d ckn=%s kn=%s dan=%s suite=%s\n", to_hex(p.basic.mi, false).c_str(), p.basic.mn,
                p.basic.key_server ? 1 : 0, to_hex(p.basic.ckn, false).c_str(),
                d ? std::to_string(d->key_number).c_str() : "-", d ? std::to_string(d->an).c_str() : "-",
                d && d->cipher_suite ? std::to_string(*d->cipher_suite).c_str() : "-");
  }
  return f.good() ? 0 : 1;
}
