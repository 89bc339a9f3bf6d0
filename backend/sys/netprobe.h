/*
 * netprobe.h - the connectivity probes of stages 5 and 7: DNS resolution
 * that lists every address, and a non-blocking TCP connect that tells
 * "refused" from "timed out" from "unreachable".  Both are bounded by a
 * timeout and poll hooks_cancelled() at least every 100 ms (poll(), no
 * busy loop), so a UI can stay single-threaded.  netprobe_sleep() is the
 * same cancellable, zero-CPU wait for back-off loops.
 *
 * netprobe_check() runs both and turns the results into diagnostics (one
 * per step) for the stage that asks.
 *
 * Owner: backend/sys/netprobe.c.  Ownership: struct netprobe_addrs is plain
 * data (no pointers); strings returned by netprobe_addrs_text() are
 * malloc'd, the caller frees them.  A connected socket handed back through
 * fd_out belongs to the caller (close it).
 */
#ifndef OPSMGR_NETPROBE_H
#define OPSMGR_NETPROBE_H

#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/diag.h"
#include "core/hooks.h"

#define NETPROBE_MAX_ADDRS 16
#define NETPROBE_SLICE_MS 100

enum np_result {
	NP_OK = 0,
	NP_NOT_FOUND,     /* DNS: the name does not exist / has no address */
	NP_DNS_FAIL,      /* DNS: temporary failure, no server answered */
	NP_REFUSED,       /* TCP: RST - nothing listens on the port */
	NP_TIMEOUT,       /* no answer within the timeout */
	NP_UNREACHABLE,   /* TCP: no route to host / network unreachable */
	NP_CANCELLED,     /* hooks said cancel */
	NP_ERROR          /* anything else (err says what) */
};

struct netprobe_addrs {
	size_t n;
	struct sockaddr_storage sa[NETPROBE_MAX_ADDRS];
	socklen_t salen[NETPROBE_MAX_ADDRS];
	char text[NETPROBE_MAX_ADDRS][INET6_ADDRSTRLEN];
};

/*
 * Resolve host (name or address literal) for TCP port `port`.  Runs the
 * resolver on a helper thread so the caller waits at most timeout_ms and
 * can cancel; duplicates are dropped, order is the resolver's.
 */
enum np_result netprobe_resolve(const char *host, int port, int timeout_ms,
				const struct hooks *h,
				struct netprobe_addrs *out, char *err,
				size_t errlen);

/*
 * Connect to the addresses in order until one accepts, within timeout_ms
 * in total.  On NP_OK *which (may be NULL) is the index that answered and,
 * when fd_out is non-NULL, *fd_out is the connected non-blocking socket
 * (caller closes); otherwise it is closed.  On failure the result is that
 * of the last address tried, err describes every attempt.
 */
enum np_result netprobe_connect(const struct netprobe_addrs *a,
				int timeout_ms, const struct hooks *h,
				int *fd_out, size_t *which, char *err,
				size_t errlen);

enum np_wait { NPW_READY, NPW_TIMEOUT, NPW_CANCELLED, NPW_ERROR };

/*
 * Wait for `events` on fd until the CLOCK_MONOTONIC millisecond `end`
 * (netprobe_now_ms()), in poll() slices of NETPROBE_SLICE_MS, checking
 * hooks_cancelled() before each.  fd < 0 only waits.  NPW_ERROR: poll
 * failed (errno says why).
 */
enum np_wait netprobe_wait(int fd, short events, long long end,
			   const struct hooks *h);

/* Sleep ms milliseconds in poll() slices of NETPROBE_SLICE_MS, checking
 * hooks_cancelled between slices.  Returns 1 when cancelled, else 0. */
int netprobe_sleep(int ms, const struct hooks *h);

/* "127.0.0.1, ::1" (malloc'd; caller frees). */
char *netprobe_addrs_text(const struct netprobe_addrs *a);


/* Milliseconds of CLOCK_MONOTONIC (for deadlines). */
long long netprobe_now_ms(void);

/*
 * DNS then TCP to host:port, each its own diagnostic: dns_check (pass:
 * every address listed; fail at host_field) and tcp_check (pass, or fail at
 * port_field naming refused / timed out / unreachable, event 21006).
 * `then_event` non-zero adds "then event N" to failure messages (stage 7:
 * 21016).  On success returns NP_OK and, when fd_out is non-NULL, the
 * connected socket (caller closes).
 */
enum np_result netprobe_check(const char *host, int port, int timeout_ms,
			      const struct hooks *h, struct diag_list *dl,
			      enum diag_check dns_check,
			      enum diag_check tcp_check,
			      const char *host_field, const char *port_field,
			      int then_event, int *fd_out);

#endif
