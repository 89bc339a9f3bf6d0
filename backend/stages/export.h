/*
 * export.h - stage 4: the PKCS#12 (PFX) file Windows imports, and the
 * re-read check that `check --pfx` uses too.
 *
 * The file itself (algorithms, Microsoft attributes) is pki/pkcs12.h's;
 * this is the stage around it: password, destination, writing, re-read.
 *
 * Ownership: export_result owns its strings (export_result_release /
 * export_result_free); options and passwords are borrowed.
 */
#ifndef OPSMGR_EXPORT_H
#define OPSMGR_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/diag.h"
#include "core/hooks.h"
#include "core/status.h"
#include "pki/pkcs12.h"

struct export_opts {
	struct pkcs12_opts pfx;     /* what goes in the file */
	const char *out_path;       /* the PFX to write */
	bool overwrite;             /* replace an existing regular file */
};

struct export_result {
	char *pfx_path;
	char *thumbprint;           /* SHA-1 of the leaf, upper hex */
	char *friendly_name;        /* NULL when none */
	enum pfx_compat compat;
	int ncerts;                 /* certificates in the PFX (leaf + chain) */
	size_t size;                /* bytes written */
};

void export_result_release(struct export_result *r);
void export_result_free(void *r);   /* release + free (ctx_set_out) */

struct ctx;
/* Stage 4's fields, without I/O: export.friendly_name by its rule and a
 * password (typed, or export.password_file named).  0, or -1 with the
 * diagnostics at their fields.  For the runner's preflight
 * (wizard/preflight.h); the stage checks the same on its way. */
int export_check_fields(const struct ctx *c, struct diag_list *dl);

/*
 * The whole job: check the destination (not a symlink, not existing unless
 * o->overwrite), build, write 0600 atomically, re-read with the password
 * and compare key and certificate.  Problems become diagnostics at the
 * field they concern ("export.pfx", "export.password", ...).  Returns
 * ST_OK (res filled), ST_FAIL or ST_CANCELLED.  res may be NULL.
 */
enum status export_pfx(const struct export_opts *o, const struct hooks *h,
		       struct diag_list *dl, struct export_result *res);

/*
 * pkcs12_verify() as a diagnostic: on failure one DIAG_EXPORT_REREAD
 * fail (field "export.password" for a wrong password, else "export.pfx")
 * carrying its message.  Returns ST_OK or ST_FAIL.  info as above (the
 * caller releases it in both cases).
 */
enum status export_reread(const char *path, const char *password,
			  const char *expect_cert_path, struct pfx_info *info,
			  struct diag_list *dl);

#endif
