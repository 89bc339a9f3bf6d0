/*
 * request.c - stage 2, "Request" (request.h, stages.h): validates the
 * fields, puts the key (0600) and CSR on disk and records that in the state
 * before anything is sent, submits to AD CS web enrollment (certsrv.c),
 * and turns every answer into a state change plus diagnostics at the field
 * concerned.  Also the offline path: save the CSR, import a certificate.
 *
 * State machine (state.h, req_phase), saved through ctx_checkpoint at the
 * points a kill must not lose:
 *   NONE -> KEY_WRITTEN (key+CSR on disk) -> SUBMITTING (POST in flight)
 *        -> PENDING (CA holds request_id) -> ISSUED (cert.pem on disk)
 *                                         -> DENIED (disposition kept)
 */
#include "stages/request.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "adcs/certsrv.h"
#include "pki/csr.h"
#include "sys/fsutil.h"
#include "sys/http.h"
#include "pki/keygen.h"
#include "core/log.h"
#include "core/validate.h"
#include "stages/stages.h"
#include "pki/x509util.h"

#define ERRLEN 1024

struct run {
	struct ctx *c;
	struct config *cfg;
	struct state *st;
	const struct hooks *h;
	struct diag_list *dl;
	const char *fqdn;
	char *ca_url;             /* where the request goes / went (owned copy:
				   * the state's string is replaced while used) */
	char *key_path, *csr_path;
	EVP_PKEY *key;
	X509_REQ *req;
	char *csr_pem;
	struct http_opts o;
	char *trust_dir;          /* owned copy of the trust store path */
	struct request_out *out;
	int offline;              /* no network: the offline path */
};

void request_out_free(void *p)
{
	struct request_out *o = p;
	if (!o)
		return;
	free(o->fqdn);
	free(o->key_path);
	free(o->csr_path);
	free(o->cert_path);
	free(o->chain_path);
	free(o->disposition);
	free(o->subject);
	free(o->serial_hex);
	free(o->not_after);
	free(o);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int key_bits(const struct config *cfg)
{
	return cfg->key_bits > 0 ? cfg->key_bits : CONFIG_DEFAULT_KEY_BITS;
}

/* ------------------------------------------------------------------ */
/* names                                                               */

int request_fqdn_check(const char *f, char *why, size_t wl)
{
	struct verdict v;
	rule_computer_fqdn(f, &v);
	snprintf(why, wl, "%s", v.msg);
	return v.sev == SEV_FAIL ? -1 : 0;
}

/* Canonical name of host (AI_CANONNAME), malloc'd, or NULL. */
static char *canon_name(const char *host)
{
	struct addrinfo hints, *res = NULL;
	char *out = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(host, NULL, &hints, &res) == 0 && res) {
		if (res->ai_canonname && *res->ai_canonname)
			out = strdup(res->ai_canonname);
		freeaddrinfo(res);
	}
	return out;
}

static int own_hostname(char *host, size_t len)
{
	if (gethostname(host, len) != 0)
		return -1;
	host[len - 1] = '\0';
	return host[0] ? 0 : -1;
}

char *request_detect_fqdn(char *err, size_t errlen)
{
	char host[256];
	if (own_hostname(host, sizeof(host)) < 0) {
		snprintf(err, errlen, "cannot read this computer's host name: %s",
			 strerror(errno));
		return NULL;
	}
	char *canon = canon_name(host);
	if (canon && strchr(canon, '.'))
		return canon;
	free(canon);
	if (strchr(host, '.'))
		return strdup(host);
	snprintf(err, errlen,
		 "this computer is called '%s', which has no domain part, and "
		 "the name does not resolve to a fully qualified one", host);
	return NULL;
}

static void check_resolution(struct run *r)
{
	char host[256];
	if (own_hostname(host, sizeof(host)) < 0)
		return;
	char *canon = canon_name(host);
	const char *mine = canon ? canon : host;
	if (strcasecmp(mine, r->fqdn) == 0 || strcasecmp(host, r->fqdn) == 0) {
		diag_add(r->dl, DIAG_REQ_FQDN_RESOLVE, SEV_PASS, "computer.fqdn",
			 NULL, "this computer resolves its own name to '%s'",
			 r->fqdn);
	} else {
		char also[300] = "";
		size_t hl = strcspn(host, "."), fl = strcspn(r->fqdn, ".");
		if (canon && strcasecmp(canon, host) != 0)
			snprintf(also, sizeof(also), ", which resolves to '%s'", canon);
		else if (hl == fl && strncasecmp(host, r->fqdn, hl) == 0)
			snprintf(also, sizeof(also), " (the same short name, but no "
				 "domain resolves for it here)");
		diag_add(r->dl, DIAG_REQ_FQDN_RESOLVE, SEV_WARN, "computer.fqdn",
			 "make sure the management server reaches this computer as "
			 "the name in computer.fqdn (DNS or hosts file); otherwise "
			 "the certificate will not match",
			 "this computer's own name is '%s'%s, not '%s'", host, also,
			 r->fqdn);
	}
	free(canon);
}

/* ------------------------------------------------------------------ */
/* validation                                                          */

static int file_readable(const char *path, char *why, size_t wl)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		snprintf(why, wl, "%s", strerror(errno));
		return 0;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(why, wl, "not a regular file");
		return 0;
	}
	if (access(path, R_OK) != 0) {
		snprintf(why, wl, "%s", strerror(errno));
		return 0;
	}
	return 1;
}

static int validate_url(struct ctx *c, struct diag_list *dl)
{
	struct verdict v;
	rule_ca_url(c->cfg->ca_url, c->cfg->ca_allow_http, &v);
	rule_diag(dl, DIAG_REQ_CA_URL, "ca.url", &v);
	return v.sev == SEV_FAIL ? -1 : 0;
}

static int validate_template(struct ctx *c, struct diag_list *dl)
{
	struct verdict v;
	rule_template(c->cfg->ca_template, &v);
	rule_diag(dl, DIAG_REQ_TEMPLATE, "ca.template", &v);
	return v.sev == SEV_FAIL ? -1 : 0;
}

