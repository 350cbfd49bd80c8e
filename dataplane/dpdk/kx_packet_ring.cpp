// KxPacketRing: the kx EtherType's own AF_PACKET socket and TPACKET_V2 ring; the PMD's sockets filtered.
#include "kx_packet_ring.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "pmd_packet_sockets.h"

namespace linkcrypt::dpdk {
namespace {

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

bool attach(int fd, const std::vector<sock_filter>& code) {
  sock_fprog prog{static_cast<unsigned short>(code.size()), const_cast<sock_filter*>(code.data())};
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0;
}

uint32_t round_up_pow2(uint32_t v) {
  uint32_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

}  // namespace

std::unique_ptr<KxPacketRing> KxPacketRing::open(uint32_t if_index, uint16_t ethertype, uint32_t frames,
                                                 uint32_t max_frame_len, const std::vector<sock_filter>& filter,
                                                 std::string& err) {
  std::unique_ptr<KxPacketRing> r(new KxPacketRing());
  // Protocol 0 until bind: nothing is queued on the socket before its ring exists.
  r->fd_.reset(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!r->fd_.valid()) {
    err = errno_text("socket(AF_PACKET)");
    return nullptr;
  }
  const int fd = r->fd_.get();
  const int version = TPACKET_V2;
  if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0) {
    err = errno_text("PACKET_VERSION");
    return nullptr;
  }
  if (!attach(fd, filter)) {
    err = errno_text("SO_ATTACH_FILTER");
    return nullptr;
  }
  // A slot holds the header and the longest frame the wire carries (a longer one would be cut).
  const auto page = static_cast<uint32_t>(sysconf(_SC_PAGESIZE));
  r->frame_size_ = round_up_pow2(std::max<uint32_t>(2048, max_frame_len + TPACKET_ALIGN(TPACKET2_HDRLEN) + 64));
  const uint32_t block = std::max(page, r->frame_size_);
  const uint32_t per_block = block / r->frame_size_;
  tpacket_req req{};
  req.tp_block_size = block;
  req.tp_frame_size = r->frame_size_;
  req.tp_block_nr = std::max<uint32_t>(1, frames / per_block);
  req.tp_frame_nr = req.tp_block_nr * per_block;
  if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0) {
    err = errno_text("PACKET_RX_RING");
    return nullptr;
  }
  r->frame_count_ = req.tp_frame_nr;
  r->map_len_ = static_cast<size_t>(req.tp_block_size) * req.tp_block_nr;
  void* map = mmap(nullptr, r->map_len_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  if (map == MAP_FAILED) {
    err = errno_text("mmap of the packet ring");
    return nullptr;
  }
  r->map_ = static_cast<uint8_t*>(map);
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ethertype);
  addr.sll_ifindex = static_cast<int>(if_index);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    err = errno_text("bind to the wire interface");
    return nullptr;
  }
  return r;
}

bool KxPacketRing::set_filter(const std::vector<sock_filter>& filter) { return attach(fd_.get(), filter); }

KxPacketRing::~KxPacketRing() {
  if (map_ != nullptr) munmap(map_, map_len_);
}

