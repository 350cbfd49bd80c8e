// IKEv2 codec: payloads round-trip, and malformed structures are rejected with a typed reason.
#include <gtest/gtest.h>

#include "ike_codec.h"

namespace linkcrypt::ike {
namespace {
}  // namespace
}  // namespace linkcrypt::ike
