// Reads a SAK from a hex key file, refusing files that others may read (as ssh does for keys).
#pragma once

#include <string>

#include "secret.h"

namespace linkcrypt::pcaptool {

// The file holds the SAK as hex (':', '-', spaces, a leading 0x and one trailing newline are
// allowed; '#' comment lines are skipped). It must be a regular file with no group/other
// permission bits (chmod 600). Returns "" and fills `sak` on success, else a one-line reason
// that never contains key bytes.
[[nodiscard]] std::string load_sak_file(const std::string& path, SecretBytes& sak);

}  // namespace linkcrypt::pcaptool
