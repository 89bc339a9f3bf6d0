/*
 * scr_trust.c - stage 1 screen: where the CA root comes from, the
 * certificates found (subject, validity, SHA-1 thumbprint, SHA-256), and an
 * explicit confirmation before the root is trusted (or the pin matched).
 * When the CA's web server is not trusted yet, the certificates it
 * presented and the thumbprint to compare; when the CA asks for a user and
 * password (HTTP 401), their fields (the password is kept in memory for
 * stages 1 and 2, never saved).
 */
#include <stdio.h>
#include <string.h>

#include "core/config_schema.h"
#include "core/ctx.h"
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
	{ "ca.user", "User", FT_TEXT, NULL, NULL, NULL },
	{ "ca.password", "Password", FT_PASSWORD, NULL, NULL, NULL },
	{ "ca.auth", "Authentication", FT_CHOICE, CONFIG_NAMES_CA_AUTH, NULL,
	  NULL },
	{ "trust.file", "File", FT_TEXT, NULL, NULL, val_required },
	{ "trust.url", "URL", FT_TEXT, NULL, NULL, val_url },
	{ "trust.sha256", "Pin (SHA-256)", FT_TEXT, NULL, NULL, NULL },
};

/* The CA asked for credentials: the last run's 401 is at one of them
 * (certsrv_client.c).  Until then the fields stay hidden, also when an
 * answers file gives them. */
static bool credentials_asked(const struct ui *ui)
{
	const struct diag_list *dl = &ui->f->last[STAGE_TRUST];
	for (size_t i = 0; i < dl->n; i++) {
		const char *fd = dl->items[i].field;
		if (fd && (strcmp(fd, "ca.user") == 0 ||
			   strcmp(fd, "ca.password") == 0))
			return true;
	}
	return false;
}

static void update(struct ui *ui, struct uform *fm)
{
	const char *src = uform_choice(fm, "trust.source");
	bool ca = strcmp(src, "ca") == 0;
	bool creds = ca && credentials_asked(ui);
	uform_set_hidden(fm, "ca.url", !ca);
	uform_set_hidden(fm, "ca.user", !creds);
	uform_set_hidden(fm, "ca.password", !creds);
	uform_set_hidden(fm, "ca.auth", !creds);
	uform_set_hidden(fm, "trust.file", strcmp(src, "file") != 0);
	uform_set_hidden(fm, "trust.url", strcmp(src, "url") != 0);
}

/* A password typed here serves stages 1 and 2; it is never saved. */
static int commit(struct ui *ui, struct uform *fm)
{
	const char *pw = uform_value(fm, "ca.password");
	if (!*pw)
		return 0;
	if (ctx_set_typed_password(&ui->f->ctx, CTX_CA_PASSWORD, pw) != 0) {
		ui_set_msg(ui, TH_ERROR, "cannot keep the password in memory");
		return -1;
	}
	uform_wipe(fm, "ca.password");
	return 0;
}

/* A SHA-256 fingerprint (95 characters) in rows of 11 bytes, so that
 * each fits the pane at 80 columns. */
static void add_sha256(struct pane *p, enum theme_el el, const char *fp)
{
	size_t n = strlen(fp);
	for (size_t at = 0; at < n; at += 33)
		pane_addf(p, el, "     %s %.32s", at ? "       " : "SHA-256",
			  fp + at);
}

/* One certificate as a group of rows that fit at 80 columns. */
static void add_cert(struct pane *p, const struct trust_cert *c,
		     const char *tag, const char *note, enum theme_el el)
{
	char line[600];
	snprintf(line, sizeof(line), "%s%s", c->subject, note);
	pane_add(p, el, tag, line, NULL, 0);
	pane_addf(p, el, "     SHA-1 thumbprint");
	pane_addf(p, el, "       %s", c->sha1);
	add_sha256(p, el, c->sha256);
	pane_addf(p, TH_NORMAL, "     issued by %s", c->issuer);
}

/* The certificates the CA's web server presented, not trusted yet: the
 * top one (to compare) first, then the others. */
static void presented(struct pane *p, const struct trust_result *r)
{
	add_cert(p, &r->certs[r->top], "TOP", "", TH_WARN);
	pane_add(p, TH_WARN, "WARN", "the CA's web server is not trusted yet: "
		 "nothing was sent to it",
		 "compare the TOP certificate's SHA-1 thumbprint with the one "
		 "the CA administrator gives you (certutil -ca.cert, or the "
		 "certificate's Details tab)", 0);
	for (size_t i = 0; i < r->n; i++)
		if ((int)i != r->top)
			add_cert(p, &r->certs[i], "CERT", "", TH_NORMAL);
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
	if (r->presented) {
		presented(p, r);
		return;
	}
	pane_addf(p, TH_NORMAL, "%zu certificate%s from %s", r->n,
		  r->n == 1 ? "" : "s", r->source ? r->source : "the source");
	for (size_t i = 0; i < r->n; i++) {
		const struct trust_cert *c = &r->certs[i];
		add_cert(p, c, c->is_root ? "ROOT" : "CERT",
			 c->is_root ? "  (the root)" : c->self_signed ?
			 "  (self-signed)" : "", c->is_root ? TH_DONE : TH_NORMAL);
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
	if (r && r->presented && r->top >= 0 && (size_t)r->top < r->n)
		snprintf(q, n, "SHA-1 thumbprint %s?", r->certs[r->top].sha1);
	else if (r && r->root >= 0 && (size_t)r->root < r->n)
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
	.commit = commit,
	.result = result,
	.question = question,
	.confirm_flag = CTX_FLAG(confirm_trust),
	.run_label = "Fetch and check",
};
