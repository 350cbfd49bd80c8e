// RFC 8784 post-quantum preshared keys: one file per PPK id, read with the common secret-file loader.
#pragma once

#include <string>

#include "ike_session.h"

namespace linkcrypt::custody {

// Checks the PPK id (1..255 octets, printable ASCII: it is sent in PPK_IDENTITY and shown by
// linkcryptctl) and reads `path` with load_secret_file (regular file, our owner, mode 0600 or
// 0400). The file's octets are the PPK exactly as they are (no newline is stripped: a PPK is
// binary, e.g. `head -c 32 /dev/urandom`), at least 32 of them (RFC 8784 3: 256 bits of
// entropy). Returns one error line naming the id and the path, never any content; empty on
// success.
[[nodiscard]] std::string load_ppk_file(const std::string& id, const std::string& path, ike::Ppk& out);

// The PPK id check alone (options are checked before any file is read).
[[nodiscard]] std::string check_ppk_id(const std::string& id);

}  // namespace linkcrypt::custody
