// linkcrypt-pcap: protect or validate the frames of a capture (pcap or pcapng) with the SecY (docs/pcap-tool.md).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "frame_tool.h"
#include "unique_fd.h"
#include "pcap_file.h"
#include "process_hardening.h"
#include "tool_options.h"
#include "version.h"

using namespace linkcrypt;
using namespace linkcrypt::pcaptool;

namespace {

constexpr int kExitAllOk = 0;
constexpr int kExitSomeDropped = 1;
constexpr int kExitRefused = 2;

int refuse(const std::string& why) {
  std::fprintf(stderr, "linkcrypt-pcap: %s\n", why.c_str());
  return kExitRefused;
}

bool read_whole_file(const std::string& path, std::vector<uint8_t>& out, std::string& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    err = "cannot read " + path;
    return false;
  }
  return true;
}

// Validated output is recovered plaintext: created 0600 so it is no more exposed than the keys.
bool write_whole_file(const std::string& path, const std::vector<uint8_t>& bytes, mode_t mode,
                      std::string& err) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd.valid()) {
    err = "cannot create " + path + ": " + std::strerror(errno);
    return false;
  }
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = "cannot write " + path + ": " + std::strerror(errno);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  // Closed by hand here (not by UniqueFd) because close can report a delayed write error.
  if (::close(fd.release()) != 0) {
    err = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // Before --sak / --sak-file is read: no core file, no ptrace or /proc/PID/mem by same-user
  // processes, OpenSSL's key schedules in its locked heap (the SAK itself is a SecretBytes).
  if (const std::string h = harden_process_for_secrets(); !h.empty()) {
    std::fprintf(stderr, "linkcrypt-pcap: warning: key hygiene: %s\n", h.c_str());
  }
  ToolOptions opts;
  try {
    const ParseOutcome what = parse_tool_options(argc, argv, opts);
    if (what == ParseOutcome::Help) {
      std::fputs(tool_usage().c_str(), stdout);
      return kExitAllOk;
    }
    if (what == ParseOutcome::Version) {
      std::printf("linkcrypt-pcap %s\n", version_string().c_str());
      return kExitAllOk;
    }
  } catch (const UsageError& e) {
    std::fprintf(stderr, "linkcrypt-pcap: %s\n(run linkcrypt-pcap --help for usage)\n", e.what());
    return kExitRefused;
  }

  try {
    std::vector<uint8_t> bytes;
    std::string err;
    if (!read_whole_file(opts.in_path, bytes, err)) return refuse(err);
    pcap::PcapFile in;
    pcap::PcapParseError perr;
    if (!pcap::parse_pcap(bytes, in, perr)) return refuse(opts.in_path + ": " + pcap::describe_pcap_error(perr));

    auto engine = secy::make_engine(opts.engine);
    pcap::PcapFile out;
    const bool protect = opts.command == ToolCommand::Protect;
    const ToolReport report = protect ? run_protect(opts, *engine, in, out, stdout)
                                      : run_validate(opts, *engine, in, out, stdout);
    const auto engine_name = engine->description();
    if (opts.out_path.empty()) {
      std::fprintf(stdout, "no output file: %zu frames validated, none written (engine %.*s)\n", out.records.size(),
                   static_cast<int>(engine_name.size()), engine_name.data());
    } else {
      if (!write_whole_file(opts.out_path, pcap::build_pcap(out), protect ? 0644 : 0600, err)) return refuse(err);
      std::fprintf(stdout, "wrote %zu frames to %s (engine %.*s)\n", out.records.size(), opts.out_path.c_str(),
                   static_cast<int>(engine_name.size()), engine_name.data());
    }
    return report.all_ok() ? kExitAllOk : kExitSomeDropped;
  } catch (const std::exception& e) {
    // Start-up failures only (SA parameters the SecY refuses, an engine that cannot start).
    return refuse(e.what());
  }
}
