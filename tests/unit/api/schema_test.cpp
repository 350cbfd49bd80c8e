// docs/schema/ against api/: every command has a schema file, and every struct's field list
// matches its schema (names, required or not, null or not, JSON type, no other properties), so a
// field added, renamed or retyped in api/ without its schema (or the reverse) fails here. The
// daemon's real responses are validated against the same files by daemon_schema.
#include "api/commands.h"
#include "api/peer.h"
#include "api/protocol.h"
#include "api/keys.h"
#include "api/mka.h"
#include "api/rotations.h"
#include "api/sa.h"
#include "api/stats.h"
#include "api/status.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace linkcrypt::api {
namespace {

std::filesystem::path schema_dir() {
  const char* d = std::getenv("SCHEMA_DIR");
  return d ? d : "docs/schema";
}

Json load_schema(const std::string& name) {
  std::ifstream in(schema_dir() / (name + ".schema.json"));
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_bounded(text.str(), ParseLimits{.max_len = 1 << 20, .max_depth = 64});
  EXPECT_TRUE(parsed.value) << name << ".schema.json: " << parse_error_name(parsed.error) << " at " << parsed.offset
                            << " " << parsed.detail;
  return parsed.value.value_or(Json::object());
}

template <class T> struct IsOptional : std::false_type {};
template <class T> struct IsOptional<std::optional<T>> : std::true_type {};
template <class T> struct IsVector : std::false_type {};
template <class T> struct IsVector<std::vector<T>> : std::true_type {};

// Walks one schema file beside a C++ type and collects every disagreement.
class SchemaCheck {
 public:
  explicit SchemaCheck(Json root) : root_(std::move(root)) {}
  [[nodiscard]] const std::vector<std::string>& problems() const { return problems_; }

  // `node` must describe T (nullable: T or null).
  template <class T>
  void check(const Json& node, const std::string& path, bool nullable) {
    const Json& n = deref(node, path);
    if (nullable) {
      if (n.contains("anyOf")) {
        const Json& branches = n.at("anyOf");
        const Json* other = nullptr;
        bool has_null = false;
        for (const auto& b : branches) {
          const Json& d = deref(b, path);
          if (d == Json{{"type", "null"}}) {
            has_null = true;
          } else {
            other = &b;
          }
        }
        if (branches.size() != 2 || !has_null || !other) return fail(path, "nullable: want anyOf [X, {type: null}]");
        return check<T>(*other, path, false);
      }
    } else if (n.contains("anyOf")) {
      return fail(path, "anyOf on a field that is never null");
    }
    check_type<T>(n, path, nullable);
  }

 private:
  const Json& deref(const Json& node, const std::string& path) {
    const Json* n = &node;
    for (int hops = 0; n->is_object() && n->contains("$ref"); ++hops) {
      const std::string ref = n->at("$ref").get<std::string>();
      const std::string prefix = "#/$defs/";
      if (hops > 8 || ref.rfind(prefix, 0) != 0 || !root_["$defs"].contains(ref.substr(prefix.size()))) {
        fail(path, "unresolvable $ref " + ref);
        return kEmpty;
      }
      n = &root_["$defs"][ref.substr(prefix.size())];
    }
    return *n;
  }

  void fail(const std::string& path, const std::string& what) { problems_.push_back(path + ": " + what); }

  void expect_type(const Json& n, const std::string& path, const std::string& type, bool nullable) {
    std::set<std::string> want{type};
    if (nullable) want.insert("null");
    std::set<std::string> have;
    if (n.contains("type") && n.at("type").is_string()) have.insert(n.at("type").get<std::string>());
    if (n.contains("type") && n.at("type").is_array()) {
      for (const auto& t : n.at("type")) have.insert(t.get<std::string>());
    }
    if (have != want) {
      std::string w;
      for (const auto& t : want) w += " " + t;
      fail(path, "schema type is " + (n.contains("type") ? n.at("type").dump() : "missing") + ", api/ says" + w);
    }
  }

