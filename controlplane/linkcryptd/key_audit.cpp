// One AuditSink for the process, logging through the daemon's logger (never key material).
#include "key_audit.h"

#include "daemon_log.h"

namespace linkcrypt::daemon {

custody::AuditSink& key_audit() {
  static custody::AuditSink sink([](const LogEvent& e) { log(e); });
  return sink;
}

void install_key_audit(const DaemonOptions& o) {
  if (!o.audit_log.empty()) {
    if (auto e = key_audit().open_json_file(o.audit_log); !e.empty()) throw ConfigError(e);
  }
  custody::set_process_audit_sink(&key_audit());
}

api::KeysResult keys_result() {
  api::KeysResult out;
  for (const auto& s : key_audit().stats()) {
    out.keys.push_back(api::KeyRow{s.key.name, s.key.kind, s.key.fingerprint, s.uses, s.failures,
                                   s.last_use_ms / 1000, s.last_result});
  }
  return out;
}

}  // namespace linkcrypt::daemon
