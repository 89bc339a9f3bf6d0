/*
 * expiry.h - the one home of "when is a certificate due for renewal":
 * its renewal window, how long it has left, whether it is due or expired,
 * the certificate in use (the one the agent configuration points to) and
 * the one diagnostic that reports it.  `renew` (wizard/renew.c), `check`
 * and the welcome screen all read these; none computes a window itself.
 *
 * The window: with before_s >= 0 (`renew --before DURATION`), the last
 * before_s seconds of the certificate's life; with before_s < 0 the
 * default, the last third of its lifetime (notAfter - notBefore), at most
 * EXPIRY_WINDOW_MAX_S (30 days).  A certificate is due when it has at most
 * window_s seconds left (an expired one is due too), expired when now is
 * at or past notAfter.
 *
 * Owner: backend/pki/expiry.c.  Arguments are borrowed; struct cert_expiry
 * holds no pointers; the *cert_path of cert_expiry_in_use is malloc'd
 * (the caller frees it with free()).
 */
#ifndef OPSMGR_EXPIRY_H
#define OPSMGR_EXPIRY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <openssl/x509.h>

#include "core/diag.h"

#define EXPIRY_WINDOW_MAX_S (30LL * 86400)   /* the default's cap: 30 days */
#define EXPIRY_WINDOW_PART 3                  /* default: the last third */

struct config;
struct state;

struct cert_expiry {
	time_t not_before, not_after;
	long long lifetime_s;   /* not_after - not_before */
	long long window_s;     /* the renewal window's length */
	long long left_s;       /* not_after - now (negative: expired) */
	time_t due_at;          /* when the window opens: not_after - window_s */
	bool due;               /* left_s <= window_s */
	bool expired;           /* left_s <= 0 */
};

/* The renewal window of a certificate with lifetime_s seconds of life:
 * before_s when >= 0, else the default (the last third, at most 30 days). */
long long expiry_window(long long lifetime_s, long long before_s);

/* Fill out for cert at now.  0, or -1 when the certificate's times cannot
 * be read (out zeroed). */
int cert_expiry_of(X509 *cert, time_t now, long long before_s,
		   struct cert_expiry *out);

/* The same for the first certificate in the file path (any format
 * x509_load_certs reads).  0, or -1 with err saying why. */
int cert_expiry_of_file(const char *path, time_t now, long long before_s,
			struct cert_expiry *out, char *err, size_t errlen);

/*
 * The certificate in use: the one the agent configuration
 * (agentconf_path(cfg, st, state_dir)) names in [certificate]
 * certificate.  0 with out and *cert_path filled; 1 when there is none
 * (no agent configuration, or it names no certificate: nothing to renew,
 * nothing added to dl); -1 when the configuration or the certificate
 * cannot be read (a SEV_FAIL DIAG_SERIAL_EXPIRY in dl, *cert_path set
 * when the certificate's path is known).  cfg and st may be NULL.
 */
int cert_expiry_in_use(const struct config *cfg, const struct state *st,
		       const char *state_dir, time_t now, long long before_s,
		       struct cert_expiry *out, char **cert_path,
		       struct diag_list *dl);

/*
 * The one report of how long the certificate at path has left, as a
 * DIAG_SERIAL_EXPIRY item: SEV_INFO outside the window ("expires in 200
 * days"), SEV_WARN inside it (event 21020, fix: opsmgr-enroll renew),
 * SEV_FAIL once expired (event 20051, the message naming 21007 too).
 * Returns the item (owned by dl) or NULL when out of memory.
 */
struct diag *cert_expiry_diag(const struct cert_expiry *e, const char *path,
			      struct diag_list *dl);

/* The welcome screen's line when e is due: "certificate expires in 3 days"
 * or "certificate expired 2 hours ago".  Returns buf. */
const char *cert_expiry_line(const struct cert_expiry *e, char *buf,
			     size_t n);

#endif
