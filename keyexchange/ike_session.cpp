// Session and Responder facades (placeholder until the state machine lands).
#include "ike_session.h"

namespace linkcrypt::ike {

class SessionImpl {
 public:
  SessionCounters counters;
};
struct Responder::Impl {
  ResponderCounters counters;
};

std::optional<HeaderInfo> peek_header(std::span<const uint8_t>) { return std::nullopt; }

Session::Session(std::shared_ptr<const Config>) : impl_(std::make_unique<SessionImpl>()) {}
Session::Session(std::unique_ptr<SessionImpl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;
Output Session::start(TimePoint) { return {}; }
Output Session::on_message(std::span<const uint8_t>, TimePoint) { return {}; }
Output Session::on_timer(TimePoint) { return {}; }
Output Session::rekey_child(TimePoint) { return {}; }
Output Session::rekey_ike(TimePoint) { return {}; }
Output Session::close(TimePoint) { return {}; }
std::optional<TimePoint> Session::next_deadline() const { return std::nullopt; }
SessionState Session::state() const { return SessionState::Idle; }
bool Session::established() const { return false; }
bool Session::owns(const HeaderInfo&) const { return false; }
uint64_t Session::spi_i() const { return 0; }
uint64_t Session::spi_r() const { return 0; }
const SessionCounters& Session::counters() const { return impl_->counters; }

Responder::Responder(std::shared_ptr<const Config>, ResponderLimits) : impl_(std::make_unique<Impl>()) {}
Responder::~Responder() = default;
Responder::Result Responder::on_init(std::span<const uint8_t>, const Endpoint&, TimePoint) { return {}; }
size_t Responder::half_open() const { return 0; }
const ResponderCounters& Responder::counters() const { return impl_->counters; }

}  // namespace linkcrypt::ike
