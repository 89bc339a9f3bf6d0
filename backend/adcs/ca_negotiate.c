/*
 * ca_negotiate.c - a CA's refusal of Negotiate explained at ca.auth
 * (ca_negotiate.h) from what the Kerberos cache holds (sys/krb_ticket.h).
 */
#include "adcs/ca_negotiate.h"

#include "sys/http.h"
#include "sys/krb_ticket.h"

struct diag *ca_negotiate_refused(struct diag_list *dl, enum diag_check check,
				  const char *url, const char *user,
				  const char *offered)
{
	struct http_origin og;
	char err[256], msg[1400], fix[600];
	const char *host = http_url_origin(url, &og, err, sizeof(err)) == 0
				   ? og.host : NULL;

	krb_explain(host, user, msg, sizeof(msg), fix, sizeof(fix));
	return diag_add(dl, check, SEV_FAIL, "ca.auth", fix,
			"%s (the CA at '%s' answered HTTP 401 to Negotiate; it "
			"offers: %s)",
			msg, url, offered && *offered ? offered : "nothing named");
}
