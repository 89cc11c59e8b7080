/* tap.h — a TAP device: where `bpfrt net attach ... tap NAME` hands the
 * frames its XDP program passes (XDP_PASS), so they reach the host's
 * network stack as if the interface had received them.
 */
#ifndef BPFRT_HOOKS_TAP_H
#define BPFRT_HOOKS_TAP_H

#include <net/if.h>
#include <stddef.h>

/* Create (or attach to) the TAP device `name` (Ethernet frames, no packet
 * info header) and bring it up.  Returns its fd (writes are frames into
 * the host stack) or a negative errno; *what (may be NULL) names the step
 * that failed.  The actual name is copied to out_name (IFNAMSIZ bytes). */
int bpfrt_tap_open(const char *name, char out_name[IFNAMSIZ], const char **what);

#endif
