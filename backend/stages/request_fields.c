/*
 * request_fields.c - stage 2's field checks (request.h): computer.fqdn (the
 * host-name rule), key.bits, and when online ca.url, ca.template, ca.auth
 * with its user, password and client certificate, and ca.ca_file.  Moved
 * here unchanged from request.c.
 */
#include "stages/request_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/validate.h"
#include "sys/http.h"

int key_bits(const struct config *cfg)
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

/* The user name and password of the methods that send them
 * (ca_auth_needs_password). */
static int validate_user_password(struct ctx *c, struct diag_list *dl)
{
	struct config *cfg = c->cfg;
	int bad = 0;
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
	return bad;
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
	case AUTH_BASIC:
	case AUTH_NONE:
		break;
	}
	if (ca_auth_needs_password(cfg->ca_auth) &&
	    validate_user_password(c, dl) < 0)
		bad = -1;
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
