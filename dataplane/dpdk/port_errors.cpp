// check_device_arguments / throw_probe_failure: if_nametoindex, sysfs PCI driver links and rte_errno turned into one clear line.
#include "port_errors.h"

#include <net/if.h>
#include <rte_errno.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <filesystem>
#include <string_view>
#include <vector>

namespace linkcrypt::dpdk {
namespace {

struct KeyValue {
  std::string key;
  std::string value;
};

std::string device_of(const std::string& devargs) { return devargs.substr(0, devargs.find(',')); }

std::vector<KeyValue> kvargs_of(const std::string& devargs) {
  std::vector<KeyValue> out;
  size_t at = devargs.find(',');
  while (at != std::string::npos) {
    const size_t next = devargs.find(',', at + 1);
    const std::string item = devargs.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
    const size_t eq = item.find('=');
    if (eq != std::string::npos) out.push_back({item.substr(0, eq), item.substr(eq + 1)});
    at = next;
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// DPDK registers these PMDs as net_X with the alias eth_X.
bool driver_is(std::string_view name, std::string_view pmd) {
  return (starts_with(name, "net_") || starts_with(name, "eth_")) && starts_with(name.substr(4), pmd);
}

std::string prefix(const PortConfig& cfg) { return cfg.role + " port '" + cfg.devargs + "': "; }

[[noreturn]] void config_error(const PortConfig& cfg, const std::string& why) {
  throw PortConfigError(prefix(cfg) + why);
}

std::string not_a_device(const std::string& name) {
  const std::string example_iface = if_nametoindex(name.c_str()) != 0 ? name : std::string("eth0");
  return "not a DPDK device: give a PCI address bound to vfio-pci (e.g. 0000:03:00.0) or a vdev such as "
         "net_af_packet0,iface=" + example_iface;
}

// The full PCI name sysfs uses: "03:00.0" -> "0000:03:00.0".
std::string pci_sysfs_name(const std::string& name) {
  return std::count(name.begin(), name.end(), ':') == 1 ? "0000:" + name : name;
}

}  // namespace

bool looks_like_pci_address(const std::string& name) {
  // [DDDD:]BB:DD.F, hexadecimal.
  auto hex_run = [&](size_t& i, size_t n) {
    for (size_t k = 0; k < n; ++k, ++i) {
      if (i >= name.size() || !std::isxdigit(static_cast<unsigned char>(name[i]))) return false;
    }
    return true;
  };
  size_t i = 0;
  const bool with_domain = name.size() >= 5 && name[4] == ':';
  if (with_domain && !(hex_run(i, 4) && name[i++] == ':')) return false;
  if (!hex_run(i, 2) || i >= name.size() || name[i++] != ':') return false;
  if (!hex_run(i, 2) || i >= name.size() || name[i++] != '.') return false;
  return i + 1 == name.size() && name[i] >= '0' && name[i] <= '7';
}

void check_device_arguments(const PortConfig& cfg) {
  const std::string name = device_of(cfg.devargs);
  if (name.empty()) config_error(cfg, "empty device name: " + not_a_device(""));
  // A vdev is named after its driver (net_af_packet0), a device on a bus by its address
  // (0000:03:00.0, auxiliary:mlx5_core.sf.1). A name with neither '_' nor ':' is a kernel
  // interface name, which the EAL refuses with "Bad address" (no bus claims it).
  if (name.find_first_of("_:") == std::string::npos || if_nametoindex(name.c_str()) != 0) {
    config_error(cfg, not_a_device(name));
  }

  std::vector<std::string> iface_keys;
  if (driver_is(name, "af_packet")) iface_keys = {"iface"};
  else if (driver_is(name, "pcap")) iface_keys = {"iface", "rx_iface", "rx_iface_in", "tx_iface"};
  else if (driver_is(name, "tap")) iface_keys = {"remote"};  // iface= is created by the PMD
  bool has_iface = false;
  for (const auto& kv : kvargs_of(cfg.devargs)) {
    for (const auto& key : iface_keys) {
      if (kv.key != key) continue;
      has_iface = true;
      if (kv.value.empty() || if_nametoindex(kv.value.c_str()) == 0) {
        config_error(cfg, "no such network interface '" + kv.value + "' (see `ip link`" +
                              " in the daemon's network namespace)");
      }
    }
  }
  if (driver_is(name, "af_packet") && !has_iface) {
    config_error(cfg, "net_af_packet needs iface=INTERFACE (e.g. " + name + ",iface=eth0)");
  }
}

void throw_probe_failure(const PortConfig& cfg, int rc) {
  const std::string name = device_of(cfg.devargs);
  if (looks_like_pci_address(name)) {
    const std::filesystem::path dev = std::filesystem::path("/sys/bus/pci/devices") / pci_sysfs_name(name);
    std::error_code ec;
    if (!std::filesystem::exists(dev, ec)) {
      config_error(cfg, "no PCI device " + pci_sysfs_name(name) + " on this machine (see `lspci -D`)");
    }
    const auto driver = std::filesystem::read_symlink(dev / "driver", ec);
    if (ec) {
      config_error(cfg, "PCI device " + pci_sysfs_name(name) +
                            " has no driver: bind it to vfio-pci (dpdk-devbind.py --bind=vfio-pci " + pci_sysfs_name(name) + ")");
    }
    const std::string drv = driver.filename().string();
    if (drv != "vfio-pci" && drv != "uio_pci_generic" && drv != "igb_uio" && !starts_with(drv, "mlx")) {
      config_error(cfg, "PCI device " + pci_sysfs_name(name) + " is bound to the kernel driver '" + drv +
                            "', not vfio-pci: run dpdk-devbind.py --bind=vfio-pci " + pci_sysfs_name(name));
    }
  }
  const int err = rc < 0 ? -rc : rc;
  std::string why;
  switch (err) {
    case EFAULT:
    case EINVAL: config_error(cfg, not_a_device(name));
    case ENOMEM: why = "out of memory while probing (hugepages? --mbufs?)"; break;
    case EACCES: why = "permission denied (run as root or with CAP_NET_RAW and CAP_SYS_ADMIN)"; break;
    case EBUSY: why = "the device is in use (by another DPDK process? give each its own --file-prefix)"; break;
    case ENODEV: config_error(cfg, "no driver for this device (is the PMD for " + name + " installed?)");
    case ENOTSUP: why = "the driver does not support hotplug: give the device with the EAL's -a/--vdev instead"; break;
    default:
      // -1 from a PMD's probe is not errno EPERM: it is "refused", and the PMD said why above.
      why = err == EPERM ? "the driver refused the device arguments (its reason is in the EAL lines above)"
                         : std::string("cannot probe the device: ") + rte_strerror(err);
  }
  throw std::runtime_error(prefix(cfg) + why);
}

}  // namespace linkcrypt::dpdk
