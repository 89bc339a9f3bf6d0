/*
 * export.c - stage 4 (export.h): the PFX's password, path and friendly
 * name (rule_friendly_name, as the loader and the screen judge it), the checks
 * of the destination, writing the file built by pkcs12_build 0600
 * atomically, and reading it back with the password (pkcs12_verify).
 */
#include "stages/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "core/ctx.h"
#include "core/digest.h"
#include "core/fsutil.h"
#include "core/stage_table.h"
#include "core/validate.h"
#include "stages/stages.h"
#include "pki/x509util.h"

#define FIELD_PFX "export.pfx"
#define FIELD_PASSWORD "export.password"
#define FIELD_FRIENDLY_NAME "export.friendly_name"

/* ---- results ------------------------------------------------------------- */

void export_result_release(struct export_result *r)
{
	if (!r)
		return;
	free(r->pfx_path);
	free(r->thumbprint);
	free(r->friendly_name);
	memset(r, 0, sizeof(*r));
}

void export_result_free(void *r)
{
	export_result_release(r);
	free(r);
}

/* Default PFX path: <state_dir>/<name>.pfx; malloc'd, caller frees. */
static char *export_default_path(const char *state_dir, const char *name)
{
	char *file = NULL;
	if (asprintf(&file, "%s.pfx", name && *name ? name : "opsmgr-agent") < 0)
		return NULL;
	char *p = fs_join(state_dir && *state_dir ? state_dir : ".", file);
	free(file);
	return p;
}


/* The one "no password" diagnostic (stage, job and preflight). */
static void no_password(struct diag_list *dl)
{
	diag_add(dl, DIAG_EXPORT_PASSWORD, SEV_FAIL, FIELD_PASSWORD,
		 "type a password (asked twice) or set [export] "
		 "password_file to a file whose first line is it",
		 "no password for the PFX file: Windows needs one to "
		 "import the private key");
}

static int friendly_name_ok(const struct config *cfg, struct diag_list *dl)
{
	struct verdict v;
	if (rule_friendly_name(cfg->export_friendly_name, &v) != SEV_FAIL)
		return 1;
	rule_diag(dl, DIAG_EXPORT_FRIENDLY_NAME, FIELD_FRIENDLY_NAME, &v);
	return 0;
}

int export_check_fields(const struct ctx *c, struct diag_list *dl)
{
	int bad = friendly_name_ok(c->cfg, dl) ? 0 : -1;
	bool have_file = c->cfg->export_password_file &&
			 *c->cfg->export_password_file;
	if (!have_file && (!secret_is_set(&c->pfx_password) ||
			   c->pfx_password.len == 0)) {
		no_password(dl);
		bad = -1;
	}
	return bad;
}

/* ---- the export job ------------------------------------------------------ */

enum status export_pfx(const struct export_opts *o, const struct hooks *h,
		       struct diag_list *dl, struct export_result *res)
{
	char err[FS_ERRLEN];
	struct stat sb;

	if (!o->pfx.password || !*o->pfx.password) {
		no_password(dl);
		return ST_FAIL;
	}
	if (!o->out_path || !*o->out_path) {
		diag_add(dl, DIAG_EXPORT_PATH, SEV_FAIL, FIELD_PFX,
			 "set [export] pfx to the file to write",
			 "no path for the PFX file");
		return ST_FAIL;
	}
	if (lstat(o->out_path, &sb) == 0) {
		if (S_ISLNK(sb.st_mode)) {
			diag_add(dl, DIAG_EXPORT_PATH, SEV_FAIL, FIELD_PFX,
				 "remove the link or choose another path",
				 "'%s' is a symbolic link: refusing to write "
				 "the PFX through it", o->out_path);
			return ST_FAIL;
		}
		if (!S_ISREG(sb.st_mode)) {
			diag_add(dl, DIAG_EXPORT_PATH, SEV_FAIL, FIELD_PFX,
				 "choose a path for a regular file",
				 "'%s' exists and is not a regular file",
				 o->out_path);
			return ST_FAIL;
		}
		if (!o->overwrite) {
			diag_add(dl, DIAG_EXPORT_OVERWRITE, SEV_FAIL, FIELD_PFX,
				 "set overwrite = yes or choose another path",
				 "'%s' exists; set overwrite = yes or choose "
				 "another path", o->out_path);
			return ST_FAIL;
		}
	}

