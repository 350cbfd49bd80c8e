// scripts/bench secy: protect/validate frames/s and Gb/s per core, per engine, next to raw GCM.
#include <sched.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "frame_pool.h"
#include "measure.h"
#include "raw_gcm.h"
#include "secy_runner.h"

namespace po = boost::program_options;
using namespace linkcrypt::bench;

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// One core: the numbers are "per core", and migrations would add noise.
int pin_to_cpu(int cpu) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return -1;
  if (cpu < 0) {  // default: the highest CPU we may use (CPU 0 takes most interrupts)
    for (int c = CPU_SETSIZE - 1; c >= 0; --c) {
      if (CPU_ISSET(c, &allowed)) {
        cpu = c;
        break;
      }
    }
  }
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0) return -1;
  return cpu;
}

struct Row {
  std::string suite, op, size, impl;
  Result result;
};

void print_row(const Row& r, bool markdown) {
  const double mfps = r.result.frames_per_s / 1e6;
  const double gbps = r.result.octets_per_s * 8 / 1e9;
  char ratio[48];
  std::snprintf(ratio, sizeof ratio, "%.0f%% (%.0f-%.0f)", 100 * r.result.ratio, 100 * r.result.ratio_min,
                100 * r.result.ratio_max);
  if (markdown) {
    std::printf("| %s | %s | %s | %s | %.2f | %.2f | %s |\n", r.suite.c_str(), r.op.c_str(), r.size.c_str(),
                r.impl.c_str(), mfps, gbps, ratio);
  } else {
    std::printf("%-16s %-9s %-5s %-18s %9.2f %8.2f  %s\n", r.suite.c_str(), r.op.c_str(), r.size.c_str(),
                r.impl.c_str(), mfps, gbps, ratio);
  }
  std::fflush(stdout);
}

std::vector<uint8_t> bench_key(size_t len) {
  std::vector<uint8_t> k(len);
  for (size_t i = 0; i < len; ++i) k[i] = static_cast<uint8_t>(0xA0 + i);  // not a secret
  return k;
}

}  // namespace

