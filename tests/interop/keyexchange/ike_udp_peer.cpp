// ike_udp_peer: TEST TOOL that runs the IKEv2 library over UDP and prints child keys for interop.
#include <exception>
#include <iostream>
#include <memory>

#include "peer_loop.h"
#include "peer_options.h"

int main(int argc, char** argv) {
  using namespace linkcrypt::interop;
  std::shared_ptr<const linkcrypt::ike::Config> cfg;
  std::optional<PeerOptions> opts;
  try {
    opts = parse_peer_options(argc, argv);
    if (!opts) return 0;  // --help
    cfg = std::make_shared<const linkcrypt::ike::Config>(build_config(*opts));
  } catch (const std::exception& e) {
    std::cerr << "ike_udp_peer: " << e.what() << " (see --help)\n";
    return 1;
  }
  PeerLoop loop(std::move(*opts), std::move(cfg));
  return loop.run();
}