static int validate_auth(struct ctx *c, struct diag_list *dl)
{
	struct config *cfg = c->cfg;
	char why[512];
	int bad = 0;
	switch (cfg->ca_auth) {
	case AUTH_NTLM:
		if (!http_auth_supported(AUTH_NTLM, why, sizeof(why))) {
			diag_add(dl, DIAG_REQ_AUTH, SEV_FAIL, "ca.auth",
				 "use auth = basic (over https) or negotiate", "%s",
				 why);
			bad = -1;
		}
		/* fall through: NTLM needs a user and password too */
		/* FALLTHROUGH */
	case AUTH_BASIC:
		if (!cfg->ca_user || !*cfg->ca_user) {
			diag_add(dl, DIAG_REQ_AUTH, SEV_FAIL, "ca.user",
				 "set [ca] user (DOMAIN\\user or user@domain)",
				 "ca.auth = %s needs a user name",
				 ca_auth_name(cfg->ca_auth));
			bad = -1;
		}
		if (!secret_is_set(&c->ca_password) && cfg->ca_password_file &&
		    *cfg->ca_password_file) {
			if (ctx_load_secrets(c, dl) < 0)
				bad = -1;
		}
		if (!secret_is_set(&c->ca_password) &&
		    !diag_find_field(dl, "ca.password_file", SEV_FAIL)) {
			diag_add(dl, DIAG_REQ_PASSWORD, SEV_FAIL, "ca.password",
				 "type the password, or set [ca] password_file to a "
				 "file whose first line is the password",
				 "no password for CA user '%s'",
				 cfg->ca_user ? cfg->ca_user : "");
			bad = -1;
		} else if (!secret_is_set(&c->ca_password)) {
			bad = -1;
		}
		break;
	case AUTH_NEGOTIATE:
		if (!http_auth_supported(AUTH_NEGOTIATE, why, sizeof(why))) {
			diag_add(dl, DIAG_REQ_AUTH, SEV_FAIL, "ca.auth",
				 "use auth = basic (over https) or ntlm", "%s", why);
			bad = -1;
		}
		break;
	case AUTH_CERT:
		if (!cfg->ca_client_cert || !*cfg->ca_client_cert) {
			diag_add(dl, DIAG_REQ_AUTH, SEV_FAIL, "ca.client_cert",
				 "set [ca] client_cert (and client_key) to PEM files",
				 "ca.auth = cert needs a client certificate");
			bad = -1;
		} else if (!file_readable(cfg->ca_client_cert, why, sizeof(why))) {
			diag_add(dl, DIAG_REQ_AUTH, SEV_FAIL, "ca.client_cert",
				 "point ca.client_cert at a readable PEM file",
				 "cannot read the client certificate '%s': %s",
				 cfg->ca_client_cert, why);
			bad = -1;
		}
		if (cfg->ca_client_key && *cfg->ca_client_key &&
		    !file_readable(cfg->ca_client_key, why, sizeof(why))) {
			diag_add(dl, DIAG_REQ_AUTH, SEV_FAIL, "ca.client_key",
				 "point ca.client_key at a readable PEM key file",
				 "cannot read the client key '%s': %s",
				 cfg->ca_client_key, why);
			bad = -1;
		}
		break;
	case AUTH_NONE:
		break;
	}
	return bad;
}

int request_validate(struct ctx *c, const char *fqdn, bool online,
		     struct diag_list *dl)
{
	struct config *cfg = c->cfg;
	char why[256];
	int bad = 0;

	struct verdict v;
	if (fqdn && rule_computer_fqdn(fqdn, &v) == SEV_FAIL) {
		rule_diag(dl, DIAG_REQ_FQDN, "computer.fqdn", &v);
		bad = -1;
	}
	if (rule_key_bits(key_bits(cfg), &v) == SEV_FAIL)
		bad = -1;
	rule_diag(dl, DIAG_REQ_KEY_SIZE, "key.bits", &v);
	if (!online)
		return bad;
	if (validate_url(c, dl) < 0)
		bad = -1;
	if (validate_template(c, dl) < 0)
		bad = -1;
	if (validate_auth(c, dl) < 0)
		bad = -1;
	if (cfg->ca_file && *cfg->ca_file &&
	    !file_readable(cfg->ca_file, why, sizeof(why))) {
		diag_add(dl, DIAG_REQ_TLS, SEV_FAIL, "ca.ca_file",
			 "point ca.ca_file at the PEM bundle of the CA that signed "
			 "the web server's certificate, or leave it empty to use "
			 "the trust store",
			 "cannot read ca.ca_file '%s': %s", cfg->ca_file, why);
		bad = -1;
	}
	return bad;
}

/* ------------------------------------------------------------------ */
/* helpers of the run                                                  */

static enum status cancelled(struct run *r, const char *what)
{
	diag_add(r->dl, DIAG_CANCELLED, SEV_INFO, NULL,
		 "run the stage again to continue; nothing is lost",
		 "cancelled %s", what);
	return ST_CANCELLED;
}

static int checkpoint(struct run *r, const char *what)
{
	if (ctx_checkpoint(r->c, r->dl) == 0)
		return 0;
	diag_add(r->dl, DIAG_STATE, SEV_FAIL, NULL,
		 "fix the state directory problem above, then run again",
		 "stopped before %s: the progress could not be saved first", what);
	return -1;
}

