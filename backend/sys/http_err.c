/*
 * http_err.c - libcurl's failures as enum http_err with a message that
 * names the URL, what went wrong and what to check (http_int.h), and the
 * names of enum http_err (http_err_name, http.h).
 */
#include "sys/http_int.h"

#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include "core/errbuf.h"
#include "core/stage_table.h"

const char *http_err_name(enum http_err e)
{
	switch (e) {
	case HTTP_OK: return "ok";
	case HTTP_E_URL: return "bad URL";
	case HTTP_E_DNS: return "name resolution failed";
	case HTTP_E_CONNECT: return "connection failed";
	case HTTP_E_TLS: return "TLS failure";
	case HTTP_E_TIMEOUT: return "timeout";
	case HTTP_E_CANCELLED: return "cancelled";
	case HTTP_E_TOO_LARGE: return "answer too large";
	case HTTP_E_PROTOCOL: return "protocol error";
	case HTTP_E_OTHER: return "transfer failed";
	}
	return "unknown";
}

/* The TLS handshake failures http_map_error reports alike. */
static const CURLcode tls_failures[] = {
	CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR,
	CURLE_SSL_CRL_BADFILE, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
	CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND,
	CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
	CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED,
};

/* ... and the broken answers (reset, truncated, malformed). */
static const CURLcode broken_answers[] = {
	CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE,
	CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2, CURLE_HTTP2_STREAM,
	CURLE_BAD_CONTENT_ENCODING, CURLE_TOO_MANY_REDIRECTS,
};

#define NCODES(a) (sizeof(a) / sizeof((a)[0]))

static int one_of(CURLcode rc, const CURLcode *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == rc)
			return 1;
	return 0;
}

enum http_err http_map_error(const struct curl_fns *f, CURL *c,
			     CURLcode rc, const struct xfer *x,
			     const struct http_opts *o, const char *url,
			     const char *cerr, char *err, size_t errlen)
{
	const char *detail = cerr && *cerr ? cerr : f->easy_strerror(rc);
	char trust[768];
	int cto = http_connect_timeout(o);
	int tto = http_total_timeout(o);

	if (x->cancelled || (rc == CURLE_ABORTED_BY_CALLBACK)) {
		errbuf_printf(err, errlen, "cancelled while talking to '%s'", url);
		return HTTP_E_CANCELLED;
	}
	if (x->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		errbuf_printf(err, errlen,
		              "the answer from '%s' is larger than %zu bytes; this is not "
		              "what a certificate server sends - check the URL",
		              url, x->cap);
		return HTTP_E_TOO_LARGE;
	}
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL: {
		/* after our URL checks this is the server's doing: an HTTP/0.9
		 * or non-HTTP answer, or a redirect to a refused scheme */
		char *ip = NULL;
		f->easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip);
		if (ip && *ip) {
			errbuf_printf(err, errlen,
			              "'%s' did not answer like a web server: %s", url,
			              detail);
			return HTTP_E_PROTOCOL;
		}
	}
		/* FALLTHROUGH */
	case CURLE_URL_MALFORMAT:
		errbuf_printf(err, errlen, "'%s' is not a usable URL: %s", url, detail);
		return HTTP_E_URL;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		errbuf_printf(err, errlen,
		              "cannot resolve the host of '%s' (%s); check the name and "
		              "this computer's DNS settings",
		              url, detail);
		return HTTP_E_DNS;
	case CURLE_COULDNT_CONNECT:
		errbuf_printf(err, errlen,
		              "cannot connect to '%s' (%s); check the host, the port and "
		              "any firewall in between",
		              url, detail);
		return HTTP_E_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		errbuf_printf(err, errlen,
		              "no answer from '%s' in time (connect timeout %d s, total "
		              "%d s): %s; the server may be busy or unreachable - try "
		              "again, or raise ca.timeout",
		              url, cto, tto, detail);
		return HTTP_E_TIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION: {
		long vr = 0;
		const char *why = detail;
		f->easy_getinfo(c, CURLINFO_SSL_VERIFYRESULT, &vr);
		if (vr != 0)
			why = X509_verify_cert_error_string(vr);
		http_trust_desc(o, trust, sizeof(trust));
		if (strstr(detail, "subject name") || strstr(detail, "hostname") ||
		    strstr(detail, "host name")) {
			errbuf_printf(err, errlen,
			              "certificate verify failed for %s: %s; the server's "
			              "certificate does not name the host in the URL - use "
			              "the name the certificate was issued to",
			              url, detail);
		} else {
			errbuf_printf(err, errlen,
			              "certificate verify failed for %s: %s (trusted: %s) - "
			              "import the CA root first (stage %d)",
			              url, why, trust, STAGE_TRUST);
		}
		return HTTP_E_TLS;
	}
	case CURLE_SSL_CACERT_BADFILE:
		http_trust_desc(o, trust, sizeof(trust));
		errbuf_printf(err, errlen,
		              "cannot load the trusted certificates (%s) to check %s: %s",
		              trust, url, detail);
		return HTTP_E_TLS;
	case CURLE_SSL_CERTPROBLEM:
		errbuf_printf(err, errlen,
		              "cannot use the client certificate '%s' for %s: %s",
		              o->client_cert ? o->client_cert : "(none)", url, detail);
		return HTTP_E_TLS;
	case CURLE_GOT_NOTHING:
		errbuf_printf(err, errlen,
		              "'%s' closed the connection without answering (%s); is it "
		              "an https web server?",
		              url, detail);
		return HTTP_E_PROTOCOL;
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
		errbuf_printf(err, errlen,
		              "authentication with '%s' failed inside libcurl: %s", url,
		              detail);
		return HTTP_E_OTHER;
	case CURLE_OUT_OF_MEMORY:
		errbuf_printf(err, errlen, "out of memory talking to '%s'", url);
		return HTTP_E_OTHER;
	default:
		break;
	}
	if (one_of(rc, tls_failures, NCODES(tls_failures))) {
		errbuf_printf(err, errlen, "TLS handshake with %s failed: %s", url, detail);
		return HTTP_E_TLS;
	}
	if (one_of(rc, broken_answers, NCODES(broken_answers))) {
		errbuf_printf(err, errlen, "broken answer from '%s': %s", url, detail);
		return HTTP_E_PROTOCOL;
	}
	errbuf_printf(err, errlen, "transfer from '%s' failed: %s", url, detail);
	return HTTP_E_OTHER;
}
