// SaKey: copies the SAK into a wiped Secret and precomputes ipsec-mb's GCM key schedule.
#include "sa_key.h"

#include <openssl/crypto.h>

#include <atomic>
#include <stdexcept>

#include "ipsecmb_engine.h"

namespace linkcrypt::secy {

namespace {

std::atomic<uint64_t> g_next_key_id{1};

// The PRE functions only read the manager's dispatch table, so one process-wide manager set up
// once with the same auto-detected arch as every IpsecMbEngine serves all threads.
IMB_MGR* key_mgr() {
  static ImbMgrPtr mgr = [] {
    ImbMgrPtr m(alloc_mb_mgr(0));
    if (!m) throw std::runtime_error("ipsec-mb: alloc_mb_mgr failed");
    init_mb_mgr_auto(m.get(), nullptr);
    return m;
  }();
  return mgr.get();
}

}  // namespace

SaKey::SaKey(CipherSuite suite, std::span<const uint8_t> sak)
    : sak_len_(sak.size()),
      id_(g_next_key_id.fetch_add(1)),
      suite_(suite),
      imb_(static_cast<gcm_key_data*>(secure_alloc(sizeof(gcm_key_data)))) {
  if (sak.size() != sak_len(suite)) {
    secure_free(imb_, sizeof(gcm_key_data));
    throw std::invalid_argument("SAK length does not match suite");
  }
  std::copy(sak.begin(), sak.end(), sak_.mut().begin());
  IMB_MGR* mgr = key_mgr();
  if (is_256()) {
    IMB_AES256_GCM_PRE(mgr, sak_.view().data(), imb_);
  } else {
    IMB_AES128_GCM_PRE(mgr, sak_.view().data(), imb_);
  }
}

// The schedule is key material too (the round keys give the SAK back).
SaKey::~SaKey() { secure_free(imb_, sizeof(gcm_key_data)); }  // wipes

}  // namespace linkcrypt::secy
