// Loads the 802.1AE Annex C vectors (macsec_annex_c.json) with a minimal JSON reader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace linkcrypt::secy::test {

struct AnnexCVector {
  std::string name;
  std::string cipher;       // e.g. "GCM-AES-XPN-128"
  bool confidentiality = false;
  std::vector<uint8_t> sak;
  uint64_t sci = 0;
  uint64_t pn = 0;
  uint8_t an = 0;
  bool sci_on_wire = true;
  uint32_t ssci = 0;
  std::vector<uint8_t> salt;
  std::vector<uint8_t> plaintext_frame;
  std::vector<uint8_t> protected_frame;
};

// Reads <dir>/macsec_annex_c.json. Throws std::runtime_error with the reason if the file is
// missing or not the expected shape (an array of flat objects of strings, integers, booleans).
std::vector<AnnexCVector> load_annex_c(const std::string& dir);

}  // namespace linkcrypt::secy::test
