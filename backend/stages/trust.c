/*
 * trust.c - stage 1, trust root (trust.h): reading the chain from its
 * source, presenting and checking every certificate, the pin/confirmation
 * rule, and writing the root into the trust store.
 */
#include "stages/trust.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "adcs/ca_http.h"
#include "adcs/certsrv.h"
#include "core/ctx.h"
#include "core/fsutil.h"
#include "core/stage_table.h"
#include "sys/http.h"
#include "core/log.h"
#include "stages/stages.h"
#include "pki/truststore.h"
#include "pki/x509util.h"

void trust_result_free(void *p)
{
	struct trust_result *r = p;
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct trust_cert *c = &r->certs[i];
		free(c->subject);
		free(c->issuer);
		free(c->not_before);
		free(c->not_after);
		free(c->serial_hex);
		free(c->sha1);
		free(c->sha256);
	}
	free(r->certs);
	free(r->source);
	free(r->root_sha256);
	free(r->stored_path);
	free(r);
}

static char *or_unknown(char *s)
{
	return s ? s : strdup("(unknown)");
}

static int describe(X509 *x, struct trust_cert *c)
{
	memset(c, 0, sizeof(*c));
	c->subject = or_unknown(x509_name_text(X509_get_subject_name(x)));
	c->issuer = or_unknown(x509_name_text(X509_get_issuer_name(x)));
	c->not_before = x509_time_text(X509_get0_notBefore(x));
	c->not_after = x509_time_text(X509_get0_notAfter(x));
	c->serial_hex = or_unknown(x509_serial_hex(x));
	c->sha1 = or_unknown(x509_fingerprint(x, EVP_sha1()));
	c->sha256 = or_unknown(x509_fingerprint_colons(x, EVP_sha256()));
	c->sig_hash = x509_sig_hash_name(x);
	c->self_signed = x509_is_self_signed(x);
	c->is_ca = x509_is_ca(x);
	c->weak_hash = x509_sig_hash_weak(x);
	return c->subject && c->issuer && c->not_before && c->not_after &&
		       c->serial_hex && c->sha1 && c->sha256 ? 0 : -1;
}

/* Pick the root: the self-signed one matching the pin, else a CA, else any. */
static int choose_root(STACK_OF(X509) *certs, const struct trust_result *res,
		       const char *pin_hex)
{
	int ca = -1, any = -1;
	for (int i = 0; i < sk_X509_num(certs); i++) {
		if (!res->certs[i].self_signed)
			continue;
		if (pin_hex) {
			char *fp = x509_fingerprint(sk_X509_value(certs, i), EVP_sha256());
			int m = fp && strcmp(fp, pin_hex) == 0;
			free(fp);
			if (m)
				return i;
		}
		if (ca < 0 && res->certs[i].is_ca)
			ca = i;
		if (any < 0)
			any = i;
	}
	return ca >= 0 ? ca : any;
}

int trust_evaluate(STACK_OF(X509) *certs, const char *pin,
		   struct trust_result *res, struct diag_list *dl)
{
	int n = certs ? sk_X509_num(certs) : 0;
	int failed = 0;
	char *pin_hex = NULL;

