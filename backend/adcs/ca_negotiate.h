/*
 * ca_negotiate.h - the one diagnostic for a CA that refused Negotiate
 * (ca.auth = negotiate answered with HTTP 401), shared by stage 1 (the CA
 * chain download) and stage 2 (submission, retrieval): at ca.auth, saying
 * what the Kerberos credential cache holds (sys/krb_ticket.h) - "no
 * Kerberos ticket: run kinit USER@REALM", an expired ticket, a ticket of
 * another realm than the CA host's, or the ticket the CA refused.
 *
 * Nothing to free: the item belongs to dl.
 */
#ifndef OPSMGR_CA_NEGOTIATE_H
#define OPSMGR_CA_NEGOTIATE_H

#include "core/diag.h"

/*
 * Add a FAIL of check at field "ca.auth" for the CA at url (its host is
 * the service HTTP/host), user being ca.user (may be NULL: "USER") and
 * offered the schemes the 401 named ("Negotiate, Basic").  Returns the
 * item (NULL when out of memory).
 */
struct diag *ca_negotiate_refused(struct diag_list *dl, enum diag_check check,
				  const char *url, const char *user,
				  const char *offered);

#endif
