/*
 * ca_http.c - [ca] settings -> struct http_opts (ca_http.h), for every
 * stage that talks to the CA's web server.
 */
#include "adcs/ca_http.h"

#include <stddef.h>
#include <sys/stat.h>

#include "pki/truststore.h"

static int dir_exists(const char *p)
{
	struct stat sb;
	return p && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int ca_http_options(struct ctx *c, enum ca_credentials cred,
		    struct http_opts *o, struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	const char *ts = ctx_trust_store(c);
	char err[512];

	http_opts_init(o);
	o->ca_file = (cfg->ca_file && *cfg->ca_file) ? cfg->ca_file : NULL;
	if (dir_exists(ts)) {
		if (truststore_check(ts, err, sizeof(err)) != 0) {
			diag_add(dl, DIAG_TRUST_STORE, SEV_FAIL, "trust.store",
				 "make the trust store private (owned by you, "
				 "not writable by others), or set [trust] store "
				 "to a private directory",
				 "not connecting to the CA with this trust store: %s",
				 err);
			return -1;
		}
		o->ca_path = ts;
	}
	/* without ca.ca_file the system store verifies the CA's web server
	 * too (it may carry a publicly issued certificate) */
	o->system_trust = true;
	if (cred == CA_WITH_CREDENTIALS) {
		o->auth = cfg->ca_auth;
		o->user = cfg->ca_user;
		o->password = &c->ca_password;   /* unset: no password */
		o->client_cert = cfg->ca_client_cert;
		o->client_key = cfg->ca_client_key;
		o->cred_url = cfg->ca_url;       /* only ever sent to the CA */
	}
	o->timeout_s = cfg->ca_timeout > 0 ? cfg->ca_timeout
					   : CONFIG_DEFAULT_CA_TIMEOUT;
	o->connect_timeout_s = o->timeout_s < HTTP_CONNECT_TIMEOUT
				       ? o->timeout_s : HTTP_CONNECT_TIMEOUT;
	o->allow_http = cfg->ca_allow_http;
	return 0;
}