	res->root = -1;
	if (n <= 0) {
		diag_add(dl, DIAG_TRUST_PARSE, SEV_FAIL, "trust.source",
			 "give a file or URL holding the CA's certificates",
			 "no certificates to check");
		return -1;
	}
	res->certs = calloc((size_t)n, sizeof(*res->certs));
	if (!res->certs) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL, "out of memory");
		return -1;
	}
	res->n = (size_t)n;
	for (int i = 0; i < n; i++) {
		if (describe(sk_X509_value(certs, i), &res->certs[i]) != 0) {
			diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
				 "out of memory describing certificate %d", i + 1);
			return -1;
		}
		const struct trust_cert *c = &res->certs[i];
		diag_add(dl, DIAG_TRUST_PARSE, SEV_INFO, NULL, NULL,
			 "certificate %d of %d: '%s' issued by '%s', valid %s to %s, serial %s, SHA-1 %s, SHA-256 %s%s",
			 i + 1, n, c->subject, c->issuer, c->not_before,
			 c->not_after, c->serial_hex, c->sha1, c->sha256,
			 c->self_signed ? " (self-signed)" : "");
	}

	if (pin && *pin) {
		pin_hex = x509_normalise_hex(pin);
		if (!pin_hex || strlen(pin_hex) != 64) {
			diag_add(dl, DIAG_TRUST_PIN, SEV_FAIL, "trust.sha256",
				 "set [trust] sha256 to the root's SHA-256 fingerprint: 64 hex digits, colons allowed",
				 "the pinned fingerprint '%s' is not a SHA-256 fingerprint (64 hex digits)",
				 pin);
			free(pin_hex);
			pin_hex = NULL;
			failed = 1;
		}
	}

	int root = choose_root(certs, res, pin_hex);
	if (root < 0) {
		/* Name where the chain stops so the operator knows what is missing. */
		const struct trust_cert *top = &res->certs[n - 1];
		diag_add(dl, DIAG_TRUST_ROOT, SEV_FAIL, "trust.source",
			 "get the complete chain including the root (the CA's certnew.p7b, or the root .cer from the CA administrator)",
			 "no self-signed root among the %d certificate%s read: '%s' is issued by '%s', which is missing",
			 n, n == 1 ? "" : "s", top->subject, top->issuer);
		free(pin_hex);
		return -1;
	}
	X509 *rx = sk_X509_value(certs, root);
	struct trust_cert *rc = &res->certs[root];
	rc->is_root = true;
	res->root = root;
	res->root_sha256 = x509_fingerprint(rx, EVP_sha256());
	diag_add(dl, DIAG_TRUST_ROOT, SEV_PASS, NULL, NULL,
		 "the self-signed root is '%s' (SHA-256 %s)", rc->subject,
		 rc->sha256);

	if (!rc->is_ca) {
		diag_add(dl, DIAG_TRUST_CA_FLAG, SEV_FAIL, "trust.source",
			 "use the CA's own root certificate; a certificate without basicConstraints CA:TRUE cannot issue others",
			 "the root '%s' is not a CA: basicConstraints CA:TRUE is missing",
			 rc->subject);
		failed = 1;
	} else {
		diag_add(dl, DIAG_TRUST_CA_FLAG, SEV_PASS, NULL, NULL,
			 "the root '%s' is a CA (basicConstraints CA:TRUE)",
			 rc->subject);
	}

	int nb = X509_cmp_current_time(X509_get0_notBefore(rx));
	int na = X509_cmp_current_time(X509_get0_notAfter(rx));
	if (nb == 0 || na == 0) {
		diag_add(dl, DIAG_TRUST_VALIDITY, SEV_FAIL, "trust.source",
			 "the certificate's dates are malformed; get a correct root from the CA administrator",
			 "the validity dates of the root '%s' cannot be read",
			 rc->subject);
		failed = 1;
	} else if (nb > 0) {
		diag_add(dl, DIAG_TRUST_VALIDITY, SEV_FAIL, "trust.source",
			 "check this computer's clock and time zone; if they are right, the CA's root is not usable yet",
			 "the root '%s' is not valid yet: valid from %s",
			 rc->subject, rc->not_before);
		failed = 1;
	} else if (na < 0) {
		diag_add(dl, DIAG_TRUST_VALIDITY, SEV_FAIL, "trust.source",
			 "the CA's root has expired: get the renewed root from the CA (certcarc.asp shows the current renewal), or check this computer's clock",
			 "the root '%s' expired on %s", rc->subject,
			 rc->not_after);
		failed = 1;
	} else {
		diag_add(dl, DIAG_TRUST_VALIDITY, SEV_PASS, NULL, NULL,
			 "the root '%s' is valid from %s to %s", rc->subject,
			 rc->not_before, rc->not_after);
	}

	int weak = 0;
	for (int i = 0; i < n; i++) {
		const struct trust_cert *c = &res->certs[i];
		if (!c->weak_hash)
			continue;
		weak++;
		diag_add(dl, DIAG_TRUST_SIGNATURE_HASH, SEV_WARN, NULL,
			 "ask the CA administrator to move the CA to SHA-256; Windows and OpenSSL increasingly reject SHA-1 and MD5",
			 "'%s' is signed with %s, a weak hash", c->subject,
			 c->sig_hash);
	}
	if (!weak)
		diag_add(dl, DIAG_TRUST_SIGNATURE_HASH, SEV_PASS, NULL, NULL,
			 "no certificate is signed with MD5 or SHA-1");

	if (pin_hex && res->root_sha256) {
		if (strcmp(pin_hex, res->root_sha256) == 0) {
			res->pinned = true;
			diag_add(dl, DIAG_TRUST_PIN, SEV_PASS, "trust.sha256", NULL,
				 "the root's SHA-256 fingerprint %s matches the pinned trust.sha256",
				 rc->sha256);
		} else {
			char *pin_col = NULL;
			/* Show the pin in the same colon form as the root's. */
			size_t pl = strlen(pin_hex);
			pin_col = malloc(pl / 2 * 3 + 1);
			if (pin_col) {
				size_t o = 0;
				for (size_t i = 0; i < pl; i += 2) {
					if (i)
						pin_col[o++] = ':';
					pin_col[o++] = pin_hex[i];
					pin_col[o++] = pin_hex[i + 1];
				}
				pin_col[o] = 0;
			}
			const char *other = "";
			for (int i = 0; i < n; i++) {
				char *fp = x509_fingerprint(sk_X509_value(certs, i),
							    EVP_sha256());
				if (i != root && fp && strcmp(fp, pin_hex) == 0)
					other = " (the pin is the fingerprint of another certificate in the chain, not of the root)";
				free(fp);
			}
			diag_add(dl, DIAG_TRUST_PIN, SEV_FAIL, "trust.sha256",
				 "make sure this is the CA you expect; if its root was renewed, put the new root's SHA-256 fingerprint (certutil -ca.cert, or openssl x509 -fingerprint -sha256) in [trust] sha256",
				 "the root '%s' has SHA-256 fingerprint %s, but trust.sha256 pins %s%s",
				 rc->subject, rc->sha256,
				 pin_col ? pin_col : pin_hex, other);
			free(pin_col);
			failed = 1;
		}
	}
	free(pin_hex);
	return failed ? -1 : root;
}

