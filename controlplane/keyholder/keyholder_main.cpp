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
#include "keyholder_wire.h"
#include "process_hardening.h"
#include "version.h"

namespace kh = linkcrypt::keyholder;
namespace ike = linkcrypt::ike;

namespace {

constexpr int kSocketFd = 3;  // linkcryptd passes its end of a socketpair here

int usage() {
  std::fputs("usage: linkcrypt-keyholder (--psk-file PATH | --psk-uri URI | --private-key-file PATH |\n"
             "                            --private-key-uri URI) [--pkcs11-module SO] [--pin-file PATH] [--user NAME]\n"
             "                           [--quiet]\n"
             "Started by linkcryptd (key-holder = process) with a SOCK_SEQPACKET socket on fd 3;\n"
             "not meant to be run by hand (docs/architecture-daemon.md).\n",
             stderr);
  return 2;
}

int fatal(const std::string& why) {
  kh::log_line("cannot start: " + why);
  return 2;
}

// The key did not load: linkcryptd's first request (PUBLIC_KEY, sent at once) gets the reason as
// a typed error, so its refusal to start names the cause; then exit 2.
int refuse(const std::string& why, ike::KeyError kind) {
  uint8_t buf[kh::kMaxFrame + 1];
  const ssize_t n = recv(kSocketFd, buf, sizeof buf, 0);
  kh::Answer a;
  if (n > 0) {
    if (auto q = kh::parse_request({buf, static_cast<size_t>(n)})) a.id = q->id;
  }
  a.result = ike::KeyResult::fail(kind == ike::KeyError::None ? ike::KeyError::Failed : kind, why);
  const auto out = kh::encode_answer(a);
  // linkcryptd logs the reason; say it here only if it cannot hear it.
  if (n <= 0 || send(kSocketFd, out.data(), out.size(), MSG_NOSIGNAL) < 0) kh::log_line("cannot start: " + why);
  return 2;
}

// The first use of each operation makes OpenSSL fetch its algorithms (which opens files):
// do it now, before seccomp forbids open(2).
void warm_up(ike::LongTermKey& key, const kh::KeySource& src) {
  const uint8_t octets[32] = {};
  ike::KeyUseContext use;
  if (src.psk()) {
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
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--version") {
      std::printf("linkcrypt-keyholder %s\n", linkcrypt::version_string().c_str());
      return 0;
    }
    if (a == "--quiet") {  // linkcryptd --check-config: no ready line
      quiet = true;
      continue;
    }
    if (i + 1 >= argc) return usage();
    std::string err;
    if (a == "--user") {
      user = argv[++i];
    } else if (!kh::take_key_source_arg(a, argv[i + 1], src, err)) {
      return usage();
    } else {
      ++i;
    }
    if (!err.empty()) return fatal(err);
  }
  if (!kh::check_key_source(src).empty()) return usage();
  int type = 0;
  socklen_t len = sizeof type;
  if (getsockopt(kSocketFd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_SEQPACKET) {
    return fatal("fd 3 is not a SOCK_SEQPACKET socket (linkcryptd starts the key holder)");
  }
  // Before the key or PIN is read: no core file, not dumpable, OpenSSL's key copies in its
  // locked secure heap (the same start as linkcryptd's). forbid_dumps insists on the first two.
  const std::string hygiene = linkcrypt::harden_process_for_secrets();
  if (auto e = kh::forbid_dumps(); !e.empty()) return fatal(e);
  if (!hygiene.empty()) kh::log_line("key hygiene: " + hygiene);
  std::string err;
  ike::KeyError kind = ike::KeyError::Failed;
  auto key = kh::load_long_term_key(src, err, kind);
  if (!key) return refuse(err, kind);
  warm_up(*key, src);
  if (auto e = kh::lock_memory(); !e.empty()) return fatal(e);
  std::string who;
  if (auto e = kh::drop_privileges(user, who); !e.empty()) return fatal(e);
  if (auto e = kh::enter_seccomp(kSocketFd, src.token()); !e.empty()) return fatal(e);
  if (!quiet) kh::log_line("ready: " + src.text() + ", " + who + ", seccomp on" + (src.token() ? " (token allow-list)" : ""));
  const int rc = kh::serve(kSocketFd, *key);
  key.reset();  // the key is wiped here, not in exit handlers that seccomp may not allow
  _exit(rc);
}
