#pragma once
// systemd's readiness protocol (sd_notify) without libsystemd: one datagram to the socket
// named by $NOTIFY_SOCKET ("READY=1", "RELOADING=1", "STOPPING=1", "STATUS=..."). A unit
// with Type=notify starts its dependants only after READY=1. Without NOTIFY_SOCKET (not run
// by systemd) it does nothing.

#include <string_view>

namespace investflow::app {

// True when the message was sent (false also when NOTIFY_SOCKET is unset).
bool notify_systemd(std::string_view state);

}  // namespace investflow::app
