/*
 * ctx.c - the per-run context handed to stages (ctx.h).
 */
#include "core/ctx.h"

#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"

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

static int load_one(struct secret *s, const char *path, const char *field,
		    const char *what, enum diag_check chk,
		    struct diag_list *dl)
{
	char err[FS_ERRLEN];
	if (secret_is_set(s) || !path || !*path)
		return 0;
	if (secret_read_file(s, path, err, sizeof(err)) == 0)
		return 0;
	diag_add(dl, chk, SEV_FAIL, field,
		 "point password_file at a readable file whose first line is the password",
		 "cannot read the %s from '%s': %s", what, path, err);
	return -1;
}

int ctx_load_secrets(struct ctx *c, struct diag_list *dl)
{
	int r = 0;
	if (!c->cfg)
		return 0;
	r |= load_one(&c->ca_password, c->cfg->ca_password_file,
		      "ca.password_file", "CA password", DIAG_REQ_PASSWORD, dl);
	r |= load_one(&c->pfx_password, c->cfg->export_password_file,
		      "export.password_file", "PFX password",
		      DIAG_EXPORT_PASSWORD, dl);
	return r ? -1 : 0;
}