static void setup_http(struct run *r)
{
	struct config *cfg = r->cfg;
	struct stat sb;
	http_opts_init(&r->o);
	r->o.ca_file = (cfg->ca_file && *cfg->ca_file) ? cfg->ca_file : NULL;
	const char *ts = ctx_trust_store(r->c);
	if (ts && stat(ts, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		r->trust_dir = strdup(ts);
		r->o.ca_path = r->trust_dir;
	}
	/* as in stage 1: without ca.ca_file the system store verifies the
	 * CA's web server too (it may carry a publicly issued certificate) */
	r->o.system_trust = true;
	r->o.auth = cfg->ca_auth;
	r->o.user = cfg->ca_user;
	r->o.password = &r->c->ca_password;
	r->o.client_cert = cfg->ca_client_cert;
	r->o.client_key = cfg->ca_client_key;
	r->o.timeout_s = cfg->ca_timeout > 0 ? cfg->ca_timeout
					     : CONFIG_DEFAULT_CA_TIMEOUT;
	r->o.connect_timeout_s = r->o.timeout_s < 10 ? r->o.timeout_s : 10;
	r->o.allow_http = cfg->ca_allow_http;
}

/*
 * A transport failure: the diagnostic at ca.url.  `reached` tells the
 * caller whether the CA may have received what was sent.
 */
static enum status net_failure(struct run *r, enum http_err e, const char *err,
			       const char *doing, int *reached)
{
	*reached = 1;
	switch (e) {
	case HTTP_E_CANCELLED:
		/* err is http.c's "cancelled while talking to '...'" */
		diag_add(r->dl, DIAG_CANCELLED, SEV_INFO, NULL,
			 "run the stage again to continue; nothing is lost", "%s",
			 err);
		return ST_CANCELLED;
	case HTTP_E_TLS:
		*reached = 0;
		diag_add(r->dl, DIAG_REQ_TLS, SEV_FAIL, "ca.url",
			 "import the CA root first (stage 1) so the CA web "
			 "server's certificate can be verified, or set ca.ca_file "
			 "to the CA bundle that signed it",
			 "%s: %s", doing, err);
		break;
	case HTTP_E_TIMEOUT:
		diag_add(r->dl, DIAG_REQ_TIMEOUT, SEV_FAIL, "ca.url", NULL,
			 "%s: %s", doing, err);
		diag_set_fix(&r->dl->items[r->dl->n - 1],
			     "run again: the same request is sent again and "
			     "nothing is lost; if the CA is just slow, raise "
			     "ca.timeout (now %d s)", r->o.timeout_s);
		break;
	case HTTP_E_URL:
	case HTTP_E_DNS:
	case HTTP_E_CONNECT:
		*reached = 0;
		diag_add(r->dl, DIAG_REQ_CA_URL, SEV_FAIL, "ca.url",
			 "check the host and port in ca.url and that the CA's web "
			 "server is running and reachable from here",
			 "%s: %s", doing, err);
		break;
	case HTTP_E_TOO_LARGE:
	case HTTP_E_PROTOCOL:
	case HTTP_E_OTHER:
	case HTTP_OK:
		diag_add(r->dl, DIAG_REQ_SUBMIT, SEV_FAIL, "ca.url",
			 "check that ca.url is the CA's web enrollment address "
			 "(https://HOST/certsrv/), then run again",
			 "%s: %s", doing, err);
		break;
	}
	return ST_FAIL;
}

static void set_phase(struct run *r, enum request_phase p)
{
	r->st->req_phase = p;
	log_msg("request: phase %s (request id %ld)", request_phase_name(p),
		r->st->request_id);
}

/* ------------------------------------------------------------------ */
/* key and CSR                                                         */

static void free_key_csr(struct run *r)
{
	EVP_PKEY_free(r->key);
	X509_REQ_free(r->req);
	free(r->csr_pem);
	r->key = NULL;
	r->req = NULL;
	r->csr_pem = NULL;
}

/* The request's CN vs the FQDN in use: warn when they differ. */
static void check_cn(struct run *r, const char *why)
{
	char *cn = csr_subject_cn(r->req);
	if (cn && strcasecmp(cn, r->fqdn) != 0)
		diag_add(r->dl, DIAG_REQ_FQDN, SEV_WARN, "computer.fqdn",
			 "to get a certificate for the new name, start over "
			 "(move the state aside); the verify stage checks the name",
			 "the request %s names '%s', but computer.fqdn is now '%s'",
			 why, cn, r->fqdn);
	free(cn);
}

/* Load the key and CSR a sent request belongs to; never replace them. */
static enum status load_bound(struct run *r)
{
	char err[ERRLEN];
	long id = r->st->request_id;
	r->key = x509_load_key_file(r->key_path, err, sizeof(err));
	if (!r->key) {
		diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_FAIL, NULL,
			 "restore the key file from a backup: a new key would not "
			 "match what the CA issues for this request; to start over "
			 "instead, move the state directory aside",
			 "the private key of the request already sent to the CA%s "
			 "cannot be read ('%s'): %s",
			 id > 0 ? "" : " (no ID yet)", r->key_path, err);
		return ST_FAIL;
	}
	r->req = csr_load_file(r->csr_path, err, sizeof(err));
	if (!r->req) {
		diag_add(r->dl, DIAG_REQ_CSR, SEV_FAIL, NULL,
			 "restore the request file from a backup, or start over "
			 "(move the state directory aside)",
			 "the certificate request already sent to the CA cannot be "
			 "read: %s", err);
		return ST_FAIL;
	}
	if (!csr_matches_key(r->req, r->key)) {
		diag_add(r->dl, DIAG_REQ_CSR, SEV_FAIL, NULL,
			 "restore the matching key and request files, or start over",
			 "'%s' does not belong to the key in '%s'", r->csr_path,
			 r->key_path);
		return ST_FAIL;
	}
	r->csr_pem = csr_to_pem(r->req);
	if (!r->csr_pem) {
		diag_add(r->dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory encoding the request");
		return ST_FAIL;
	}
	return ST_OK;
}

/* Move an unusable leftover file aside (never delete a key). */
static void move_aside(struct run *r, const char *path, const char *why)
{
	char np[4096];
	snprintf(np, sizeof(np), "%s.replaced-%ld", path, (long)time(NULL));
	if (rename(path, np) == 0)
		diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_INFO, NULL, NULL,
			 "moved '%s' aside to '%s' (%s)", path, np, why);
}

/* Key and CSR for a request nothing has been sent with yet. */
static enum status make_key_csr(struct run *r)
{
	char err[ERRLEN];
	int bits = key_bits(r->cfg);

