// RFC 7512 URIs as operators write them, and the malformed ones the parser must refuse.
#include "pkcs11_uri.h"

#include <gtest/gtest.h>

namespace linkcrypt::custody {
namespace {

TEST(Pkcs11Uri, PathAndQueryAttributesPercentDecoded) {
  Pkcs11Uri u;
  ASSERT_EQ(parse_pkcs11_uri("pkcs11:token=My%20Token;object=ike%2Dpsk;id=%01%FF;serial=00ab;type=secret-key"
                             "?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/pin",
                             u),
            "");
  EXPECT_EQ(u.token, "My Token");
  EXPECT_EQ(u.object, "ike-psk");
  EXPECT_EQ(u.id, (std::vector<uint8_t>{0x01, 0xff}));
  EXPECT_EQ(u.serial, "00ab");
  EXPECT_EQ(u.type, "secret-key");
  EXPECT_EQ(u.module_path, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_EQ(u.pin_source, "file:/etc/pin");
}

TEST(Pkcs11Uri, Rfc7512Examples) {
  Pkcs11Uri u;
  // RFC 7512 section 3 examples.
  EXPECT_EQ(parse_pkcs11_uri("pkcs11:", u), "");
  EXPECT_EQ(parse_pkcs11_uri("pkcs11:object=my-pubkey;type=public", u), "");
  EXPECT_EQ(parse_pkcs11_uri("pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;"
                             "model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial="
                             "?pin-source=file:/etc/token_pin",
                             u),
            "");
  EXPECT_EQ(u.token, "The Software PKCS#11 Softtoken");
  EXPECT_EQ(u.manufacturer, "Snake Oil, Inc.");
  EXPECT_EQ(u.id->size(), 8u);
  EXPECT_EQ(u.serial, "");
  EXPECT_EQ(parse_pkcs11_uri("pkcs11:slot-description=Sun%20Metaslot;x-vendor=1", u), "");
  EXPECT_EQ(parse_pkcs11_uri("pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token;"
                             "library-version=1.23",
                             u),
            "");
  EXPECT_EQ(parse_pkcs11_uri("pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc."
                             "?pin-value=the-pin",
                             u),
            "");
  EXPECT_EQ(u.pin_value, "the-pin");
  EXPECT_EQ(parse_pkcs11_uri("pkcs11:slot-id=4294967295", u), "");
  EXPECT_EQ(u.slot_id, 4294967295u);
}

TEST(Pkcs11Uri, RefusesMalformed) {
  Pkcs11Uri u;
  EXPECT_NE(parse_pkcs11_uri("", u), "");
  EXPECT_NE(parse_pkcs11_uri("pkcs12:object=a", u), "");
  EXPECT_NE(parse_pkcs11_uri("PKCS11:object=a", u), "");
  EXPECT_NE(parse_pkcs11_uri("pkcs11:object=a;object=b", u), "");  // twice
  EXPECT_NE(parse_pkcs11_uri("pkcs11:object=%4", u), "");           // truncated escape
  EXPECT_NE(parse_pkcs11_uri("pkcs11:object=%G1", u), "");
  EXPECT_NE(parse_pkcs11_uri("pkcs11:object=a b", u), "");          // space unencoded
  EXPECT_NE(parse_pkcs11_uri("pkcs11:object=a%00b", u), "");        // NUL in a label
  EXPECT_NE(parse_pkcs11_uri("pkcs11:frobnicate=1", u), "");        // unknown attribute
  EXPECT_NE(parse_pkcs11_uri("pkcs11:object", u), "");              // no value
  EXPECT_NE(parse_pkcs11_uri("pkcs11:=a", u), "");
  EXPECT_NE(parse_pkcs11_uri("pkcs11:type=secret", u), "");
  EXPECT_NE(parse_pkcs11_uri("pkcs11:slot-id=12a", u), "");
  EXPECT_NE(parse_pkcs11_uri("pkcs11:slot-id=99999999999999999999", u), "");
  EXPECT_NE(parse_pkcs11_uri("pkcs11:object=a/b", u), "");          // '/' only in query values
  EXPECT_NE(parse_pkcs11_uri("pkcs11:?pin-value=1;module-path=x", u), "");
  EXPECT_NE(parse_pkcs11_uri("pkcs11:object=\xc3\xa9", u), "");     // non-ASCII unencoded
  EXPECT_NE(parse_pkcs11_uri("pkcs11:object=" + std::string(5000, 'a'), u), "");
}

TEST(Pkcs11Uri, ReservedCharactersWhereRfc7512AllowsThem) {
  Pkcs11Uri u;
  // '&' is a path character, '?' and '/' are query characters (RFC 7512 2.3).
  ASSERT_EQ(parse_pkcs11_uri("pkcs11:object=a&token=b", u), "");
  EXPECT_EQ(u.object, "a&token=b");
  EXPECT_FALSE(u.token);
  ASSERT_EQ(parse_pkcs11_uri("pkcs11:object=a?module-path=/x?y", u), "");
  EXPECT_EQ(u.module_path, "/x?y");
}

TEST(Pkcs11Uri, ErrorsNeverEchoThePin) {
  Pkcs11Uri u;
  const std::string e = parse_pkcs11_uri("pkcs11:object=a?pin-value=s3cret&pin-value=s3cret", u);
  ASSERT_NE(e, "");
  EXPECT_EQ(e.find("s3cret"), std::string::npos);
}

TEST(Pkcs11Uri, RedactedDropsThePinAndRoundTrips) {
  Pkcs11Uri u, back;
  ASSERT_EQ(parse_pkcs11_uri("pkcs11:token=a%20b;object=k;id=%00%7f?pin-value=1234&module-path=/m.so", u), "");
  const std::string r = redacted_uri(u);
  EXPECT_EQ(r, "pkcs11:token=a%20b;object=k;id=%00%7F");
  EXPECT_EQ(r.find("1234"), std::string::npos);
  ASSERT_EQ(parse_pkcs11_uri(r, back), "");
  EXPECT_EQ(back.token, u.token);
  EXPECT_EQ(back.id, u.id);
}

}  // namespace
}  // namespace linkcrypt::custody
