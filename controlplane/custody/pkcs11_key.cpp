// PKCS#11 long-term key: the PSK's inner prf and every signature run on the token; a lost token is typed and re-found.
#include "pkcs11_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>
#include <string_view>

#include "hex.h"
#include "ike_auth.h"
#include "ike_crypto.h"
#include "key_description.h"
#include "pkcs11_token.h"
#include "signature_der.h"

namespace linkcrypt::custody {
namespace {

using ike::KeyError;
using ike::KeyResult;

constexpr std::string_view kKeyPad = "Key Pad for IKEv2";
// CKA_EC_PARAMS naming each curve: the OID, or the PrintableString some modules write.
constexpr uint8_t kOidEd25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
constexpr uint8_t kPrintableEd25519[] = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5', '1', '9'};
constexpr uint8_t kOidP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

bool same(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

CK_MECHANISM_TYPE hmac_for(ike::Prf p) {
  switch (p) {
    case ike::Prf::HmacSha2_256: return CKM_SHA256_HMAC;
    case ike::Prf::HmacSha2_384: return CKM_SHA384_HMAC;
    case ike::Prf::HmacSha2_512: return CKM_SHA512_HMAC;
  }
  return CKM_SHA256_HMAC;
}

// One attribute's value (two calls: length, then bytes); empty on any failure.
CK_RV get_attr(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t,
               std::vector<uint8_t>& out) {
  CK_ATTRIBUTE a{t, nullptr, 0};
  CK_RV rv = f->C_GetAttributeValue(s, o, &a, 1);
  if (rv != CKR_OK) return rv;
  if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > 4096) return CKR_ATTRIBUTE_SENSITIVE;
  out.resize(a.ulValueLen);
  a.pValue = out.data();
  return f->C_GetAttributeValue(s, o, &a, 1);
}

// Exactly one object of `cls` with the URI's label and id.
CK_RV find_one(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const std::optional<std::string>& label,
               const std::optional<std::vector<uint8_t>>& id, CK_OBJECT_HANDLE& out, CK_ULONG& found) {
  std::vector<CK_ATTRIBUTE> tmpl{{CKA_CLASS, &cls, sizeof cls}};
  if (label) tmpl.push_back({CKA_LABEL, const_cast<char*>(label->data()), label->size()});
  if (id) tmpl.push_back({CKA_ID, const_cast<uint8_t*>(id->data()), id->size()});
  CK_RV rv = f->C_FindObjectsInit(s, tmpl.data(), tmpl.size());
  if (rv != CKR_OK) return rv;
  CK_OBJECT_HANDLE h[2] = {CK_INVALID_HANDLE, CK_INVALID_HANDLE};
  found = 0;
  rv = f->C_FindObjects(s, h, 2, &found);
  f->C_FindObjectsFinal(s);
  out = h[0];
  return rv;
}

class Pkcs11Key final : public ike::LongTermKey, public Described {
 public:
  Pkcs11Key(TokenKeyKind want, Pkcs11Uri uri, std::string module_path, SecretBytes pin)
      : want_(want), uri_(std::move(uri)), module_path_(std::move(module_path)), pin_(std::move(pin)) {}

  // Session, login, object and public key; the first failure's type and line.
  KeyError connect(std::string& error) {
    session_.reset();
    if (!module_) {
      module_ = Pkcs11Module::load(module_path_, error);
      if (!module_) return KeyError::Unavailable;
    }
    KeyError kind = KeyError::Failed;
    session_ = Pkcs11Session::open(module_, uri_, pin_, kind, error);
    if (!session_) return kind;
    CK_FUNCTION_LIST* f = session_->fn();
    const CK_OBJECT_CLASS cls = want_ == TokenKeyKind::Psk ? CKO_SECRET_KEY : CKO_PRIVATE_KEY;
    CK_ULONG found = 0;
    CK_RV rv = find_one(f, session_->handle(), cls, uri_.object, uri_.id, object_, found);
    if (rv != CKR_OK) return drop(rv, "C_FindObjects failed", error);
    const std::string what = want_ == TokenKeyKind::Psk ? "secret key" : "private key";
    if (found == 0) {
      error = "no " + what + " object matches " + redacted_uri(uri_) + " on the token";
      session_.reset();
      return KeyError::NotFound;
    }
    if (found > 1) {
      error = "more than one " + what + " object matches " + redacted_uri(uri_) + ": add id= or object= to the URI";
      session_.reset();
      return KeyError::NotFound;
    }
    std::vector<uint8_t> v;
    if ((rv = get_attr(f, session_->handle(), object_, CKA_KEY_TYPE, v)) != CKR_OK || v.size() != sizeof(CK_KEY_TYPE))
      return drop(rv, "cannot read CKA_KEY_TYPE", error);
    CK_KEY_TYPE type = 0;
    std::memcpy(&type, v.data(), sizeof type);
    if (want_ == TokenKeyKind::Psk) {
      if (type != CKK_GENERIC_SECRET) {
        error = redacted_uri(uri_) + " is not a CKK_GENERIC_SECRET key: store the PSK as a generic secret (docs/hsm.md)";
        session_.reset();
        return KeyError::Unsupported;
      }
      if (get_attr(f, session_->handle(), object_, CKA_ID, v) == CKR_OK) cka_id_ = v;
      return KeyError::None;
    }
    return read_public_key(type, error);
  }