	/* Never read or move a key through a link planted at its path: the
	 * request would be made for someone else's key. */
	struct stat ks;
	if (lstat(r->key_path, &ks) == 0 && !S_ISREG(ks.st_mode)) {
		diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_FAIL, NULL,
			 "remove it; the wizard writes the key there itself",
			 "refusing the key path '%s': it is %s, not a regular file",
			 r->key_path,
			 S_ISLNK(ks.st_mode) ? "a symbolic link" : "a special file");
		return ST_FAIL;
	}
	if (fs_exists(r->key_path)) {
		EVP_PKEY *k = x509_load_key_file(r->key_path, err, sizeof(err));
		if (k && keygen_rsa_bits(k) == bits) {
			r->key = k;
			if (r->st->req_phase == REQ_NONE)
				diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_INFO, NULL, NULL,
					 "reusing the %d-bit key already in '%s'",
					 bits, r->key_path);
		} else {
			char why[128];
			if (k)
				snprintf(why, sizeof(why),
					 "a %d-bit key, but key.bits is %d",
					 keygen_rsa_bits(k), bits);
			else
				snprintf(why, sizeof(why), "not a usable key");
			EVP_PKEY_free(k);
			move_aside(r, r->key_path, why);
		}
	}
	if (!r->key) {
		int was_cancelled = 0;
		if (hooks_cancelled(r->h))
			return cancelled(r, "before generating the key");
		r->key = keygen_rsa(bits, r->h, &was_cancelled, err, sizeof(err));
		if (!r->key) {
			if (was_cancelled)
				return cancelled(r, "while generating the key");
			diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_FAIL, "key.bits",
				 "try again; if it persists, try key.bits = 2048",
				 "%s", err);
			return ST_FAIL;
		}
		if (keygen_write_key(r->key, r->key_path, err, sizeof(err)) < 0) {
			diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_FAIL, NULL,
				 "make sure the state directory is writable",
				 "cannot write the private key: %s", err);
			return ST_FAIL;
		}
		diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_PASS, NULL, NULL,
			 "generated a %d-bit RSA key in '%s' (mode 0600)", bits,
			 r->key_path);
		log_msg("request: generated a %d-bit key in %s", bits, r->key_path);
	}

	/* The CSR: reuse a matching one for the same name. */
	if (fs_exists(r->csr_path)) {
		X509_REQ *q = csr_load_file(r->csr_path, err, sizeof(err));
		char *cn = q ? csr_subject_cn(q) : NULL;
		if (q && cn && csr_matches_key(q, r->key) &&
		    strcasecmp(cn, r->fqdn) == 0)
			r->req = q;
		else
			X509_REQ_free(q);
		free(cn);
	}
	if (!r->req) {
		r->req = csr_build(r->key, r->fqdn, err, sizeof(err));
		if (!r->req) {
			diag_add(r->dl, DIAG_REQ_CSR, SEV_FAIL, "computer.fqdn", NULL,
				 "%s", err);
			return ST_FAIL;
		}
		r->csr_pem = csr_to_pem(r->req);
		if (!r->csr_pem ||
		    fs_write_atomic(r->csr_path, r->csr_pem, strlen(r->csr_pem),
				    0644, err, sizeof(err)) < 0) {
			diag_add(r->dl, DIAG_REQ_CSR, SEV_FAIL, NULL,
				 "make sure the state directory is writable",
				 "cannot write the certificate request: %s",
				 r->csr_pem ? err : "out of memory");
			return ST_FAIL;
		}
		diag_add(r->dl, DIAG_REQ_CSR, SEV_PASS, NULL, NULL,
			 "certificate request for CN=%s (SAN %s, server and client "
			 "authentication, SHA-256) in '%s'",
			 r->fqdn, r->fqdn, r->csr_path);
	} else {
		r->csr_pem = csr_to_pem(r->req);
		if (!r->csr_pem) {
			diag_add(r->dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
				 "out of memory encoding the request");
			return ST_FAIL;
		}
	}
	state_set_str(&r->st->key_path, r->key_path);
	state_set_str(&r->st->csr_path, r->csr_path);
	if (r->st->req_phase == REQ_NONE)
		set_phase(r, REQ_KEY_WRITTEN);
	if (checkpoint(r, "using the new key") < 0)
		return ST_FAIL;
	return ST_OK;
}

/* ------------------------------------------------------------------ */
/* the certificate                                                     */

static void fill_out_cert(struct run *r, X509 *leaf)
{
	struct request_out *o = r->out;
	if (!o)
		return;
	free(o->subject);
	free(o->serial_hex);
	free(o->not_after);
	o->subject = x509_name_text(X509_get_subject_name(leaf));
	o->serial_hex = x509_serial_hex(leaf);
	o->not_after = x509_time_text(X509_get0_notAfter(leaf));
}

/* The issuers for chain.pem: from `extra` (minus leaf), else the CA's
 * certnew.p7b for id, else the trusted root of stage 1. */
static STACK_OF(X509) *chain_for(struct run *r, X509 *leaf,
				 STACK_OF(X509) *extra, long id)
{
	char err[ERRLEN];
	STACK_OF(X509) *chain = sk_X509_new_null();
	STACK_OF(X509) *got = NULL;
	if (!chain)
		return NULL;
	if (extra && sk_X509_num(extra) > 1) {
		got = extra;
	} else if (id > 0 && r->ca_url && !r->offline) {
		unsigned char *p7 = NULL;
		size_t p7len = 0;
		enum http_err e = certsrv_fetch_chain(&r->o, r->ca_url, id, r->h,
						      &p7, &p7len, err, sizeof(err));
		if (e == HTTP_OK &&
		    x509_load_certs(p7, p7len, &got, err, sizeof(err)) == 0) {
			/* got */
		} else {
			got = NULL;
			diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_INFO, NULL, NULL,
				 "could not fetch the chain of request %ld (%s); "
				 "using the trusted root instead", id, err);
		}
		free(p7);
	}
	if (got) {
		for (int i = 0; i < sk_X509_num(got); i++) {
			X509 *x = sk_X509_value(got, i);
			if (X509_cmp(x, leaf) == 0)
				continue;
			if (X509_up_ref(x) && !sk_X509_push(chain, x))
				X509_free(x);
		}
		if (got != extra)
			OSSL_STACK_OF_X509_free(got);
	}
	if (sk_X509_num(chain) == 0 && r->st->root_path &&
	    fs_exists(r->st->root_path)) {
		STACK_OF(X509) *root = NULL;
		if (x509_load_certs_file(r->st->root_path, &root, err,
					 sizeof(err)) == 0) {
			for (int i = 0; i < sk_X509_num(root); i++) {
				X509 *x = sk_X509_value(root, i);
				if (X509_up_ref(x) && !sk_X509_push(chain, x))
					X509_free(x);
			}
			OSSL_STACK_OF_X509_free(root);
		}
	}
	return chain;
}

/*
 * Store the certificate for our key found among certs: cert.pem, chain.pem,
 * REQ_ISSUED.  `what` names the source for messages.
 */
