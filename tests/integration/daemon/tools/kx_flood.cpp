// kx_flood: the tests' own raw-socket attacker. Sends key-exchange frames on an interface as fast
// as an AF_PACKET socket with sendmmsg can (issue 15 §2), for a fixed time, and prints the rate.
//
//   kx_flood --iface IF --seconds S replay HEXFRAME   the same whole Ethernet frame, over and over
//   kx_flood --iface IF --seconds S junk SRCMAC       random payloads of 46..300 octets on 0x88B5
//
// Prints one line: "sent=N seconds=T rate=R frames/s enobufs=E". PACKET_QDISC_BYPASS: the frames
// go straight to the driver, so other packet sockets on IF (the daemon's own wire port, when IF is
// its wire interface) do not see them as outgoing copies.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "kx_flood: %s\n", why.c_str());
  std::exit(2);
}

// Hex digits, ':' separators ignored ("02:00:00:00:0a:01" or a frame dump).
std::vector<uint8_t> from_hex(std::string s) {
  std::erase(s, ':');
  if (s.size() % 2 != 0 || s.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) die("not hex: " + s);
  std::vector<uint8_t> out;
  for (size_t i = 0; i < s.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
  return out;
}

uint64_t xorshift(uint64_t& x) {
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return x;
}

}  // namespace

int main(int argc, char** argv) {
  std::string iface, mode, arg;
  double seconds = 30;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--iface" && i + 1 < argc) {
      iface = argv[++i];
    } else if (a == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (mode.empty()) {
      mode = a;
    } else {
      arg = a;
    }
  }
  if (iface.empty() || (mode != "replay" && mode != "junk") || arg.empty()) {
    die("usage: kx_flood --iface IF [--seconds S] replay HEXFRAME | junk SRCMAC");
  }

  // The frames: one replayed frame, or a pool of random junk cycled through (fresh random bytes
  // for each send would measure the generator, not the daemon).
  constexpr size_t kPool = 4096;
  std::vector<std::vector<uint8_t>> frames;
  if (mode == "replay") {
    frames.push_back(from_hex(arg));
    if (frames[0].size() < 14) die("the frame to replay is shorter than an Ethernet header");
  } else {
    const std::vector<uint8_t> src = from_hex(arg);
    if (src.size() != 6) die("SRCMAC must be 6 octets");
    uint64_t seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) | 1;
    for (size_t k = 0; k < kPool; ++k) {
      std::vector<uint8_t> f = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x03};
      f.insert(f.end(), src.begin(), src.end());
      f.push_back(0x88);
      f.push_back(0xB5);
      const size_t len = 46 + xorshift(seed) % 255;
      for (size_t j = 0; j < len; ++j) f.push_back(static_cast<uint8_t>(xorshift(seed)));
      frames.push_back(std::move(f));
    }
  }

  const int fd = socket(AF_PACKET, SOCK_RAW, 0);  // protocol 0: send only, receive nothing
  if (fd < 0) die(std::string("socket: ") + std::strerror(errno));
  const int one = 1;
  (void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);  // best effort
  const int sndbuf = 4 << 20;
  (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = static_cast<int>(if_nametoindex(iface.c_str()));
  if (to.sll_ifindex == 0) die("no interface " + iface);
  to.sll_halen = 6;
  if (bind(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) die(std::string("bind: ") + std::strerror(errno));

  constexpr unsigned kBatch = 256;
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> msgs(kBatch);
  uint64_t sent = 0, enobufs = 0;
  size_t next = 0;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  auto now = start;
  while (now < end) {
    for (unsigned i = 0; i < kBatch; ++i) {
      std::vector<uint8_t>& f = frames[next];
      next = (next + 1) % frames.size();
      iov[i] = {f.data(), f.size()};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = sendmmsg(fd, msgs.data(), kBatch, 0);
    if (n > 0) {
      sent += static_cast<uint64_t>(n);
    } else if (errno == ENOBUFS || errno == EAGAIN) {
      ++enobufs;  // the device queue is full: try again, that is the flood's ceiling
    } else if (errno != EINTR) {
      die(std::string("sendmmsg: ") + std::strerror(errno));
    }
    now = Clock::now();
  }
  const double took = std::chrono::duration<double>(now - start).count();
  std::printf("sent=%llu seconds=%.1f rate=%.0f frames/s enobufs=%llu\n", static_cast<unsigned long long>(sent), took,
              took > 0 ? static_cast<double>(sent) / took : 0.0, static_cast<unsigned long long>(enobufs));
  close(fd);
  return 0;
}