  KeyResult psk_auth(ike::Prf prf, std::span<const uint8_t> octets, const ike::KeyUseContext&) override {
    if (want_ != TokenKeyKind::Psk) return KeyResult::fail(KeyError::Unsupported, "a signing key has no pre-shared key");
    if (auto e = ensure_session(); !e.ok()) return e;
    CK_MECHANISM mech{hmac_for(prf), nullptr, 0};
    CK_FUNCTION_LIST* f = session_->fn();
    CK_RV rv = f->C_SignInit(session_->handle(), &mech, object_);
    // The inner prf(PSK, "Key Pad for IKEv2") is the only value derived from the PSK that
    // leaves the token; it lives in wiped memory for the one outer prf below.
    SecretBytes pad(ike::prf_len(prf));
    CK_ULONG len = pad.size();
    if (rv == CKR_OK) {
      rv = f->C_Sign(session_->handle(), reinterpret_cast<CK_BYTE*>(const_cast<char*>(kKeyPad.data())), kKeyPad.size(),
                     pad.mut().data(), &len);
    }
    if (rv != CKR_OK || len != pad.size()) return fail_rv(rv == CKR_OK ? CKR_FUNCTION_FAILED : rv, "C_Sign (HMAC)");
    std::vector<uint8_t> out(ike::prf_len(prf));
    const bool ok = ike::prf(prf, pad.view(), {octets}, out);
    pad = SecretBytes();  // wiped now, not when the frame unwinds
    if (!ok) return KeyResult::fail(KeyError::Failed, "the outer prf failed");
    return KeyResult::of(std::move(out));
  }

  KeyResult sign(std::span<const uint8_t> octets, const ike::KeyUseContext&) override {
    if (want_ != TokenKeyKind::Signing) return KeyResult::fail(KeyError::Unsupported, "a pre-shared key cannot sign");
    if (auto e = ensure_session(); !e.ok()) return e;
    CK_FUNCTION_LIST* f = session_->fn();
    std::vector<uint8_t> input;
    CK_MECHANISM mech{CKM_EDDSA, nullptr, 0};
    // CKM_RSA_PKCS_PSS with these parameters is RFC 7427's RSASSA-PSS AlgorithmIdentifier
    // (ike::rsa_pss_sha256_algorithm_id): SHA-256, MGF1-SHA-256, 32 octets of salt.
    CK_RSA_PKCS_PSS_PARAMS pss{CKM_SHA256, CKG_MGF1_SHA256, ike::kRsaPssSaltLen};
    if (sig_kind_ == SignatureKind::EcdsaP256 || sig_kind_ == SignatureKind::RsaPss) {
      // CKM_ECDSA and CKM_RSA_PKCS_PSS sign a digest: SHA-256 here, the key stays on the token.
      input.resize(SHA256_DIGEST_LENGTH);
      SHA256(octets.data(), octets.size(), input.data());
      mech.mechanism = CKM_ECDSA;
      if (sig_kind_ == SignatureKind::RsaPss) mech = {CKM_RSA_PKCS_PSS, &pss, sizeof pss};
    } else {
      input.assign(octets.begin(), octets.end());
    }
    CK_RV rv = f->C_SignInit(session_->handle(), &mech, object_);
    std::vector<uint8_t> raw(512);
    CK_ULONG len = raw.size();
    if (rv == CKR_OK) rv = f->C_Sign(session_->handle(), input.data(), input.size(), raw.data(), &len);
    if (rv != CKR_OK) return fail_rv(rv, "C_Sign");
    raw.resize(len);
    auto auth = method14_auth(sig_kind_, raw);
    if (!auth) return KeyResult::fail(KeyError::Failed, "the token returned a signature of " + std::to_string(len) + " octets");
    return KeyResult::of(std::move(*auth));
  }

  std::vector<uint8_t> public_key_der() const override { return spki_; }

  KeyDescription description() const override {
    KeyDescription d;
    d.name = redacted_uri(uri_);
    if (want_ == TokenKeyKind::Psk) {
      d.kind = "psk";
      // The token's CKA_ID names the secret without revealing anything about it.
      d.fingerprint = "cka-id:" + to_hex(cka_id_, false);
    } else {
      d.kind = sig_kind_ == SignatureKind::Ed25519 ? "ed25519" : sig_kind_ == SignatureKind::RsaPss ? "rsa-pss" : "ecdsa-p256";
      uint8_t h[SHA256_DIGEST_LENGTH];
      SHA256(spki_.data(), spki_.size(), h);
      d.fingerprint = "sha256:" + to_hex(h, false);
    }
    return d;
  }

 private:
  KeyResult ensure_session() {
    if (session_) return KeyResult::of({});
    std::string error;
    const KeyError e = connect(error);
    if (e == KeyError::None) return KeyResult::of({});
    // Next time, load the module afresh: a token that came back may need a new C_Initialize.
    session_.reset();
    module_.reset();
    return KeyResult::fail(e, "the token is not usable: " + error);
  }