  template <class T>
  void check_type(const Json& n, const std::string& path, bool nullable) {
    if constexpr (HasFields<T>) {
      expect_type(n, path, "object", nullable);
      if (n.value("additionalProperties", Json(true)) != Json(false)) fail(path, "additionalProperties must be false");
      const Json props = n.value("properties", Json::object());
      std::set<std::string> required;
      for (const auto& r : n.value("required", Json::array())) required.insert(r.get<std::string>());
      std::set<std::string> names;
      std::apply([&](const auto&... f) { (check_field(props, required, f, path, names), ...); },
                 fields_of(std::type_identity<T>{}));
      for (const auto& [k, _] : props.items()) {
        if (!names.count(k)) fail(path + "." + k, "in the schema, not in api/");
      }
    } else if constexpr (IsVector<T>::value) {
      expect_type(n, path, "array", nullable);
      if (!n.contains("items")) return fail(path, "array without items");
      check<typename T::value_type>(n.at("items"), path + "[]", false);
    } else if constexpr (std::is_same_v<T, CounterMap>) {
      expect_type(n, path, "object", nullable);
      if (!n.contains("additionalProperties")) return fail(path, "counter map without additionalProperties");
      check<uint64_t>(n.at("additionalProperties"), path + ".*", false);
    } else if constexpr (std::is_same_v<T, RxScStats>) {  // encode_custom: {"sci": ..., counters...}
      expect_type(n, path, "object", nullable);
      if (n.value("required", Json::array()) != Json::array({"sci"})) fail(path, "required must be [sci]");
      check<std::string>(n.value("properties", Json::object()).value("sci", Json()), path + ".sci", false);
      check<uint64_t>(n.value("additionalProperties", Json()), path + ".*", false);
    } else if constexpr (std::is_same_v<T, bool>) {
      expect_type(n, path, "boolean", nullable);
    } else if constexpr (std::is_integral_v<T>) {
      expect_type(n, path, "integer", nullable);
      if constexpr (std::is_unsigned_v<T>) {
        if (!n.contains("minimum") || n.at("minimum") != Json(0)) fail(path, "unsigned: want minimum 0");
        if (n.contains("maximum") && n.at("maximum").get<uint64_t>() > std::numeric_limits<T>::max()) {
          fail(path, "maximum beyond the C++ type");
        }
      }
    } else if constexpr (std::is_same_v<T, double>) {
      expect_type(n, path, "number", nullable);
    } else if constexpr (std::is_same_v<T, std::string>) {
      expect_type(n, path, "string", nullable);
    } else {
      static_assert(sizeof(T) == 0, "a type the schema check does not know: teach it here");
    }
  }

  template <class S, class M>
  void check_field(const Json& props, const std::set<std::string>& required, const Field<S, M>& f,
                   const std::string& path, std::set<std::string>& names) {
    const std::string name(f.name);
    const std::string p = path + "." + name;
    names.insert(name);
    if (!props.contains(name)) return fail(p, "in api/, not in the schema");
    // kOmitted: the key is absent when there is no value, never null; else it is always there.
    const bool omitted = f.absent == Absent::kOmitted && IsOptional<M>::value;
    if (omitted == (required.count(name) != 0)) {
      fail(p, omitted ? "absent when empty: must not be required" : "always sent: must be required");
    }
    if constexpr (IsOptional<M>::value) {
      check<typename M::value_type>(props.at(name), p, !omitted);
    } else {
      check<M>(props.at(name), p, false);
    }
  }

  inline static const Json kEmpty = Json::object();
  Json root_;
  std::vector<std::string> problems_;
};

// The response envelope {"v": kProtocolVersion, "ok": true, "result": T}.
template <class Result>
std::vector<std::string> check_response(const std::string& command) {
  const Json schema = load_schema(command);
  SchemaCheck c(schema);
  std::vector<std::string> out;
  const Json props = schema.value("properties", Json::object());
  if (props.value("v", Json()) .value("const", Json()) != Json(kProtocolVersion)) {
    out.push_back("v: want const " + std::to_string(kProtocolVersion) + " (api/protocol.h kProtocolVersion)");
  }
  if (props.value("ok", Json()).value("const", Json()) != Json(true)) out.push_back("ok: want const true");
  if (schema.value("required", Json()) != Json::array({"v", "ok", "result"})) out.push_back("required: want [v, ok, result]");
  if (schema.value("additionalProperties", Json(true)) != Json(false)) out.push_back("additionalProperties must be false");
  if (!props.contains("result")) {
    out.push_back("no result");
    return out;
  }
  c.check<Result>(props.at("result"), "result", false);
  out.insert(out.end(), c.problems().begin(), c.problems().end());
  return out;
}

// Every command of api/commands.cpp, with the struct its result is.
const std::map<std::string, std::function<std::vector<std::string>()>>& checks() {
  static const std::map<std::string, std::function<std::vector<std::string>()>> kChecks = {
      {"status", [] { return check_response<StatusResult>("status"); }},
      {"sa", [] { return check_response<SaResult>("sa"); }},
      {"stats", [] { return check_response<StatsResult>("stats"); }},
      {"peer", [] { return check_response<PeerResult>("peer"); }},
      {"mka", [] { return check_response<MkaResult>("mka"); }},
      {"keys", [] { return check_response<KeysResult>("keys"); }},
      {"rotations", [] { return check_response<RotationsResult>("rotations"); }},
      {"help", [] { return check_response<HelpResult>("help"); }},
      {"rekey", [] { return check_response<RekeyResult>("rekey"); }},
  };
  return kChecks;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += "\n  " + x;
  return s;
}

TEST(Schema, EveryCommandHasASchemaAndNoSchemaLacksACommand) {
  std::set<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(schema_dir())) {
    const std::string f = e.path().filename().string();
    const std::string suffix = ".schema.json";
    if (f.size() > suffix.size() && f.ends_with(suffix)) files.insert(f.substr(0, f.size() - suffix.size()));
  }
  std::set<std::string> want{"error"};
  for (const auto& c : commands()) {
    want.insert(std::string(c.name));
    EXPECT_TRUE(checks().count(std::string(c.name)))
        << "command '" << c.name << "' has no schema check here: add docs/schema/" << c.name
        << ".schema.json and its line in checks()";
  }
  EXPECT_EQ(files, want) << "in " << schema_dir();
}

