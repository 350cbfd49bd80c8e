// Audit records: journald fields through the daemon's logger, JSON lines to --audit-log, counts for `linkcryptctl keys`.
#include "audit.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "hex.h"
#include "open_key.h"

namespace linkcrypt::custody {
namespace {

AuditSink* g_sink = nullptr;

std::string spi_hex(uint64_t spi) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(spi));
  return b;
}

std::string iso_time(int64_t ms) {
  const std::time_t s = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char b[96];
  std::snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return b;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string result_text(ike::KeyError e) { return e == ike::KeyError::None ? "ok" : std::string(key_error_name(e)); }

class AuditedKey final : public ike::LongTermKey, public Described {
 public:
  AuditedKey(std::shared_ptr<ike::LongTermKey> inner, AuditSink& sink) : inner_(std::move(inner)), sink_(sink) {
    if (auto* d = dynamic_cast<const Described*>(inner_.get())) {
      desc_ = d->description();
    } else {
      desc_ = {"long-term key", "unknown", ""};
    }
    sink_.announce(desc_);
  }
  ike::KeyResult psk_auth(ike::Prf prf, std::span<const uint8_t> octets, const ike::KeyUseContext& use) override {
    auto r = inner_->psk_auth(prf, octets, use);
    note("psk_auth", use, r);
    return r;
  }
  ike::KeyResult sign(std::span<const uint8_t> octets, const ike::KeyUseContext& use) override {
    auto r = inner_->sign(octets, use);
    note("sign", use, r);
    return r;
  }
  std::vector<uint8_t> public_key_der() const override { return inner_->public_key_der(); }
  KeyDescription description() const override { return desc_; }

 private:
  void note(const char* op, const ike::KeyUseContext& use, const ike::KeyResult& r) {
    AuditRecord rec;
    rec.unix_ms = now_ms();
    rec.key = desc_;
    rec.operation = op;
    rec.purpose = use.purpose == ike::KeyPurpose::OurAuth ? "our_auth" : "verify_peer_auth";
    rec.peer = use.peer ? identity_text(*use.peer) : "";
    rec.spi_i = use.spi_i;
    rec.spi_r = use.spi_r;
    rec.result = r.error;
    rec.detail = r.detail;
    sink_.record(rec);
  }
  std::shared_ptr<ike::LongTermKey> inner_;
  AuditSink& sink_;
  KeyDescription desc_;
};

}  // namespace

std::string identity_text(const ike::Identity& id) {
  char b[INET6_ADDRSTRLEN] = {};
  if (id.type == ike::IdType::Ipv4Addr && id.data.size() == 4 && inet_ntop(AF_INET, id.data.data(), b, sizeof b)) return b;
  if (id.type == ike::IdType::Ipv6Addr && id.data.size() == 16 && inet_ntop(AF_INET6, id.data.data(), b, sizeof b)) return b;
  if (id.type == ike::IdType::Fqdn || id.type == ike::IdType::Rfc822Addr) {
    std::string s;
    for (uint8_t c : id.data) s.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
    return s;
  }
  return "id-type-" + std::to_string(static_cast<int>(id.type)) + ":" + to_hex(id.data, false);
}

std::string audit_json_line(const AuditRecord& r) {
  nlohmann::json j{{"time", iso_time(r.unix_ms)},  {"key", r.key.name},         {"kind", r.key.kind},
                   {"fingerprint", r.key.fingerprint}, {"operation", r.operation}, {"purpose", r.purpose},
                   {"peer", r.peer},                {"spi_i", spi_hex(r.spi_i)}, {"spi_r", spi_hex(r.spi_r)},
                   {"result", result_text(r.result)}};
  if (!r.detail.empty()) j["detail"] = r.detail;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string AuditSink::open_json_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return "audit-log " + path + ": " + std::strerror(errno);
  json_ = UniqueFd(fd);
  return {};
}

void AuditSink::announce(const KeyDescription& key) {
  std::lock_guard lock(mu_);
  for (const auto& s : stats_) {
    if (s.key.name == key.name && s.key.fingerprint == key.fingerprint) return;
  }
  stats_.push_back(KeyUseStats{key, 0, 0, 0, ""});
}

void AuditSink::record(const AuditRecord& r) {
  {
    std::lock_guard lock(mu_);
    KeyUseStats* s = nullptr;
    for (auto& x : stats_) {
      if (x.key.name == r.key.name && x.key.fingerprint == r.key.fingerprint) s = &x;
    }
    if (!s) {
      stats_.push_back(KeyUseStats{r.key, 0, 0, 0, ""});
      s = &stats_.back();
    }
    ++s->uses;
    if (r.result != ike::KeyError::None) ++s->failures;
    s->last_use_ms = r.unix_ms;
    s->last_result = result_text(r.result);
    if (json_.get() >= 0) {
      const std::string line = audit_json_line(r) + "\n";
      // One write with O_APPEND: a line is never interleaved with another writer's.
      if (::write(json_.get(), line.data(), line.size()) < 0) { /* the journald line below still records it */ }
    }
  }
  if (!log_) return;
  LogEvent e;
  e.level = r.result == ike::KeyError::None ? LogLevel::Notice : LogLevel::Warning;
  e.message = "key use: " + r.operation + " (" + r.purpose + ") with " + r.key.name + " [" + r.key.fingerprint +
              "] peer " + (r.peer.empty() ? "-" : r.peer) + " IKE SPIs " + spi_hex(r.spi_i) + "/" + spi_hex(r.spi_r) +
              ": " + result_text(r.result) + (r.detail.empty() ? "" : " (" + r.detail + ")");
  e.fields = {{"AUDIT", "key-use"},
              {"KEY", r.key.name},
              {"KEY_FINGERPRINT", r.key.fingerprint},
              {"KEY_OP", r.operation},
              {"KEY_PURPOSE", r.purpose},
              {"PEER", r.peer},
              {"SPI_I", spi_hex(r.spi_i)},
              {"SPI_R", spi_hex(r.spi_r)},
              {"RESULT", result_text(r.result)}};
  log_(e);
}

std::vector<KeyUseStats> AuditSink::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::shared_ptr<ike::LongTermKey> audited(std::shared_ptr<ike::LongTermKey> key, AuditSink& sink) {
  if (!key) return key;
  return std::make_shared<AuditedKey>(std::move(key), sink);
}

void set_process_audit_sink(AuditSink* sink) { g_sink = sink; }
AuditSink* process_audit_sink() { return g_sink; }

}  // namespace linkcrypt::custody