/* --- reading the source ------------------------------------------------ */

static void warn_plain_http(const char *url, const char *field,
			    struct diag_list *dl)
{
	if (url && strncasecmp(url, "http://", 7) == 0)
		diag_add(dl, DIAG_TRUST_SOURCE, SEV_WARN, field,
			 "use https, or compare the fingerprint with the CA administrator's before trusting",
			 "the root is downloaded over plain http from '%s': anyone on the way could replace it; only the fingerprint check protects you",
			 url);
}

/* The setting each trust.source needs (its field, the fix when it is
 * empty, and how messages name what was read). */
static const struct source_need {
	const char *name, *field, *fix, *what;
} SOURCE_NEEDS[] = {
	[TRUST_SRC_CA] = { "ca", "ca.url",
			   "set [ca] url to the CA's web enrollment address, e.g. https://ca.example.com/certsrv/",
			   "the CA at" },
	[TRUST_SRC_FILE] = { "file", "trust.file",
			     "set [trust] file to the CA certificate file (.p7b, .cer or .pem)",
			     "file" },
	[TRUST_SRC_URL] = { "url", "trust.url",
			    "set [trust] url to the https address of the CA certificate",
			    "URL" },
};

static enum trust_source source_of(const struct config *cfg)
{
	return cfg->trust_source == TRUST_SRC_FILE ||
	       cfg->trust_source == TRUST_SRC_URL ? cfg->trust_source
						  : TRUST_SRC_CA;
}

static const char *source_value(const struct config *cfg)
{
	switch (source_of(cfg)) {
	case TRUST_SRC_FILE:
		return cfg->trust_file;
	case TRUST_SRC_URL:
		return cfg->trust_url;
	case TRUST_SRC_CA:
	default:
		return cfg->ca_url;
	}
}

int trust_check_fields(const struct config *cfg, struct diag_list *dl)
{
	const struct source_need *n = &SOURCE_NEEDS[source_of(cfg)];
	const char *value = source_value(cfg);
	if (value && *value)
		return 0;
	diag_add(dl, DIAG_TRUST_SOURCE, SEV_FAIL, n->field, n->fix,
		 "trust.source is '%s' but no %s is given", n->name, n->field);
	return -1;
}

/* "<what> '<value>'" for messages, malloc'd (NULL when out of memory). */
static char *source_desc(const struct config *cfg)
{
	char *desc = NULL;
	if (asprintf(&desc, "%s '%s'", SOURCE_NEEDS[source_of(cfg)].what,
		     source_value(cfg)) < 0)
		desc = NULL;
	return desc;
}

