/*
 * ctx.c - the per-run context handed to stages (ctx.h), and the passwords
 * it holds: read from their files or typed, each registered for log
 * redaction as it arrives.
 */
#include "core/ctx.h"

#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "core/validate.h"

void ctx_init(struct ctx *c, struct config *cfg, struct state *st,
	      const char *state_dir)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->st = st;
	c->state_dir = state_dir ? strdup(state_dir) : NULL;
}

void ctx_release(struct ctx *c)
{
	secret_wipe(&c->ca_password);
	secret_wipe(&c->pfx_password);
	for (int i = 0; i < STAGE_COUNT; i++)
		ctx_set_out(c, (enum stage)i, NULL, NULL);
	free(c->state_dir);
	free(c->offline_csr_path);
	free(c->import_cert_path);
	free(c->trust_store_buf);
	c->state_dir = c->offline_csr_path = c->import_cert_path = NULL;
	c->trust_store_buf = NULL;
}

void ctx_set_out(struct ctx *c, enum stage s, void *out, void (*fr)(void *))
{
	if ((unsigned)s >= STAGE_COUNT)
		return;
	if (c->out[s] && c->out_free[s])
		c->out_free[s](c->out[s]);
	c->out[s] = out;
	c->out_free[s] = fr;
}

int ctx_checkpoint(struct ctx *c, struct diag_list *dl)
{
	return c->checkpoint ? c->checkpoint(c, dl) : 0;
}

char *ctx_path(const struct ctx *c, const char *name)
{
	return fs_join(c->state_dir ? c->state_dir : ".", name);
}

const char *ctx_trust_store(struct ctx *c)
{
	if (c->cfg && c->cfg->trust_store)
		return c->cfg->trust_store;
	if (!c->trust_store_buf)
		c->trust_store_buf = ctx_path(c, "trust");
	return c->trust_store_buf;
}

const char *ctx_fqdn(const struct ctx *c)
{
	if (c->cfg && c->cfg->fqdn && *c->cfg->fqdn)
		return c->cfg->fqdn;
	if (c->st && c->st->fqdn && *c->st->fqdn)
		return c->st->fqdn;
	return NULL;
}

/* The two passwords: where each is kept, named and reported. */
struct secret_kind {
	const char *field;      /* its password_file key */
	const char *what;
	enum diag_check check;
};

static const struct secret_kind SECRET_KINDS[] = {
	[CTX_CA_PASSWORD] = { "ca.password_file", "CA password",
			      DIAG_REQ_PASSWORD },
	[CTX_PFX_PASSWORD] = { "export.password_file", "PFX password",
			       DIAG_EXPORT_PASSWORD },
};

static struct secret *secret_of(struct ctx *c, enum ctx_secret which)
{
	return which == CTX_CA_PASSWORD ? &c->ca_password : &c->pfx_password;
}

static const char *file_of(const struct ctx *c, enum ctx_secret which)
{
	if (!c->cfg)
		return NULL;
	return which == CTX_CA_PASSWORD ? c->cfg->ca_password_file
					: c->cfg->export_password_file;
}

int ctx_load_secret(struct ctx *c, enum ctx_secret which,
		    struct diag_list *dl)
{
	const struct secret_kind *k = &SECRET_KINDS[which];
	struct secret *s = secret_of(c, which);
	const char *path = file_of(c, which);
	char err[FS_ERRLEN];
	struct verdict v;
	if (secret_is_set(s) || !path || !*path)
		return 0;
	int r = secret_read_file_judged(s, path, &v, err, sizeof(err));
	rule_diag(dl, k->check, k->field, &v);
	if (r == 0) {
		log_redact_add(s->buf);
		if (which == CTX_PFX_PASSWORD)
			c->pfx_password_typed = false;
		return 0;
	}
	if (v.sev != SEV_FAIL)
		diag_add(dl, k->check, SEV_FAIL, k->field,
			 "point password_file at a readable file whose first line is the password",
			 "cannot read the %s from '%s': %s", k->what, path, err);
	return -1;
}

int ctx_load_secrets(struct ctx *c, struct diag_list *dl)
{
	int r = 0;
	if (!c->cfg)
		return 0;
	r |= ctx_load_secret(c, CTX_CA_PASSWORD, dl);
	r |= ctx_load_secret(c, CTX_PFX_PASSWORD, dl);
	return r ? -1 : 0;
}

int ctx_set_typed_password(struct ctx *c, enum ctx_secret which,
			   const char *text)
{
	struct secret *s = secret_of(c, which);
	if (!text || secret_set(s, text, strlen(text)) != 0)
		return -1;
	log_redact_add(s->buf);
	if (which == CTX_PFX_PASSWORD)
		c->pfx_password_typed = true;
	return 0;
}
