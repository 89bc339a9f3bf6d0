/*
 * serial_bundle.c - stage 6's Windows bundle (serial_int.h): gathers what
 * the earlier stages made (the root of stage 1, the chain of stage 2, the
 * PFX of stage 4, the management values stage 5 configured, the serial and
 * thumbprint of stage 6), has install.cmd written (windows/installcmd.h),
 * writes the folder and the zip (windows/bundle.h), then runs
 * [agent] push_command with {zip}, {bundle} and {fqdn} replaced.
 */
#include "stages/serial_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/config.h"
#include "core/fsutil.h"
#include "core/stage_table.h"
#include "core/strbuf.h"
#include "pki/x509util.h"
#include "sys/cmdrun.h"
#include "windows/bundle.h"
#include "windows/installcmd.h"

#define FIELD_BUNDLE_DIR "agent.bundle_dir"
#define FIELD_PUSH "agent.push_command"

/* One CA certificate as the bundle wants it; owns its buffers. */
struct ca_der {
	unsigned char *der;
	int len;
	char *thumb;
	char *subject;
};

/* What the earlier stages left, read from their files. */
struct parts {
	struct ca_der root;
	struct ca_der inter[BUNDLE_MAX_INTERMEDIATES];
	size_t n_inter;
	unsigned char *pfx;
	size_t pfx_len;
};

static void ca_der_release(struct ca_der *d)
{
	OPENSSL_free(d->der);
	free(d->thumb);
	free(d->subject);
	memset(d, 0, sizeof(*d));
}

static void parts_release(struct parts *p)
{
	ca_der_release(&p->root);
	for (size_t i = 0; i < p->n_inter; i++)
		ca_der_release(&p->inter[i]);
	fs_free_secret(p->pfx, p->pfx_len);
	memset(p, 0, sizeof(*p));
}

static int ca_der_set(struct ca_der *d, X509 *x)
{
	d->der = NULL;
	d->len = i2d_X509(x, &d->der);
	d->thumb = x509_fingerprint(x, EVP_sha1());
	d->subject = x509_name_text(X509_get_subject_name(x));
	return d->len > 0 && d->thumb ? 0 : -1;
}

/* The root of stage 1 (st->root_path).  0 / -1 with a diagnostic. */
static int read_root(const struct state *st, struct parts *p,
		     struct diag_list *dl)
{
	char err[FS_ERRLEN];
	STACK_OF(X509) *sk = NULL;
	if (!st->root_path || x509_load_certs_file(st->root_path, &sk, err,
						   sizeof(err)) != 0) {
		diag_add_rerun(dl, DIAG_SERIAL_BUNDLE, SEV_FAIL, NULL,
			       STAGE_TRUST, " again",
			       "cannot put the root into the bundle: %s",
			       st->root_path ? err : "no trusted root recorded");
		return -1;
	}
	int rc = ca_der_set(&p->root, sk_X509_value(sk, 0));
	OSSL_STACK_OF_X509_free(sk);
	if (rc != 0)
		diag_add(dl, DIAG_SERIAL_BUNDLE, SEV_FAIL, NULL, NULL,
			 "cannot encode the root '%s'", st->root_path);
	return rc;
}

/* The CA certificates between leaf and root, leaf side first, from the
 * chain stage 2 saved (none saved: none).  0 / -1 with a diagnostic. */