static enum status store_cert(struct run *r, STACK_OF(X509) *certs, long id,
			      const char *what)
{
	char err[ERRLEN];
	X509 *leaf = NULL;
	for (int i = 0; i < sk_X509_num(certs); i++) {
		if (x509_key_matches(sk_X509_value(certs, i), r->key) == 1) {
			leaf = sk_X509_value(certs, i);
			break;
		}
	}
	if (!leaf) {
		X509 *first = sk_X509_value(certs, 0);
		char *subj = first ? x509_name_text(X509_get_subject_name(first)) : NULL;
		diag_add(r->dl, DIAG_REQ_CERT_MATCH, SEV_FAIL, NULL,
			 "make sure the certificate was issued for the request in "
			 "this state directory ('request.csr'); nothing was saved",
			 "%s (%s) does not belong to the private key '%s'", what,
			 subj ? subj : "no certificate", r->key_path);
		free(subj);
		return ST_FAIL;
	}
	diag_add(r->dl, DIAG_REQ_CERT_MATCH, SEV_PASS, NULL, NULL,
		 "%s matches the private key '%s'", what, r->key_path);

	char *cert_path = ctx_path(r->c, REQUEST_CERT_FILE);
	char *chain_path = ctx_path(r->c, REQUEST_CHAIN_FILE);
	char *pem = x509_to_pem(leaf);
	enum status rc = ST_FAIL;
	STACK_OF(X509) *chain = NULL;
	if (!cert_path || !chain_path || !pem) {
		diag_add(r->dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL, "out of memory");
		goto out;
	}
	if (fs_write_atomic(cert_path, pem, strlen(pem), 0644, err, sizeof(err)) < 0) {
		diag_add(r->dl, DIAG_IO, SEV_FAIL, NULL,
			 "make sure the state directory is writable, then run again "
			 "(the certificate is fetched again)",
			 "cannot save the certificate: %s", err);
		goto out;
	}
	state_set_str(&r->st->cert_path, cert_path);

	chain = chain_for(r, leaf, certs, id);
	if (chain && sk_X509_num(chain) > 0) {
		char *cp = x509_stack_to_pem(chain);
		if (cp && fs_write_atomic(chain_path, cp, strlen(cp), 0644, err,
					  sizeof(err)) == 0) {
			state_set_str(&r->st->chain_path, chain_path);
		} else {
			diag_add(r->dl, DIAG_IO, SEV_WARN, NULL,
				 "the verify stage builds the chain from the trust "
				 "store instead",
				 "cannot save the certificate chain: %s",
				 cp ? err : "out of memory");
		}
		free(cp);
	} else {
		diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_INFO, NULL, NULL,
			 "no issuer certificates to save with it; the verify stage "
			 "builds the chain from the trust store");
	}

	if (id > 0)
		r->st->request_id = id;
	state_set_str(&r->st->disposition, "Issued");
	set_phase(r, REQ_ISSUED);
	fill_out_cert(r, leaf);
	{
		char *subj = x509_name_text(X509_get_subject_name(leaf));
		char *serial = x509_serial_hex(leaf);
		char *until = x509_time_text(X509_get0_notAfter(leaf));
		char idtxt[48] = "";
		if (id > 0)
			snprintf(idtxt, sizeof(idtxt), " (request %ld)", id);
		diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_PASS, NULL, NULL,
			 "certificate issued%s: %s, serial %s, valid until %s; "
			 "saved to '%s'", idtxt, subj ? subj : "?",
			 serial ? serial : "?", until ? until : "?", cert_path);
		log_msg("request: certificate%s saved to %s (serial %s)", idtxt,
			cert_path, serial ? serial : "?");
		free(subj);
		free(serial);
		free(until);
	}
	rc = ST_OK;
out:
	if (chain)
		OSSL_STACK_OF_X509_free(chain);
	free(pem);
	free(cert_path);
	free(chain_path);
	return rc;
}

static enum status store_cert_bytes(struct run *r, const unsigned char *buf,
				    size_t len, long id)
{
	char err[ERRLEN], what[96];
	STACK_OF(X509) *certs = NULL;
	if (x509_load_certs(buf, len, &certs, err, sizeof(err)) < 0) {
		diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_FAIL, "ca.url",
			 "run again; if it persists, fetch the certificate from the "
			 "CA's web pages by hand and import it (offline path)",
			 "the CA's answer for request %ld is not a certificate: %s",
			 id, err);
		return ST_FAIL;
	}
	snprintf(what, sizeof(what), "the certificate issued for request %ld", id);
	enum status s = store_cert(r, certs, id, what);
	OSSL_STACK_OF_X509_free(certs);
	return s;
}

/* ------------------------------------------------------------------ */
/* the CA's answers                                                    */

enum answer_ctx { FROM_SUBMIT, FROM_RETRIEVE };

static enum status answer_auth(struct run *r, const struct certsrv_result *res,
			       enum answer_ctx from)
{
	static const unsigned want[] = {
		[AUTH_BASIC] = CERTSRV_SCHEME_BASIC,
		[AUTH_NTLM] = CERTSRV_SCHEME_NTLM,
		[AUTH_NEGOTIATE] = CERTSRV_SCHEME_NEGOTIATE,
		[AUTH_CERT] = 0,
		[AUTH_NONE] = 0,
	};
	enum ca_auth a = r->cfg->ca_auth;
	if (from == FROM_SUBMIT)
		set_phase(r, REQ_KEY_WRITTEN);   /* refused: nothing was taken */
	if (a == AUTH_NONE || a == AUTH_CERT ||
	    (res->schemes && !(res->schemes & want[a]))) {
		diag_add(r->dl, DIAG_REQ_AUTH, SEV_FAIL, "ca.auth",
			 "set ca.auth to a scheme the server offers (basic, ntlm "
			 "or negotiate) and give ca.user and the password",
			 "the CA at '%s' wants authentication the configuration "
			 "does not give (ca.auth = %s; the server offers: %s)",
			 r->ca_url, ca_auth_name(a), res->scheme_names);
		return ST_FAIL;
	}
	diag_add(r->dl, DIAG_REQ_PASSWORD, SEV_FAIL, "ca.password",
		 "check the password (ca.password_file) and ca.user; domain "
		 "users may need 'DOMAIN\\user' or 'user@domain'",
		 "the CA at '%s' refused the credentials of user '%s' (HTTP 401; "
		 "the server offers: %s)",
		 r->ca_url, r->cfg->ca_user ? r->cfg->ca_user : "",
		 res->scheme_names);
	return ST_FAIL;
}

static enum status answer_denied(struct run *r, const struct certsrv_answer *a)
{
	const char *tpl = r->cfg->ca_template ? r->cfg->ca_template : "";
	const char *disp = a->disposition[0] ? a->disposition : a->excerpt;
	if (a->request_id > 0)
		r->st->request_id = a->request_id;
	state_set_str(&r->st->disposition, disp);
	set_phase(r, REQ_DENIED);
	char idtxt[48] = "";
	if (a->request_id > 0)
		snprintf(idtxt, sizeof(idtxt), " %ld", a->request_id);

	if (a->kind == CERTSRV_UNKNOWN_TEMPLATE) {
		const char *t = r->st->request_template ? r->st->request_template : tpl;
		diag_add(r->dl, DIAG_REQ_TEMPLATE, SEV_FAIL, "ca.template",
			 strchr(t, ' ')
				 ? "use the template name without spaces, e.g. 'OpsMgr'"
				 : "use the template's name (not its display name) as "
				   "published on this CA, e.g. 'OpsMgr'; the CA "
				   "administrator can list them",
			 "the CA does not offer template '%s': %s", t, disp);
	} else if (a->kind == CERTSRV_BAD_REQUEST) {
		diag_add(r->dl, DIAG_REQ_CSR, SEV_FAIL, NULL,
			 "start over to make a new key and request (move the state "
			 "directory aside), or send the CA administrator this message",
			 "the CA could not read the request%s: %s", idtxt, disp);
	} else {
		diag_add(r->dl, DIAG_REQ_DENIED, SEV_FAIL, NULL,
			 "ask the CA administrator why; once the cause is fixed, "
			 "run this stage again to send a new request",
			 "the CA denied request%s: %s", idtxt, disp);
	}
	log_msg("request: denied%s: %s", idtxt, disp);
	return ST_FAIL;
}

