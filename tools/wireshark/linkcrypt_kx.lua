-- linkcrypt_kx.lua: Wireshark/tshark dissector for linkcrypt's in-band key-exchange frames.
--
-- linkcryptd's in-band transport sends each IKEv2 message as the payload of one Ethernet frame:
-- destination 01:80:C2:00:00:03, the wire port's MAC as source, EtherType 0x88B5 (the daemon's
-- kx-ethertype), then the IKE message; its header's Length field (RFC 7296 3.1) says where it
-- ends, and whatever follows is Ethernet padding (docs/protocol.md, controlplane/transport/kx_frame.h).
-- This plugin hands the message to Wireshark's own ISAKMP dissector, so the frames read as
-- IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL.
--
-- Use: tshark -X lua_script:linkcrypt_kx.lua -r wire.pcap      (one run), or copy the file to
-- ~/.local/lib/wireshark/plugins/ (every run). Another EtherType: -o linkcrypt_kx.ethertype:0x88b6
-- or Preferences > Protocols > LINKCRYPT_KX. docs/wireshark.md shows the workflow.

local kx = Proto("linkcrypt_kx", "linkcrypt in-band key exchange")

local IKE_HEADER_LEN = 28       -- RFC 7296 3.1
local IKE_LENGTH_OFFSET = 24

local f_ike_length = ProtoField.uint32("linkcrypt_kx.ike_length", "IKE message length", base.DEC)
local f_padding = ProtoField.bytes("linkcrypt_kx.padding", "Ethernet padding")
kx.fields = { f_ike_length, f_padding }

local e_short = ProtoExpert.new("linkcrypt_kx.too_short", "Shorter than an IKE header (28 octets)",
                                expert.group.MALFORMED, expert.severity.ERROR)
local e_length = ProtoExpert.new("linkcrypt_kx.bad_length", "IKE Length below 28 or beyond the frame",
                                 expert.group.MALFORMED, expert.severity.ERROR)
kx.experts = { e_short, e_length }

kx.prefs.ethertype = Pref.uint("EtherType", 0x88b5,
                               "EtherType of the key-exchange frames (linkcryptd kx-ethertype, default 0x88b5)")

local isakmp = Dissector.get("isakmp")
local ethertypes = DissectorTable.get("ethertype")
local registered = nil

local function register()
  if registered ~= nil then ethertypes:remove(registered, kx) end
  registered = kx.prefs.ethertype
  ethertypes:add(registered, kx)
end

function kx.prefs_changed() register() end

function kx.dissector(tvb, pinfo, tree)
  local len = tvb:len()
  local item = tree:add(kx, tvb(), "linkcrypt key exchange (in-band IKEv2)")
  if len < IKE_HEADER_LEN then
    item:add_proto_expert_info(e_short)
    pinfo.cols.protocol = "LINKCRYPT_KX"
    return len
  end
  local ike_len = tvb(IKE_LENGTH_OFFSET, 4):uint()
  item:add(f_ike_length, tvb(IKE_LENGTH_OFFSET, 4))
  if ike_len < IKE_HEADER_LEN or ike_len > len then
    item:add_proto_expert_info(e_length)
    pinfo.cols.protocol = "LINKCRYPT_KX"
    return len
  end
  if ike_len < len then item:add(f_padding, tvb(ike_len)) end
  isakmp:call(tvb(0, ike_len):tvb(), pinfo, tree)
  return len
end

register()
