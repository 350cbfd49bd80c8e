// Telemetry callbacks: run on DPDK's telemetry thread, they only read the published snapshot.
#include "telemetry_commands.h"

#include <rte_telemetry.h>

#include <cerrno>
#include <mutex>

namespace linkcrypt::daemon {
namespace {

int add_field(rte_tel_data* d, const TelemetryField& f) {
  if (const auto* s = std::get_if<std::string>(&f.value)) {
    return rte_tel_data_add_dict_string(d, f.name.c_str(), s->c_str());
  }
  return rte_tel_data_add_dict_u64(d, f.name.c_str(), std::get<uint64_t>(f.value));
}

// The telemetry library frees a container it was given with keep = 0, and nothing else.
struct TelDataDeleter {
  void operator()(rte_tel_data* d) const { rte_tel_data_free(d); }
};
using TelDataPtr = std::unique_ptr<rte_tel_data, TelDataDeleter>;

// Callbacks get no user pointer in DPDK 22.11: they reach the snapshot through telemetry_board().
// Before the event loop's first tick there is nothing to show: the client gets null.
// Neither command takes a parameter: "/linkcrypt/sa,3" is refused (null) rather than answered as
// if it selected something.
bool has_params(const char* params) { return params != nullptr && *params != '\0'; }

int on_status(const char*, const char* params, rte_tel_data* out) {
  if (has_params(params)) return -EINVAL;
  const auto snap = telemetry_board().latest();
  return snap ? render_telemetry_reply(snap->status, out) : -EAGAIN;
}

int on_sa(const char*, const char* params, rte_tel_data* out) {
  if (has_params(params)) return -EINVAL;
  const auto snap = telemetry_board().latest();
  return snap ? render_telemetry_reply(snap->sa, out) : -EAGAIN;
}

}  // namespace

TelemetryBoard& telemetry_board() {
  static auto* board = new TelemetryBoard;  // never destroyed: see the header
  return *board;
}

int render_telemetry_reply(const TelemetryReply& reply, rte_tel_data* out) {
  rte_tel_data_start_dict(out);
  for (const auto& f : reply.fields) {
    if (const int rc = add_field(out, f); rc < 0) return rc;
  }
  for (const auto& g : reply.groups) {
    TelDataPtr c(rte_tel_data_alloc());
    if (!c) return -ENOMEM;
    rte_tel_data_start_dict(c.get());
    for (const auto& f : g.fields) {
      if (const int rc = add_field(c.get(), f); rc < 0) return rc;
    }
    if (const int rc = rte_tel_data_add_dict_container(out, g.name.c_str(), c.get(), 0); rc < 0) return rc;
    (void)c.release();  // now the library's to free
  }
  return 0;
}

std::string register_telemetry_commands() {
  static std::once_flag once;
  static std::string error;
  std::call_once(once, [] {
    const struct {
      const char* cmd;
      telemetry_cb fn;
      const char* help;
    } commands[] = {
        {"/linkcrypt/status", on_status,
         "Returns the link's state, keying and ports (as linkcryptctl status). Takes no parameters"},
        {"/linkcrypt/sa", on_sa,
         "Returns every transmit and receive SA with PNs and counters (as linkcryptctl sa). Takes no parameters"},
    };
    for (const auto& c : commands) {
      if (const int rc = rte_telemetry_register_cmd(c.cmd, c.fn, c.help); rc != 0) {
        error = std::string(c.cmd) + ": rte_telemetry_register_cmd returned " + std::to_string(rc);
        return;
      }
    }
  });
  return error;
}

}  // namespace linkcrypt::daemon
