/*
 * scr_request.c - stage 2 screen: the request fields (FQDN, CA URL,
 * template name, key size, authentication, user, masked password) and the
 * outcome panel: issued, pending (request ID, check again, leave and resume
 * later) or denied (the CA's own text).  Changed answers: the question
 * before a request the CA holds is left for a new one (y sets
 * confirm_abandon), and F6 asks for a new key where the change (template,
 * CA) would keep the old one (request_new_key); both hold for one run.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/config_schema.h"
#include "core/stage_inputs.h"
#include "stages/request.h"
#include "screens.h"
#include "stage_screen.h"

/* The choices are CONFIG_NAMES_CA_AUTH: the index is the enum. */
static bool needs_password(const struct uform *fm)
{
	return ca_auth_needs_password(
		(enum ca_auth)uform_choice_index(fm, "ca.auth"));
}

static enum diag_severity val_user(struct uform *fm, int idx, const char *v,
				   char *msg, size_t n, void *ud)
{
	if (needs_password(fm) && !*v)
		return uform_say(SEV_FAIL, msg, n, "authentication '%s' needs a "
				 "user name", uform_choice(fm, "ca.auth"));
	return SEV_PASS;
}

static enum diag_severity val_password(struct uform *fm, int idx,
				       const char *v, char *msg, size_t n,
				       void *ud)
{
	struct ui *ui = ud;
	if (needs_password(fm) && !*v && !secret_is_set(&ui->f->ctx.ca_password))
		return uform_say(SEV_FAIL, msg, n, "type the password for '%s' (it "
				 "is never saved)", uform_value(fm, "ca.user"));
	return SEV_PASS;
}

static const char *const MODES[] = { "submit", "save CSR", "import cert",
				     NULL };
static const char *const MODE_HINTS[] = {
	"send the request to the CA's web enrollment pages now",
	"offline: write the request to a file to take to the CA",
	"offline: import the certificate the CA issued for the saved request",
};

static int mode_of(const struct uform *fm)
{
	const char *m = uform_choice(fm, "request.mode");
	if (strcmp(m, "save CSR") == 0)
		return REQ_ACT_SAVE_CSR;
	if (strcmp(m, "import cert") == 0)
		return REQ_ACT_IMPORT_CERT;
	return REQ_ACT_AUTO;
}

static enum diag_severity val_csr_file(struct uform *fm, int idx,
				       const char *v, char *msg, size_t n,
				       void *ud)
{
	if (mode_of(fm) == REQ_ACT_SAVE_CSR && !*v)
		return uform_say(SEV_FAIL, msg, n, "give the file to save the "
				 "request to, e.g. '/tmp/agent.csr'");
	return SEV_PASS;
}

static enum diag_severity val_cert_file(struct uform *fm, int idx,
					const char *v, char *msg, size_t n,
					void *ud)
{
	if (mode_of(fm) != REQ_ACT_IMPORT_CERT)
		return SEV_PASS;
	if (!*v)
		return uform_say(SEV_FAIL, msg, n, "give the certificate file the "
				 "CA issued (.cer or .p7b)");
	if (access(v, R_OK) != 0)
		return uform_say(SEV_FAIL, msg, n, "cannot read '%s': %s", v,
				 strerror(errno));
	return SEV_PASS;
}

static const struct fdef FIELDS[] = {
	{ "computer.fqdn", "Computer FQDN", FT_TEXT, NULL, NULL, val_schema },
	{ "ca.url", "CA URL", FT_TEXT, NULL, NULL, val_url },
	{ "ca.template", "Template name", FT_TEXT, NULL, NULL, val_schema },
	{ "key.bits", "Key size (bits)", FT_INT, NULL, NULL, val_schema },
	{ "ca.auth", "Authentication", FT_CHOICE, CONFIG_NAMES_CA_AUTH, NULL,
	  NULL },
	{ "ca.user", "User", FT_TEXT, NULL, NULL, val_user },
	{ "ca.password", "Password", FT_PASSWORD, NULL, NULL, val_password },
	{ "request.mode", "Mode", FT_CHOICE, MODES, MODE_HINTS, NULL },
	{ "request.csr_file", "Save request to", FT_TEXT, NULL, NULL,
	  val_csr_file },
	{ "request.cert_file", "Certificate file", FT_TEXT, NULL, NULL,
	  val_cert_file },
};