	unsigned char *der = NULL;
	size_t derlen = 0;
	int ncerts = 0;
	if (pkcs12_build(&o->pfx, h, &der, &derlen, &ncerts, err,
			 sizeof(err)) != 0) {
		if (hooks_cancelled(h)) {
			diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
				 "export cancelled; nothing was written");
			return ST_CANCELLED;
		}
		struct diag *d = diag_add(dl, DIAG_EXPORT_WRITE, SEV_FAIL,
					  NULL, NULL,
					  "cannot build the PFX: %s", err);
		diag_set_fix(d,
			     "run stages %d and %d again if the key or "
			     "certificate is missing or damaged",
			     STAGE_REQUEST, STAGE_VERIFY);
		return ST_FAIL;
	}
	if (hooks_cancelled(h)) {
		fs_free_secret(der, derlen);
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
			 "export cancelled; nothing was written");
		return ST_CANCELLED;
	}

	hooks_progress(h, "writing the PFX file", 0.8);
	int wr = o->overwrite
		 ? fs_write_atomic(o->out_path, der, derlen, 0600, err,
				   sizeof(err))
		 : fs_write_new(o->out_path, der, derlen, 0600, err,
				sizeof(err));
	fs_free_secret(der, derlen);
	if (wr != 0) {
		diag_add(dl, DIAG_EXPORT_WRITE, SEV_FAIL, FIELD_PFX,
			 "check that the directory exists and is writable, or "
			 "choose another path",
			 "cannot write the PFX: %s", err);
		return ST_FAIL;
	}

	hooks_progress(h, "reading the PFX back with the password", 0.9);
	struct pfx_info info;
	enum status st = export_reread(o->out_path, o->pfx.password,
				       o->pfx.cert_path, &info, dl);
	if (st != ST_OK) {
		pfx_info_release(&info);
		if (unlink(o->out_path) == 0 && dl->n > 0) {
			struct diag *d = &dl->items[dl->n - 1];
			diag_set_fix(d, "the unreadable file was removed; "
				     "export again, and report this if it "
				     "repeats");
		}
		return st;
	}
	hooks_progress(h, "PFX written and verified", 1.0);
	diag_add(dl, DIAG_EXPORT_WRITE, SEV_PASS, FIELD_PFX, NULL,
		 "wrote '%s' (%d certificate%s, %s, mode 0600)", o->out_path,
		 ncerts, ncerts == 1 ? "" : "s",
		 pkcs12_compat_text(o->pfx.compat));
	diag_add(dl, DIAG_EXPORT_REREAD, SEV_PASS, FIELD_PFX, NULL,
		 "read '%s' back with the password: key and certificate "
		 "%s match", o->out_path,
		 info.thumbprint ? info.thumbprint : "");
	if (res) {
		memset(res, 0, sizeof(*res));
		res->pfx_path = strdup(o->out_path);
		res->thumbprint = info.thumbprint;
		info.thumbprint = NULL;
		res->friendly_name = o->pfx.friendly_name && *o->pfx.friendly_name
					     ? strdup(o->pfx.friendly_name)
					     : NULL;
		res->compat = o->pfx.compat;
		res->ncerts = ncerts;
		res->size = derlen;
	}
	pfx_info_release(&info);
	return ST_OK;
}

enum status export_reread(const char *path, const char *password,
			  const char *expect_cert_path, struct pfx_info *info,
			  struct diag_list *dl)
{
	char err[FS_ERRLEN];
	enum pfx_verify v = pkcs12_verify(path, password, expect_cert_path,
					      info, err, sizeof(err));
	if (v == PFX_OK)
		return ST_OK;
	const char *fix;
	switch (v) {
	case PFX_WRONG_PASSWORD:
		fix = "use the password the PFX was exported with";
		break;
	case PFX_UNSUPPORTED:
		fix = "export again with compat = modern or compat = legacy";
		break;
	case PFX_MISMATCH:
		fix = "export again from the current key and certificate";
		break;
	default:
		fix = "export the PFX again";
		break;
	}
	diag_add(dl, DIAG_EXPORT_REREAD, SEV_FAIL,
		 v == PFX_WRONG_PASSWORD ? FIELD_PASSWORD : FIELD_PFX, fix,
		 "%s", err);
	return ST_FAIL;
}

/* ---- stage 4 ------------------------------------------------------------- */

/* The password: typed (ctx) or from [export] password_file. */
static int stage_password(struct ctx *c, struct diag_list *dl)
{
	if (ctx_load_secret(c, CTX_PFX_PASSWORD, dl) != 0)
		return -1;
	if (!secret_is_set(&c->pfx_password) || c->pfx_password.len == 0) {
		no_password(dl);
		return -1;
	}
	return 0;
}

