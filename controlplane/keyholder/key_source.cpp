// load_long_term_key: the PSK or private-key file into a key held in this (the key holder's) process,
// through the same loader linkcryptd uses in process (custody/file_key), so the two cannot drift.
#include "key_source.h"

#include "file_key.h"

namespace linkcrypt::keyholder {

std::shared_ptr<ike::LongTermKey> load_long_term_key(const KeySource& src, std::string& error) {
  return src.kind == KeySource::Kind::PskFile ? custody::open_psk_file(src.path, error)
                                              : custody::open_private_key_file(src.path, error);
}

}  // namespace linkcrypt::keyholder
