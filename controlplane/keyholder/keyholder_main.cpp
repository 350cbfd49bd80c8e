// linkcrypt-keyholder: loads the long-term key, gives up everything else, answers linkcryptd's key requests on fd 3.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "key_source.h"
#include "keyholder_log.h"
#include "keyholder_sandbox.h"
#include "keyholder_service.h"
#include "version.h"

namespace kh = linkcrypt::keyholder;
namespace ike = linkcrypt::ike;

namespace {

constexpr int kSocketFd = 3;  // linkcryptd passes its end of a socketpair here

int usage() {
  std::fputs("usage: linkcrypt-keyholder (--psk-file PATH | --private-key-file PATH) [--user NAME]\n"
             "Started by linkcryptd (key-holder = process) with a SOCK_SEQPACKET socket on fd 3;\n"
             "not meant to be run by hand (docs/architecture-daemon.md).\n",
             stderr);
  return 2;
}

int fatal(const std::string& why) {
  kh::log_line("cannot start: " + why);
  return 2;
}

// The first use of each operation makes OpenSSL fetch its algorithms (which opens files):
// do it now, before seccomp forbids open(2).
void warm_up(ike::LongTermKey& key, kh::KeySource::Kind kind) {
  const uint8_t octets[32] = {};
  ike::KeyUseContext use;
  if (kind == kh::KeySource::Kind::PskFile) {
    for (auto prf : {ike::Prf::HmacSha2_256, ike::Prf::HmacSha2_384, ike::Prf::HmacSha2_512}) {
      (void)key.psk_auth(prf, octets, use);
    }
  } else {
    (void)key.sign(octets, use);
    (void)key.public_key_der();
  }
}

}  // namespace

int main(int argc, char** argv) {
  kh::KeySource src;
  std::string user = "linkcrypt";
  bool have_key = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--version") {
      std::printf("linkcrypt-keyholder %s\n", linkcrypt::version_string().c_str());
      return 0;
    }
    if (i + 1 >= argc) return usage();
    if (a == "--psk-file" || a == "--private-key-file") {
      src.kind = a == "--psk-file" ? kh::KeySource::Kind::PskFile : kh::KeySource::Kind::PrivateKeyFile;
      src.path = argv[++i];
      have_key = true;
    } else if (a == "--user") {
      user = argv[++i];
    } else {
      return usage();
    }
  }
  if (!have_key) return usage();
  int type = 0;
  socklen_t len = sizeof type;
  if (getsockopt(kSocketFd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_SEQPACKET) {
    return fatal("fd 3 is not a SOCK_SEQPACKET socket (linkcryptd starts the key holder)");
  }
  if (auto e = kh::forbid_dumps(); !e.empty()) return fatal(e);
  std::string err;
  auto key = kh::load_long_term_key(src, err);
  if (!key) return fatal(err);
  warm_up(*key, src.kind);
  if (auto e = kh::lock_memory(); !e.empty()) return fatal(e);
  std::string who;
  if (auto e = kh::drop_privileges(user, who); !e.empty()) return fatal(e);
  if (auto e = kh::enter_seccomp(kSocketFd); !e.empty()) return fatal(e);
  kh::log_line("ready: " + std::string(src.kind == kh::KeySource::Kind::PskFile ? "psk-file " : "private-key-file ") +
               src.path + ", " + who + ", seccomp on");
  const int rc = kh::serve(kSocketFd, *key);
  key.reset();  // the key is wiped here, not in exit handlers that seccomp may not allow
  _exit(rc);
}