/* This computer's FQDN as stage 2 detects it (request_detect_fqdn); when
 * it has none, its short name for the operator to complete. */
static void detect_fqdn(char *buf, size_t n)
{
	char err[256], host[256];
	char *name = request_detect_fqdn(err, sizeof(err));
	buf[0] = 0;
	if (name) {
		snprintf(buf, n, "%s", name);
		free(name);
	} else if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = 0;
		snprintf(buf, n, "%s", host);
	}
}

static void load_mode(struct ui *ui, struct uform *fm)
{
	char *p = ctx_path(&ui->f->ctx, "offline-request.csr");
	if (ui->f->ctx.offline_csr_path)
		uform_set(fm, "request.csr_file", ui->f->ctx.offline_csr_path);
	else if (p)
		uform_set(fm, "request.csr_file", p);
	free(p);
	if (ui->f->ctx.import_cert_path)
		uform_set(fm, "request.cert_file", ui->f->ctx.import_cert_path);
}

static void load(struct ui *ui, struct uform *fm)
{
	load_mode(ui, fm);
	if (!*uform_value(fm, "computer.fqdn")) {
		const char *f = ctx_fqdn(&ui->f->ctx);
		char buf[256];
		if (f) {
			uform_set(fm, "computer.fqdn", f);
		} else {
			detect_fqdn(buf, sizeof(buf));
			uform_set(fm, "computer.fqdn", buf);
		}
	}
}

static void update(struct ui *ui, struct uform *fm)
{
	int mode = mode_of(fm);
	bool online = mode == REQ_ACT_AUTO;
	bool pw = online && needs_password(fm);
	uform_set_hidden(fm, "ca.url", !online);
	uform_set_hidden(fm, "ca.auth", !online);
	uform_set_hidden(fm, "ca.user", !pw);
	uform_set_hidden(fm, "ca.password", !pw);
	uform_set_hidden(fm, "request.csr_file", mode != REQ_ACT_SAVE_CSR);
	uform_set_hidden(fm, "request.cert_file", mode != REQ_ACT_IMPORT_CERT);
}

static void set_path(char **dst, const char *v)
{
	free(*dst);
	*dst = *v ? strdup(v) : NULL;
}

/* The operator's answers to stage 2's questions hold for one run. */
static void forget_answers(struct ctx *c)
{
	c->confirm_abandon = false;
	c->request_new_key = false;
}

static int commit(struct ui *ui, struct uform *fm)
{
	const char *pw = uform_value(fm, "ca.password");
	forget_answers(&ui->f->ctx);
	if (*pw && needs_password(fm)) {
		if (ctx_set_typed_password(&ui->f->ctx, CTX_CA_PASSWORD, pw) < 0) {
			ui_set_msg(ui, TH_ERROR, "cannot keep the password in memory");
			return -1;
		}
		uform_wipe(fm, "ca.password");
	}
	ui->f->ctx.request_action = (enum request_action)mode_of(fm);
	set_path(&ui->f->ctx.offline_csr_path, uform_value(fm, "request.csr_file"));
	set_path(&ui->f->ctx.import_cert_path,
		 uform_value(fm, "request.cert_file"));
	return 0;
}

