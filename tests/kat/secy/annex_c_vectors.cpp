// A JSON reader just big enough for macsec_annex_c.json: an array of flat objects.
#include "annex_c_vectors.h"

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "hex.h"

namespace linkcrypt::secy::test {

namespace {

class MiniJson {
 public:
  explicit MiniJson(std::string text) : s_(std::move(text)) {}

  // [ {..}, {..} ] where each value is a string, an unsigned integer or true/false.
  std::vector<std::map<std::string, std::string>> parse_array_of_objects() {
    std::vector<std::map<std::string, std::string>> out;
    expect('[');
    skip_ws();
    if (peek() == ']') return ++pos_, out;
    for (;;) {
      out.push_back(parse_object());
      skip_ws();
      if (peek() == ',') { ++pos_; continue; }
      expect(']');
      return out;
    }
  }

 private:
  std::map<std::string, std::string> parse_object() {
    std::map<std::string, std::string> obj;
    expect('{');
    skip_ws();
    if (peek() == '}') return ++pos_, obj;
    for (;;) {
      skip_ws();
      std::string key = parse_string();
      expect(':');
      skip_ws();
      std::string value;
      if (peek() == '"') {
        value = parse_string();
      } else {
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])))) {
          value += s_[pos_++];
        }
        if (value.empty()) fail("value");
      }
      obj[key] = value;
      skip_ws();
      if (peek() == ',') { ++pos_; continue; }
      expect('}');
      return obj;
    }
  }
  std::string parse_string() {
    expect('"');
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (s_[pos_] == '\\') fail("escapes are not supported");
      out += s_[pos_++];
    }
    expect('"');
    return out;
  }
  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  char peek() {
    if (pos_ >= s_.size()) fail("unexpected end");
    return s_[pos_];
  }
  void expect(char c) {
    skip_ws();
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("macsec_annex_c.json: " + what + " at offset " + std::to_string(pos_));
  }

  std::string s_;
  size_t pos_ = 0;
};

std::vector<uint8_t> hex_field(const std::map<std::string, std::string>& o, const std::string& k) {
  auto it = o.find(k);
  if (it == o.end()) throw std::runtime_error("vector lacks field " + k);
  auto bytes = parse_hex(it->second);
  if (!bytes) throw std::runtime_error("bad hex in field " + k);
  return *bytes;
}
const std::string& field(const std::map<std::string, std::string>& o, const std::string& k) {
  auto it = o.find(k);
  if (it == o.end()) throw std::runtime_error("vector lacks field " + k);
  return it->second;
}
uint64_t be_number(const std::vector<uint8_t>& b) {
  uint64_t v = 0;
  for (uint8_t x : b) v = (v << 8) | x;
  return v;
}

}  // namespace

std::vector<AnnexCVector> load_annex_c(const std::string& dir) {
  const std::string path = dir + "/macsec_annex_c.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<AnnexCVector> out;
  for (const auto& o : MiniJson(ss.str()).parse_array_of_objects()) {
    AnnexCVector v;
    v.name = field(o, "name");
    v.cipher = field(o, "cipher");
    v.confidentiality = field(o, "mode") == "confidentiality";
    v.sak = hex_field(o, "sak");
    v.sci = be_number(hex_field(o, "sci"));
    v.pn = std::stoull(field(o, "pn"));
    v.an = static_cast<uint8_t>(std::stoul(field(o, "an")));
    v.sci_on_wire = field(o, "sci_on_wire") == "true";
    if (o.count("ssci")) v.ssci = static_cast<uint32_t>(be_number(hex_field(o, "ssci")));
    if (o.count("salt")) v.salt = hex_field(o, "salt");
    v.plaintext_frame = hex_field(o, "plaintext_frame");
    v.protected_frame = hex_field(o, "protected_frame");
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace linkcrypt::secy::test