static int fetch_file(const struct config *cfg, const struct hooks *h,
		      unsigned char **data, size_t *len, struct diag_list *dl)
{
	char err[1024];
	hooks_progress(h, "reading the CA certificate file", -1);
	if (fs_read_file(cfg->trust_file, FS_DEFAULT_CAP, data, len, err,
			 sizeof(err)) != 0) {
		diag_add(dl, DIAG_TRUST_SOURCE, SEV_FAIL, "trust.file",
			 "check the path in [trust] file",
			 "cannot read the CA certificate file: %s", err);
		return -1;
	}
	return 0;
}

static int fetch_url(struct ctx *c, const struct hooks *h,
		     unsigned char **data, size_t *len, struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	struct http_opts o;
	struct http_response r;
	char err[1024];
	/* Credentials only go to the CA itself: the same scheme, host and
	 * port as ca.url (not a URL that merely starts like it). */
	bool on_ca = cfg->ca_url && http_same_origin(cfg->trust_url, cfg->ca_url);
	if (on_ca && ctx_load_secret(c, CTX_CA_PASSWORD, dl) != 0)
		return -1;
	if (ca_http_options(c, on_ca ? CA_WITH_CREDENTIALS
				     : CA_WITHOUT_CREDENTIALS, &o, dl) != 0)
		return -1;
	warn_plain_http(cfg->trust_url, "trust.url", dl);
	hooks_progress(h, "downloading the CA certificate", -1);
	memset(&r, 0, sizeof(r));
	enum http_err e = http_get(&o, cfg->trust_url, h, &r, err, sizeof(err));
	if (e == HTTP_E_CANCELLED) {
		http_response_release(&r);
		return 1;
	}
	if (e != HTTP_OK) {
		const char *fix =
			e == HTTP_E_TLS ? "set [ca] ca_file to a CA bundle that verifies this server, or copy the root to a file and use trust.source = file"
			: e == HTTP_E_URL ? "give an https URL (plain http needs [ca] allow_insecure_http = yes)"
			: e == HTTP_E_TIMEOUT ? "check that the server is reachable, or raise [ca] timeout"
			: "check the URL and that the server is reachable";
		diag_add(dl, DIAG_TRUST_SOURCE, SEV_FAIL, "trust.url", fix,
			 "cannot download '%s': %s", cfg->trust_url, err);
		http_response_release(&r);
		return -1;
	}
	if (r.status != 200) {
		diag_add(dl, DIAG_TRUST_SOURCE, SEV_FAIL, "trust.url",
			 "check the URL; it must serve the certificate file itself",
			 "the server answered HTTP %ld for '%s'", r.status,
			 cfg->trust_url);
		http_response_release(&r);
		return -1;
	}
	*data = r.body;
	*len = r.body_len;
	r.body = NULL;
	http_response_release(&r);
	return 0;
}

static int fetch_ca(struct ctx *c, const struct hooks *h,
		    unsigned char **data, size_t *len, struct diag_list *dl)
{
	const char *url = c->cfg->ca_url;
	struct http_opts o;
	if (ctx_load_secret(c, CTX_CA_PASSWORD, dl) != 0)
		return -1;
	if (ca_http_options(c, CA_WITH_CREDENTIALS, &o, dl) != 0)
		return -1;
	warn_plain_http(url, "ca.url", dl);
	hooks_progress(h, "downloading the CA chain", -1);
	if (certsrv_fetch_ca_chain(&o, url, h, data, len, dl) != 0) {
		if (hooks_cancelled(h))
			return 1;
		/* certsrv adds the specific diagnostic; make sure one
		 * failure is there even if it did not. */
		if (diag_worst_stage(dl, STAGE_TRUST) < SEV_FAIL)
			diag_add(dl, DIAG_TRUST_SOURCE, SEV_FAIL, "ca.url",
				 "check [ca] url and the CA's web enrollment service",
				 "cannot download the CA chain from '%s'",
				 url);
		return -1;
	}
	return 0;
}

/*
 * Fetch the raw bytes of the source.  Returns 0 with *data (malloc'd),
 * -1 with diagnostics, or 1 when cancelled.  *field names the config key
 * for parse errors; *desc what was read.
 */