static int read_intermediates(const struct state *st, X509 *leaf,
			      struct parts *p, struct diag_list *dl)
{
	char err[FS_ERRLEN];
	STACK_OF(X509) *sk = NULL;
	if (!st->chain_path || !fs_exists(st->chain_path))
		return 0;
	if (x509_load_certs_file(st->chain_path, &sk, err, sizeof(err)) != 0) {
		diag_add_rerun(dl, DIAG_SERIAL_BUNDLE, SEV_FAIL, NULL,
			       STAGE_REQUEST, " again to fetch the chain",
			       "cannot read the chain for the bundle: %s", err);
		return -1;
	}
	X509 *cur = leaf;
	int rc = 0;
	while (rc == 0 && p->n_inter < BUNDLE_MAX_INTERMEDIATES) {
		X509 *next = NULL;
		for (int i = 0; !next && i < sk_X509_num(sk); i++) {
			X509 *c = sk_X509_value(sk, i);
			if (c != cur && X509_check_issued(c, cur) == X509_V_OK)
				next = c;
		}
		if (!next || x509_is_self_signed(next))
			break;
		rc = ca_der_set(&p->inter[p->n_inter++], next);
		cur = next;
	}
	OSSL_STACK_OF_X509_free(sk);
	if (rc != 0)
		diag_add(dl, DIAG_SERIAL_BUNDLE, SEV_FAIL, NULL, NULL,
			 "cannot encode a certificate of '%s'", st->chain_path);
	return rc;
}

static int read_pfx(const struct state *st, struct parts *p,
		    struct diag_list *dl)
{
	char err[FS_ERRLEN];
	if (st->pfx_path && fs_read_file(st->pfx_path, FS_DEFAULT_CAP, &p->pfx,
					 &p->pfx_len, err, sizeof(err)) == 0)
		return 0;
	diag_add_rerun(dl, DIAG_SERIAL_BUNDLE, SEV_FAIL, NULL, STAGE_EXPORT,
		       " again", "cannot put the PFX into the bundle: %s",
		       st->pfx_path ? err : "no PFX recorded");
	return -1;
}

/* install.cmd for these parts, or NULL with a diagnostic at the field. */
static char *install_text(const struct serial_bundle_in *bi,
			  const struct parts *p, struct diag_list *dl)
{
	char *names[BUNDLE_MAX_INTERMEDIATES] = { 0 };
	char *pfx_name = bundle_pfx_name(bi->fqdn);
	for (size_t i = 0; i < p->n_inter; i++)
		names[i] = bundle_intermediate_name(i);
	struct installcmd_in ii = {
		.server_role = bi->server_role, .fqdn = bi->fqdn,
		.mgmt_group = bi->mgmt_group, .server = bi->server,
		.port = bi->port, .pfx_name = pfx_name,
		.serial_hex = bi->res->serial_hex,
		.serial_reversed = bi->res->serial_reversed,
		.thumbprint = bi->res->thumbprint,
		.intermediates = (const char *const *)names,
		.n_intermediates = p->n_inter,
		.old_serial = bi->old_serial,
	};
	char err[FS_ERRLEN];
	const char *field = NULL;
	char *text = pfx_name ? installcmd_text(&ii, &field, err, sizeof(err))
			      : NULL;
	if (!text)
		diag_add(dl, DIAG_SERIAL_BUNDLE, SEV_FAIL, field, NULL,
			 "cannot write install.cmd: %s",
			 pfx_name ? err : "out of memory");
	for (size_t i = 0; i < p->n_inter; i++)
		free(names[i]);
	free(pfx_name);
	return text;
}

static int write_bundle(const struct serial_bundle_in *bi,
			const struct parts *p, const char *install,
			struct bundle_out *out, struct diag_list *dl)
{
	struct bundle_cert inter[BUNDLE_MAX_INTERMEDIATES];
	for (size_t i = 0; i < p->n_inter; i++)
		inter[i] = (struct bundle_cert){
			p->inter[i].der, (size_t)p->inter[i].len,
			p->inter[i].thumb, p->inter[i].subject };
	struct bundle_in in = {
		.dir = bi->dir, .fqdn = bi->fqdn,
		.server_role = bi->server_role,
		.root = { p->root.der, (size_t)p->root.len, p->root.thumb,
			  p->root.subject },
		.intermediates = inter, .n_intermediates = p->n_inter,
		.pfx = p->pfx, .pfx_len = p->pfx_len,
		.serial_hex = bi->res->serial_hex,
		.serial_reversed = bi->res->serial_reversed,
		.thumbprint = bi->res->thumbprint,
		.mgmt_group = bi->mgmt_group, .server = bi->server,
		.port = bi->port, .install_cmd = install,
	};
	char err[FS_ERRLEN];
	const char *field = NULL;
	if (bundle_write(&in, out, &field, err, sizeof(err)) == 0)
		return 0;
	struct diag *d = diag_add(dl, DIAG_SERIAL_BUNDLE, SEV_FAIL, field, NULL,
				  "cannot write the bundle: %s", err);
	if (d && field && strcmp(field, FIELD_BUNDLE_DIR) == 0)
		diag_set_fix(d, "check that '%s' is writable, or set "
			     "[agent] bundle_dir to another folder", bi->dir);
	return -1;
}

