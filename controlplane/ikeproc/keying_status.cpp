// keying_status: the same fields ControlHandlers::status fills from a controller in the same process.
#include "keying_status.h"

#include "failure_hint.h"

namespace linkcrypt::ikeproc {

ipc::Status keying_status(const keying::KeyingController& c, std::chrono::steady_clock::time_point now) {
  ipc::Status s;
  s.link_state = static_cast<uint8_t>(c.state());
  s.initiator = c.initiator();
  s.rotation_in_progress = c.rotation_in_progress();
  s.tx_an = c.tx_an();
  s.tx_key_id = c.tx_key_id();
  s.rotations = c.rotations().total();
  s.transport = std::string(c.transport().name());
  s.peer_id = c.peer().peer_id;
  s.ike_state = c.ike_state();
  s.ike_spis = c.ike_sa_spis();
  // As status_failure.cpp: only a current failure, only while not secured.
  const auto& f = c.peer().last_failure;
  if (c.state() != keying::LinkState::Secured && f && !f->resolved_at) {
    s.failure = std::string(keying::failure_name(f->cause));
    s.failure_hint = std::string(keying::failure_hint(f->cause));
    const auto ago = std::chrono::duration_cast<std::chrono::seconds>(now - f->at).count();
    s.failure_s_ago = ago > 0 ? static_cast<uint64_t>(ago) : 0;
  }
  return s;
}

}  // namespace linkcrypt::ikeproc