static enum status answer_pending(struct run *r, long id, int first)
{
	if (id <= 0) {
		diag_add(r->dl, DIAG_REQ_SUBMIT, SEV_FAIL, "ca.url",
			 "look the request up on the CA (Pending Requests) and ask "
			 "the administrator to issue it; then import the "
			 "certificate (offline path)",
			 "the CA says the request is pending but gave no request ID");
		return ST_FAIL;
	}
	r->st->request_id = id;
	state_set_str(&r->st->disposition, "Taken Under Submission");
	set_phase(r, REQ_PENDING);
	if (first && checkpoint(r, "reporting the pending request") < 0)
		return ST_FAIL;
	struct diag *d = diag_add(
		r->dl, DIAG_REQ_PENDING, SEV_INFO, NULL, NULL,
		"request %ld is %s pending at the CA (template '%s'): a CA "
		"manager must issue it; run again later to fetch it", id,
		first ? "now" : "still",
		r->st->request_template ? r->st->request_template : "");
	if (d)
		diag_set_fix(d,
			     "ask the CA administrator to approve request %ld "
			     "(Certification Authority > Pending Requests > Issue), "
			     "then run again later: the request ID is kept and "
			     "nothing is sent twice", id);
	if (r->out)
		r->out->request_id = id;
	return ST_PENDING;
}

static enum status answer_other(struct run *r, const struct certsrv_result *res,
				enum answer_ctx from)
{
	const struct certsrv_answer *a = &res->ans;
	enum diag_check chk = from == FROM_SUBMIT ? DIAG_REQ_SUBMIT
						  : DIAG_REQ_RETRIEVE;
	if (a->kind == CERTSRV_CA_ERROR) {
		if (from == FROM_SUBMIT)
			set_phase(r, REQ_KEY_WRITTEN);
		state_set_str(&r->st->disposition, a->disposition);
		diag_add(r->dl, chk, SEV_FAIL, "ca.url",
			 "tell the CA administrator (the web enrollment server "
			 "could not complete it), then run again",
			 "the CA reported an error: %s", a->disposition);
		return ST_FAIL;
	}
	/* unexpected page: quote the server */
	if (from == FROM_SUBMIT && res->http_status >= 400 &&
	    res->http_status < 500)
		set_phase(r, REQ_KEY_WRITTEN);
	diag_add(r->dl, chk, SEV_FAIL, "ca.url",
		 "check that ca.url points at the CA's web enrollment "
		 "(https://HOST/certsrv/); the server's own words are quoted",
		 "the CA's answer (HTTP %ld) is not a page this tool knows: \"%s\"",
		 res->http_status, a->excerpt[0] ? a->excerpt : "(empty)");
	return ST_FAIL;
}

/* ------------------------------------------------------------------ */
/* online steps                                                        */

static enum status retrieve(struct run *r, long id)
{
	struct certsrv_result res;
	char doing[600];
	int reached;
	snprintf(doing, sizeof(doing), "cannot check request %ld at '%s'", id,
		 r->ca_url);
	hooks_progress(r->h, "checking the request at the CA", -1.0);
	enum http_err e = certsrv_retrieve(&r->o, r->ca_url, id, r->h, &res);
	if (e == HTTP_OK && res.ans.kind == CERTSRV_UNEXPECTED &&
	    res.http_status != 401) {
		/* some servers only answer the chkpnd form: try it */
		struct certsrv_result alt;
		if (certsrv_check_pending(&r->o, r->ca_url, id, r->h, &alt) ==
			    HTTP_OK &&
		    alt.ans.kind != CERTSRV_UNEXPECTED) {
			certsrv_result_release(&res);
			res = alt;
		} else {
			certsrv_result_release(&alt);
		}
	}
	if (e != HTTP_OK) {
		enum status s = net_failure(r, e, res.err, doing, &reached);
		certsrv_result_release(&res);
		return s;
	}
	enum status s;
	switch (res.ans.kind) {
	case CERTSRV_CERT:
		s = store_cert_bytes(r, res.cert, res.cert_len, id);
		break;
	case CERTSRV_ISSUED: {
		/* the chkpnd page: fetch the certificate it links to */
		struct certsrv_result c2;
		e = certsrv_retrieve(&r->o, r->ca_url, res.ans.request_id, r->h, &c2);
		if (e == HTTP_OK && c2.ans.kind == CERTSRV_CERT)
			s = store_cert_bytes(r, c2.cert, c2.cert_len, id);
		else if (e != HTTP_OK)
			s = net_failure(r, e, c2.err, doing, &reached);
		else
			s = answer_other(r, &c2, FROM_RETRIEVE);
		certsrv_result_release(&c2);
		break;
	}
	case CERTSRV_PENDING:
		s = answer_pending(r, id, 0);
		break;
	case CERTSRV_DENIED:
	case CERTSRV_UNKNOWN_TEMPLATE:
	case CERTSRV_BAD_REQUEST:
		res.ans.request_id = id;
		s = answer_denied(r, &res.ans);
		break;
	case CERTSRV_NO_SUCH_REQUEST:
		diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_FAIL, NULL,
			 "the request may have been deleted, or ca.url names a "
			 "different CA than the one it went to; run again to send "
			 "the same request anew",
			 "the CA at '%s' has no request %ld: %s", r->ca_url, id,
			 res.ans.disposition);
		state_set_str(&r->st->disposition, res.ans.disposition);
		set_phase(r, REQ_KEY_WRITTEN);
		s = ST_FAIL;
		break;
	case CERTSRV_AUTH:
		s = answer_auth(r, &res, FROM_RETRIEVE);
		break;
	case CERTSRV_CA_ERROR:
	case CERTSRV_UNEXPECTED:
	default:
		s = answer_other(r, &res, FROM_RETRIEVE);
		break;
	}
	certsrv_result_release(&res);
	return s;
}

static enum status submit(struct run *r)
{
	struct certsrv_result res;
	char doing[600];
	int reached;
	const char *tpl = r->cfg->ca_template;