static void result(struct ui *ui, struct pane *p, enum status st)
{
	const struct state *s = &ui->f->st;
	const struct request_result *o = ui->f->ctx.out[STAGE_REQUEST];
	switch (s->req_phase) {
	case REQ_ISSUED:
		pane_add(p, TH_DONE, "DONE", "the CA issued the certificate", NULL, 0);
		if (o && o->subject)
			pane_addf(p, TH_NORMAL, "%s, serial %s, valid until %s",
				  o->subject, o->serial_hex ? o->serial_hex : "?",
				  o->not_after ? o->not_after : "?");
		if (s->request_id)
			pane_addf(p, TH_NORMAL, "request ID %ld", s->request_id);
		pane_add_value(p, TH_NORMAL, "certificate %s", s->cert_path);
		pane_add_value(p, TH_NORMAL, "chain %s", s->chain_path);
		pane_add_value(p, TH_NORMAL, "private key %s (mode 0600)", s->key_path);
		break;
	case REQ_PENDING:
		pane_add(p, TH_WAIT, "WAIT", "the CA holds the request for approval",
			 "ask the CA administrator to issue it, then choose 'check "
			 "again'; you can leave now and run the wizard later", 0);
		pane_addf(p, TH_NORMAL, "request ID %ld at %s", s->request_id,
			  s->request_ca_url ? s->request_ca_url : "the CA");
		pane_add_value(p, TH_NORMAL, "CA says: %s", s->disposition);
		break;
	case REQ_DENIED: {
		/* the CA's own words in the row: selected, they show in full */
		char line[1024];
		snprintf(line, sizeof(line), "the CA denied request %ld: %s",
			 s->request_id, s->disposition ? s->disposition :
			 "(no reason given)");
		pane_add(p, TH_FAIL, "FAIL", line,
			 "read the CA's message; fix the template or ask the CA "
			 "administrator, then run the stage again", 0);
		break;
	}
	case REQ_KEY_WRITTEN:
	case REQ_SUBMITTING:
		if (ui->f->ctx.request_action == REQ_ACT_SAVE_CSR &&
		    ui->f->ctx.offline_csr_path) {
			pane_add(p, TH_WAIT, "WAIT", "the request is saved for the CA",
				 "submit the file at the CA (web enrollment: advanced "
				 "certificate request), then choose mode 'import cert'",
				 0);
			pane_addf(p, TH_NORMAL, "request file %s",
				  ui->f->ctx.offline_csr_path);
		} else {
			pane_add_value(p, TH_NORMAL, "key written to %s, request "
				       "not answered yet", s->key_path);
		}
		break;
	case REQ_NONE:
		break;
	}
}

static const char *pending_text(struct ui *ui, char *buf, size_t n)
{
	char edit[16], leave[16], keys[64];
	keymap_key_name(ACT_EDIT, KC_PENDING, edit, sizeof(edit));
	keymap_key_name(ACT_LEAVE, KC_PENDING, leave, sizeof(leave));
	if (ui->f->ctx.request_action == REQ_ACT_SAVE_CSR)
		snprintf(buf, n, "request saved: take it to the CA, then %s and "
			 "mode 'import cert'; %s leaves", edit, leave);
	else
		snprintf(buf, n, "request ID %ld is pending at the CA: %s and "
			 "resumes later", ui->f->st.request_id,
			 ui_waiting_keys(keys, sizeof(keys)));
	return buf;
}

/* "check again" asks the CA about the pending request, whatever mode the
 * request was made in. */
static void recheck(struct ui *ui)
{
	ui->f->ctx.request_action = REQ_ACT_AUTO;
	forget_answers(&ui->f->ctx);
}

/* ST_NEED_CONFIRM: the request the CA holds (or may have) was made with
 * other answers (request/changed). */
static const char *question(struct ui *ui, char *q, size_t n)
{
	const struct state *s = &ui->f->st;
	char id[48] = "the request sent";
	if (s->request_id > 0)
		snprintf(id, sizeof(id), "request ID %ld", s->request_id);
	snprintf(q, n, "%s was made with the old answers: leave it (its ID is "
		 "archived) and request again?", id);
	return q;
}

/* F6: a new key is the operator's choice only where the change keeps the
 * key (template, CA); a new name or key size makes one anyway. */
static bool new_key_offered(struct ui *ui)
{
	const struct ctx *c = &ui->f->ctx;
	return (stage_input_changed(c, STAGE_REQUEST, "ca.template") ||
		stage_input_changed(c, STAGE_REQUEST, "ca.url")) &&
	       !stage_input_changed(c, STAGE_REQUEST, "computer.fqdn") &&
	       !stage_input_changed(c, STAGE_REQUEST, "key.bits");
}

static const struct run_choice NEW_KEY = {
	ACT_NEW_KEY, CTX_FLAG(request_new_key), new_key_offered,
};

const struct stage_screen SCR_REQUEST = {
	.stage = STAGE_REQUEST,
	.intro = "Create a key on this computer and request a certificate for "
		 "it from the CA's web enrollment pages.",
	SCREEN_FIELDS(FIELDS),
	.load = load,
	.update = update,
	.commit = commit,
	.result = result,
	.question = question,
	.confirm_flag = CTX_FLAG(confirm_abandon),
	.pending_text = pending_text,
	.recheck = recheck,
	.choice = &NEW_KEY,
	.run_label = "Request",
};
