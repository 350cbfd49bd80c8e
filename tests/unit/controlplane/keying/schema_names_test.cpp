// The value sets docs/schema/ spells out (`enum`) hold every name the daemon can send: failure
// reasons, link and IKE states, rotation reasons, cipher suites. A new enum value in C++ without its
// schema entry fails here (docs/control-socket.md, Versioning: a new value is a contract change).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "cipher_suite.h"
#include "failure_hint.h"
#include "ike_names.h"
#include "keying_controller.h"
#include "rotation_log.h"

namespace linkcrypt::keying {
namespace {

using Json = nlohmann::json;

Json schema(const std::string& name) {
  const char* d = std::getenv("SCHEMA_DIR");
  std::ifstream in(std::filesystem::path(d ? d : "docs/schema") / (name + ".schema.json"));
  return Json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// The `enum` at $defs/<def>/properties/<field>.
std::set<std::string> enum_of(const Json& s, const std::string& def, const std::string& field) {
  std::set<std::string> out;
  const Json& node = s.at("$defs").at(def).at("properties").at(field);
  for (const auto& v : node.value("enum", Json::array())) out.insert(v.get<std::string>());
  return out;
}

template <class E, class NameOf>
std::set<std::string> names(E last, NameOf name_of) {
  std::set<std::string> out;
  for (int i = 0; i <= static_cast<int>(last); ++i) out.insert(std::string(name_of(static_cast<E>(i))));
  return out;
}

// Every name of a uint8_t enum whose name function has a fallback for values it does not know:
// a value added later is found without naming it here. The fallback "unknown" is not a name.
template <class E, class NameOf>
std::set<std::string> all_names(NameOf name_of) {
  std::set<std::string> out;
  for (int i = 0; i < 256; ++i) out.insert(std::string(name_of(static_cast<E>(i))));
  out.erase("unknown");
  return out;
}

bool includes(const std::set<std::string>& big, const std::set<std::string>& small, std::string& missing) {
  for (const auto& n : small) {
    if (!big.count(n)) missing += " " + n;
  }
  return missing.empty();
}

TEST(SchemaNames, FailureReasons) {
  auto want = all_names<ike::FailReason>([](ike::FailReason r) { return failure_name(FailureCause{r}); });
  for (auto l : {LinkLoss::PeerDead, LinkLoss::IkeDeleted}) want.insert(std::string(failure_name(FailureCause{l})));
  std::string missing;
  EXPECT_TRUE(includes(enum_of(schema("peer"), "PeerFailure", "reason"), want, missing)) << "peer.schema.json lacks" << missing;
}

TEST(SchemaNames, IkeStates) {
  auto want = all_names<ike::SessionState>(ike::session_state_name);
  want.insert({"responding", "connecting", "waiting-for-peer"});  // KeyingController::ike_state without a session
  std::string missing;
  EXPECT_TRUE(includes(enum_of(schema("peer"), "PeerResult", "ike_state"), want, missing)) << "peer.schema.json lacks" << missing;
  want.insert("manual");
  missing.clear();
  EXPECT_TRUE(includes(enum_of(schema("status"), "StatusResult", "ike_state"), want, missing))
      << "status.schema.json lacks" << missing;
}

TEST(SchemaNames, LinkStatesRotationReasonsSuites) {
  std::string missing;
  EXPECT_TRUE(includes(enum_of(schema("status"), "StatusResult", "state"), all_names<LinkState>(link_state_name), missing))
      << "status.schema.json lacks" << missing;
  missing.clear();
  EXPECT_TRUE(includes(enum_of(schema("rotations"), "RotationRecord", "reason"),
                       all_names<RotationReason>(rotation_reason_name), missing))
      << "rotations.schema.json lacks" << missing;
  missing.clear();
  const auto suites = names(secy::CipherSuite::GcmAesXpn256, secy::cipher_suite_name);
  EXPECT_TRUE(includes(enum_of(schema("sa"), "SaRow", "suite"), suites, missing)) << "sa.schema.json lacks" << missing;
  missing.clear();
  std::set<std::string> status_suites;
  const Json status = schema("status");
  for (const auto& v : status.at("$defs").at("suite").at("enum")) status_suites.insert(v.get<std::string>());
  EXPECT_TRUE(includes(status_suites, suites, missing)) << "status.schema.json lacks" << missing;
}

}  // namespace
}  // namespace linkcrypt::keying
