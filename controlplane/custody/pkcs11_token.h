// A PKCS#11 module loaded through p11-kit, and a logged-in session on the token a URI names (RAII for each).
#pragma once

#include <p11-kit/pkcs11.h>

#include <memory>
#include <string>

#include "long_term_key.h"
#include "pkcs11_uri.h"
#include "secret.h"

namespace linkcrypt::custody {

// CKR_* as its name ("CKR_PIN_INCORRECT"), for log lines.
[[nodiscard]] std::string ckr_name(CK_RV rv);
// What an operator can act on: PIN → Denied, token/session gone → Unavailable, ...
[[nodiscard]] ike::KeyError classify(CK_RV rv);

// The module (C_Initialize'd by p11-kit); finalized and released when the last user lets go.
class Pkcs11Module {
 public:
  static std::shared_ptr<Pkcs11Module> load(const std::string& path, std::string& error);
  ~Pkcs11Module();
  Pkcs11Module(const Pkcs11Module&) = delete;
  Pkcs11Module& operator=(const Pkcs11Module&) = delete;
  [[nodiscard]] CK_FUNCTION_LIST* fn() const { return fn_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  Pkcs11Module(CK_FUNCTION_LIST* fn, std::string path) : fn_(fn), path_(std::move(path)) {}
  CK_FUNCTION_LIST* fn_;
  std::string path_;
};

// A read-only user session, logged in with the PIN; C_CloseSession on destruction.
class Pkcs11Session {
 public:
  // Finds the one token matching the URI's token attributes, opens a session, logs in. On
  // failure returns nullptr with `error` (typed in `kind`).
  static std::unique_ptr<Pkcs11Session> open(std::shared_ptr<Pkcs11Module> module, const Pkcs11Uri& uri,
                                             const SecretBytes& pin, ike::KeyError& kind, std::string& error);
  ~Pkcs11Session();
  Pkcs11Session(const Pkcs11Session&) = delete;
  Pkcs11Session& operator=(const Pkcs11Session&) = delete;
  [[nodiscard]] CK_FUNCTION_LIST* fn() const { return module_->fn(); }
  [[nodiscard]] CK_SESSION_HANDLE handle() const { return handle_; }

 private:
  Pkcs11Session(std::shared_ptr<Pkcs11Module> m, CK_SESSION_HANDLE h) : module_(std::move(m)), handle_(h) {}
  std::shared_ptr<Pkcs11Module> module_;
  CK_SESSION_HANDLE handle_;
};

}  // namespace linkcrypt::custody