int main(int argc, char** argv) {
  MeasureConfig mcfg;
  std::string suites_arg, sizes_arg, ops_arg, engines_arg, replay_arg;
  int cpu = -1;
  bool markdown = false;
  po::options_description desc(
      "bench_secy: frames/s and Gb/s per core (plain frame octets, no FCS) of the raw ipsec-mb\n"
      "GCM call (the limit) and of the SecY's protect/validate. Options");
  desc.add_options()
      ("help,h", "this help")
      ("suites", po::value(&suites_arg)->default_value("gcm-aes-128,gcm-aes-256,gcm-aes-xpn-128,gcm-aes-xpn-256"),
       "comma-separated cipher suites")
      ("sizes", po::value(&sizes_arg)->default_value("64,512,1518,imix"),
       "comma-separated plain frame sizes (octets, no FCS) or imix (7:4:1 of 64/570/1518)")
      ("ops", po::value(&ops_arg)->default_value("protect,validate"), "protect and/or validate")
      ("engines", po::value(&engines_arg)->default_value("ipsec-mb,openssl"), "SecY engines to measure")
      ("reps", po::value(&mcfg.reps)->default_value(7), "repetitions (the median is reported)")
      ("min-ms", po::value(&mcfg.min_ms)->default_value(50), "timed milliseconds per contender and repetition")
      ("replay", po::value(&replay_arg)->default_value("window0"),
       "window0: validate with replay window 0 (the default runner); compare: also each engine with "
       "window 64 without and with --replay-check strict (the bitmap's cost), side by side")
      ("cpu", po::value(&cpu)->default_value(-1), "CPU to pin to (default: the highest allowed)")
      ("markdown", po::bool_switch(&markdown), "print a Markdown table");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    po::notify(vm);
    if (mcfg.reps == 0 || mcfg.min_ms == 0) throw std::invalid_argument("--reps and --min-ms must be > 0");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_secy: %s\n", e.what());
    return 2;
  }

  try {
    const int pinned = pin_to_cpu(cpu);
    if (pinned < 0) {
      std::perror("bench_secy: sched_setaffinity");
      return 1;
    }
    std::printf("bench_secy: pinned to CPU %d; %u reps x >= %u ms timed each, median; bursts of %u, "
                "pool of %u frames\n",
                pinned, mcfg.reps, mcfg.min_ms, kBurst, kPoolFrames);
    std::vector<linkcrypt::secy::EngineKind> engines;
    for (const auto& name : split_list(engines_arg)) {
      const auto kind = linkcrypt::secy::parse_engine_kind(name);
      if (!kind) throw std::invalid_argument("unknown engine " + name);
      engines.push_back(*kind);
    }
    bool described = false;
    for (const auto& suite_name : split_list(suites_arg)) {
      const auto suite = linkcrypt::secy::parse_cipher_suite(suite_name);
      if (!suite) throw std::invalid_argument("unknown suite " + suite_name);
      const auto key = bench_key(linkcrypt::secy::sak_len(*suite));
      RawGcm raw(key);
      // One runner per engine and suite: its SAs start at PN 1, far from exhaustion.
      std::vector<std::unique_ptr<SecyRunner>> runners;
      std::vector<std::string> labels;
      for (auto kind : engines) {
        runners.push_back(std::make_unique<SecyRunner>(*suite, kind));
        labels.emplace_back(linkcrypt::secy::engine_kind_name(kind));
      }
      if (replay_arg == "compare") {
        for (auto kind : engines) {
          for (bool strict : {false, true}) {
            runners.push_back(std::make_unique<SecyRunner>(*suite, kind));
            runners.back()->set_replay(64, strict);
            labels.push_back(std::string(linkcrypt::secy::engine_kind_name(kind)) + (strict ? "/w64+strict" : "/w64"));
          }
        }
      } else if (replay_arg != "window0") {
        throw std::invalid_argument("--replay must be window0 or compare");
      }
      if (!described) {
        std::printf("# raw: ipsec-mb %s %s direct GCM calls;", IMB_VERSION_STR, raw.arch_name().c_str());
        for (auto& r : runners) std::printf(" engine: %s;", r->engine_description().c_str());
        std::printf("\n");
        described = true;
        if (markdown) {
          std::printf("| suite | op | size | impl | Mframes/s | Gb/s | vs raw: median (min-max) |\n|---|---|---|---|---:|---:|---:|\n");
        } else {
          std::printf("%-16s %-9s %-5s %-18s %9s %8s  %s\n", "suite", "op", "size", "impl", "Mframes/s", "Gb/s",
                      "vs raw: median (min-max)");
        }
      }
      for (const auto& size : split_list(sizes_arg)) {
        const SizeMix mix = make_size_mix(size);
        FramePool pool(mix);
        for (const auto& op : split_list(ops_arg)) {
          const bool protect = op == "protect";
          if (!protect && op != "validate") throw std::invalid_argument("unknown op " + op);
          // Contender 0 is the raw limit; then each engine's SecY, all on the same pool.
          std::vector<Contender> contenders;
          if (protect) {
            contenders.push_back({[&] { pool.restore_plain(); }, [&] { raw.seal_pass(pool); }});
          } else {
            pool.restore_plain();
            raw.seal_pass(pool);
            pool.snapshot_work();
            contenders.push_back({[&] { pool.restore_snapshot(); }, [&] { raw.open_pass(pool); }});
          }
          for (auto& runner : runners) {
            SecyRunner* r = runner.get();
            if (protect && &runner - runners.data() >= static_cast<std::ptrdiff_t>(engines.size())) {
              continue;  // the replay variants differ only on receive
            }
            if (protect) {
              contenders.push_back({[&pool] { pool.restore_plain(); },
                                    [r, &pool] { r->protect_pass(pool); r->check_last_pass("protect"); }});
            } else {
              contenders.push_back({[r, &pool] { r->prepare_validate(pool); },
                                    [r, &pool] { r->validate_pass(pool); r->check_last_pass("validate"); }});
            }
          }
          const auto results = measure(mcfg, kPoolFrames, pool.total_octets(), contenders);
          print_row({suite_name, op, size, "raw-gcm", results[0]}, markdown);
          for (size_t e = 0; e + 1 < results.size(); ++e) {
            print_row({suite_name, op, size, labels[e], results[e + 1]}, markdown);
          }
        }
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_secy: %s\n", e.what());
    return 1;
  }
  return 0;
}
