// Module load (p11-kit), token selection by URI, session and login; CK_RV named and typed.
#include "pkcs11_token.h"

#include <p11-kit/p11-kit.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

namespace linkcrypt::custody {
namespace {

// PKCS#11 pads token strings with spaces to a fixed width.
std::string_view trimmed(const CK_UTF8CHAR* s, size_t n) {
  std::string_view v(reinterpret_cast<const char*>(s), n);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\0')) v.remove_suffix(1);
  return v;
}

bool token_matches(const CK_TOKEN_INFO& t, const Pkcs11Uri& u) {
  if (u.token && trimmed(t.label, sizeof t.label) != *u.token) return false;
  if (u.manufacturer && trimmed(t.manufacturerID, sizeof t.manufacturerID) != *u.manufacturer) return false;
  if (u.model && trimmed(t.model, sizeof t.model) != *u.model) return false;
  if (u.serial && trimmed(t.serialNumber, sizeof t.serialNumber) != *u.serial) return false;
  return true;
}

}  // namespace

std::string ckr_name(CK_RV rv) {
  switch (rv) {
    case CKR_OK: return "CKR_OK";
    case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
    case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
    case CKR_PIN_EXPIRED: return "CKR_PIN_EXPIRED";
    case CKR_PIN_LEN_RANGE: return "CKR_PIN_LEN_RANGE";
    case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
    case CKR_TOKEN_NOT_RECOGNIZED: return "CKR_TOKEN_NOT_RECOGNIZED";
    case CKR_DEVICE_REMOVED: return "CKR_DEVICE_REMOVED";
    case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
    case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
    case CKR_SESSION_CLOSED: return "CKR_SESSION_CLOSED";
    case CKR_SLOT_ID_INVALID: return "CKR_SLOT_ID_INVALID";
    case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
    case CKR_KEY_HANDLE_INVALID: return "CKR_KEY_HANDLE_INVALID";
    case CKR_OBJECT_HANDLE_INVALID: return "CKR_OBJECT_HANDLE_INVALID";
    case CKR_KEY_TYPE_INCONSISTENT: return "CKR_KEY_TYPE_INCONSISTENT";
    case CKR_KEY_SIZE_RANGE: return "CKR_KEY_SIZE_RANGE";
    case CKR_KEY_FUNCTION_NOT_PERMITTED: return "CKR_KEY_FUNCTION_NOT_PERMITTED";
    case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID";
    case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
    case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
    case CKR_ARGUMENTS_BAD: return "CKR_ARGUMENTS_BAD";
    default: break;
  }
  char b[32];
  std::snprintf(b, sizeof b, "CKR 0x%lx", static_cast<unsigned long>(rv));
  return b;
}

ike::KeyError classify(CK_RV rv) {
  switch (rv) {
    case CKR_OK: return ike::KeyError::None;
    case CKR_PIN_INCORRECT:
    case CKR_PIN_LOCKED:
    case CKR_PIN_EXPIRED:
    case CKR_PIN_LEN_RANGE:
    case CKR_KEY_FUNCTION_NOT_PERMITTED: return ike::KeyError::Denied;
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_TOKEN_NOT_RECOGNIZED:
    case CKR_DEVICE_REMOVED:
    case CKR_DEVICE_ERROR:
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_CLOSED:
    case CKR_SLOT_ID_INVALID:
    case CKR_USER_NOT_LOGGED_IN:
    case CKR_KEY_HANDLE_INVALID:
    case CKR_OBJECT_HANDLE_INVALID: return ike::KeyError::Unavailable;
    case CKR_MECHANISM_INVALID:
    case CKR_KEY_TYPE_INCONSISTENT:
    case CKR_KEY_SIZE_RANGE: return ike::KeyError::Unsupported;
    default: return ike::KeyError::Failed;
  }
}

std::shared_ptr<Pkcs11Module> Pkcs11Module::load(const std::string& path, std::string& error) {
  CK_FUNCTION_LIST* fn = p11_kit_module_load(path.c_str(), 0);
  if (!fn) {
    const char* m = p11_kit_message();
    error = "pkcs11-module " + path + " cannot be loaded" + (m ? std::string(": ") + m : std::string());
    return nullptr;
  }
  const CK_RV rv = p11_kit_module_initialize(fn);
  if (rv != CKR_OK) {
    p11_kit_module_release(fn);
    error = "pkcs11-module " + path + ": C_Initialize failed (" + ckr_name(rv) + ")";
    return nullptr;
  }
  return std::shared_ptr<Pkcs11Module>(new Pkcs11Module(fn, path));
}

Pkcs11Module::~Pkcs11Module() {
  p11_kit_module_finalize(fn_);
  p11_kit_module_release(fn_);
}

std::unique_ptr<Pkcs11Session> Pkcs11Session::open(std::shared_ptr<Pkcs11Module> module, const Pkcs11Uri& uri,
                                                   const SecretBytes& pin, ike::KeyError& kind, std::string& error) {
  CK_FUNCTION_LIST* f = module->fn();
  CK_ULONG count = 0;
  CK_RV rv = f->C_GetSlotList(CK_TRUE, nullptr, &count);
  std::vector<CK_SLOT_ID> slots(count);
  if (rv == CKR_OK && count > 0) rv = f->C_GetSlotList(CK_TRUE, slots.data(), &count);
  if (rv != CKR_OK) {
    kind = classify(rv);
    error = "C_GetSlotList failed (" + ckr_name(rv) + ")";
    return nullptr;
  }
  slots.resize(count);
  std::vector<CK_SLOT_ID> matching;
  for (CK_SLOT_ID s : slots) {
    if (uri.slot_id && s != *uri.slot_id) continue;
    CK_TOKEN_INFO info{};
    if (f->C_GetTokenInfo(s, &info) != CKR_OK) continue;
    if (token_matches(info, uri)) matching.push_back(s);
  }
  if (matching.empty()) {
    kind = ike::KeyError::Unavailable;
    error = "no token present matches " + redacted_uri(uri);
    return nullptr;
  }
  if (matching.size() > 1) {
    kind = ike::KeyError::NotFound;
    error = std::to_string(matching.size()) + " tokens match " + redacted_uri(uri) + ": add token= or serial= to the URI";
    return nullptr;
  }
  CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
  rv = f->C_OpenSession(matching[0], CKF_SERIAL_SESSION, nullptr, nullptr, &h);
  if (rv != CKR_OK) {
    kind = classify(rv);
    error = "C_OpenSession failed (" + ckr_name(rv) + ")";
    return nullptr;
  }
  std::unique_ptr<Pkcs11Session> session(new Pkcs11Session(std::move(module), h));
  // The PIN octets are handed to the module as they are; the buffer stays in wiped memory.
  rv = f->C_Login(h, CKU_USER, const_cast<CK_UTF8CHAR*>(pin.view().data()), pin.size());
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
    kind = classify(rv);
    if (kind == ike::KeyError::Unavailable) kind = ike::KeyError::Denied;  // a login refused is a PIN problem
    error = "C_Login refused (" + ckr_name(rv) + ")";
    return nullptr;
  }
  return session;
}

Pkcs11Session::~Pkcs11Session() { module_->fn()->C_CloseSession(handle_); }

}  // namespace linkcrypt::custody
