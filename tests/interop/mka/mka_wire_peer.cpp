// Test peer for MKA interop: our Participant on a real interface (AF_PACKET, EAPOL 0x888E) for a
// number of seconds, its events printed one a line, and each SAK it transmits with written to
// SAK_DIR/kn<KN> (0600) so that a test can key linkcryptd's manual key file with it. Test-only:
// it exists until linkcryptd's own --keying mka drives the dataplane; it never runs in production.
//
// usage: mka_wire_peer IFNAME MAC SCI16HEX CKNHEX CAK_FILE SECONDS SAK_DIR [PRIORITY [REKEY_AFTER_S]]
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "hex.h"
#include "mka_participant.h"
#include "secret_file.h"
#include "unique_fd.h"

using namespace linkcrypt;
using namespace linkcrypt::mka;

namespace {

bool write_sak(const std::string& dir, uint32_t kn, const SecretBytes& sak) {
  const std::string path = dir + "/kn" + std::to_string(kn);
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) return false;
  const std::string hex = to_hex(sak.view(), false) + "\n";
  return write(fd.get(), hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 8) {
    std::fprintf(stderr, "usage: mka_wire_peer IFNAME MAC SCI CKN CAK_FILE SECONDS SAK_DIR [PRIORITY [REKEY_AFTER_S]]\n");
    return 2;
  }
  setvbuf(stdout, nullptr, _IOLBF, 0);
  const std::string ifname = argv[1], sak_dir = argv[7];
  const auto mac = parse_hex(argv[2]);
  const auto sci = parse_hex(argv[3]);
  const auto ckn = parse_hex(argv[4]);
  const int seconds = std::atoi(argv[6]);
  if (!mac || mac->size() != 6 || !sci || sci->size() != 8 || !ckn) {
    std::fprintf(stderr, "mka_wire_peer: bad MAC, SCI or CKN\n");
    return 2;
  }
  ParticipantConfig cfg;
  cfg.ckn = *ckn;
  SecretBytes cak_text;
  if (auto r = load_secret_file("cak file", argv[5], 256, cak_text); !r.ok()) {
    std::fprintf(stderr, "mka_wire_peer: %s\n", r.message.c_str());
    return 2;
  }
  std::string_view t(reinterpret_cast<const char*>(cak_text.view().data()), cak_text.size());
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.remove_suffix(1);
  if (!parse_hex_secret(t, cfg.cak)) {
    std::fprintf(stderr, "mka_wire_peer: the CAK file is not hex\n");
    return 2;
  }
  std::copy(mac->begin(), mac->end(), cfg.own_mac.begin());
  std::copy(sci->begin(), sci->end(), cfg.sci.begin());
  if (argc > 8) cfg.key_server_priority = static_cast<uint8_t>(std::atoi(argv[8]));
  const int rekey_after = argc > 9 ? std::atoi(argv[9]) : 0;
  auto p = Participant::create(std::move(cfg));
  if (!p) {
    std::fprintf(stderr, "mka_wire_peer: unusable CKN/CAK\n");
    return 2;
  }

  UniqueFd sock(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(kEapolEtherType)));
  const unsigned ifindex = if_nametoindex(ifname.c_str());
  if (sock.get() < 0 || ifindex == 0) {
    std::perror("mka_wire_peer: socket");
    return 1;
  }
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(kEapolEtherType);
  sll.sll_ifindex = static_cast<int>(ifindex);
  packet_mreq mr{};
  mr.mr_ifindex = static_cast<int>(ifindex);
  mr.mr_type = PACKET_MR_PROMISC;
  if (bind(sock.get(), reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0 ||
      setsockopt(sock.get(), SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0) {
    std::perror("mka_wire_peer: bind");
    return 1;
  }

  using Clock = std::chrono::steady_clock;
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  std::optional<Clock::time_point> secured_at;
  bool rekeyed = false;
  std::vector<Event> ev;
  auto handle = [&]() {
    for (auto& e : ev) {
      if (auto* s = std::get_if<SendMkpdu>(&e)) {
        if (send(sock.get(), s->frame.data(), s->frame.size(), 0) < 0) std::perror("mka_wire_peer: send");
      } else if (auto* r = std::get_if<InstallRxSak>(&e)) {
        std::printf("rx kn=%u an=%u\n", r->id.kn, r->an);
      } else if (auto* x = std::get_if<InstallTxSak>(&e)) {
        if (!write_sak(sak_dir, x->id.kn, x->sak)) std::fprintf(stderr, "mka_wire_peer: cannot write the SAK\n");
        std::printf("tx kn=%u an=%u ks_mi=%s\n", x->id.kn, x->an, to_hex(x->id.ks_mi, false).c_str());
        if (!secured_at) secured_at = Clock::now();
      } else if (auto* o = std::get_if<RetireSak>(&e)) {
        std::printf("retire kn=%u an=%u\n", o->id.kn, o->an);
      } else if (auto* l = std::get_if<PeerLive>(&e)) {
        std::printf("live mi=%s sci=%s\n", to_hex(l->mi, false).c_str(), to_hex(l->sci, false).c_str());
      } else if (auto* l = std::get_if<PeerLost>(&e)) {
        std::printf("lost mi=%s\n", to_hex(l->mi, false).c_str());
      } else if (auto* f = std::get_if<Failure>(&e)) {
        std::printf("failure %d %s\n", static_cast<int>(f->reason), f->detail.c_str());
      }
    }
    ev.clear();
  };
  p->start(Clock::now(), ev);
  handle();
  std::vector<uint8_t> buf(2048);
  while (Clock::now() < end) {
    const auto now = Clock::now();
    if (rekey_after > 0 && secured_at && !rekeyed && now - *secured_at >= std::chrono::seconds(rekey_after)) {
      rekeyed = true;
      std::printf("rekey %s\n", p->rekey(now, ev) ? "sent" : "refused (not key server)");
      handle();
    }
    const auto wait = std::min(p->next_deadline(), end) - now;
    pollfd pfd{sock.get(), POLLIN, 0};
    const int ms = static_cast<int>(std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()));
    if (poll(&pfd, 1, std::min(ms, 200)) > 0) {
      sockaddr_ll from{};
      socklen_t fl = sizeof from;
      const ssize_t n = recvfrom(sock.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n > 0 && from.sll_pkttype != PACKET_OUTGOING) {
        p->receive(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)), Clock::now(), ev);
        handle();
      }
    }
    if (p->next_deadline() <= Clock::now()) {
      p->tick(Clock::now(), ev);
      handle();
    }
  }
  const auto s = p->status();
  size_t live = 0;
  for (const auto& v : s.peers) live += v.live ? 1 : 0;
  std::printf("status key_server=%d live_peers=%zu latest_kn=%u latest_tx=%d valid=%llu bad_icv=%llu malformed=%llu watchdog=%llu\n",
              s.key_server ? 1 : 0, live, s.latest_key ? s.latest_key->kn : 0, s.latest_tx ? 1 : 0,
              static_cast<unsigned long long>(s.counters.mkpdus_valid), static_cast<unsigned long long>(s.counters.bad_icv),
              static_cast<unsigned long long>(s.counters.malformed),
              static_cast<unsigned long long>(s.counters.watchdog_restarts));
  return 0;
}