static int fetch_source(struct ctx *c, const struct hooks *h,
			unsigned char **data, size_t *len, const char **field,
			char **desc, struct diag_list *dl)
{
	*data = NULL;
	*len = 0;
	*desc = NULL;
	if (trust_check_fields(c->cfg, dl) != 0)
		return -1;
	*desc = source_desc(c->cfg);
	*field = SOURCE_NEEDS[source_of(c->cfg)].field;
	switch (source_of(c->cfg)) {
	case TRUST_SRC_FILE:
		return fetch_file(c->cfg, h, data, len, dl);
	case TRUST_SRC_URL:
		return fetch_url(c, h, data, len, dl);
	case TRUST_SRC_CA:
	default:
		return fetch_ca(c, h, data, len, dl);
	}
}

/* --- the stage ----------------------------------------------------------- */

static enum status cancelled(struct diag_list *dl)
{
	diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
		 "%s: cancelled; nothing was written", stage_ref(STAGE_TRUST));
	return ST_CANCELLED;
}

enum status stage_trust_run(struct ctx *c, const struct hooks *h,
			    struct diag_list *dl)
{
	if (!c || !c->cfg || !c->st) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "%s: no configuration or state", stage_ref(STAGE_TRUST));
		return ST_FAIL;
	}
	/* A previous run's certificates must not be shown for this one. */
	ctx_set_out(c, STAGE_TRUST, NULL, NULL);
	if (hooks_cancelled(h))
		return cancelled(dl);

	struct trust_result *res = calloc(1, sizeof(*res));
	if (!res) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL, "out of memory");
		return ST_FAIL;
	}
	res->root = -1;

	unsigned char *data = NULL;
	size_t len = 0;
	const char *field = "trust.source";
	int fr = fetch_source(c, h, &data, &len, &field, &res->source, dl);
	if (fr != 0) {
		free(data);
		trust_result_free(res);
		return fr > 0 ? cancelled(dl) : ST_FAIL;
	}

	STACK_OF(X509) *certs = NULL;
	char err[1024];
	if (x509_load_certs(data, len, &certs, err, sizeof(err)) != 0) {
		diag_add(dl, DIAG_TRUST_PARSE, SEV_FAIL, field,
			 "give the CA certificate as PKCS#7 (.p7b), PEM or DER (.cer)",
			 "%s is %s", res->source ? res->source : "the input",
			 err);
		free(data);
		trust_result_free(res);
		return ST_FAIL;
	}
	free(data);

	const char *pin = c->cfg->trust_sha256;
	int root = trust_evaluate(certs, pin, res, dl);
	enum status st = ST_FAIL;
	if (root < 0)
		goto done;
	if (hooks_cancelled(h)) {
		st = cancelled(dl);
		goto done;
	}

	X509 *rx = sk_X509_value(certs, root);
	const struct trust_cert *rc = &res->certs[root];
	const char *store = ctx_trust_store(c);
	bool was_there = truststore_contains(store, rx) == 1;

	if (!res->pinned && !was_there && !c->confirm_trust && !c->cfg->trust_accept) {
		diag_add(dl, DIAG_TRUST_CONFIRM, SEV_WARN, "trust.accept",
			 c->interactive
				 ? "compare the fingerprint with the one the CA administrator gives you (certutil -ca.cert on the CA), then confirm"
				 : "compare the fingerprint with the CA administrator's, then set [trust] sha256 to it (or accept = yes)",
			 "trust the root '%s' with SHA-256 fingerprint %s (SHA-1 thumbprint %s)? it is not pinned, so it needs your confirmation",
			 rc->subject, rc->sha256, rc->sha1);
		st = ST_NEED_CONFIRM;
		goto done;
	}

	bool already = false;
	char *path = NULL;
	if (truststore_add(store, rx, &path, &already, err, sizeof(err)) != 0) {
		diag_add(dl, DIAG_TRUST_STORE, SEV_FAIL, "trust.store",
			 "point [trust] store at a directory you can write, or fix its permissions",
			 "cannot write the root into the trust store '%s': %s",
			 store, err);
		goto done;
	}
	res->stored_path = path;
	res->already_trusted = already;
	if (already)
		diag_add(dl, DIAG_TRUST_STORE, SEV_PASS, "trust.store", NULL,
			 "the root '%s' is already trusted ('%s')", rc->subject,
			 path);
	else
		diag_add(dl, DIAG_TRUST_STORE, SEV_PASS, "trust.store", NULL,
			 "the root '%s' is now trusted: written to '%s'%s",
			 rc->subject, path,
			 res->pinned ? " (fingerprint pinned)"
			 : c->confirm_trust ? " (confirmed)"
			 : " (accepted by trust.accept)");

	log_msg("trust: root '%s' (SHA-256 %s) %s in %s", rc->subject,
		rc->sha256, already ? "already trusted" : "trusted", path);
	state_set_str(&c->st->root_sha256, res->root_sha256);
	state_set_str(&c->st->root_path, path);
	if (ctx_checkpoint(c, dl) != 0) {
		diag_add(dl, DIAG_STATE, SEV_FAIL, NULL,
			 "check that the state directory is writable",
			 "the root was trusted but the progress could not be saved");
		goto done;
	}
	st = ST_OK;
