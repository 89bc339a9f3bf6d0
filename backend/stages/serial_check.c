/*
 * serial_check.c - the checks of stage 6 (serial_check_files in serial.h),
 * run by the stage after writing and by `check`: the agent configuration
 * is present, the recorded serial (both byte orders) and thumbprint match
 * the installed certificate, the installed key is ours, private and
 * belongs to it, and the current certificate is the installed one.
 */
#include "stages/serial_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/agentconf.h"
#include "core/fsutil.h"
#include "pki/x509util.h"

/* The refusal MOMCertImport gives when no agent is installed. */
void serial_not_configured(struct diag_list *dl, const char *path)
{
	struct diag *d = diag_add(
		dl, DIAG_SERIAL_AGENT_CONFIGURED, SEV_FAIL, FIELD_CONFIG, NULL,
		"the agent is not configured yet: run %s first (no agent "
		"configuration at '%s')", stage_ref(STAGE_AGENT), path);
	diag_set_fix(d, "run %s first, or point [agent] config at the existing "
		     "agent configuration", stage_ref(STAGE_AGENT));
}

X509 *serial_load_first_cert(const char *path, char *err, size_t errlen)
{
	STACK_OF(X509) *sk = NULL;
	if (x509_load_certs_file(path, &sk, err, errlen) != 0)
		return NULL;
	X509 *x = sk_X509_shift(sk);
	OSSL_STACK_OF_X509_free(sk);
	return x;
}

static int hex_eq(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

static void check_key(const struct agentconf *a, const char *config_path,
		      X509 *cert, struct diag_list *dl, int *failed)
{
	char err[FS_ERRLEN];
	struct stat sb;
	if (!a->key_path) {
		diag_add_rerun(dl, DIAG_SERIAL_KEY_PERMS, SEV_FAIL, FIELD_CONFIG,
			       STAGE_SERIAL, " again",
			       "no private key is recorded in '%s' ([certificate] key)",
			       config_path);
		*failed = 1;
		return;
	}
	if (lstat(a->key_path, &sb) != 0) {
		diag_add_rerun(dl, DIAG_SERIAL_KEY_PERMS, SEV_FAIL, FIELD_CONFIG,
			       STAGE_SERIAL, " again to install it",
			       "the agent's private key '%s' is missing: %s",
			       a->key_path, strerror(errno));
		*failed = 1;
		return;
	}
	if (!S_ISREG(sb.st_mode)) {
		struct diag *d = diag_add(
			dl, DIAG_SERIAL_KEY_PERMS, SEV_FAIL, FIELD_CONFIG, NULL,
			"the agent's private key '%s' is not a regular file%s",
			a->key_path,
			S_ISLNK(sb.st_mode) ? " (a symbolic link)" : "");
		diag_set_fix(d, "replace it with the key file itself (stage "
			     "%d does)", STAGE_SERIAL);
		*failed = 1;
		return;
	}
	if (sb.st_uid != geteuid()) {
		struct diag *d = diag_add(
			dl, DIAG_SERIAL_KEY_PERMS, SEV_FAIL, FIELD_CONFIG, NULL,
			"the agent's private key '%s' belongs to uid %u, not to "
			"us (uid %u)",
			a->key_path, (unsigned)sb.st_uid, (unsigned)geteuid());
		diag_set_fix(d, "the key must belong to the account the agent "
			     "runs as; run %s as that account",
			     stage_ref(STAGE_SERIAL));
		*failed = 1;
		return;
	}
	unsigned mode = (unsigned)(sb.st_mode & 07777);
	if (mode & 077) {
		struct diag *d = diag_add(
			dl, DIAG_SERIAL_KEY_PERMS, SEV_FAIL, FIELD_CONFIG, NULL,
			"the agent's private key '%s' is readable by others "
			"(mode %04o): it must be 0600",
			a->key_path, mode);
		if (d)
			diag_set_fix(d, "chmod 600 '%s'", a->key_path);
		*failed = 1;
		return;
	}
	EVP_PKEY *k = x509_load_key_file(a->key_path, err, sizeof(err));
	if (!k) {
		diag_add_rerun(dl, DIAG_SERIAL_KEY_PERMS, SEV_FAIL, FIELD_CONFIG,
			       STAGE_SERIAL, " again to install it",
			       "the agent's private key '%s' cannot be read: %s",
			       a->key_path, err);
		*failed = 1;
		return;
	}
	int match = cert ? x509_key_matches(cert, k) : 1;
	EVP_PKEY_free(k);
	if (match != 1) {
		struct diag *d = diag_add_rerun(
			dl, DIAG_SERIAL_INSTALL, SEV_FAIL, FIELD_CONFIG, STAGE_SERIAL,
			" again to install the matching pair",
			"the agent's private key '%s' does not belong to the "
			"installed certificate '%s'",
			a->key_path, a->cert_path);
		if (d)
			d->event = 20068;
		*failed = 1;
		return;
	}
	diag_add(dl, DIAG_SERIAL_KEY_PERMS, SEV_PASS, FIELD_CONFIG, NULL,
		 "the agent's private key '%s' is present, matches the "
		 "certificate and is readable only by its owner (mode %04o)",
		 a->key_path, mode);
}

static void check_serial(const struct agentconf *a, const char *config_path,
			 X509 *cert, struct diag_list *dl, int *failed)
{
	char *hex = x509_serial_hex(cert);
	char *rev = x509_serial_reversed_hex(cert);
	char *thumb = x509_fingerprint(cert, EVP_sha1());
	if (!hex || !rev || !thumb) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "cannot read the serial of '%s'", a->cert_path);
		*failed = 1;
	} else if (!a->serial_hex) {
		diag_add_rerun(dl, DIAG_SERIAL_RECORD, SEV_FAIL, FIELD_CONFIG,
			       STAGE_SERIAL, "",
			       "no certificate serial is recorded in '%s': the agent "
			       "has no certificate to load",
			       config_path);
		*failed = 1;
	} else if (!hex_eq(a->serial_hex, hex)) {
		diag_add_rerun(dl, DIAG_SERIAL_MATCH, SEV_FAIL, FIELD_CONFIG,
			       STAGE_SERIAL,
			       " again to record the installed certificate's serial",
			       "event 20066: the serial recorded in '%s' (%s) does "
			       "not match the installed certificate '%s' (%s): the "
			       "agent will find no certificate with that serial",
			       config_path, a->serial_hex, a->cert_path, hex);
		*failed = 1;
	} else if (!hex_eq(a->serial_reversed, rev)) {
		diag_add_rerun(dl, DIAG_SERIAL_MATCH, SEV_FAIL, FIELD_CONFIG,
			       STAGE_SERIAL, " again",
			       "event 20066: the registry-order serial recorded in "
			       "'%s' (%s) is not the byte-reversed serial of the "
			       "installed certificate (%s)",
			       config_path, a->serial_reversed ? a->serial_reversed
							   : "none",
			   rev);
		*failed = 1;
	} else if (a->thumbprint && !hex_eq(a->thumbprint, thumb)) {
		diag_add_rerun(dl, DIAG_SERIAL_MATCH, SEV_FAIL, FIELD_CONFIG,
			       STAGE_SERIAL, " again",
			       "event 20066: the thumbprint recorded in '%s' (%s) is "
			       "not the installed certificate's (%s)",
			       config_path, a->thumbprint, thumb);
		*failed = 1;
	} else {
		diag_add(dl, DIAG_SERIAL_MATCH, SEV_PASS, FIELD_CONFIG, NULL,
			 "the recorded serial %s (registry order %s) matches "
			 "the installed certificate '%s'",
			 hex, rev, a->cert_path);
	}
	free(hex);
	free(rev);
	free(thumb);
}

