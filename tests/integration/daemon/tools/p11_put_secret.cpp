// Test helper: stores a file's octets on a PKCS#11 token as a CKK_GENERIC_SECRET that may only sign (HMAC), is sensitive and never extractable.
// pkcs11-tool 0.23 cannot write a generic secret ("Unknown key type 0x10"), so the tests use this.
// usage: p11_put_secret MODULE TOKEN_LABEL PIN_FILE OBJECT_LABEL ID_HEX SECRET_FILE
#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {
int die(const char* what, CK_RV rv) {
  std::fprintf(stderr, "p11_put_secret: %s failed (0x%lx)\n", what, static_cast<unsigned long>(rv));
  return 1;
}
std::vector<unsigned char> read_all(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: p11_put_secret MODULE TOKEN_LABEL PIN_FILE OBJECT_LABEL ID_HEX SECRET_FILE\n");
    return 2;
  }
  auto pin = read_all(argv[3]);
  while (!pin.empty() && (pin.back() == '\n')) pin.pop_back();
  auto secret = read_all(argv[6]);
  while (!secret.empty() && secret.back() == '\n') secret.pop_back();
  std::vector<unsigned char> id;
  for (size_t i = 0; argv[5][i] && argv[5][i + 1]; i += 2) {
    unsigned v = 0;
    std::sscanf(argv[5] + i, "%2x", &v);
    id.push_back(static_cast<unsigned char>(v));
  }
  CK_FUNCTION_LIST* f = p11_kit_module_load(argv[1], 0);
  if (!f) return die("p11_kit_module_load", 0);
  CK_RV rv = p11_kit_module_initialize(f);
  if (rv != CKR_OK) return die("C_Initialize", rv);
  CK_ULONG n = 0;
  f->C_GetSlotList(CK_TRUE, nullptr, &n);
  std::vector<CK_SLOT_ID> slots(n);
  f->C_GetSlotList(CK_TRUE, slots.data(), &n);
  CK_SLOT_ID slot = 0;
  bool found = false;
  for (CK_SLOT_ID s : slots) {
    CK_TOKEN_INFO t{};
    if (f->C_GetTokenInfo(s, &t) != CKR_OK) continue;
    std::string label(reinterpret_cast<char*>(t.label), sizeof t.label);
    label.erase(label.find_last_not_of(' ') + 1);
    if (label == argv[2]) { slot = s; found = true; }
  }
  if (!found) return die("finding the token", 0);
  CK_SESSION_HANDLE h = 0;
  if ((rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &h)) != CKR_OK) return die("C_OpenSession", rv);
  if ((rv = f->C_Login(h, CKU_USER, pin.data(), pin.size())) != CKR_OK) return die("C_Login", rv);
  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  CK_KEY_TYPE type = CKK_GENERIC_SECRET;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ATTRIBUTE tmpl[] = {
      {CKA_CLASS, &cls, sizeof cls}, {CKA_KEY_TYPE, &type, sizeof type}, {CKA_TOKEN, &yes, sizeof yes},
      {CKA_PRIVATE, &yes, sizeof yes}, {CKA_SENSITIVE, &yes, sizeof yes}, {CKA_EXTRACTABLE, &no, sizeof no},
      {CKA_SIGN, &yes, sizeof yes}, {CKA_VERIFY, &yes, sizeof yes}, {CKA_ENCRYPT, &no, sizeof no},
      {CKA_DECRYPT, &no, sizeof no}, {CKA_DERIVE, &no, sizeof no},
      {CKA_LABEL, argv[4], std::strlen(argv[4])}, {CKA_ID, id.data(), id.size()},
      {CKA_VALUE, secret.data(), secret.size()},
  };
  CK_OBJECT_HANDLE o = 0;
  if ((rv = f->C_CreateObject(h, tmpl, sizeof tmpl / sizeof tmpl[0], &o)) != CKR_OK) return die("C_CreateObject", rv);
  f->C_Logout(h);
  f->C_CloseSession(h);
  p11_kit_module_finalize(f);
  p11_kit_module_release(f);
  return 0;
}
