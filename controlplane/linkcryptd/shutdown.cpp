// close_keying: the IKE Delete at shutdown, bounded waits for its answer and for the kx ring to drain.
#include "shutdown.h"

#include <chrono>
#include <thread>

#include "daemon_log.h"

namespace linkcrypt::daemon {

void close_keying(dpdk::Dataplane& dp, keying::KeyingController& controller) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  if (!controller.close(start)) return;  // no IKE SA: nothing to tell the peer
  const auto answer_deadline = start + std::chrono::seconds(1);
  while (!controller.closed() && Clock::now() < answer_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    controller.tick(Clock::now());  // receives the answer, retransmits the Delete on its timer
  }
  const bool answered = controller.closed();
  const auto ring_deadline = Clock::now() + std::chrono::milliseconds(200);
  while (dp.kx_queued() != 0 && Clock::now() < ring_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  if (answered) {
    log(LogLevel::Info, "ike SA deleted: the peer answered the Delete in " + std::to_string(ms) + " ms");
  } else if (dp.kx_queued() == 0) {
    log(LogLevel::Notice, "ike Delete sent; no answer from the peer within 1 s (stopping anyway)");
  } else {
    log(LogLevel::Warning, "ike Delete still queued after " + std::to_string(ms) +
                               " ms: the peer will detect the loss by its liveness checks");
  }
}

}  // namespace linkcrypt::daemon
