// linkcryptctl's human output: tables in the documented column order, aligned summaries.
#include "render.h"

#include <gtest/gtest.h>

namespace linkcrypt::ctl {
namespace {

json::Value sa_row(const char* dir, uint64_t an, uint64_t pkts) {
  json::Object o;
  o["direction"] = json::Value(dir);
  o["an"] = json::Value(an);
  o["packets"] = json::Value(pkts);
  o["zeta"] = json::Value(nullptr);
  return json::Value(std::move(o));
}

TEST(Render, TablesFollowTheColumnOrderThenNames) {
  json::Object result;
  result["sas"] = json::Value(json::Array{sa_row("tx", 1, 12345), sa_row("rx", 0, 7)});
  result["state"] = json::Value("up");
  std::string text = render_human(json::Value(std::move(result)),
                                  {{"sas", {"direction", "an", "packets"}}});
  EXPECT_EQ(text,
            "state: up\n"
            "sas:\n"
            "  DIRECTION  AN  PACKETS  ZETA\n"
            "  tx         1   12345    -\n"
            "  rx         0   7        -\n");
}

TEST(Render, ScalarsNestedSectionsAndLists) {
  json::Object peer;
  peer["ike_state"] = json::Value("established");
  peer["failure"] = json::Value(nullptr);
  json::Object result;
  result["peer"] = json::Value(std::move(peer));
  result["must_secure"] = json::Value(true);
  result["groups"] = json::Value(json::Array{json::Value(31), json::Value(19)});
  EXPECT_EQ(render_human(json::Value(std::move(result))),
            "groups:      31, 19\n"
            "must secure: yes\n"
            "peer:\n"
            "  failure:   -\n"
            "  ike state: established\n");
}

}  // namespace
}  // namespace linkcrypt::ctl
