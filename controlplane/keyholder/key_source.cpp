// load_long_term_key: the key options into custody::open_long_term_key, the one factory linkcryptd also uses in
// process (key files and PKCS#11 tokens), so the two custody modes cannot drift.
#include "key_source.h"

#include "open_key.h"

namespace linkcrypt::keyholder {

std::shared_ptr<ike::LongTermKey> load_long_term_key(const KeySource& src, std::string& error, ike::KeyError& kind) {
  config::KeyingOptions o;
  o.auth = src.psk() ? "psk" : "pubkey";  // pubkey and cert open the private key the same way
  o.psk_file = src.psk_file;
  o.psk_uri = src.psk_uri;
  o.private_key_file = src.private_key_file;
  o.private_key_uri = src.private_key_uri;
  o.pkcs11_module = src.pkcs11_module;
  o.pin_file = src.pin_file;
  return custody::open_long_term_key(o, error, &kind);
}

}  // namespace linkcrypt::keyholder
