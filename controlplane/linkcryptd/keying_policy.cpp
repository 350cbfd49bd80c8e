// keying_policy: DaemonOptions -> keying::KeyingPolicy (DPDK-free: linkcrypt-ike builds it too).
#include "keying_policy.h"

namespace linkcrypt::daemon {

keying::KeyingPolicy keying_policy(const DaemonOptions& o) {
  keying::KeyingPolicy p;
  p.rekey_interval = keying::Millis(o.rekey_interval_s * 1000);
  p.rekey_bytes = o.rekey_bytes;
  p.ike_rekey_interval = keying::Millis(o.ike_rekey_interval_s * 1000);
  p.switch_timeout = keying::Millis(o.switch_timeout_ms);
  p.retire_grace = keying::Millis(o.retire_grace_ms);
  p.reconnect_min = keying::Millis(o.reconnect_min_ms);
  p.reconnect_max = keying::Millis(o.reconnect_max_ms);
  return p;
}

}  // namespace linkcrypt::daemon
