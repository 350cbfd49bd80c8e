// Parameterised SecY tests run once per cipher engine: the values and the gtest name of each.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "engine.h"

namespace linkcrypt::secy::testutil {

inline const auto kBothEngines = ::testing::Values(EngineKind::IpsecMb, EngineKind::OpenSsl);

// gtest names allow only letters, digits and '_' (engine_kind_name() has a '-').
inline std::string engine_param_name(const ::testing::TestParamInfo<EngineKind>& info) {
  return info.param == EngineKind::IpsecMb ? "IpsecMb" : "OpenSsl";
}

}  // namespace linkcrypt::secy::testutil
