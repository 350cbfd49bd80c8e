// The build's version: meson's project version, plus `git describe` when built from a git checkout.
#pragma once

#include <string>
#include <string_view>

namespace linkcrypt {

// The meson project version, e.g. "0.1.0".
[[nodiscard]] std::string_view project_version();
// `git describe --always --dirty` of the source tree at build time, or the project version when
// the source is not a git checkout (a release tarball).
[[nodiscard]] std::string_view vcs_version();
// What `--version` prints after the program name: "0.1.0" or "0.1.0 (git 3aad426-dirty)".
[[nodiscard]] std::string version_string();

}  // namespace linkcrypt
