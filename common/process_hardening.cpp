// harden_process_for_secrets: prctl, setrlimit and CRYPTO_secure_malloc_init, each checked.
#include "process_hardening.h"

#include <openssl/crypto.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace linkcrypt {
namespace {

// Room for a few EC/Ed25519 private keys and HMAC keys at a time; a power of two (OpenSSL).
constexpr size_t kOpensslSecureHeapLen = 64 * 1024;
constexpr int kOpensslSecureMinLen = 16;

void note(std::string& out, const std::string& what) {
  if (!out.empty()) out += "; ";
  out += what;
}

}  // namespace

std::string harden_process_for_secrets() {
  std::string problems;
  const rlimit none{0, 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0) note(problems, std::string("setrlimit(RLIMIT_CORE, 0): ") + std::strerror(errno));
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) note(problems, std::string("prctl(PR_SET_DUMPABLE, 0): ") + std::strerror(errno));
  if (CRYPTO_secure_malloc_initialized() == 0) {
    const int r = CRYPTO_secure_malloc_init(kOpensslSecureHeapLen, kOpensslSecureMinLen);
    if (r == 0) note(problems, "OpenSSL secure heap unavailable");
    if (r == 2) note(problems, "OpenSSL secure heap not locked (RLIMIT_MEMLOCK)");
  }
  return problems;
}

}  // namespace linkcrypt