  KeyResult fail_rv(CK_RV rv, const std::string& what) {
    const KeyError e = classify(rv);
    // The session is gone with the token: drop it, the next use re-finds the token and logs in.
    if (e == KeyError::Unavailable) {
      session_.reset();
      module_.reset();
    }
    return KeyResult::fail(e, what + " on " + redacted_uri(uri_) + " failed (" + ckr_name(rv) + ")");
  }

  KeyError drop(CK_RV rv, const std::string& what, std::string& error) {
    error = what + " (" + ckr_name(rv) + ")";
    session_.reset();
    const KeyError e = classify(rv);
    return e == KeyError::None ? KeyError::Failed : e;
  }

  KeyError read_public_key(CK_KEY_TYPE type, std::string& error) {
    CK_FUNCTION_LIST* f = session_->fn();
    const CK_SESSION_HANDLE s = session_->handle();
    if (type == CKK_EC_EDWARDS) {
      sig_kind_ = SignatureKind::Ed25519;
    } else if (type == CKK_EC) {
      sig_kind_ = SignatureKind::EcdsaP256;
    } else if (type == CKK_RSA) {
      sig_kind_ = SignatureKind::RsaPss;
    } else {
      error = redacted_uri(uri_) + " is not an Ed25519, EC or RSA key: only Ed25519, ECDSA P-256 and RSA-PSS are supported";
      session_.reset();
      return KeyError::Unsupported;
    }
    // The public half: a CKO_PUBLIC_KEY with the private key's CKA_ID (PKCS#11 4.4 convention).
    std::vector<uint8_t> id;
    std::optional<std::vector<uint8_t>> want_id = uri_.id;
    if (get_attr(f, s, object_, CKA_ID, id) == CKR_OK && !id.empty()) want_id = id;
    CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
    CK_ULONG found = 0;
    CK_RV rv = find_one(f, s, CKO_PUBLIC_KEY, want_id ? std::nullopt : uri_.object, want_id, pub, found);
    if (rv != CKR_OK) return drop(rv, "C_FindObjects (public key) failed", error);
    if (found != 1) {
      error = "no single public key object with the private key's CKA_ID for " + redacted_uri(uri_) +
              ": import or generate the pair together (docs/hsm.md)";
      session_.reset();
      return KeyError::NotFound;
    }
    if (sig_kind_ == SignatureKind::RsaPss) {
      std::vector<uint8_t> n, e;
      if ((rv = get_attr(f, s, pub, CKA_MODULUS, n)) != CKR_OK) return drop(rv, "cannot read CKA_MODULUS", error);
      if ((rv = get_attr(f, s, pub, CKA_PUBLIC_EXPONENT, e)) != CKR_OK) return drop(rv, "cannot read CKA_PUBLIC_EXPONENT", error);
      auto spki = spki_from_rsa(n, e);
      if (!spki) {
        error = redacted_uri(uri_) + ": the RSA public key is malformed or shorter than 2048 bits";
        session_.reset();
        return KeyError::Unsupported;
      }
      spki_ = std::move(*spki);
      return KeyError::None;
    }
    std::vector<uint8_t> params, point;
    if ((rv = get_attr(f, s, pub, CKA_EC_PARAMS, params)) != CKR_OK) return drop(rv, "cannot read CKA_EC_PARAMS", error);
    if ((rv = get_attr(f, s, pub, CKA_EC_POINT, point)) != CKR_OK) return drop(rv, "cannot read CKA_EC_POINT", error);
    const bool curve_ok = sig_kind_ == SignatureKind::Ed25519
                              ? (same(params, kOidEd25519) || same(params, kPrintableEd25519))
                              : same(params, kOidP256);
    auto spki = curve_ok ? spki_from_ec_point(sig_kind_, point) : std::nullopt;
    if (!spki) {
      error = redacted_uri(uri_) + ": the curve is not Ed25519 or P-256 (or its point is malformed)";
      session_.reset();
      return KeyError::Unsupported;
    }
    spki_ = std::move(*spki);
    return KeyError::None;
  }

  TokenKeyKind want_;
  Pkcs11Uri uri_;
  std::string module_path_;
  SecretBytes pin_;  // kept (wiped memory) to log in again when a removed token comes back
  std::shared_ptr<Pkcs11Module> module_;
  std::unique_ptr<Pkcs11Session> session_;
  CK_OBJECT_HANDLE object_ = CK_INVALID_HANDLE;
  SignatureKind sig_kind_ = SignatureKind::Ed25519;
  std::vector<uint8_t> spki_;
  std::vector<uint8_t> cka_id_;
};

}  // namespace

std::shared_ptr<ike::LongTermKey> open_token_key(TokenKeyKind want, const Pkcs11Uri& uri, const std::string& module_path,
                                                 SecretBytes pin, ike::KeyError& kind, std::string& error) {
  auto key = std::make_shared<Pkcs11Key>(want, uri, module_path, std::move(pin));
  kind = key->connect(error);
  if (kind != ike::KeyError::None) return nullptr;
  return key;
}

}  // namespace linkcrypt::custody
