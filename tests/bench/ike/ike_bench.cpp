// bench_ike: in-memory IKEv2 handshakes/s and child rekeys/s on one core (both peers in this thread).
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "flood_bench.h"
#include "forged_notify_bench.h"
#include "ike_session.h"

using namespace linkcrypt;
using namespace linkcrypt::ike;
#include <ctime>

// Thread CPU time, so other processes on this shared machine do not distort per-core rates.
struct Clock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<Clock, duration>;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(duration(int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec));
  }
};

namespace {

struct Keys {
  SecretBytes pem;
  std::vector<uint8_t> spki;
};

Keys signing_key(bool ed25519) {
  EVP_PKEY* k = ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519") : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, k, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  Keys out{SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(len))), {}};
  unsigned char* der = nullptr;
  const int dlen = i2d_PUBKEY(k, &der);
  out.spki.assign(der, der + dlen);
  OPENSSL_free(der);
  BIO_free(bio);
  EVP_PKEY_free(k);
  return out;
}

Config base(Role role, bool signatures, const Keys* mine, const Keys* peer, DhGroup group = DhGroup::Curve25519) {
  Config c;
  c.role = role;
  c.local_id = Identity::fqdn(role == Role::Initiator ? "a" : "b");
  c.ike_proposals = {IkeProposal{{256}, {Prf::HmacSha2_256}, {group}}};
  c.child.macsec.local_sci = role == Role::Initiator ? 1 : 2;
  c.local = Endpoint{{10, 0, 0, static_cast<uint8_t>(role == Role::Initiator ? 1 : 2)}, 500};
  c.remote = Endpoint{{10, 0, 0, static_cast<uint8_t>(role == Role::Initiator ? 2 : 1)}, 500};
  if (signatures) {
    c.auth.method = AuthMethod::RawPublicKey;
    c.auth.private_key_pem = mine->pem.clone();
    c.auth.peer_public_key_der = peer->spki;
  } else {
    const char* psk = "benchmark pre-shared key";
    c.auth.psk = SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(psk), std::strlen(psk)));
  }
  return c;
}

// Delivers every datagram immediately (no loss) until both sides are quiet.
struct Pair {
  std::unique_ptr<Session> a, b;
  std::unique_ptr<Responder> responder;
  Endpoint a_addr;
  size_t child_ready = 0;

  void pump(Output out, bool from_a, TimePoint now) {
    for (auto& e : out.events) {
      if (std::holds_alternative<ChildKeysReady>(e)) ++child_ready;
      if (const auto* f = std::get_if<Failed>(&e)) {
        std::fprintf(stderr, "bench: unexpected failure: %s\n", f->detail.c_str());
        std::exit(1);
      }
    }
    for (auto& d : out.send) {
      if (from_a) {
        if (b) {
          pump(b->on_message(d.bytes, now), false, now);
        } else {
          auto res = responder->on_init(d.bytes, a_addr, now);
          b = std::move(res.session);
          pump(std::move(res.out), false, now);
        }
      } else {
        pump(a->on_message(d.bytes, now), true, now);
      }
    }
  }
};

enum class Auth { Psk, Ed25519, EcdsaP256 };

double handshakes_per_s(Auth auth, int n, DhGroup group = DhGroup::Curve25519) {
  Keys ka, kb;
  const bool sig = auth != Auth::Psk;
  if (sig) {
    ka = signing_key(auth == Auth::Ed25519);
    kb = signing_key(auth == Auth::Ed25519);
  }
  auto ca = std::make_shared<const Config>(base(Role::Initiator, sig, &ka, &kb, group));
  auto cb = std::make_shared<const Config>(base(Role::Responder, sig, &kb, &ka, group));
  Responder responder(cb, ResponderLimits{1u << 20, 1u << 20});
  const auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    Pair p;
    p.a = std::make_unique<Session>(ca);
    p.responder.reset();
    p.a_addr = ca->local;
    // Borrow the shared responder (no cookie: the threshold is out of reach).
    struct Borrow {
      Responder* r;
    } borrow{&responder};
    TimePoint now{};
    Output out = p.a->start(now);
    for (auto& d : out.send) {
      auto res = borrow.r->on_init(d.bytes, p.a_addr, now);
      p.b = std::move(res.session);
      p.pump(std::move(res.out), false, now);
    }
    if (!p.a->established() || !p.b || !p.b->established() || p.child_ready != 2) {
      std::fprintf(stderr, "bench: handshake %d did not complete\n", i);
      std::exit(1);
    }
  }
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  return n / s;
}

