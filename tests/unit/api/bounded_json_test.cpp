// Bounded JSON parsing: RFC 8259 grammar, size and depth limits, duplicate keys, typed errors.
#include "api/bounded_json.h"

#include <gtest/gtest.h>

namespace linkcrypt::api {
namespace {

TEST(BoundedJson, ParsesARequest) {
  auto r = parse_bounded(R"( {"v":1,"cmd":"sa","args":{"json":true,"n":-3,"x":1.5e2,"l":[null,false,"a\u00e9\ud83d\ude00"]}} )");
  ASSERT_TRUE(r.value) << parse_error_name(r.error) << " " << r.detail;
  const Json& v = *r.value;
  EXPECT_EQ(v.at("v").get<uint64_t>(), 1u);
  EXPECT_EQ(v.at("cmd"), "sa");
  const Json& args = v.at("args");
  EXPECT_EQ(args.at("json"), true);
  EXPECT_EQ(args.at("n").get<int64_t>(), -3);
  EXPECT_FALSE(args.at("n").is_number_unsigned());
  EXPECT_DOUBLE_EQ(args.at("x").get<double>(), 150.0);
  const Json& l = args.at("l");
  ASSERT_EQ(l.size(), 3u);
  EXPECT_TRUE(l[0].is_null());
  EXPECT_EQ(l[2].get<std::string>(), "a\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_FALSE(v.contains("missing"));
}

TEST(BoundedJson, LargeUnsignedCountersSurvive) {
  auto r = parse_bounded("18446744073709551615");
  ASSERT_TRUE(r.value);
  EXPECT_EQ(r.value->get<uint64_t>(), UINT64_MAX);
  EXPECT_EQ(write_compact(*r.value), "18446744073709551615");
}

struct BadCase {
  const char* text;
  ParseError error;
};

TEST(BoundedJson, RejectsMalformedInputWithTypedReason) {
  const BadCase cases[] = {
      {"", ParseError::kSyntax},
      {"{", ParseError::kSyntax},
      {"{\"a\" 1}", ParseError::kSyntax},
      {"{\"a\":1,}", ParseError::kSyntax},
      {"[1,2", ParseError::kSyntax},
      {"\"abc", ParseError::kSyntax},
      {"\"a\x01\"", ParseError::kSyntax},
      {"\"\\x\"", ParseError::kSyntax},
      {"\"\\u12\"", ParseError::kSyntax},
      {"\"\\u12G4\"", ParseError::kSyntax},
      {"\"\\ud800\"", ParseError::kSyntax},
      {"\"\\udc00\"", ParseError::kSyntax},
      {"\"\xff\"", ParseError::kSyntax},  // not UTF-8
      {"01", ParseError::kSyntax},
      {"-", ParseError::kSyntax},
      {"1.", ParseError::kSyntax},
      {"1e", ParseError::kSyntax},
      {"1e999", ParseError::kSyntax},  // number overflow
      {"tru", ParseError::kSyntax},
      {"nul1", ParseError::kSyntax},
      {"{} {}", ParseError::kSyntax},
      {"{\"a\":1,\"a\":2}", ParseError::kDuplicateKey},
      {"{\"o\":{\"a\":1,\"b\":{},\"a\":2}}", ParseError::kDuplicateKey},
      {"'a'", ParseError::kSyntax},
      {"/* c */ 1", ParseError::kSyntax},  // no comments
  };
  for (const auto& c : cases) {
    auto r = parse_bounded(c.text);
    EXPECT_FALSE(r.value) << c.text;
    EXPECT_EQ(r.error, c.error) << c.text << " -> " << parse_error_name(r.error);
  }
}

TEST(BoundedJson, SyntaxErrorsSayWhere) {
  auto r = parse_bounded("{\"a\":1,}");
  ASSERT_EQ(r.error, ParseError::kSyntax);
  EXPECT_EQ(r.offset, 8u);
  EXPECT_NE(r.detail.find("syntax error"), std::string::npos) << r.detail;
}

TEST(BoundedJson, EnforcesSizeAndDepthLimits) {
  std::string deep(40, '[');
  deep += std::string(40, ']');
  auto r = parse_bounded(deep);
  EXPECT_EQ(r.error, ParseError::kTooDeep);
  ParseLimits roomy;
  roomy.max_depth = 64;
  EXPECT_TRUE(parse_bounded(deep, roomy).value);
  // Exactly at the limit is fine.
  ParseLimits exact;
  exact.max_depth = 40;
  EXPECT_TRUE(parse_bounded(deep, exact).value);

  std::string big = "\"" + std::string(70 * 1024, 'a') + "\"";
  EXPECT_EQ(parse_bounded(big).error, ParseError::kTooLarge);
}

TEST(BoundedJson, WritesEscapedOneLineText) {
  Json o = {{"s", "line\n\"q\"\\\x01"}, {"n", -5}, {"a", Json::array({true, nullptr, 2.5})}};
  std::string text = write_compact(o);
  EXPECT_EQ(text, R"({"a":[true,null,2.5],"n":-5,"s":"line\n\"q\"\\\u0001"})");
  EXPECT_EQ(text.find('\n'), std::string::npos);
  auto back = parse_bounded(text);
  ASSERT_TRUE(back.value);
  EXPECT_EQ(back.value->at("s"), "line\n\"q\"\\\x01");
}

TEST(BoundedJson, InvalidUtf8FromTheDaemonSideIsReplacedNotFatal) {
  // An IKE identity is bytes: writing it must not fail the whole reply.
  Json o = {{"peer_id", std::string("a\xff" "b")}};
  EXPECT_EQ(write_compact(o), "{\"peer_id\":\"a\xEF\xBF\xBD" "b\"}");
}

}  // namespace
}  // namespace linkcrypt::api
