// JSON codec: RFC 8259 grammar, bounded size and depth, typed errors, round trip.
#include "json_value.h"

#include <gtest/gtest.h>

namespace linkcrypt::json {
namespace {

TEST(Json, ParsesARequest) {
  auto r = parse(R"( {"v":1,"cmd":"sa","args":{"json":true,"n":-3,"x":1.5e2,"l":[null,false,"a\u00e9\ud83d\ude00"]}} )");
  ASSERT_TRUE(r.value) << parse_error_name(r.error);
  const Value& v = *r.value;
  EXPECT_EQ(v.find("v")->as_uint(), 1u);
  EXPECT_EQ(*v.find("cmd")->as_string(), "sa");
  const Value* args = v.find("args");
  ASSERT_NE(args, nullptr);
  EXPECT_EQ(args->find("json")->as_bool(), true);
  EXPECT_EQ(args->find("n")->as_int(), -3);
  EXPECT_EQ(args->find("n")->as_uint(), std::nullopt);
  EXPECT_DOUBLE_EQ(*args->find("x")->as_double(), 150.0);
  const Array* l = args->find("l")->as_array();
  ASSERT_NE(l, nullptr);
  ASSERT_EQ(l->size(), 3u);
  EXPECT_TRUE((*l)[0].is_null());
  EXPECT_EQ(*(*l)[2].as_string(), "a\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(v.find("missing"), nullptr);
}

TEST(Json, LargeUnsignedCountersSurvive) {
  auto r = parse("18446744073709551615");
  ASSERT_TRUE(r.value);
  EXPECT_EQ(r.value->as_uint(), UINT64_MAX);
  EXPECT_EQ(write(*r.value), "18446744073709551615");
}

struct BadCase {
  const char* text;
  ParseError error;
};

TEST(Json, RejectsMalformedInputWithTypedReason) {
  const BadCase cases[] = {
      {"", ParseError::kUnexpectedEnd},
      {"{", ParseError::kUnexpectedEnd},
      {"{\"a\" 1}", ParseError::kUnexpectedChar},
      {"{\"a\":1,}", ParseError::kUnexpectedChar},
      {"[1,2", ParseError::kUnexpectedEnd},
      {"\"abc", ParseError::kUnexpectedEnd},
      {"\"a\x01\"", ParseError::kControlCharInString},
      {"\"\\x\"", ParseError::kBadEscape},
      {"\"\\u12\"", ParseError::kUnexpectedEnd},
      {"\"\\u12G4\"", ParseError::kBadEscape},
      {"\"\\ud800\"", ParseError::kBadUtf16Surrogate},
      {"\"\\udc00\"", ParseError::kBadUtf16Surrogate},
      {"01", ParseError::kBadNumber},
      {"-", ParseError::kBadNumber},
      {"1.", ParseError::kBadNumber},
      {"1e", ParseError::kBadNumber},
      {"1e999", ParseError::kBadNumber},
      {"tru", ParseError::kUnexpectedEnd},
      {"nul1", ParseError::kUnexpectedChar},
      {"{} {}", ParseError::kTrailingData},
      {"{\"a\":1,\"a\":2}", ParseError::kDuplicateKey},
      {"'a'", ParseError::kUnexpectedChar},
  };
  for (const auto& c : cases) {
    auto r = parse(c.text);
    EXPECT_FALSE(r.value) << c.text;
    EXPECT_EQ(r.error, c.error) << c.text << " -> " << parse_error_name(r.error);
  }
}

TEST(Json, EnforcesSizeAndDepthLimits) {
  std::string deep(40, '[');
  deep += std::string(40, ']');
  auto r = parse(deep);
  EXPECT_EQ(r.error, ParseError::kTooDeep);
  ParseLimits roomy;
  roomy.max_depth = 64;
  EXPECT_TRUE(parse(deep, roomy).value);

  std::string big = "\"" + std::string(70 * 1024, 'a') + "\"";
  EXPECT_EQ(parse(big).error, ParseError::kTooLarge);
}

TEST(Json, WritesEscapedOneLineText) {
  Object o;
  o["s"] = Value("line\n\"q\"\\\x01");
  o["n"] = Value(int64_t{-5});
  o["a"] = Value(Array{Value(true), Value(nullptr), Value(2.5)});
  std::string text = write(Value(std::move(o)));
  EXPECT_EQ(text, R"({"a":[true,null,2.5],"n":-5,"s":"line\n\"q\"\\\u0001"})");
  EXPECT_EQ(text.find('\n'), std::string::npos);
  auto back = parse(text);
  ASSERT_TRUE(back.value);
  EXPECT_EQ(*back.value->find("s")->as_string(), "line\n\"q\"\\\x01");
}

}  // namespace
}  // namespace linkcrypt::json
