// SIGTERM/SIGINT: tell the peer we are going (IKE Delete) and get the frame onto the wire before the workers stop.
#pragma once

#include "dataplane.h"
#include "keying_controller.h"

namespace linkcrypt::daemon {

// RFC 7296 1.4.1: sends the IKE SA's Delete and serves the exchange until the peer answers or
// 1 s has passed (a dead peer must not hold up the stop), then waits up to 200 ms for the
// workers to empty the key-exchange ring: an in-band Delete still queued when dp.stop() runs
// would be freed unsent and the peer would report PeerDead only after its liveness timeout.
void close_keying(dpdk::Dataplane& dp, keying::KeyingController& controller);

}  // namespace linkcrypt::daemon
