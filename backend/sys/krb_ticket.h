/*
 * krb_ticket.h - what the operator's Kerberos credential cache holds, for
 * the diagnostics of ca.auth = negotiate: whether there is a ticket, whose
 * it is, whether it expired, and whether its realm is the realm of the
 * CA's host.  Negotiate itself is libcurl's (CURLAUTH_NEGOTIATE, through
 * GSS-API); this file only explains a refusal.
 *
 * MIT Kerberos (libkrb5.so.3) is loaded on the first call, like libcurl
 * (sys/curl_dl.h): commands that never use Negotiate do not pay for it.
 * Only local files are read (the cache named by KRB5CCNAME, krb5.conf
 * named by KRB5_CONFIG); no KDC is contacted, so nothing here can hang.
 *
 * Ownership: struct krb_ticket is the caller's and holds no pointers;
 * nothing to free.  Thread-safe (a Kerberos context per call).
 */
#ifndef OPSMGR_KRB_TICKET_H
#define OPSMGR_KRB_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The soname loaded: Debian's libkrb5-3 (a dependency of libcurl's
 * GSS-API, so present wherever Negotiate can work at all). */
#define KRB_DL_SONAME "libkrb5.so.3"

struct krb_ticket {
	bool has_principal;     /* the cache exists and names its owner */
	bool has_tgt;           /* it holds a ticket-granting ticket */
	bool expired;           /* ... whose end time has passed */
	time_t expires;         /* that end time, 0 without one */
	char ccache[512];       /* "FILE:/tmp/krb5cc_1000" */
	char principal[256];    /* "alice@EXAMPLE.COM", "" without cache */
	char realm[256];        /* the principal's realm */
	char host_realm[256];   /* the CA host's realm (krb5.conf
				   [domain_realm], else default_realm), ""
				   when krb5.conf names none */
	char why[512];          /* Kerberos's words when there is no
				   principal (e.g. "No credentials cache
				   found (filename: /tmp/krb5cc_0)") */
};

/*
 * Read the default credential cache and host's realm into *t.  0, or -1
 * with err saying why Kerberos could not be asked (libkrb5 missing: the
 * file, the loader's reason and the package; a broken krb5.conf:
 * Kerberos's message).  A missing or empty cache is not an error: 0 with
 * has_principal false and t->why.
 */
int krb_ticket_inspect(const char *host, struct krb_ticket *t, char *err,
		       size_t errlen);

enum krb_verdict {
	KRB_UNKNOWN,        /* Kerberos could not be asked (err) */
	KRB_NO_TICKET,      /* no cache, or no ticket-granting ticket */
	KRB_EXPIRED,
	KRB_WRONG_REALM,    /* a ticket for another realm than the host's */
	KRB_TICKET_OK       /* a current ticket of the host's realm */
};

/*
 * Why a server at host may have refused Negotiate, as one sentence (msg)
 * and what to do (fix), both starting lowercase:
 *   "no Kerberos ticket: run kinit USER@REALM" (USER from user when
 *   given: "alice", "alice@EXAMPLE.COM" and "EXAMPLE\alice" all give
 *   alice; REALM the host's realm when krb5.conf names it), then the cache
 *   looked at and Kerberos's words;
 *   an expired ticket with its end time; a ticket of another realm naming
 *   both realms; a current ticket named when the server refused it anyway.
 */
enum krb_verdict krb_explain(const char *host, const char *user, char *msg,
			     size_t msglen, char *fix, size_t fixlen);

#endif