/* The files of out as "name name ..." (the state's bundle_files). */
static char *file_names(const struct bundle_out *out)
{
	struct strbuf b = STRBUF_INIT;
	for (size_t i = 0; i < out->n_files; i++)
		strbuf_printf(&b, "%s%s", i ? " " : "", out->files[i].name);
	return strbuf_take(&b);
}

/* [agent] push_command.  ST_OK / ST_FAIL / ST_CANCELLED. */
static enum status run_push(const struct serial_bundle_in *bi,
			    const struct bundle_out *out,
			    const struct hooks *h, struct diag_list *dl)
{
	const char *subst[] = { "{zip}", out->zip, "{bundle}", out->folder,
				"{fqdn}", bi->fqdn, NULL };
	const struct cmdrun spec = {
		.setting = "push_command", .field = FIELD_PUSH,
		.check = DIAG_SERIAL_PUSH, .cmdline = bi->push_command,
		.subst = subst, .timeout_s = bi->timeout_s,
		.progress = "handing the bundle over",
	};
	return cmdrun_run_report(&spec, h, "bundle handed over",
				 "copy the zip by hand, or fix [agent] "
				 "push_command and run this stage again", dl);
}

const char *serial_bundle_dir(const struct ctx *c)
{
	const struct config *cfg = c->cfg;
	return cfg && cfg->agent_bundle_dir && *cfg->agent_bundle_dir
		       ? cfg->agent_bundle_dir
		       : c->state_dir;
}

char *serial_bundle_zip(const struct ctx *c)
{
	const char *fqdn = ctx_fqdn(c);
	const char *dir = serial_bundle_dir(c);
	return fqdn && dir ? bundle_zip_path(dir, fqdn) : NULL;
}

enum status serial_bundle_run(const struct serial_bundle_in *bi, X509 *leaf,
			      const struct hooks *h, struct diag_list *dl)
{
	struct parts p = { 0 };
	struct bundle_out out;
	bundle_out_init(&out);
	char *install = NULL;
	enum status s = ST_FAIL;
	hooks_progress(h, "writing the Windows bundle", 0.7);
	if (read_root(bi->st, &p, dl) != 0 ||
	    read_intermediates(bi->st, leaf, &p, dl) != 0 ||
	    read_pfx(bi->st, &p, dl) != 0 ||
	    !(install = install_text(bi, &p, dl)) ||
	    write_bundle(bi, &p, install, &out, dl) != 0)
		goto out;
	struct serial_result *r = bi->res;
	char *todo = bundle_todo_text(out.zip, bi->fqdn);
	r->bundle_dir = strdup(out.folder);
	r->bundle_zip = strdup(out.zip);
	r->bundle_files = file_names(&out);
	r->bundle_todo = todo;
	diag_add(dl, DIAG_SERIAL_BUNDLE, SEV_PASS, FIELD_BUNDLE_DIR, NULL,
		 "wrote the Windows bundle '%s' (%zu files) and '%s'; next: "
		 "%s", out.folder, out.n_files, out.zip,
		 todo ? todo : "run its install.cmd as administrator");
	s = ST_OK;
	if (bi->push_command && *bi->push_command)
		s = run_push(bi, &out, h, dl);
out:
	free(install);
	bundle_out_release(&out);
	parts_release(&p);
	return s;
}
