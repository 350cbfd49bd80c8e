// IKEv2 wire constants (RFC 7296 3.x and the IANA IKEv2 registries) used by the codec and state machine.
#pragma once

#include <cstdint>

namespace linkcrypt::ike {

constexpr uint8_t kIkeVersion = 0x20;      // major 2, minor 0 (RFC 7296 3.1)
constexpr uint8_t kFlagInitiator = 0x08;   // I: sent by the original initiator of the IKE SA
constexpr uint8_t kFlagVersion = 0x10;     // V: never set by us
constexpr uint8_t kFlagResponse = 0x20;    // R
constexpr size_t kHeaderLen = 28;
constexpr size_t kGenericHeaderLen = 4;
constexpr size_t kMaxMessageLen = 65535;   // one UDP/Ethernet-carried datagram; the field is 32 bits

enum class ExchangeType : uint8_t { IkeSaInit = 34, IkeAuth = 35, CreateChildSa = 36, Informational = 37 };

enum class PayloadType : uint8_t {
  None = 0, Sa = 33, Ke = 34, IdI = 35, IdR = 36, Cert = 37, CertReq = 38, Auth = 39, Nonce = 40,
  Notify = 41, Delete = 42, Vendor = 43, TsI = 44, TsR = 45, Sk = 46, Cp = 47, Eap = 48,
};

// Security protocol IDs (RFC 7296 3.3.1); 201 is in the private-use range 201-255 and names
// our MACsec child SA (docs/protocol.md).
enum class ProtocolId : uint8_t { None = 0, Ike = 1, Ah = 2, Esp = 3, Macsec = 201 };

enum class TransformType : uint8_t { Encr = 1, Prf = 2, Integ = 3, Ke = 4, Esn = 5 };

constexpr uint16_t kEncrAesGcm16 = 20;     // RFC 5282 / RFC 4106
constexpr uint16_t kAttrKeyLength = 14;    // RFC 7296 3.3.5 (TV format)
constexpr uint16_t kAttrMacsecOffset = 16384;       // private use: confidentiality offset
constexpr uint16_t kAttrMacsecConfidentiality = 16385;  // private use: 1 = encrypt, 0 = integrity only

enum class NotifyType : uint16_t {
  UnsupportedCriticalPayload = 1, InvalidIkeSpi = 4, InvalidMajorVersion = 5, InvalidSyntax = 7,
  InvalidMessageId = 9, InvalidSpi = 11, NoProposalChosen = 14, InvalidKePayload = 17,
  AuthenticationFailed = 24, SinglePairRequired = 34, NoAdditionalSas = 35,
  InternalAddressFailure = 36, FailedCpRequired = 37, TsUnacceptable = 38, InvalidSelectors = 39,
  TemporaryFailure = 43, ChildSaNotFound = 44,
  // status types
  InitialContact = 16384, SetWindowSize = 16385, NatDetectionSourceIp = 16388,
  NatDetectionDestinationIp = 16389, Cookie = 16390, UseTransportMode = 16391,
  RekeySa = 16393, EspTfcPaddingNotSupported = 16394, NonFirstFragmentsAlso = 16395,
  SignatureHashAlgorithms = 16431,
  // RFC 8784 post-quantum preshared keys
  UsePpk = 16435, PpkIdentity = 16436, NoPpkAuth = 16437,
  // private-use status type (40960-65535): the sender's MACsec SCI (docs/protocol.md)
  MacsecSci = 40960,
};

// RFC 8784 3: PPK_IDENTITY's first octet. strongSwan sends and accepts only PPK_ID_FIXED.
inline constexpr uint8_t kPpkIdOpaque = 1;
inline constexpr uint8_t kPpkIdFixed = 2;

enum class AuthMethodId : uint8_t { SharedKeyMic = 2, DigitalSignature = 14 };
enum class CertEncoding : uint8_t { X509Signature = 4, RawPublicKey = 15 };

}  // namespace linkcrypt::ike
