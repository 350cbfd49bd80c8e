// linkcryptctl's human output: tables in the documented column order, aligned summaries.
#include "render.h"

#include <gtest/gtest.h>

namespace linkcrypt::ctl {
namespace {

using Json = api::Json;

Json sa_row(const char* dir, uint64_t an, uint64_t pkts) {
  return Json{{"direction", dir}, {"an", an}, {"packets", pkts}, {"zeta", nullptr}};
}

TEST(Render, TablesFollowTheColumnOrderThenNames) {
  Json result = {{"sas", Json::array({sa_row("tx", 1, 12345), sa_row("rx", 0, 7)})}, {"state", "up"}};
  std::string text = render_human(result,
                                  {{"sas", {"direction", "an", "packets"}}});
  EXPECT_EQ(text,
            "state: up\n"
            "sas:\n"
            "  DIRECTION  AN  PACKETS  ZETA\n"
            "  tx         1   12345    -\n"
            "  rx         0   7        -\n");
}

TEST(Render, ScalarsNestedSectionsAndLists) {
  Json peer = {{"ike_state", "established"}, {"failure", nullptr}};
  Json result = {{"peer", peer}, {"must_secure", true}, {"groups", Json::array({31, 19})}};
  EXPECT_EQ(render_human(result),
            "groups:      31, 19\n"
            "must secure: yes\n"
            "peer:\n"
            "  failure:   -\n"
            "  ike state: established\n");
}

}  // namespace
}  // namespace linkcrypt::ctl
