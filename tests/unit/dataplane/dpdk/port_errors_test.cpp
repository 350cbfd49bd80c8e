// Port argument checks that need no EAL: bare interface names, missing vdev interfaces, PCI address shapes.
#include <gtest/gtest.h>

#include "port_errors.h"

namespace linkcrypt::dpdk {
namespace {

std::string refusal(const std::string& role, const std::string& devargs) {
  PortConfig c;
  c.role = role;
  c.devargs = devargs;
  try {
    check_device_arguments(c);
  } catch (const PortConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(PortErrors, PciAddressShapes) {
  EXPECT_TRUE(looks_like_pci_address("0000:03:00.0"));
  EXPECT_TRUE(looks_like_pci_address("03:00.1"));
  EXPECT_TRUE(looks_like_pci_address("0000:af:1f.7"));
  EXPECT_FALSE(looks_like_pci_address("eth0"));
  EXPECT_FALSE(looks_like_pci_address("0000:03:00"));
  EXPECT_FALSE(looks_like_pci_address("0000:03:00.8"));
  EXPECT_FALSE(looks_like_pci_address("0000:03:00.0x"));
  EXPECT_FALSE(looks_like_pci_address("net_af_packet0"));
}

TEST(PortErrors, BareInterfaceNameIsNotADpdkDevice) {
  EXPECT_EQ(refusal("plain", "eth0"),
            "plain port 'eth0': not a DPDK device: give a PCI address bound to vfio-pci (e.g. 0000:03:00.0) or a "
            "vdev such as net_af_packet0,iface=eth0");
  // An interface that exists is named in the hint.
  EXPECT_NE(refusal("wire", "lo").find("net_af_packet0,iface=lo"), std::string::npos);
}

TEST(PortErrors, MissingVdevInterfaceIsNamed) {
  EXPECT_EQ(refusal("wire", "net_af_packet0,iface=nosuch0"),
            "wire port 'net_af_packet0,iface=nosuch0': no such network interface 'nosuch0' (see `ip link` in the "
            "daemon's network namespace)");
  EXPECT_NE(refusal("plain", "net_pcap0,rx_iface=nosuch1,tx_iface=lo").find("'nosuch1'"), std::string::npos);
  EXPECT_NE(refusal("plain", "net_af_packet0").find("needs iface="), std::string::npos);
  EXPECT_NE(refusal("plain", "eth_af_packet0,iface=nosuch2").find("'nosuch2'"), std::string::npos);
}

TEST(PortErrors, ValidArgumentsPass) {
  EXPECT_EQ(refusal("plain", "net_af_packet0,iface=lo"), "");
  EXPECT_EQ(refusal("plain", "net_tap0,iface=lctap0"), "");  // tap: the PMD creates the interface
  EXPECT_EQ(refusal("plain", "0000:03:00.0"), "");           // PCI: checked after the probe fails
  EXPECT_EQ(refusal("plain", "net_ring0"), "");
}

}  // namespace
}  // namespace linkcrypt::dpdk
