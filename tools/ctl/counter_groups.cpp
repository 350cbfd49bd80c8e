// The counter sections of `linkcryptctl stats`; a name the daemon sends that is not listed here
// still prints, under "other" (a newer daemon's counters are never hidden).
#include "counter_groups.h"

namespace linkcrypt::ctl {

const std::vector<CounterGroup>& operator_counter_groups() {
  using S = CounterSource;
  static const std::vector<CounterGroup> kGroups = {
      {"frames", {{S::kDataplane, "PlainRx"}, {S::kDataplane, "WireTx"}, {S::kDataplane, "WireRx"},
                  {S::kDataplane, "PlainTx"}, {S::kDataplane, "DropsTotal"}}},
      {"transmit SC (802.1AE 10.7.21)",
       {{S::kTxSc, "OutPktsProtected"}, {S::kTxSc, "OutPktsEncrypted"}, {S::kTxSc, "OutOctetsProtected"},
        {S::kTxSc, "OutOctetsEncrypted"}, {S::kTxSc, "TxPnExhausted"}, {S::kTxSc, "TxPnUnreserved"}}},
      {"SecY transmit (802.1AE 10.7.18)",
       {{S::kSecy, "OutPktsUntagged"}, {S::kSecy, "OutPktsTooLong"}, {S::kSecy, "TxNoSa"},
        {S::kSecy, "TxTooShort"}, {S::kSecy, "TxClearTagMissing"}, {S::kSecy, "TxPnExhausted"}, {S::kSecy, "TxPnUnreserved"}, {S::kSecy, "OutOctetsProtected"},
        {S::kSecy, "OutOctetsEncrypted"}}},
      {"SecY receive (802.1AE 10.7.18)",
       {{S::kSecy, "InPktsUntagged"}, {S::kSecy, "InPktsNoTag"}, {S::kSecy, "InPktsBadTag"},
        {S::kSecy, "InPktsUnknownSCI"}, {S::kSecy, "InPktsNoSCI"}, {S::kSecy, "InPktsOverrun"},
        {S::kSecy, "InOctetsValidated"}, {S::kSecy, "InOctetsDecrypted"}}},
      {"dataplane drops",
       {{S::kDataplane, "PlainTxQueueFull"}, {S::kDataplane, "WireTxQueueFull"}, {S::kDataplane, "NoRoomForSecTag"},
        {S::kDataplane, "MultiSegment"}, {S::kDataplane, "WireDownDrops"}}},
      {"port links",
       {{S::kDataplane, "WireLinkDown"}, {S::kDataplane, "WireLinkUp"}, {S::kDataplane, "PlainLinkDown"},
        {S::kDataplane, "PlainLinkUp"}}},
      {"key-exchange frames",
       {{S::kDataplane, "KxPunted"}, {S::kDataplane, "KxPuntedPriority"}, {S::kDataplane, "KxSent"},
        {S::kDataplane, "KxJunk"}, {S::kDataplane, "KxRateLimited"}, {S::kDataplane, "KxPuntRingFull"},
        {S::kDataplane, "KxPriorityRingFull"}, {S::kDataplane, "KxSendQueueFull"}, {S::kDataplane, "KxNoMbuf"}}},
      {"EAPOL frames (MKA, docs/mka.md)",
       {{S::kDataplane, "EapolPunted"}, {S::kDataplane, "EapolPuntRingFull"}, {S::kDataplane, "EapolNoMbuf"},
        {S::kDataplane, "PlainEapolDropped"}}},
  };
  return kGroups;
}

const std::vector<CounterRef>& developer_counters() {
  using S = CounterSource;
  static const std::vector<CounterRef> kDeveloper = {
      {S::kDataplane, "ProtectCycles"},         {S::kDataplane, "ProtectFrames"},
      {S::kDataplane, "ValidateCycles"},        {S::kDataplane, "ValidateFrames"},
      {S::kDataplane, "ProtectMinBurstCycles"}, {S::kDataplane, "ValidateMinBurstCycles"},
      {S::kDataplane, "BusyLoops"},             {S::kDataplane, "IdleLoops"},
      {S::kDataplane, "PnThresholdEvents"},     {S::kDataplane, "NetlinkRefused"},
      {S::kDataplane, "NetlinkOverflows"},
      {S::kDataplane, "ProtectLatencyP50Ns"},   {S::kDataplane, "ProtectLatencyP99Ns"},
      {S::kDataplane, "ProtectLatencyP999Ns"},  {S::kDataplane, "ValidateLatencyP50Ns"},
      {S::kDataplane, "ValidateLatencyP99Ns"},  {S::kDataplane, "ValidateLatencyP999Ns"},
  };
  return kDeveloper;
}

const std::vector<std::string_view>& rx_sc_counter_order() {
  static const std::vector<std::string_view> kOrder = {
      "InPktsOK",       "InPktsInvalid",     "InPktsNotValid",   "InPktsLate",        "InPktsDelayed",
      "InPktsUnchecked", "InPktsNotUsingSA", "InPktsUnusedSA",   "InOctetsValidated", "InOctetsDecrypted",
      "InPktsDuplicate"};
  return kOrder;
}

}  // namespace linkcrypt::ctl