/* Name for the default file: the FQDN, else the certificate's CN. */
static char *default_name(struct ctx *c)
{
	const char *fqdn = ctx_fqdn(c);
	if (fqdn)
		return strdup(fqdn);
	char err[FS_ERRLEN];
	STACK_OF(X509) *sk = NULL;
	char *cn = NULL;
	if (x509_load_certs_file(c->st->cert_path, &sk, err, sizeof(err)) == 0)
		cn = x509_subject_cn(sk_X509_value(sk, 0));
	OSSL_STACK_OF_X509_free(sk);
	/* a CN with a '/' must not become a path */
	if (cn && strchr(cn, '/')) {
		free(cn);
		cn = NULL;
	}
	return cn;
}

/* Is the file at path the PFX this state wrote last (same path, same
 * content)?  Re-exporting it (new answers) needs no "overwrite". */
static bool is_own_pfx(const struct state *st, const char *path)
{
	char hex[DIGEST_HEX_LEN + 1], err[256];
	return st->pfx_path && st->pfx_sha256 &&
	       strcmp(st->pfx_path, path) == 0 &&
	       digest_file_sha256_hex(path, hex, err, sizeof(err)) == 0 &&
	       strcmp(hex, st->pfx_sha256) == 0;
}

/* The PFX's identity in the state (stage_inputs.h): its SHA-256. */
static void record_pfx_identity(struct state *st, const char *path,
				struct diag_list *dl)
{
	char hex[DIGEST_HEX_LEN + 1], err[256];
	if (digest_file_sha256_hex(path, hex, err, sizeof(err)) == 0) {
		state_set_str(&st->pfx_sha256, hex);
		return;
	}
	state_set_str(&st->pfx_sha256, NULL);
	diag_add(dl, DIAG_IO, SEV_WARN, FIELD_PFX,
		 "check the file; later stages treat the PFX as changed",
		 "cannot read back the PFX just written: %s", err);
}

enum status stage_export_run(struct ctx *c, const struct hooks *h,
			     struct diag_list *dl)
{
	struct config *cfg = c->cfg;
	struct state *st = c->st;

	if (!friendly_name_ok(cfg, dl))
		return ST_FAIL;
	enum request_have have = stage_request_have(st);
	if (have != REQ_HAVE) {
		struct diag *d = diag_add_rerun(
			dl, DIAG_STATE, SEV_FAIL, NULL, STAGE_REQUEST,
			" until the certificate is issued",
			"nothing to export yet: there is no %s from stage %d",
			have == REQ_NO_KEY ? "private key"
					   : "issued certificate", STAGE_REQUEST);
		if (d)
			d->stage = STAGE_EXPORT;
		return ST_FAIL;
	}
	if (stage_password(c, dl) != 0)
		return ST_FAIL;

	char *name = default_name(c);
	char *path = cfg->export_pfx && *cfg->export_pfx
			     ? strdup(cfg->export_pfx)
			     : export_default_path(c->state_dir, name);
	if (!path) {
		free(name);
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		return ST_FAIL;
	}

	bool allowed = cfg->export_overwrite || c->confirm_overwrite ||
		       is_own_pfx(st, path);
	struct stat sb;
	if (!allowed && lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    c->interactive) {
		diag_add(dl, DIAG_EXPORT_OVERWRITE, SEV_WARN, FIELD_PFX,
			 "confirm to replace it, or choose another path",
			 "'%s' exists; replace it?", path);
		free(name);
		free(path);
		return ST_NEED_CONFIRM;
	}

	struct export_opts o = {
		.pfx = {
			.key_path = st->key_path,
			.cert_path = st->cert_path,
			.chain_path = st->chain_path,
			.include_chain = cfg->export_include_chain,
			.password = c->pfx_password.buf,
			.compat = cfg->export_compat,
			.friendly_name = cfg->export_friendly_name &&
						 *cfg->export_friendly_name
						 ? cfg->export_friendly_name
						 : name,
		},
		.out_path = path,
		.overwrite = allowed,
	};
	struct export_result *res = calloc(1, sizeof(*res));
	if (!res) {
		free(name);
		free(path);
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		return ST_FAIL;
	}
	enum status s = export_pfx(&o, h, dl, res);
	if (s == ST_OK) {
		state_set_str(&st->pfx_path, path);
		state_set_str(&st->pfx_password,
			      c->pfx_password_typed ? "typed" : "file");
		record_pfx_identity(st, path, dl);
		ctx_set_out(c, STAGE_EXPORT, res, export_result_free);
	} else {
		export_result_free(res);
	}
	free(name);
	free(path);
	return s;
}

