/*
 * expiry.c - the renewal window (expiry.h): a certificate's times, its
 * window (given, or the last third of its lifetime capped at 30 days),
 * due and expired, the certificate the agent configuration points to, and
 * the one diagnostic and the one welcome line that report it.
 */
#include "pki/expiry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>

#include "core/agentconf.h"
#include "core/duration.h"
#include "core/errbuf.h"
#include "pki/x509util.h"

#define FIELD_CERT "agent.config"   /* where the certificate in use is named */

long long expiry_window(long long lifetime_s, long long before_s)
{
	long long w;

	if (before_s >= 0)
		return before_s;
	w = lifetime_s > 0 ? lifetime_s / EXPIRY_WINDOW_PART : 0;
	return w < EXPIRY_WINDOW_MAX_S ? w : EXPIRY_WINDOW_MAX_S;
}

static int asn1_time_t(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!t || !ASN1_TIME_to_tm(t, &tm)) {
		ERR_clear_error();
		return -1;
	}
	*out = timegm(&tm);
	return 0;
}

int cert_expiry_of(X509 *cert, time_t now, long long before_s,
		   struct cert_expiry *out)
{
	memset(out, 0, sizeof(*out));
	if (!cert || asn1_time_t(X509_get0_notBefore(cert), &out->not_before) ||
	    asn1_time_t(X509_get0_notAfter(cert), &out->not_after)) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	out->lifetime_s = (long long)out->not_after - (long long)out->not_before;
	out->window_s = expiry_window(out->lifetime_s, before_s);
	out->left_s = (long long)out->not_after - (long long)now;
	out->due_at = (time_t)((long long)out->not_after - out->window_s);
	out->expired = out->left_s <= 0;
	out->due = out->left_s <= out->window_s;
	return 0;
}

int cert_expiry_of_file(const char *path, time_t now, long long before_s,
			struct cert_expiry *out, char *err, size_t errlen)
{
	STACK_OF(X509) *sk = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (x509_load_certs_file(path, &sk, err, errlen) != 0)
		return -1;
	rc = cert_expiry_of(sk_X509_value(sk, 0), now, before_s, out);
	OSSL_STACK_OF_X509_free(sk);
	if (rc)
		errbuf_printf(err, errlen, "'%s': the certificate's validity "
			      "times cannot be read", path);
	return rc;
}

int cert_expiry_in_use(const struct config *cfg, const struct state *st,
		       const char *state_dir, time_t now, long long before_s,
		       struct cert_expiry *out, char **cert_path,
		       struct diag_list *dl)
{
	char *conf = agentconf_path(cfg, st, state_dir), err[1024];
	struct agentconf a;
	int r;

	memset(out, 0, sizeof(*out));
	*cert_path = NULL;
	if (!conf) {
		diag_add(dl, DIAG_SERIAL_EXPIRY, SEV_FAIL, FIELD_CERT, NULL,
			 "out of memory finding the agent configuration");
		return -1;
	}
	agentconf_init(&a);
	r = agentconf_read(conf, &a, dl);
	if (r == 0 && (!a.cert_path || !*a.cert_path))
		r = 1;
	if (r == 0) {
		*cert_path = a.cert_path;
		a.cert_path = NULL;
		if (cert_expiry_of_file(*cert_path, now, before_s, out, err,
					sizeof(err))) {
			diag_add_rerun(dl, DIAG_SERIAL_EXPIRY, SEV_FAIL,
				       FIELD_CERT, STAGE_SERIAL, " again",
				       "the certificate in use, named by '%s', "
				       "cannot be read: %s", conf, err);
			r = -1;
		}
	}
	agentconf_release(&a);
	free(conf);
	return r;
}

struct diag *cert_expiry_diag(const struct cert_expiry *e, const char *path,
			      struct diag_list *dl)
{
	char left[64], window[64];
	struct diag *d;

	duration_text(e->left_s, left, sizeof(left));
	duration_text(e->window_s, window, sizeof(window));
	if (e->expired) {
		d = diag_add(dl, DIAG_SERIAL_EXPIRY, SEV_FAIL, FIELD_CERT,
			     "renew it now: 'opsmgr-enroll renew'",
			     "the certificate in use '%s' expired %s ago: the "
			     "agent cannot open its channel (events 20051 and "
			     "21007) until it is renewed", path, left);
	} else if (e->due) {
		d = diag_add(dl, DIAG_SERIAL_EXPIRY, SEV_WARN, FIELD_CERT,
			     "renew: 'opsmgr-enroll renew'",
			     "the certificate in use '%s' expires in %s, inside "
			     "its renewal window (the last %s)", path, left,
			     window);
		if (d)
			d->event = 21020;   /* certificate expiring */
	} else {
		d = diag_add(dl, DIAG_SERIAL_EXPIRY, SEV_INFO, FIELD_CERT, NULL,
			     "the certificate in use '%s' expires in %s (renewal "
			     "due in its last %s)", path, left, window);
		if (d)
			d->event = 0;
	}
	return d;
}

const char *cert_expiry_line(const struct cert_expiry *e, char *buf,
			     size_t n)
{
	char left[64];

	duration_text(e->left_s, left, sizeof(left));
	if (e->expired)
		snprintf(buf, n, "certificate expired %s ago", left);
	else
		snprintf(buf, n, "certificate expires in %s", left);
	return buf;
}
