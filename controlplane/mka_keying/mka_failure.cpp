// mka_failure_name / mka_failure_hint: the words of `linkcryptctl status` and the logs.
#include "mka_failure.h"

namespace linkcrypt::mka_keying {

std::string_view mka_failure_name(mka::MkaFailure f) {
  switch (f) {
    case mka::MkaFailure::CakMismatch:
      return "CakMismatch";
    case mka::MkaFailure::CknMismatch:
      return "CknMismatch";
    case mka::MkaFailure::CipherMismatch:
      return "CipherMismatch";
  }
  return "Unknown";
}

std::string_view mka_failure_hint(mka::MkaFailure f) {
  switch (f) {
    case mka::MkaFailure::CakMismatch:
      return "the peer uses the same CKN with another CAK: compare mka-cak-file with the peer's CAK for this CKN";
    case mka::MkaFailure::CknMismatch:
      return "the peer sends MKPDUs for another CKN: set mka-ckn to the CKN configured on the peer's port (hex, same length)";
    case mka::MkaFailure::CipherMismatch:
      return "the key server distributes another cipher suite: make mka-cipher-suite match the peer's (gcm-aes-128 or gcm-aes-256)";
  }
  return "";
}

}  // namespace linkcrypt::mka_keying