	if (hooks_cancelled(r->h))
		return cancelled(r, "before sending the request");
	r->st->request_id = 0;
	state_set_str(&r->st->request_ca_url, r->ca_url);
	state_set_str(&r->st->request_template, tpl);
	r->st->submitted_at = time(NULL);
	set_phase(r, REQ_SUBMITTING);
	if (checkpoint(r, "sending the request") < 0) {
		set_phase(r, REQ_KEY_WRITTEN);
		return ST_FAIL;
	}
	snprintf(doing, sizeof(doing), "cannot send the request to '%s'",
		 r->ca_url);
	hooks_progress(r->h, "submitting the certificate request", -1.0);
	log_msg("request: submitting to %s (template %s)", r->ca_url, tpl);
	enum http_err e = certsrv_submit(&r->o, r->ca_url, r->csr_pem, tpl, r->h,
					 &res);
	if (e != HTTP_OK) {
		enum status s = net_failure(r, e, res.err, doing, &reached);
		if (!reached)
			set_phase(r, REQ_KEY_WRITTEN);
		certsrv_result_release(&res);
		return s;
	}
	enum status s;
	switch (res.ans.kind) {
	case CERTSRV_ISSUED: {
		long id = res.ans.request_id;
		r->st->request_id = id;
		/* the CA holds it: record the ID before fetching */
		set_phase(r, REQ_PENDING);
		if (checkpoint(r, "fetching the certificate") < 0) {
			s = ST_FAIL;
			break;
		}
		s = retrieve(r, id);
		break;
	}
	case CERTSRV_PENDING:
		s = answer_pending(r, res.ans.request_id, 1);
		break;
	case CERTSRV_DENIED:
	case CERTSRV_UNKNOWN_TEMPLATE:
	case CERTSRV_BAD_REQUEST:
		s = answer_denied(r, &res.ans);
		break;
	case CERTSRV_AUTH:
		s = answer_auth(r, &res, FROM_SUBMIT);
		break;
	case CERTSRV_CERT:
	case CERTSRV_NO_SUCH_REQUEST:
	case CERTSRV_CA_ERROR:
	case CERTSRV_UNEXPECTED:
	default:
		s = answer_other(r, &res, FROM_SUBMIT);
		break;
	}
	certsrv_result_release(&res);
	return s;
}

/* ------------------------------------------------------------------ */
/* offline                                                             */

static enum status save_csr(struct run *r)
{
	char err[ERRLEN];
	const char *path = r->c->offline_csr_path;
	if (!path || !*path) {
		diag_add(r->dl, DIAG_REQ_OFFLINE, SEV_FAIL, NULL,
			 "give the file to save the request to",
			 "no file name for the certificate request");
		return ST_FAIL;
	}
	if (fs_write_atomic(path, r->csr_pem, strlen(r->csr_pem), 0644, err,
			    sizeof(err)) < 0) {
		diag_add(r->dl, DIAG_REQ_OFFLINE, SEV_FAIL, NULL,
			 "choose a writable location", "cannot save the request: %s",
			 err);
		return ST_FAIL;
	}
	struct diag *d = diag_add(
		r->dl, DIAG_REQ_OFFLINE, SEV_PASS, NULL, NULL,
		"certificate request for '%s' saved to '%s'", r->fqdn, path);
	if (d)
		diag_set_fix(d,
			     "submit it at the CA (web enrollment: advanced "
			     "certificate request, or 'certreq -submit -attrib "
			     "\"CertificateTemplate:%s\"'), then import the issued "
			     "certificate here",
			     r->cfg->ca_template && *r->cfg->ca_template
				     ? r->cfg->ca_template : "OpsMgr");
	return r->st->req_phase == REQ_ISSUED ? ST_OK : ST_PENDING;
}

static enum status import_cert(struct run *r)
{
	char err[ERRLEN], what[512];
	const char *path = r->c->import_cert_path;
	STACK_OF(X509) *certs = NULL;
	if (!path || !*path) {
		diag_add(r->dl, DIAG_REQ_OFFLINE, SEV_FAIL, NULL,
			 "give the certificate file the CA issued",
			 "no certificate file to import");
		return ST_FAIL;
	}
	if (x509_load_certs_file(path, &certs, err, sizeof(err)) < 0) {
		diag_add(r->dl, DIAG_REQ_OFFLINE, SEV_FAIL, NULL,
			 "export the certificate from the CA as a .cer (DER or "
			 "Base64) or .p7b file and import that",
			 "cannot import '%s': %s", path, err);
		return ST_FAIL;
	}
	snprintf(what, sizeof(what), "the certificate in '%s'", path);
	enum status s = store_cert(r, certs, r->st->request_id, what);
	OSSL_STACK_OF_X509_free(certs);
	return s;
}

/* ------------------------------------------------------------------ */
/* the stage                                                           */

static void fill_out(struct run *r)
{
	struct request_out *o = r->out;
	struct state *st = r->st;
	if (!o)
		return;
	o->phase = st->req_phase;
	o->request_id = st->request_id;
	o->fqdn = dup_or_null(r->fqdn);
	o->key_path = dup_or_null(st->key_path);
	o->csr_path = dup_or_null(st->csr_path);
	o->cert_path = dup_or_null(st->cert_path);
	o->chain_path = dup_or_null(st->chain_path);
	o->disposition = dup_or_null(st->disposition);
}

/* The certificate of an ISSUED state is on disk and belongs to our key. */
static enum status already_issued(struct run *r)
{
	char err[ERRLEN];
	STACK_OF(X509) *certs = NULL;
	const char *cp = r->st->cert_path;
	if (!cp || x509_load_certs_file(cp, &certs, err, sizeof(err)) < 0)
		return ST_FAIL;
	X509 *x = sk_X509_value(certs, 0);
	enum status s = ST_FAIL;
	if (x && x509_key_matches(x, r->key) == 1) {
		fill_out_cert(r, x);
		diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_PASS, NULL, NULL,
			 "the certificate%s is already issued and saved in '%s'",
			 r->st->request_id > 0 ? " of this request" : "", cp);
		s = ST_OK;
	}
	OSSL_STACK_OF_X509_free(certs);
	return s;
}

static enum status run_auto(struct run *r)
{
	struct state *st = r->st;
	enum status s;

