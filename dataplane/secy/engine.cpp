// make_engine and the engine-kind names.
#include "engine.h"

#include "ipsecmb_engine.h"
#include "openssl_engine.h"

#include <stdexcept>

namespace linkcrypt::secy {

CipherEngine::CipherEngine(uint32_t lcore_slot) : lcore_slot_(lcore_slot) {
  if (lcore_slot >= kMaxLcores) throw std::invalid_argument("lcore slot out of range");
}

std::string_view engine_kind_name(EngineKind k) {
  return k == EngineKind::IpsecMb ? "ipsec-mb" : "openssl";
}

std::optional<EngineKind> parse_engine_kind(std::string_view name) {
  if (name == "ipsec-mb" || name == "ipsecmb") return EngineKind::IpsecMb;
  if (name == "openssl") return EngineKind::OpenSsl;
  return std::nullopt;
}

std::unique_ptr<CipherEngine> make_engine(EngineKind kind, uint32_t lcore_slot) {
  if (kind == EngineKind::IpsecMb) return std::make_unique<IpsecMbEngine>(lcore_slot);
  return std::make_unique<OpenSslEngine>(lcore_slot);
}

}  // namespace linkcrypt::secy
