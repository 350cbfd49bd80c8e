// The EAL arguments linkcryptd passes on: the operator's, plus a per-instance --file-prefix.
#pragma once

#include <string>
#include <vector>

namespace linkcrypt::daemon {

// The EAL keeps its shared configuration, hugepage files and telemetry socket under
// /run/dpdk/<file-prefix>; two primaries with the same prefix collide (the second refuses to
// start). Without an explicit --file-prefix, the EAL default "rte" would be shared by every
// daemon on the host, so one is derived from the control socket, which is per instance:
// /run/linkcrypt/site-a.sock -> --file-prefix=linkcrypt-site-a. dpdk-dumpcap and
// dpdk-telemetry.py take the same prefix.
[[nodiscard]] std::vector<std::string> with_file_prefix(std::vector<std::string> eal_args,
                                                        const std::string& control_socket);

}  // namespace linkcrypt::daemon
