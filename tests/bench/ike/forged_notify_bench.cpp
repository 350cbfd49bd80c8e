// bench_ike's forged-notify rate: a waiting initiator fed forged IKE_SA_INIT answers, then the genuine one.
#include "forged_notify_bench.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

#include "ike_session.h"

namespace linkcrypt::bench {
namespace {

using namespace linkcrypt::ike;

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::shared_ptr<const Config> config(Role role) {
  auto c = std::make_shared<Config>();
  c->role = role;
  c->local_id = Identity::fqdn(role == Role::Initiator ? "a" : "b");
  c->ike_proposals = {IkeProposal{{256}, {Prf::HmacSha2_256}, {DhGroup::Curve25519}}};
  c->child.macsec.local_sci = role == Role::Initiator ? 1 : 2;
  c->local = Endpoint{{10, 0, 0, static_cast<uint8_t>(role == Role::Initiator ? 1 : 2)}, 500};
  c->remote = Endpoint{{10, 0, 0, static_cast<uint8_t>(role == Role::Initiator ? 2 : 1)}, 500};
  const char* psk = "benchmark pre-shared key";
  c->auth.psk = SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(psk), std::strlen(psk)));
  return c;
}

// 36 octets: IKE header (R flag, message ID 0) and one NO_PROPOSAL_CHOSEN notify.
std::vector<uint8_t> forged_answer(uint64_t spi_i) {
  std::vector<uint8_t> m;
  for (int i = 7; i >= 0; --i) m.push_back(static_cast<uint8_t>(spi_i >> (8 * i)));
  m.insert(m.end(), 8, 0);
  m.insert(m.end(), {41, 0x20, 34, 0x20, 0, 0, 0, 0, 0, 0, 0, 36});
  m.insert(m.end(), {0, 0, 0, 8, 0, 0, 0, 14});
  return m;
}

[[noreturn]] void die(const char* why) {
  std::fprintf(stderr, "bench: forged notifies: %s\n", why);
  std::exit(1);
}

}  // namespace

double forged_notifies_per_s(int n) {
  const TimePoint now{};
  Session a(config(Role::Initiator));
  Responder responder(config(Role::Responder));
  Output first = a.start(now);
  if (first.send.size() != 1) die("no IKE_SA_INIT");
  const auto forged = forged_answer(a.spi_i());
  const double t0 = thread_cpu_s();
  for (int i = 0; i < n; ++i) {
    const auto h = peek_header(forged);  // the daemon's routing step
    if (!h || !a.owns(*h)) die("forged answer not routed to the session");
    (void)a.on_message(forged, now);
  }
  const double s = thread_cpu_s() - t0;
  if (a.state() != SessionState::InitSent || a.counters().rx_untrusted_notify != static_cast<uint64_t>(n))
    die("the session did not survive the forged answers");
  // The genuine answer still keys the session.
  auto res = responder.on_init(first.send[0].bytes, config(Role::Initiator)->local, now);
  if (!res.session || res.out.send.size() != 1) die("responder did not answer");
  Output auth = a.on_message(res.out.send[0].bytes, now);
  if (auth.send.size() != 1) die("no IKE_AUTH after the genuine answer");
  Output done = a.on_message(res.session->on_message(auth.send[0].bytes, now).send.at(0).bytes, now);
  if (!a.established()) die("not established after the genuine answer");
  (void)done;
  return n / s;
}

}  // namespace linkcrypt::bench
