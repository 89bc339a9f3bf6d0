/*
 * scr_trust.c - stage 1 screen: where the CA root comes from, the
 * certificates found (subject, validity, SHA-1 thumbprint, SHA-256), and an
 * explicit confirmation before the root is trusted (or the pin matched).
 */
#include <stdio.h>
#include <string.h>

#include "core/config_schema.h"
#include "screens.h"
#include "stage_screen.h"
#include "stages/trust.h"

static const char *const SOURCE_HINTS[] = {
	"download the chain from the CA's web enrollment pages (CA URL)",
	"a local .p7b (DER or PEM), PEM bundle or DER .cer file",
	"an http(s) URL of such a file",
};

static const struct fdef FIELDS[] = {
	{ "trust.source", "Source", FT_CHOICE, CONFIG_NAMES_TRUST_SOURCE,
	  SOURCE_HINTS, NULL },
	{ "ca.url", "CA URL", FT_TEXT, NULL, NULL, val_url },
	{ "trust.file", "File", FT_TEXT, NULL, NULL, val_required },
	{ "trust.url", "URL", FT_TEXT, NULL, NULL, val_url },
	{ "trust.sha256", "Pin (SHA-256)", FT_TEXT, NULL, NULL, NULL },
};

static void update(struct ui *ui, struct uform *fm)
{
	const char *src = uform_choice(fm, "trust.source");
	uform_set_hidden(fm, "ca.url", strcmp(src, "ca") != 0);
	uform_set_hidden(fm, "trust.file", strcmp(src, "file") != 0);
	uform_set_hidden(fm, "trust.url", strcmp(src, "url") != 0);
}

static void result(struct ui *ui, struct pane *p, enum status st)
{
	const struct trust_result *r = ui->f->ctx.out[STAGE_TRUST];
	if (!r) {
		if (stage_result_current(ui, STAGE_TRUST, st))
			pane_add_value(p, TH_DONE, "trusted root SHA-256 %s",
				       ui->f->st.root_sha256);
		return;
	}
	pane_addf(p, TH_NORMAL, "%zu certificate%s from %s", r->n,
		  r->n == 1 ? "" : "s", r->source ? r->source : "the source");
	for (size_t i = 0; i < r->n; i++) {
		const struct trust_cert *c = &r->certs[i];
		char line[600];
		snprintf(line, sizeof(line), "%s%s", c->subject,
			 c->is_root ? "  (the root)" : c->self_signed ?
			 "  (self-signed)" : "");
		pane_add(p, c->is_root ? TH_DONE : TH_NORMAL,
			 c->is_root ? "ROOT" : "CERT", line, NULL, 0);
		pane_addf(p, TH_NORMAL, "     SHA-1 thumbprint %s", c->sha1);
		pane_addf(p, TH_NORMAL, "     SHA-256 %s", c->sha256);
		pane_addf(p, TH_NORMAL, "     valid %s to %s, serial %s",
			  c->not_before, c->not_after, c->serial_hex);
		if (!c->is_ca || c->weak_hash)
			pane_addf(p, TH_WARN, "     %s%s%s",
				  c->is_ca ? "" : "not a CA",
				  !c->is_ca && c->weak_hash ? ", " : "",
				  c->weak_hash ? "weak signature hash" : "");
	}
	if (r->pinned)
		pane_addf(p, TH_DONE, "the root matches the pinned SHA-256 "
			  "fingerprint");
	if (r->already_trusted)
		pane_addf(p, TH_DONE, "the root was already trusted");
	pane_add_value(p, TH_DONE, "stored in %s", r->stored_path);
}

static const char *question(struct ui *ui, char *q, size_t n)
{
	const struct trust_result *r = ui->f->ctx.out[STAGE_TRUST];
	if (r && r->root >= 0 && (size_t)r->root < r->n)
		snprintf(q, n, "trust root SHA-1 %s?", r->certs[r->root].sha1);
	else
		snprintf(q, n, "trust the root certificate shown?");
	return q;
}

const struct stage_screen SCR_TRUST = {
	.stage = STAGE_TRUST,
	.intro = "Get the certification authority's root certificate and trust "
		 "it, so this computer and the management server accept each "
		 "other's certificates.",
	SCREEN_FIELDS(FIELDS),
	.update = update,
	.result = result,
	.question = question,
	.confirm_flag = CTX_FLAG(confirm_trust),
	.run_label = "Fetch and check",
};
