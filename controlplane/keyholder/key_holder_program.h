// Where linkcryptd finds linkcrypt-keyholder: beside itself (build tree) or in the package's libexec directory.
#pragma once

#include <string>

namespace linkcrypt::keyholder {

// The first of: <dir of this program>/linkcrypt-keyholder, <dir>/../keyholder/linkcrypt-keyholder
// (the build tree), the installed /usr/libexec/linkcrypt/linkcrypt-keyholder. Empty if none is executable.
[[nodiscard]] std::string find_key_holder_program();

}  // namespace linkcrypt::keyholder
