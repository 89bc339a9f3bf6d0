/*
 * http_auth.c - how the libcurl wrapper proves who it is and whom it
 * trusts (http_int.h): the authentication schemes (Basic, NTLM with
 * OpenSSL's legacy provider for MD4, Negotiate, client certificate) and
 * exactly the CA certificates the caller names.  Credentials go to libcurl
 * through CURLOPT_USERNAME / CURLOPT_PASSWORD only.
 */
#include "sys/http_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/provider.h>

#include "core/errbuf.h"

/* The providers NTLM needs, loaded once, under g_prov_mu. */
static pthread_mutex_t g_prov_mu = PTHREAD_MUTEX_INITIALIZER;
static OSSL_PROVIDER *g_legacy, *g_default;

void http_providers_unload(void)
{
	pthread_mutex_lock(&g_prov_mu);
	if (g_legacy) {
		OSSL_PROVIDER_unload(g_legacy);
		g_legacy = NULL;
	}
	if (g_default) {
		OSSL_PROVIDER_unload(g_default);
		g_default = NULL;
	}
	pthread_mutex_unlock(&g_prov_mu);
}

/* Load the OpenSSL providers NTLM needs (MD4 lives in "legacy"). */
static int ntlm_providers(char *err, size_t errlen)
{
	pthread_mutex_lock(&g_prov_mu);   /* two threads may want NTLM at once */
	if (!g_default)
		g_default = OSSL_PROVIDER_load(NULL, "default");
	if (!g_legacy)
		g_legacy = OSSL_PROVIDER_load(NULL, "legacy");
	int ok = g_legacy && g_default;
	int legacy_missing = !g_legacy;
	pthread_mutex_unlock(&g_prov_mu);
	if (!ok) {
		/* the first queued error says why (e.g. the .so path tried) */
		char oe[512] = "";
		const char *data = NULL;
		int flags = 0;
		unsigned long e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags);
		if (e) {
			char txt[256];
			ERR_error_string_n(e, txt, sizeof(txt));
			const char *reason = ERR_reason_error_string(e);
			snprintf(oe, sizeof(oe), "%s%s%s", reason ? reason : txt,
				 (flags & ERR_TXT_STRING) && data && *data ? ": " : "",
				 (flags & ERR_TXT_STRING) && data ? data : "");
		}
		ERR_clear_error();
		errbuf_printf(err, errlen,
		              "NTLM authentication needs MD4, which OpenSSL 3 only has in "
		              "its 'legacy' provider, and the %s provider could not be "
		              "loaded (is legacy.so in %s?%s%s); use auth = basic or "
		              "negotiate instead",
		              legacy_missing ? "legacy" : "default",
		              getenv("OPENSSL_MODULES") ? getenv("OPENSSL_MODULES")
		                                        : "OpenSSL's modules directory",
		              oe[0] ? " OpenSSL says: " : "", oe);
		return -1;
	}
	return 0;
}

int http_auth_supported(enum ca_auth a, char *err, size_t errlen)
{
	const struct curl_fns *f;
	curl_version_info_data *vi;
	switch (a) {
	case AUTH_NTLM:
		if (!(f = http_curl_ready(err, errlen)))
			return 0;
		vi = f->version_info(CURLVERSION_NOW);
		if (!(vi->features & CURL_VERSION_NTLM)) {
			errbuf_printf(err, errlen,
			              "this libcurl (%s) was built without NTLM support; use "
			              "auth = basic or negotiate",
			              vi->version);
			return 0;
		}
		return ntlm_providers(err, errlen) == 0;
	case AUTH_NEGOTIATE:
		if (!(f = http_curl_ready(err, errlen)))
			return 0;
		vi = f->version_info(CURLVERSION_NOW);
		if (!(vi->features & CURL_VERSION_GSSAPI) ||
		    !(vi->features & CURL_VERSION_SPNEGO)) {
			errbuf_printf(err, errlen,
			              "this libcurl (%s) was built without GSS-API/SPNEGO, "
			              "so Negotiate (Kerberos) authentication is not "
			              "available; use auth = basic or ntlm",
			              vi->version);
			return 0;
		}
		return 1;
	case AUTH_BASIC:
	case AUTH_CERT:
	case AUTH_NONE:
		return 1;
	}
	return 1;
}

