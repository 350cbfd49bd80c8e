// The framing: requests parsed with the documented errors, responses built and read back.
#include "api/protocol.h"

#include <gtest/gtest.h>

namespace linkcrypt::api {
namespace {

TEST(Protocol, RequestRoundTrip) {
  const std::string line = build_request("rotations", Json{{"last", 5}});
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line, "{\"args\":{\"last\":5},\"cmd\":\"rotations\",\"v\":1}\n");
  auto p = parse_request(std::string_view(line).substr(0, line.size() - 1));
  ASSERT_TRUE(p.request) << p.error->message;
  EXPECT_EQ(p.request->cmd, "rotations");
  EXPECT_EQ(p.request->args, (Json{{"last", 5}}));
}

TEST(Protocol, ArgsDefaultToAnEmptyObject) {
  auto p = parse_request(R"({"v":1,"cmd":"sa"})");
  ASSERT_TRUE(p.request);
  EXPECT_TRUE(p.request->args.is_object());
  EXPECT_TRUE(p.request->args.empty());
}

TEST(Protocol, BadRequestsGetTheDocumentedCodes) {
  const std::pair<std::string, ErrorCode> cases[] = {
      {"not json", ErrorCode::kMalformed},
      {"[1,2]", ErrorCode::kMalformed},
      {R"({"cmd":"status"})", ErrorCode::kMalformed},
      {R"({"v":"1","cmd":"status"})", ErrorCode::kMalformed},
      {R"({"v":-1,"cmd":"status"})", ErrorCode::kMalformed},
      {R"({"v":2,"cmd":"status"})", ErrorCode::kUnsupportedVersion},
      {R"({"v":1,"cmd":""})", ErrorCode::kMalformed},
      {R"({"v":1,"cmd":7})", ErrorCode::kMalformed},
      {R"({"v":1,"cmd":"status","args":[]})", ErrorCode::kMalformed},
      {R"({"v":1,"cmd":"status","extra":1})", ErrorCode::kMalformed},
      {R"({"v":1,"cmd":"status","cmd":"sa"})", ErrorCode::kMalformed},
  };
  for (const auto& [text, code] : cases) {
    auto p = parse_request(text);
    EXPECT_FALSE(p.request) << text;
    ASSERT_TRUE(p.error) << text;
    EXPECT_EQ(p.error->code, code) << text << ": " << p.error->message;
  }
}

TEST(Protocol, RequestsOverTheLimitAreRefusedWithAClearError) {
  std::string big = R"({"v":1,"cmd":"status","args":{"x":")" + std::string(kMaxRequestLen, 'a') + "\"}}";
  auto p = parse_request(big);
  ASSERT_TRUE(p.error);
  EXPECT_EQ(p.error->code, ErrorCode::kTooLarge);
  EXPECT_EQ(p.error->message, "request exceeds 65536 octets");
  std::string deep = R"({"v":1,"cmd":"status","args":{"x":)" + std::string(20, '[') + std::string(20, ']') + "}}";
  p = parse_request(deep);
  ASSERT_TRUE(p.error);
  EXPECT_EQ(p.error->code, ErrorCode::kMalformed);
  EXPECT_NE(p.error->message.find("nested too deeply"), std::string::npos) << p.error->message;
}

TEST(Protocol, ResponsesReadBack) {
  std::string why;
  std::string ok = build_ok(Json{{"started", true}});
  EXPECT_EQ(ok, "{\"ok\":true,\"result\":{\"started\":true},\"v\":1}\n");
  auto r = parse_response(std::string_view(ok).substr(0, ok.size() - 1), why);
  ASSERT_TRUE(r) << why;
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(r->result, (Json{{"started", true}}));

  std::string err = build_error(ErrorCode::kPermissionDenied, "root only");
  EXPECT_EQ(err, "{\"error\":{\"code\":\"permission_denied\",\"message\":\"root only\"},\"ok\":false,\"v\":1}\n");
  r = parse_response(std::string_view(err).substr(0, err.size() - 1), why);
  ASSERT_TRUE(r) << why;
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->error_code, "permission_denied");
  EXPECT_EQ(parse_error_code(r->error_code), ErrorCode::kPermissionDenied);
  EXPECT_EQ(r->error_message, "root only");

  EXPECT_FALSE(parse_response("[]", why));
  EXPECT_EQ(why, "linkcryptd sent a response that is not a JSON object");
}

TEST(Protocol, EveryErrorCodeNameReadsBack) {
  for (auto c : {ErrorCode::kMalformed, ErrorCode::kTooLarge, ErrorCode::kUnsupportedVersion,
                 ErrorCode::kUnknownCommand, ErrorCode::kBadArgument, ErrorCode::kUnavailable,
                 ErrorCode::kPermissionDenied, ErrorCode::kInternal}) {
    EXPECT_EQ(parse_error_code(error_code_name(c)), c) << error_code_name(c);
  }
  EXPECT_FALSE(parse_error_code("nope"));
}

}  // namespace
}  // namespace linkcrypt::api