/* A renewed certificate that was never imported: the agent keeps the old. */
static void check_current(X509 *installed, const char *cert_path,
			  const char *expect_cert_path, struct diag_list *dl)
{
	char err[FS_ERRLEN];
	if (!expect_cert_path || !*expect_cert_path)
		return;
	X509 *want = serial_load_first_cert(expect_cert_path, err, sizeof(err));
	if (!want)
		return;   /* stage 3's checks report an unreadable certificate */
	if (X509_cmp(want, installed) != 0) {
		char *a = x509_serial_hex(installed);
		char *b = x509_serial_hex(want);
		struct diag *d = diag_add(
			dl, DIAG_SERIAL_MATCH, SEV_WARN, FIELD_CONFIG, NULL,
			"the installed certificate '%s' (serial %s) is not the "
			"current one '%s' (serial %s): a renewed certificate "
			"is used only after it is imported",
			cert_path, a ? a : "?", expect_cert_path, b ? b : "?");
		diag_set_fix(d, "run %s to install the current certificate",
			     stage_ref(STAGE_SERIAL));
		if (d)
			d->event = 0;
		free(a);
		free(b);
	}
	X509_free(want);
}

enum status serial_check_files(const char *config_path,
			       const char *expect_cert_path,
			       struct diag_list *dl)
{
	struct agentconf a;
	char err[FS_ERRLEN];
	int failed = 0;

	int r = agentconf_read(config_path, &a, dl);
	if (r == 1) {
		serial_not_configured(dl, config_path);
		return ST_FAIL;
	}
	if (r != 0)
		return ST_FAIL;   /* agentconf_read said why */
	diag_add(dl, DIAG_SERIAL_AGENT_CONFIGURED, SEV_PASS, FIELD_CONFIG, NULL,
		 "the agent configuration '%s' is present (management group "
		 "'%s', server '%s')",
		 config_path, a.management_group ? a.management_group : "",
		 a.server ? a.server : "");

	X509 *cert = NULL;
	if (!a.cert_path) {
		diag_add_rerun(dl, DIAG_SERIAL_INSTALL, SEV_FAIL, FIELD_CONFIG,
			       STAGE_SERIAL, "",
			       "no certificate is installed for the agent: '%s' names "
			       "none ([certificate] certificate)",
			       config_path);
		failed = 1;
	} else if (!(cert = serial_load_first_cert(a.cert_path, err, sizeof(err)))) {
		diag_add_rerun(dl, DIAG_SERIAL_INSTALL, SEV_FAIL, FIELD_CONFIG,
			       STAGE_SERIAL, " again to install it",
			       "the agent's certificate '%s' cannot be read: %s",
			       a.cert_path, err);
		failed = 1;
	} else {
		check_serial(&a, config_path, cert, dl, &failed);
		check_current(cert, a.cert_path, expect_cert_path, dl);
	}
	check_key(&a, config_path, cert, dl, &failed);
	X509_free(cert);
	agentconf_release(&a);
	return failed ? ST_FAIL : ST_OK;
}

enum status serial_check(struct ctx *c, struct diag_list *dl)
{
	char *path = agentconf_path(c->cfg, c->st, c->state_dir);
	if (!path) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		return ST_FAIL;
	}
	enum status s = serial_check_files(path, c->st ? c->st->cert_path : NULL,
					   dl);
	free(path);
	return s;
}

