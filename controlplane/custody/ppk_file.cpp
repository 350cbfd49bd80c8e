// PPK id check and PPK file read (RFC 8784): the common secret-file loader, then a length floor.
#include "ppk_file.h"

#include "secret_file.h"

namespace linkcrypt::custody {

std::string check_ppk_id(const std::string& id) {
  if (id.empty()) return "ppk-id is empty: name the PPK (the same id on both peers)";
  if (id.size() > ike::kMaxPpkIdLen)
    return "ppk-id is " + std::to_string(id.size()) + " characters long: at most " +
           std::to_string(ike::kMaxPpkIdLen) + " are allowed";
  for (char c : id)
    if (c < 0x21 || c > 0x7e) return "ppk-id may hold only printable ASCII characters without spaces";
  return {};
}

std::string load_ppk_file(const std::string& id, const std::string& path, ike::Ppk& out) {
  if (auto e = check_ppk_id(id); !e.empty()) return e;
  if (path.empty()) return "ppk-id " + id + " needs ppk-file (the file holding that PPK)";
  SecretBytes key;
  if (auto r = load_secret_file("ppk-file", path, kMaxSecretFileLen, key); !r.ok()) return r.message;
  if (key.size() < ike::kMinPpkLen)
    return "ppk-file " + path + " holds " + std::to_string(key.size()) + " octets: a PPK needs at least " +
           std::to_string(ike::kMinPpkLen) + " (e.g. head -c 32 /dev/urandom > FILE)";
  out = ike::Ppk{id, std::move(key)};
  return {};
}

}  // namespace linkcrypt::custody