uint64_t KxPacketRing::take_drops() const {
  tpacket_stats st{};
  socklen_t len = sizeof st;
  if (getsockopt(fd_.get(), SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) return 0;
  return st.tp_drops;
}

std::vector<sock_filter> not_kx_filter(uint16_t ethertype, uint16_t also_refused) {
  // A VLAN-tagged frame keeps the PMD's path: the kernel has moved its tag out of the frame by
  // now, hence the ancillary load before the EtherType at offset 12.
  if (also_refused == 0) also_refused = ethertype;  // the same test twice: one program shape
  return {
      {BPF_LD | BPF_W | BPF_ABS, 0, 0, static_cast<uint32_t>(SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT)},
      {BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0},  // tagged: accept
      {BPF_LD | BPF_W | BPF_LEN, 0, 0, 0},
      {BPF_JMP | BPF_JGE | BPF_K, 0, 3, 14},  // shorter than an Ethernet header: accept (the worker counts it)
      {BPF_LD | BPF_H | BPF_ABS, 0, 0, 12},
      {BPF_JMP | BPF_JEQ | BPF_K, 2, 0, ethertype},
      {BPF_JMP | BPF_JEQ | BPF_K, 1, 0, also_refused},
      {BPF_RET | BPF_K, 0, 0, 0xFFFFFFFFu},
      {BPF_RET | BPF_K, 0, 0, 0},
  };
}

std::vector<sock_filter> accept_all_filter() { return {{BPF_RET | BPF_K, 0, 0, 0xFFFFFFFFu}}; }

std::vector<sock_filter> kx_spi_filter(const kxclass::KnownIkeSas& known, bool known_ones) {
  constexpr uint32_t kAccept = 0xFFFFFFFFu;
  constexpr uint32_t kIkeHeaderEnd = 14 + 28;
  constexpr uint8_t kMatch = 0xFF;  // jump placeholders, resolved below
  constexpr uint8_t kNext = 0xFE;
  std::vector<sock_filter> code;
  // A frame too short for an IKE header is not a known SA's: it goes where the others go (a load
  // past the end would end the program with 0, a drop no counter sees).
  code.push_back({BPF_LD | BPF_W | BPF_LEN, 0, 0, 0});
  code.push_back({BPF_JMP | BPF_JGE | BPF_K, 1, 0, kIkeHeaderEnd});
  code.push_back({BPF_RET | BPF_K, 0, 0, known_ones ? 0 : kAccept});
  // One block per IKE SA, as kxclass::classify_kx_frame's belongs_to: SPIi, then SPIr, or while
  // SPIr is not known (our IKE_SA_INIT awaits its answer) the Response flag (RFC 7296 3.1).
  std::vector<size_t> block_end;
  const size_t n = std::min<size_t>(known.count, kxclass::KnownIkeSas::kMax);
  for (size_t i = 0; i < n; ++i) {
    const kxclass::IkeSaSpis& sa = known.sas[i];
    if (sa.spi_i == 0) continue;
    code.push_back({BPF_LD | BPF_W | BPF_ABS, 0, 0, 14});
    code.push_back({BPF_JMP | BPF_JEQ | BPF_K, 0, kNext, static_cast<uint32_t>(sa.spi_i >> 32)});
    code.push_back({BPF_LD | BPF_W | BPF_ABS, 0, 0, 18});
    if (sa.spi_r != 0) {
      code.push_back({BPF_JMP | BPF_JEQ | BPF_K, 0, kNext, static_cast<uint32_t>(sa.spi_i)});
      code.push_back({BPF_LD | BPF_W | BPF_ABS, 0, 0, 22});
      code.push_back({BPF_JMP | BPF_JEQ | BPF_K, 0, kNext, static_cast<uint32_t>(sa.spi_r >> 32)});
      code.push_back({BPF_LD | BPF_W | BPF_ABS, 0, 0, 26});
      code.push_back({BPF_JMP | BPF_JEQ | BPF_K, kMatch, kNext, static_cast<uint32_t>(sa.spi_r)});
    } else {
      code.push_back({BPF_JMP | BPF_JEQ | BPF_K, 0, kNext, static_cast<uint32_t>(sa.spi_i)});
      code.push_back({BPF_LD | BPF_B | BPF_ABS, 0, 0, 14 + 19});  // Flags
      code.push_back({BPF_JMP | BPF_JSET | BPF_K, kMatch, kNext, 0x20});
    }
    block_end.push_back(code.size());
  }
  const size_t no_match = code.size();
  code.push_back({BPF_RET | BPF_K, 0, 0, known_ones ? 0 : kAccept});
  const size_t match = code.size();
  code.push_back({BPF_RET | BPF_K, 0, 0, known_ones ? kAccept : 0});
  // Jumps count from the next instruction; NEXT is the following block (or no match).
  size_t block = 0;
  for (size_t pc = 3; pc < no_match; ++pc) {
    if (pc >= block_end[block]) ++block;
    const size_t next = block_end[block];
    for (uint8_t* j : {&code[pc].jt, &code[pc].jf}) {
      if (*j == kMatch) *j = static_cast<uint8_t>(match - pc - 1);
      if (*j == kNext) *j = static_cast<uint8_t>(next - pc - 1);
    }
  }
  return code;
}

bool keep_kx_off_pmd_sockets(uint32_t if_index, uint16_t ethertype, std::string& err, uint16_t also_refused) {
  bool ok = true;
  const int filtered = for_each_pmd_packet_socket(if_index, [&](int fd) {
    if (attach(fd, not_kx_filter(ethertype, also_refused))) return true;
    err = errno_text("SO_ATTACH_FILTER on the PMD's packet socket");
    ok = false;
    return false;
  });
  if (filtered < 0) {
    err = errno_text("/proc/self/fd");
    return false;
  }
  if (ok && filtered == 0) {
    err = "no net_af_packet socket on the wire interface to filter";
    ok = false;
  }
  return ok;
}

}  // namespace linkcrypt::dpdk
