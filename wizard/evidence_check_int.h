/*
 * evidence_check_int.h - what the parts of `check --evidence` share
 * (evidence_check.h): the evidence opened and parsed once.
 * Ownership: struct ev_run owns everything it points to
 * (evidence_check.c frees it).
 */
#ifndef OPSMGR_EVIDENCE_CHECK_INT_H
#define OPSMGR_EVIDENCE_CHECK_INT_H

#include <stdbool.h>

#include "core/diag.h"
#include "windows/evidence_certutil.h"
#include "windows/evidence_events.h"
#include "windows/evidence_reg.h"
#include "windows/evidence_src.h"

struct ev_run {
	struct evidence_src src;
	struct diag_list *dl;
	char *fqdn;                  /* the computer's FQDN, or NULL */
	struct reg_file settings;    /* machine-settings.reg */
	struct reg_file groups;      /* agent-groups.reg */
	struct cu_store my, root, ca;
	struct ev_list events;
	bool settings_ok, groups_ok, my_ok, root_ok, ca_ok, events_ok;
	const struct cu_cert *cert;  /* the certificate the registry names */
};

/* Read `name` from the evidence into *buf (1: absent, reported; -1: error,
 * reported; 0: read). */
int ev_read(struct ev_run *r, const char *name, unsigned char **buf,
	    size_t *len);
/* One evidence_file FAIL for name with what went wrong. */
void ev_file_fail(struct ev_run *r, const char *name, const char *what);

/* evidence_check_cert.c: the verify checklist and the Root store. */
void ev_check_cert_file(struct ev_run *r);
/* evidence_check_events.c: one row per event id found. */
void ev_check_events(struct ev_run *r);

#endif
