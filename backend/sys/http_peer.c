/*
 * http_peer.c - the TLS handshake alone (http.h: http_peer_certs): whether
 * a server verifies against the trust options, and the certificates it
 * presents when it does not.  No HTTP request is sent, so nothing of the
 * caller's (credentials included) reaches the server.
 */
#include "sys/http_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/errbuf.h"

/* Append s and a newline to the growing buffer *pem. */
static int append_line(char **pem, size_t *len, const char *s)
{
	size_t n = strlen(s);
	char *p = realloc(*pem, *len + n + 2);
	if (!p)
		return -1;
	memcpy(p + *len, s, n);
	p[*len + n] = '\n';
	*len += n + 1;
	p[*len] = '\0';
	*pem = p;
	return 0;
}

/* The "Cert:" entries of libcurl's certificate information, in the
 * order the server sent them, as PEM text. */
static enum http_err collect(const struct curl_fns *f, CURL *c, char **pem,
			     size_t *len, char *err, size_t errlen)
{
	struct curl_certinfo *ci = NULL;
	*pem = NULL;
	*len = 0;
	if (f->easy_getinfo(c, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci ||
	    ci->num_of_certs <= 0) {
		errbuf_printf(err, errlen, "the server presented no certificate");
		return HTTP_E_TLS;
	}
	for (int i = 0; i < ci->num_of_certs; i++)
		for (struct curl_slist *l = ci->certinfo[i]; l; l = l->next)
			if (strncmp(l->data, "Cert:", 5) == 0 &&
			    append_line(pem, len, l->data + 5) != 0) {
				free(*pem);
				*pem = NULL;
				errbuf_printf(err, errlen, "out of memory");
				return HTTP_E_OTHER;
			}
	if (!*pem) {
		errbuf_printf(err, errlen, "the server presented no certificate");
		return HTTP_E_TLS;
	}
	return HTTP_OK;
}

static enum http_err peer_options(struct optset *s, const struct http_opts *o,
				  const char *url, bool verify, struct xfer *x,
				  char *cerr, char *err, size_t errlen)
{
	OPT_STR(s, CURLOPT_URL, url);
	OPT_STR(s, CURLOPT_PROTOCOLS_STR, "https");
	OPT_LONG(s, CURLOPT_CONNECT_ONLY, 1L);
	OPT_LONG(s, CURLOPT_NOSIGNAL, 1L);
	OPT_LONG(s, CURLOPT_FRESH_CONNECT, 1L);
	OPT_LONG(s, CURLOPT_FORBID_REUSE, 1L);
	OPT_LONG(s, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	OPT_PTR(s, CURLOPT_ERRORBUFFER, cerr);
	OPT_LONG(s, CURLOPT_CONNECTTIMEOUT, http_connect_timeout(o));
	OPT_LONG(s, CURLOPT_TIMEOUT, http_total_timeout(o));
	OPT_LONG(s, CURLOPT_NOPROGRESS, 0L);
	OPT_SET(s, CURLOPT_XFERINFOFUNCTION, http_xfer_progress);
	OPT_PTR(s, CURLOPT_XFERINFODATA, x);
	OPT_LONG(s, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
	OPT_LONG(s, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	if (verify)
		http_set_trust(s, o);
	else
		OPT_LONG(s, CURLOPT_CERTINFO, 1L);
	return optset_result(s, err, errlen);
}

enum http_err http_peer_certs(const struct http_opts *o, const char *url,
			      const struct hooks *h, bool verify, char **pem,
			      size_t *len, char *err, size_t errlen)
{
	char cerr[CURL_ERROR_SIZE] = "";
	struct http_opts plain = *o;
	struct xfer x;
	enum http_err e;

	if (pem) {
		*pem = NULL;
		*len = 0;
	}
	plain.allow_http = false;
	e = http_check_url(&plain, url, err, errlen);
	if (e != HTTP_OK)
		return e;
	if (hooks_cancelled(h)) {
		errbuf_printf(err, errlen, "cancelled before contacting '%s'", url);
		return HTTP_E_CANCELLED;
	}
	const struct curl_fns *f = http_curl_ready(err, errlen);
	if (!f)
		return HTTP_E_OTHER;
	CURL *c = f->easy_init();
	if (!c) {
		errbuf_printf(err, errlen, "cannot create a libcurl handle (out of memory?)");
		return HTTP_E_OTHER;
	}
	memset(&x, 0, sizeof(x));
	x.o = o;
	x.h = h;
	http_url_host(url, x.what, sizeof(x.what));
	struct optset s = { .f = f, .c = c, .rc = CURLE_OK };
	e = peer_options(&s, o, url, verify, &x, cerr, err, errlen);
	if (e == HTTP_OK) {
		CURLcode rc = f->easy_perform(c);
		if (rc != CURLE_OK)
			e = http_map_error(f, c, rc, &x, o, url, cerr, err,
					   errlen);
		else if (!verify && pem)
			e = collect(f, c, pem, len, err, errlen);
	}
	f->easy_cleanup(c);
	return e;
}
