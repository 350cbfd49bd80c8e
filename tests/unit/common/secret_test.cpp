// Secrets are move-only and keep their bytes until they die.
#include "secret.h"

#include <gtest/gtest.h>

#include <type_traits>

namespace linkcrypt {
namespace {

static_assert(!std::is_copy_constructible_v<Secret<16>>);
static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);

TEST(Secret, HoldsBytes) {
  const std::array<uint8_t, 4> k{1, 2, 3, 4};
  Secret<4> s{std::span<const uint8_t, 4>(k)};
  EXPECT_TRUE(std::equal(k.begin(), k.end(), s.view().begin()));
}

TEST(SecretBytes, MoveLeavesSourceEmpty) {
  const std::array<uint8_t, 3> k{9, 8, 7};
  SecretBytes a(k);
  SecretBytes b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): checking the moved-from state
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.view()[2], 7);
  SecretBytes c = b.clone();
  EXPECT_TRUE(std::equal(c.view().begin(), c.view().end(), b.view().begin()));
}

}  // namespace
}  // namespace linkcrypt
