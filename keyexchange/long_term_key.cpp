// The long-term key held in this process: the default when no token or key holder is configured.
#include "long_term_key.h"

#include "ike_auth.h"

namespace linkcrypt::ike {
namespace {

class InProcessPsk final : public LongTermKey {
 public:
  explicit InProcessPsk(SecretBytes psk) : psk_(std::move(psk)) {}
  KeyResult psk_auth(Prf prf, std::span<const uint8_t> octets, const KeyUseContext&) override {
    auto mac = build_psk_auth(prf, psk_.view(), octets);
    if (!mac) return KeyResult::fail(KeyError::Failed, "prf with the pre-shared key failed");
    return KeyResult::of(std::move(*mac));
  }
  KeyResult sign(std::span<const uint8_t>, const KeyUseContext&) override {
    return KeyResult::fail(KeyError::Unsupported, "a pre-shared key cannot sign");
  }
  std::vector<uint8_t> public_key_der() const override { return {}; }

 private:
  SecretBytes psk_;
};

class InProcessSigningKey final : public LongTermKey {
 public:
  explicit InProcessSigningKey(SigningKey key) : key_(std::move(key)) {}
  KeyResult psk_auth(Prf, std::span<const uint8_t>, const KeyUseContext&) override {
    return KeyResult::fail(KeyError::Unsupported, "a signing key has no pre-shared key");
  }
  KeyResult sign(std::span<const uint8_t> octets, const KeyUseContext&) override {
    auto sig = key_.sign(octets);
    if (!sig) return KeyResult::fail(KeyError::Failed, "signing with the private key failed");
    return KeyResult::of(std::move(*sig));
  }
  std::vector<uint8_t> public_key_der() const override { return key_.public_key_der(); }

 private:
  SigningKey key_;
};

}  // namespace

std::shared_ptr<LongTermKey> make_in_process_psk(SecretBytes psk) {
  return std::make_shared<InProcessPsk>(std::move(psk));
}

std::shared_ptr<LongTermKey> make_in_process_signing_key(std::span<const uint8_t> pem) {
  auto key = SigningKey::from_pem(pem);
  if (!key) return nullptr;
  return std::make_shared<InProcessSigningKey>(std::move(*key));
}

}  // namespace linkcrypt::ike
