/*
 * check.h - `opsmgr-enroll check`: the troubleshooting report on an
 * existing setup (or given files): every check of stages 1, 3, 5 and 6 and
 * the probe of stage 7, as diagnostics, rendered as text or JSON
 * (product.md section 4).  The wizard's "diagnose" screen calls
 * check_collect() too.
 */
#ifndef OPSMGR_CHECK_H
#define OPSMGR_CHECK_H

#include <stdbool.h>
#include "core/diag.h"
#include "flow.h"
#include "core/hooks.h"

struct check_opts {
	const char *cert_path;      /* --cert (else the state's certificate) */
	const char *key_path;       /* --key */
	const char *pfx_path;       /* --pfx */
	const char *password_file;  /* --password-file (for --pfx, else the
				       state's PFX) */
	const char *fqdn;           /* --fqdn (else config/state) */
	const char *trust_store;    /* --trust-store */
	bool json;
	bool skip_network;          /* no CRL fetch, no probe */
	const char *evidence;       /* --evidence DIR|ZIP (evidence_check.h) */
};

/* Run every check into dl.  Returns 0 when nothing failed, 1 otherwise. */
int check_collect(struct flow *f, const struct check_opts *o,
		  const struct hooks *h, struct diag_list *dl);

#endif
