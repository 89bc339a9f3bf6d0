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

#include "pki/keygen.h"
#include "sys/http.h"

int key_bits(const struct config *cfg)
{
	return cfg->key_bits > 0 ? cfg->key_bits : CONFIG_DEFAULT_KEY_BITS;
}

/* ------------------------------------------------------------------ */
/* names                                                               */

int request_fqdn_check(const char *f, char *why, size_t wl)
{
	size_t n = f ? strlen(f) : 0;
	if (n == 0) {
		snprintf(why, wl, "the name is empty");
		return -1;
	}
	if (n > 253) {
		snprintf(why, wl, "it is %zu characters long; a DNS name has at "
			 "most 253", n);
		return -1;
	}
	if (f[n - 1] == '.') {
		snprintf(why, wl, "it ends with a dot; leave the trailing dot out");
		return -1;
	}
	if (!strchr(f, '.')) {
		snprintf(why, wl, "it has no domain part; use the fully qualified "
			 "name, e.g. '%.60s.example.com'", f);
		return -1;
	}
	const char *label = f;
	int all_digits = 1;
	for (const char *p = f;; p++) {
		if (*p == '.' || *p == '\0') {
			size_t ll = (size_t)(p - label);
			if (ll == 0) {
				snprintf(why, wl, "it has an empty label (a leading "
					 "dot or two dots in a row)");
				return -1;
			}
			if (ll > 63) {
				snprintf(why, wl, "the label '%.*s...' is %zu "
					 "characters long; labels have at most 63",
					 20, label, ll);
				return -1;
			}
			if (label[0] == '-' || p[-1] == '-') {
				snprintf(why, wl, "the label '%.*s' starts or ends "
					 "with '-'", (int)ll, label);
				return -1;
			}
			if (*p == '\0')
				break;
			label = p + 1;
			all_digits = 1;
			continue;
		}
		unsigned char ch = (unsigned char)*p;
		if (!(isascii(ch) && (isalnum(ch) || ch == '-'))) {
			if (isascii(ch) && isprint(ch))
				snprintf(why, wl, "it contains '%c'; a host name "
					 "has only letters, digits, '-' and dots",
					 ch);
			else
				snprintf(why, wl, "it contains the byte 0x%02X; a "
					 "host name has only ASCII letters, digits, "
					 "'-' and dots", ch);
			return -1;
		}
		if (!isdigit(ch))
			all_digits = 0;
	}
	if (all_digits) {
		snprintf(why, wl, "it looks like an IP address; the certificate "
			 "must name the computer's DNS name");
		return -1;
	}
	return 0;
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
	const char *u = c->cfg->ca_url;
	static const char ex[] =
		"set [ca] url to the CA's web enrollment address, e.g. "
		"https://ca.example.com/certsrv/";
	if (!u || !*u) {
		diag_add(dl, DIAG_REQ_CA_URL, SEV_FAIL, "ca.url", ex,
			 "no CA URL is set");
		return -1;
	}
	if (strpbrk(u, " \t\r\n")) {
		diag_add(dl, DIAG_REQ_CA_URL, SEV_FAIL, "ca.url", ex,
			 "the CA URL '%s' contains white space", u);
		return -1;
	}
	const char *rest;
	if (strncasecmp(u, "https://", 8) == 0) {
		rest = u + 8;
	} else if (strncasecmp(u, "http://", 7) == 0) {
		rest = u + 7;
		if (!c->cfg->ca_allow_http) {
			diag_add(dl, DIAG_REQ_CA_URL, SEV_FAIL, "ca.url",
				 "use https:// (AD CS web enrollment needs it for "
				 "Basic authentication anyway), or set [ca] "
				 "allow_insecure_http = yes on a test bench",
				 "the CA URL '%s' is plain http: the request and the "
				 "password would travel unencrypted", u);
			return -1;
		}
		diag_add(dl, DIAG_REQ_CA_URL, SEV_WARN, "ca.url",
			 "use https:// outside a test bench",
			 "the CA URL '%s' is plain http (allowed by "
			 "allow_insecure_http): the request and the password "
			 "travel unencrypted", u);
	} else {
		diag_add(dl, DIAG_REQ_CA_URL, SEV_FAIL, "ca.url", ex,
			 "the CA URL '%s' is not an https:// URL", u);
		return -1;
	}
	size_t hl = strcspn(rest, "/?#");
	if (hl == 0) {
		diag_add(dl, DIAG_REQ_CA_URL, SEV_FAIL, "ca.url", ex,
			 "the CA URL '%s' has no host name", u);
		return -1;
	}
	if (memchr(rest, '@', hl)) {
		diag_add(dl, DIAG_REQ_CA_URL, SEV_FAIL, "ca.url",
			 "put the user in ca.user and the password in "
			 "ca.password_file",
			 "the CA URL must not contain a user name or password");
		return -1;
	}
	return 0;
}

static int validate_template(struct ctx *c, struct diag_list *dl)
{
	const char *t = c->cfg->ca_template;
	if (!t || !*t) {
		diag_add(dl, DIAG_REQ_TEMPLATE, SEV_FAIL, "ca.template",
			 "set [ca] template to the template's name, e.g. 'OpsMgr'",
			 "no certificate template is set");
		return -1;
	}
	for (const char *p = t; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			diag_add(dl, DIAG_REQ_TEMPLATE, SEV_FAIL, "ca.template",
				 "type the template name on one line, e.g. 'OpsMgr'",
				 "the template name contains a control character");
			return -1;
		}
	}
	if (strchr(t, ' '))
		diag_add(dl, DIAG_REQ_TEMPLATE, SEV_WARN, "ca.template",
			 "use the template name without spaces, e.g. 'OpsMgr'",
			 "template '%s' contains spaces: AD CS wants the template "
			 "name, not its display name", t);
	return 0;
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

	if (fqdn && request_fqdn_check(fqdn, why, sizeof(why)) < 0) {
		diag_add(dl, DIAG_REQ_FQDN, SEV_FAIL, "computer.fqdn",
			 "set [computer] fqdn to this computer's fully qualified "
			 "DNS name, e.g. 'agent01.example.com'",
			 "the computer name '%s' cannot be used: %s", fqdn, why);
		bad = -1;
	}
	int bits = key_bits(cfg);
	if (bits < KEYGEN_MIN_BITS) {
		diag_add(dl, DIAG_REQ_KEY_SIZE, SEV_FAIL, "key.bits",
			 "use 2048 (the default), 3072 or 4096",
			 "a %d-bit key is below the 1024-bit floor Operations "
			 "Manager accepts", bits);
		bad = -1;
	} else if (bits > KEYGEN_MAX_BITS) {
		diag_add(dl, DIAG_REQ_KEY_SIZE, SEV_FAIL, "key.bits",
			 "use 2048 (the default), 3072 or 4096",
			 "a %d-bit key is larger than this tool makes (%d)", bits,
			 KEYGEN_MAX_BITS);
		bad = -1;
	} else if (bits < 2048) {
		diag_add(dl, DIAG_REQ_KEY_SIZE, SEV_WARN, "key.bits",
			 "use 2048 (the default), 3072 or 4096",
			 "a %d-bit key is weaker than the 2048 bits current "
			 "guidance requires", bits);
	}
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