TEST(Schema, EachResultStructMatchesItsSchema) {
  for (const auto& [cmd, check] : checks()) {
    const auto problems = check();
    EXPECT_TRUE(problems.empty()) << "docs/schema/" << cmd << ".schema.json vs api/:" << joined(problems);
  }
}

TEST(Schema, ErrorSchemaNamesEveryErrorCodeAndTheVersion) {
  const Json schema = load_schema("error");
  const Json props = schema.value("properties", Json::object());
  EXPECT_EQ(props.value("v", Json()).value("const", Json()), Json(kProtocolVersion));
  EXPECT_EQ(props.value("ok", Json()).value("const", Json()), Json(false));
  std::set<std::string> in_schema;
  for (const auto& c : props.value("error", Json()).value("properties", Json()).value("code", Json()).value("enum", Json::array())) {
    in_schema.insert(c.get<std::string>());
  }
  std::set<std::string> in_api;
  for (int c = 0; c <= static_cast<int>(ErrorCode::kInternal); ++c) in_api.insert(error_code_name(static_cast<ErrorCode>(c)));
  EXPECT_EQ(in_schema, in_api);
}

// The check itself catches drift: a struct with a field the schema lacks, and the reverse.
struct Probe {
  uint64_t n = 0;
  std::optional<std::string> s;
  std::optional<bool> only_sometimes;
};
constexpr auto fields_of(std::type_identity<Probe>) {
  return std::tuple{field("n", &Probe::n), field("s", &Probe::s),
                    field("only_sometimes", &Probe::only_sometimes, Absent::kOmitted)};
}

TEST(Schema, TheCheckFindsMissingExtraAndRetypedFields) {
  const Json good = Json::parse(R"({"type":"object","additionalProperties":false,
      "properties":{"n":{"type":"integer","minimum":0},"s":{"type":["string","null"]},
                    "only_sometimes":{"type":"boolean"}},"required":["n","s"]})");
  SchemaCheck ok(good);
  ok.check<Probe>(good, "probe", false);
  EXPECT_TRUE(ok.problems().empty()) << joined(ok.problems());

  Json missing = good;
  missing["properties"].erase("s");
  SchemaCheck c1(missing);
  c1.check<Probe>(missing, "probe", false);
  EXPECT_EQ(c1.problems(), std::vector<std::string>{"probe.s: in api/, not in the schema"});

  Json extra = good;
  extra["properties"]["zz"] = Json{{"type", "string"}};
  SchemaCheck c2(extra);
  c2.check<Probe>(extra, "probe", false);
  EXPECT_EQ(c2.problems(), std::vector<std::string>{"probe.zz: in the schema, not in api/"});

  Json retyped = good;
  retyped["properties"]["s"]["type"] = "string";  // null no longer allowed
  retyped["required"] = Json::array({"n", "s", "only_sometimes"});
  SchemaCheck c3(retyped);
  c3.check<Probe>(retyped, "probe", false);
  EXPECT_EQ(c3.problems().size(), 2u) << joined(c3.problems());
}

}  // namespace
}  // namespace linkcrypt::api
