/*
 * ca_http.h - the one translation of the [ca] settings into connection
 * options for the CA's web server (stage 1 from the CA or a URL on it,
 * stage 2): verification against ca.ca_file and the trust store (plus the
 * system store: the web server may carry a publicly issued certificate),
 * ca.timeout with its default, the connect timeout, allow_insecure_http,
 * and - when asked for - ca.auth, ca.user, the CA password and the client
 * certificate and key, bound to ca.url's origin (http_opts.cred_url: the
 * http client sends them nowhere else, redirects included).
 *
 * The options borrow their strings from c (its configuration, its trust
 * store path and c->ca_password): they stay valid while c and its
 * configuration do.  Nothing to free.
 */
#ifndef OPSMGR_CA_HTTP_H
#define OPSMGR_CA_HTTP_H

#include "core/ctx.h"
#include "sys/http.h"

enum ca_credentials {
	CA_WITHOUT_CREDENTIALS,   /* auth = none: a URL off the CA
				     (!http_same_origin(url, ca.url)) */
	CA_WITH_CREDENTIALS       /* ca.auth, ca.user, password, client cert */
};

/* Fill o from c's [ca] settings (all of it: http_opts_init, then the
 * settings).  The connect timeout is HTTP_CONNECT_TIMEOUT, never longer
 * than ca.timeout.  A trust store that exists but is not private
 * (truststore_check: every file in it would be a trust anchor of the
 * connection that carries the credentials) is refused: a FAIL at
 * trust.store in dl, -1.  Otherwise 0. */
int ca_http_options(struct ctx *c, enum ca_credentials cred,
		    struct http_opts *o, struct diag_list *dl);

#endif