/* The one place user name and password reach libcurl. */
static void set_user_auth(struct optset *s, long scheme, const char *user,
			  const char *pw)
{
	OPT_LONG(s, CURLOPT_HTTPAUTH, scheme);
	OPT_STR(s, CURLOPT_USERNAME, user);
	OPT_STR(s, CURLOPT_PASSWORD, pw);
}

enum http_err http_set_auth(struct optset *s, const struct http_opts *o,
			    char *err, size_t errlen)
{
	const char *user = o->user ? o->user : "";
	const char *pw = (o->password && o->password->buf) ? o->password->buf : "";

	switch (o->auth) {
	case AUTH_NONE:
		return HTTP_OK;
	case AUTH_BASIC:   /* plain http was refused before, unless allowed */
		set_user_auth(s, (long)CURLAUTH_BASIC, user, pw);
		return HTTP_OK;
	case AUTH_NTLM:
		if (!http_auth_supported(AUTH_NTLM, err, errlen))
			return HTTP_E_OTHER;
		set_user_auth(s, (long)CURLAUTH_NTLM, user, pw);
		return HTTP_OK;
	case AUTH_NEGOTIATE:
		if (!http_auth_supported(AUTH_NEGOTIATE, err, errlen))
			return HTTP_E_OTHER;
		/* credentials come from the Kerberos ticket cache */
		set_user_auth(s, (long)CURLAUTH_NEGOTIATE, "", "");
		return HTTP_OK;
	case AUTH_CERT:
		if (!o->client_cert || !*o->client_cert) {
			errbuf_printf(err, errlen,
			              "client certificate authentication needs a "
			              "certificate file (ca.client_cert)");
			return HTTP_E_OTHER;
		}
		OPT_STR(s, CURLOPT_SSLCERT, o->client_cert);
		OPT_STR(s, CURLOPT_SSLCERTTYPE, "PEM");
		if (o->client_key && *o->client_key) {
			OPT_STR(s, CURLOPT_SSLKEY, o->client_key);
			OPT_STR(s, CURLOPT_SSLKEYTYPE, "PEM");
		}
		return HTTP_OK;
	}
	return HTTP_OK;
}

/* Describe where verification looked, for TLS messages. */
void http_trust_desc(const struct http_opts *o, char *out, size_t outlen)
{
	int n = 0;
	out[0] = '\0';
	if (o->ca_file && *o->ca_file)
		n += snprintf(out + n, outlen - (size_t)n, "ca_file '%s'", o->ca_file);
	if (o->ca_path && *o->ca_path && (size_t)n < outlen)
		n += snprintf(out + n, outlen - (size_t)n, "%strust store '%s'",
			      n ? ", " : "", o->ca_path);
	if (n == 0)   /* neither given: libcurl's default bundle and path */
		snprintf(out, outlen, "the system store");
	else if (!(o->ca_file && *o->ca_file) && o->system_trust &&
		 (size_t)n < outlen)
		snprintf(out + n, outlen - (size_t)n, ", the system CA bundle");
}

/*
 * Which certificates verify the server: exactly the ones the caller names.
 * libcurl falls back to its built-in defaults (Debian: the bundle
 * /etc/ssl/certs/ca-certificates.crt and the directory /etc/ssl/certs) for
 * whichever of CAINFO / CAPATH is not set, so the one not given is
 * cleared explicitly; the system store is used only when neither is given.
 * (Loading the 144-certificate system bundle also cost ~17 ms of CPU per
 * CRL fetch in stage 3.)
 */
void http_set_trust(struct optset *s, const struct http_opts *o)
{
	int has_file = o->ca_file && *o->ca_file;
	int has_path = o->ca_path && *o->ca_path;
	if (!has_file && !has_path)
		return;
	/* system_trust: the trust store adds to the system store (libcurl's
	 * default bundle stays) instead of replacing it */
	if (has_file || !o->system_trust)
		OPT_STR(s, CURLOPT_CAINFO, has_file ? o->ca_file : NULL);
	OPT_STR(s, CURLOPT_CAPATH, has_path ? o->ca_path : NULL);
}
