// linkcrypt-pcap's command line: the parsed options and the parser that refuses bad ones (exit 2).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cipher_suite.h"
#include "engine.h"
#include "keylog_file.h"
#include "sa.h"
#include "secret.h"

namespace linkcrypt::pcaptool {

enum class ToolCommand : uint8_t { Protect, Validate };

struct ToolOptions {
  ToolCommand command = ToolCommand::Protect;
  secy::CipherSuite suite = secy::CipherSuite::GcmAes128;
  SecretBytes sak;                 // sak_len(suite) octets, from --sak or --sak-file
  secy::Sci sci = 0;
  uint8_t an = 0;
  bool xpn = false;
  secy::XpnParams xpn_params;      // --ssci / --salt, XPN suites only
  // protect
  uint64_t first_pn = 1;           // --pn
  bool integrity_only = false;     // --integrity-only: E=C=0 (14.5 integrity without confidentiality)
  bool no_sci = false;             // --no-sci: SecTAG without SCI, ES=1 (9.5)
  // validate
  uint64_t lowest_pn = 1;          // --lowest-pn
  uint32_t replay_window = 0;      // --replay-window
  // validate --keylog FILE: every SA comes from linkcryptd's keylog (docs/keylog.md), picked per
  // frame by SCI, AN and time; then suite, sak, sci, an and xpn_params above are unused.
  std::string keylog_path;
  std::vector<KeylogSa> keylog;
  secy::EngineKind engine = secy::EngineKind::IpsecMb;
  std::string in_path;
  std::string out_path;            // validate: may be empty (verdicts only, nothing written)
  bool quiet = false;              // --quiet: no per-frame verdict lines
};

// Every refusal of the command line: main prints "linkcrypt-pcap: <what>" and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What to do: run the command, or print help/version and exit 0.
enum class ParseOutcome : uint8_t { Run, Help, Version };

// Parses argv. Throws UsageError with one clear message on anything wrong. Wipes the SAK text
// from argv (so `ps` shows "--sak xxxx...") and from every temporary string it passed through.
[[nodiscard]] ParseOutcome parse_tool_options(int argc, char** argv, ToolOptions& out);

[[nodiscard]] std::string tool_usage();

}  // namespace linkcrypt::pcaptool