double rekeys_per_s(bool pfs, int n) {
  Config a = base(Role::Initiator, false, nullptr, nullptr);
  Config b = base(Role::Responder, false, nullptr, nullptr);
  if (!pfs) {
    a.child.pfs_groups.clear();
    b.child.pfs_groups.clear();
  }
  auto ca = std::make_shared<const Config>(std::move(a));
  auto cb = std::make_shared<const Config>(std::move(b));
  Pair p;
  p.a = std::make_unique<Session>(ca);
  p.responder = std::make_unique<Responder>(cb);
  p.a_addr = ca->local;
  TimePoint now{};
  p.pump(p.a->start(now), true, now);
  const size_t before = p.child_ready;
  const auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) p.pump(p.a->rekey_child(now), true, now);
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (p.child_ready - before != static_cast<size_t>(2 * n)) {
    std::fprintf(stderr, "bench: %zu of %d rekeys completed\n", (p.child_ready - before) / 2, n);
    std::exit(1);
  }
  return n / s;
}

}  // namespace

int main(int argc, char** argv) {
  const int scale = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1;
  std::printf("bench ike: both peers in one thread, in-memory, no loss; group 31, AES-GCM-16-256, PRF HMAC-SHA2-256\n");
  std::printf("rates are per second of this thread's CPU time, for the PAIR (one peer does about half)\n\n");
  const double hs_psk = handshakes_per_s(Auth::Psk, 2000 * scale);
  std::printf("IKE_SA_INIT+IKE_AUTH handshakes/s, PSK, group 31        : %10.0f\n", hs_psk);
  const double hs_ed = handshakes_per_s(Auth::Ed25519, 1000 * scale);
  std::printf("IKE_SA_INIT+IKE_AUTH handshakes/s, Ed25519, group 31    : %10.0f\n", hs_ed);
  std::printf("IKE_SA_INIT+IKE_AUTH handshakes/s, ECDSA P-256, group 31: %10.0f\n",
              handshakes_per_s(Auth::EcdsaP256, 1000 * scale));
  std::printf("IKE_SA_INIT+IKE_AUTH handshakes/s, PSK, group 19 (P-256): %10.0f\n",
              handshakes_per_s(Auth::Psk, 1000 * scale, DhGroup::Ecp256));
  std::printf("IKE_SA_INIT+IKE_AUTH handshakes/s, PSK, group 20 (P-384): %10.0f\n",
              handshakes_per_s(Auth::Psk, 500 * scale, DhGroup::Ecp384));
  const double rk_pfs = rekeys_per_s(true, 5000 * scale);
  std::printf("child rekeys/s (CREATE_CHILD_SA+DELETE, PFS X25519): %10.0f\n", rk_pfs);
  const double rk_nopfs = rekeys_per_s(false, 5000 * scale);
  std::printf("child rekeys/s (CREATE_CHILD_SA+DELETE, no PFS)    : %10.0f\n", rk_nopfs);
  std::printf("\ncost of rotating every second (PFS), both peers: %.4f%% of a core (goal < 1%%)\n",
              100.0 / rk_pfs);
  std::printf("forged IKE_SA_INIT NO_PROPOSAL_CHOSEN absorbed/s by a waiting initiator: %10.0f\n",
              bench::forged_notifies_per_s(200000 * scale));
  bench::flood_bench(scale);
  return 0;
}