done:
	OSSL_STACK_OF_X509_free(certs);
	ctx_set_out(c, STAGE_TRUST, res, trust_result_free);
	return st;
}

/* --- check on an existing setup ----------------------------------------- */

static int store_finds(const char *dir, X509 *root)
{
	char err[512];
	X509_STORE *store = truststore_open(dir, err, sizeof(err));
	if (!store)
		return 0;
	X509_STORE_CTX *vctx = X509_STORE_CTX_new();
	int ok = vctx && X509_STORE_CTX_init(vctx, store, root, NULL) &&
		 X509_verify_cert(vctx) == 1;
	X509_STORE_CTX_free(vctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return ok;
}

enum status trust_check_existing(struct ctx *c, struct diag_list *dl)
{
	size_t first = dl->n;
	const char *store = ctx_trust_store(c);
	const char *path = c->st ? c->st->root_path : NULL;
	if (!path || !*path) {
		diag_add_rerun(
			dl, DIAG_TRUST_STORE, SEV_FAIL, "trust.store", STAGE_TRUST,
			" to trust the CA's root",
			"no trusted root is recorded yet (trust store '%s')",
			store);
		return ST_FAIL;
	}
	struct trust_result *res = calloc(1, sizeof(*res));
	if (!res) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL, "out of memory");
		return ST_FAIL;
	}
	res->root = -1;
	if (asprintf(&res->source, "file '%s'", path) < 0)
		res->source = NULL;
	STACK_OF(X509) *certs = NULL;
	char err[1024];
	if (x509_load_certs_file(path, &certs, err, sizeof(err)) != 0) {
		diag_add_rerun(
			dl, DIAG_TRUST_STORE, SEV_FAIL, "trust.store", STAGE_TRUST,
			" again to restore the trust store",
			"the trusted root recorded in the state cannot be read: %s",
			err);
		trust_result_free(res);
		return ST_FAIL;
	}
	/* Its own diagnostics say what is wrong with the root itself. */
	trust_evaluate(certs, c->cfg ? c->cfg->trust_sha256 : NULL, res, dl);
	if (res->root >= 0) {
		X509 *rx = sk_X509_value(certs, res->root);
		const struct trust_cert *rc = &res->certs[res->root];
		if (c->st->root_sha256 && res->root_sha256 &&
		    strcmp(c->st->root_sha256, res->root_sha256) != 0) {
			diag_add_rerun(
				dl, DIAG_TRUST_STORE, SEV_FAIL, "trust.store", STAGE_TRUST,
				" again",
				"'%s' no longer holds the root trusted in stage %d (SHA-256 %s recorded, %s found)",
				path, STAGE_TRUST, c->st->root_sha256,
				res->root_sha256);
		} else if (!store_finds(store, rx)) {
			diag_add_rerun(
				dl, DIAG_TRUST_STORE, SEV_FAIL, "trust.store", STAGE_TRUST,
				" again to rewrite the store and its hash links",
				"OpenSSL does not find the root '%s' in the trust store '%s' (missing file or hash link)",
				rc->subject, store);
		} else {
			res->stored_path = strdup(path);
			res->already_trusted = true;
			diag_add(dl, DIAG_TRUST_STORE, SEV_PASS, "trust.store", NULL,
				 "the root '%s' is trusted ('%s')", rc->subject,
				 path);
		}
	}
	OSSL_STACK_OF_X509_free(certs);
	ctx_set_out(c, STAGE_TRUST, res, trust_result_free);
	enum diag_severity w = SEV_PASS;
	for (size_t i = first; i < dl->n; i++)
		if (dl->items[i].sev > w)
			w = dl->items[i].sev;
	return w == SEV_FAIL ? ST_FAIL : w == SEV_WARN ? ST_NEED_CONFIRM : ST_OK;
}
