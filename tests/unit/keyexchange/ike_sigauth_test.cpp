// RFC 7427 signature authentication: Ed25519 / ECDSA P-256 raw public keys and CA-checked X.509.
#include <gtest/gtest.h>

#include "sim_network.h"
#include "test_configs.h"

namespace linkcrypt::ike::test {
namespace {
}  // namespace
}  // namespace linkcrypt::ike::test
