/*
 * scr_common.c - field validators several stage screens share: a required
 * value, any configuration key by its rule in the schema (the same
 * verdict the loader and the stages give), and URLs with the plain-http
 * policy of [ca] allow_insecure_http; whether a screen may show what the
 * stage's last completed run made.
 */
#include <stdio.h>
#include <string.h>

#include "core/config_schema.h"
#include "stage_screen.h"

static enum diag_severity verdict_to_field(const struct verdict *vd,
					   char *msg, size_t n)
{
	snprintf(msg, n, "%s", vd->msg);
	return vd->sev;
}

enum diag_severity val_required(struct uform *fm, int idx, const char *v,
				char *msg, size_t n, void *ud)
{
	if (!*v) {
		snprintf(msg, n, "%s is required", fm->defs[idx].label);
		return SEV_FAIL;
	}
	return SEV_PASS;
}

enum diag_severity val_schema(struct uform *fm, int idx, const char *v,
			      char *msg, size_t n, void *ud)
{
	const struct config_key *k = config_key_find(fm->defs[idx].key);
	struct verdict vd;
	if (!k)
		return SEV_PASS;
	config_key_check_text(k, v, &vd);
	return verdict_to_field(&vd, msg, n);
}

enum diag_severity val_url(struct uform *fm, int idx, const char *v,
			   char *msg, size_t n, void *ud)
{
	struct ui *ui = ud;
	struct verdict vd;
	if (strcmp(fm->defs[idx].key, "ca.url") == 0)
		rule_ca_url(v, ui->f->cfg.ca_allow_http, &vd);
	else
		rule_plain_http(v, ui->f->cfg.ca_allow_http, &vd);
	return verdict_to_field(&vd, msg, n);
}

bool stage_result_current(const struct ui *ui, enum stage s, enum status st)
{
	return st == ST_OK && stage_status_finished(ui->f->st.stage[s]);
}
