// find_key_holder_program: the search described in key_holder_program.h.
#include "key_holder_program.h"

#include <unistd.h>

#include <climits>

namespace linkcrypt::keyholder {

std::string find_key_holder_program() {
  std::string dir;
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    dir.assign(self, static_cast<size_t>(n));
    dir.erase(dir.find_last_of('/') == std::string::npos ? 0 : dir.find_last_of('/'));
  }
  for (const std::string& p : {dir + "/linkcrypt-keyholder", dir + "/../keyholder/linkcrypt-keyholder",
                               std::string(LINKCRYPT_KEYHOLDER_INSTALLED)}) {
    if (!dir.empty() || p[0] == '/') {
      if (access(p.c_str(), X_OK) == 0) return p;
    }
  }
  return {};
}

}  // namespace linkcrypt::keyholder