	switch (st->req_phase) {
	case REQ_ISSUED:
		s = load_bound(r);
		if (s != ST_OK)
			return s;
		if (already_issued(r) == ST_OK)
			return ST_OK;
		if (st->request_id > 0) {
			diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_INFO, NULL, NULL,
				 "the saved certificate is missing or does not "
				 "match; fetching request %ld again", st->request_id);
			return retrieve(r, st->request_id);
		}
		diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_FAIL, NULL,
			 "import the certificate again (offline path)",
			 "the certificate file '%s' is missing or does not match "
			 "the key", st->cert_path ? st->cert_path : "cert.pem");
		return ST_FAIL;
	case REQ_PENDING:
		s = load_bound(r);
		if (s != ST_OK)
			return s;
		check_cn(r, "pending at the CA");
		if (st->request_id <= 0) {
			diag_add(r->dl, DIAG_REQ_PENDING, SEV_INFO, NULL, NULL,
				 "the state says pending but holds no request ID; "
				 "sending the same request again");
			return submit(r);
		}
		return retrieve(r, st->request_id);
	case REQ_SUBMITTING:
		s = load_bound(r);
		if (s != ST_OK)
			return s;
		check_cn(r, "being sent");
		diag_add(r->dl, DIAG_REQ_SUBMIT, SEV_INFO, NULL, NULL,
			 "an earlier submission may have reached the CA (the "
			 "program stopped while sending it); sending the same "
			 "request with the same key again");
		return submit(r);
	case REQ_DENIED:
		diag_add(r->dl, DIAG_REQ_DENIED, SEV_INFO, NULL, NULL,
			 "the previous request%s was denied (%s); sending a new one",
			 st->request_id > 0 ? " to this CA" : "",
			 st->disposition ? st->disposition : "no reason given");
		s = make_key_csr(r);
		return s != ST_OK ? s : submit(r);
	case REQ_NONE:
	case REQ_KEY_WRITTEN:
	default:
		s = make_key_csr(r);
		return s != ST_OK ? s : submit(r);
	}
}

enum status stage_request_run(struct ctx *c, const struct hooks *h,
			      struct diag_list *dl)
{
	struct run r;
	char err[ERRLEN];
	enum status s;
	struct state *st = c->st;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.cfg = c->cfg;
	r.st = st;
	r.h = h;
	r.dl = dl;
	if (!c->cfg || !c->st) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "the request stage needs a configuration and a state");
		return ST_FAIL;
	}
	if (hooks_cancelled(h))
		return cancelled(&r, "before the request stage started");

	/* The name: configured, else detected once and kept in the state. */
	char *detected = NULL;
	if (c->cfg->fqdn && *c->cfg->fqdn) {
		r.fqdn = c->cfg->fqdn;
	} else if (st->fqdn && *st->fqdn) {
		r.fqdn = st->fqdn;
	} else {
		detected = request_detect_fqdn(err, sizeof(err));
		if (!detected) {
			diag_add(dl, DIAG_REQ_FQDN, SEV_FAIL, "computer.fqdn",
				 "set [computer] fqdn to this computer's fully "
				 "qualified DNS name, e.g. 'agent01.example.com'",
				 "cannot detect this computer's name: %s", err);
			return ST_FAIL;
		}
		state_set_str(&st->fqdn, detected);
		free(detected);
		r.fqdn = st->fqdn;
		diag_add(dl, DIAG_REQ_FQDN, SEV_INFO, "computer.fqdn",
			 "set [computer] fqdn if the management server knows this "
			 "computer by another name",
			 "using this computer's detected name '%s'", r.fqdn);
	}

	bool online = c->request_action == REQ_ACT_AUTO &&
		      !(st->req_phase == REQ_ISSUED && st->cert_path &&
			fs_exists(st->cert_path));
	if (request_validate(c, r.fqdn, online, dl) < 0)
		return ST_FAIL;
	if (r.fqdn != st->fqdn)
		state_set_str(&st->fqdn, r.fqdn);
	r.fqdn = st->fqdn;
	if (c->cfg->fqdn && *c->cfg->fqdn)
		check_resolution(&r);

	r.key_path = st->key_path ? strdup(st->key_path)
				  : ctx_path(c, REQUEST_KEY_FILE);
	r.csr_path = st->csr_path ? strdup(st->csr_path)
				  : ctx_path(c, REQUEST_CSR_FILE);
	r.out = calloc(1, sizeof(*r.out));
	if (!r.key_path || !r.csr_path || !r.out) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL, "out of memory");
		s = ST_FAIL;
		goto out;
	}

	/* The CA a sent request went to stays its CA. */
	const char *url = c->cfg->ca_url;
	if ((st->req_phase == REQ_PENDING || st->req_phase == REQ_SUBMITTING ||
	     st->req_phase == REQ_ISSUED) &&
	    st->request_ca_url && *st->request_ca_url) {
		if (url && strcmp(url, st->request_ca_url) != 0 &&
		    st->req_phase != REQ_ISSUED)
			diag_add(dl, DIAG_REQ_CA_URL, SEV_INFO, "ca.url", NULL,
				 "request %ld was sent to '%s'; asking there "
				 "(ca.url is now '%s')", st->request_id,
				 st->request_ca_url, url);
		url = st->request_ca_url;
	}
	r.ca_url = dup_or_null(url);
	setup_http(&r);

	switch (c->request_action) {
	case REQ_ACT_SAVE_CSR:
		r.offline = 1;
		if (st->req_phase == REQ_SUBMITTING || st->req_phase == REQ_PENDING ||
		    st->req_phase == REQ_ISSUED)
			s = load_bound(&r);
		else
			s = make_key_csr(&r);
		if (s == ST_OK)
			s = save_csr(&r);
		break;
	case REQ_ACT_IMPORT_CERT:
		r.offline = 1;
		r.key = fs_exists(r.key_path)
				? x509_load_key_file(r.key_path, err, sizeof(err))
				: NULL;
		if (!r.key) {
			diag_add(dl, DIAG_REQ_OFFLINE, SEV_FAIL, NULL,
				 "make the request first (save the CSR), have the "
				 "CA issue it, then import the certificate",
				 "there is no private key to match the certificate "
				 "to ('%s'%s)", r.key_path,
				 fs_exists(r.key_path) ? " cannot be read" : " is missing");
			s = ST_FAIL;
			break;
		}
		s = import_cert(&r);
		break;
	case REQ_ACT_AUTO:
	default:
		s = run_auto(&r);
		break;
	}
out:
	fill_out(&r);
	if (r.out) {
		ctx_set_out(c, STAGE_REQUEST, r.out, request_out_free);
		r.out = NULL;
	}
	free_key_csr(&r);
	free(r.key_path);
	free(r.csr_path);
	free(r.trust_dir);
	free(r.ca_url);
	return s;
}
