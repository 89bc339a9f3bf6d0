/*
 * check.c - `opsmgr-enroll check` (check.h): the stages whose answers
 * changed since they were done (stale), every check of stages 1, 3, 5 and
 * 6 and the probe of stage 7 on an existing setup or on given files (the
 * checklist of stage 3 on the certificate and key the agent uses, the PFX
 * read back unless its password was typed and is not given), through the same backend functions the stages use, and how long the
 * certificate in use has left (pki/expiry.h: info, warn inside its
 * renewal window, fail once expired).
 */
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/stage_inputs.h"
#include "core/stage_table.h"
#include "stages/agent.h"
#include "core/agentconf.h"
#include "core/fsutil.h"
#include "pki/x509util.h"
#include "pki/expiry.h"
#include "stages/approval.h"
#include "stages/export.h"
#include "sys/netprobe.h"
#include "stages/serial.h"
#include "stages/trust.h"
#include "stages/verify.h"
#include "runner.h"

#define CHECK_PROBE_TIMEOUT_MS 5000

/* The first of s's own answers that changed since it was done, or NULL
 * (it is stale through an earlier stage). */
static const char *changed_key(const struct flow *f, enum stage s)
{
	for (const char *const *k = stage_input_keys(s); *k; k++)
		if (stage_input_changed(&f->ctx, s, *k))
			return *k;
	return NULL;
}

/*
 * One WARN per stale stage (stage_inputs.h): done, but made from other
 * answers or from an earlier result that changed since.  A stage not yet
 * done is not stale.  The fix names the run that redoes it: a plain run
 * redoes the stale stages in order and nothing else (--stages A-B would
 * also redo the current ones in between).
 */
#define STALE_THEN " again: 'opsmgr-enroll --non-interactive' with these " \
	"answers redoes the stale stages and nothing else"
static void check_stale(struct flow *f, bool json, struct diag_list *dl)
{
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		char *why = stage_stale_reason(&f->ctx, (enum stage)s,
					       json ? "->" : runner_arrow());
		if (!why)
			continue;
		struct diag *d = diag_add_rerun(
			dl, DIAG_STALE, SEV_WARN, changed_key(f, (enum stage)s),
			(enum stage)s, STALE_THEN, "%s is stale: %s",
			stage_ref((enum stage)s), why);
		if (d)
			d->stage = (enum stage)s;
		free(why);
	}
}

/* Stage 1: the root recorded in the state is still fine and still trusted. */
static void check_trust(struct flow *f, bool explicit_store,
			struct diag_list *dl)
{
	if ((!f->st.root_path || !*f->st.root_path) && explicit_store) {
		diag_add(dl, DIAG_TRUST_STORE, SEV_INFO, "trust.store", NULL,
			 "using the trust store '%s' for the chain check",
			 ctx_trust_store(&f->ctx));
		return;
	}
	trust_check_existing(&f->ctx, dl);
}

/*
 * The certificate and key the agent really uses: those its configuration
 * names, when they are files here (a Windows target's are on that
 * computer).  1 with cert/key pointing into a (released by the caller),
 * else 0.
 */
static int installed_pair(struct flow *f, struct agentconf *a,
			  char **conf_path)
{
	*conf_path = agentconf_path(f->ctx.cfg, f->ctx.st, f->ctx.state_dir);
	struct diag_list rd;
	diag_list_init(&rd);
	int r = *conf_path ? agentconf_read(*conf_path, a, &rd) : 1;
	diag_list_release(&rd);   /* check_agent reports the file itself */
	if (r != 0) {
		agentconf_release(a);
		agentconf_init(a);
		return 0;
	}
	return a->cert_path && fs_is_regular(a->cert_path) &&
	       !(a->target && strcmp(a->target, "windows") == 0);
}

/* Whether the first certificates of files a and b are the same: 1 yes,
 * 0 no, -1 one cannot be read. */
static int same_first_cert(const char *a, const char *b)
{
	STACK_OF(X509) *x = NULL, *y = NULL;
	char err[FS_ERRLEN];
	int r = -1;
	if (x509_load_certs_file(a, &x, err, sizeof(err)) == 0 &&
	    x509_load_certs_file(b, &y, err, sizeof(err)) == 0 &&
	    sk_X509_num(x) > 0 && sk_X509_num(y) > 0)
		r = X509_cmp(sk_X509_value(x, 0), sk_X509_value(y, 0)) == 0;
	OSSL_STACK_OF_X509_free(x);
	OSSL_STACK_OF_X509_free(y);
	return r;
}

/* Which certificate the checklist below is about: the agent's, and
 * whether the wizard's copy is the same one. */
static void say_installed(const struct flow *f, const struct agentconf *a,
			  const char *conf_path, struct diag_list *dl)
{
	const char *mine = f->st.cert_path && *f->st.cert_path
				   ? f->st.cert_path : NULL;
	int same = mine ? same_first_cert(mine, a->cert_path) : -2;
	diag_add(dl, DIAG_VERIFY_PARSE, SEV_INFO, "agent.config", NULL,
		 "checking the certificate the agent uses: '%s' with the key "
		 "'%s', named by '%s'%s", a->cert_path,
		 a->key_path ? a->key_path : "(none)", conf_path,
		 same == 1 ? "; the wizard's copy is the same certificate"
		 : same == 0 ? "; the wizard's copy is another certificate "
			       "(serial/serial_match says which)"
		 : same == -1 ? "; the wizard's copy cannot be compared" : "");
}

/*
 * Stage 4's PFX read back with its password: from --password-file or
 * [export] password_file, or typed now; a password typed when the PFX
 * was written and not given now is a skip, not a wrong password.
 */
static void check_state_pfx(struct flow *f, const struct check_opts *o,
			    struct diag_list *dl)
{
	if (!f->st.pfx_path || !*f->st.pfx_path)
		return;
	struct secret pw = { 0 };
	char err[512];
	const struct secret *use = &f->ctx.pfx_password;
	if (o->password_file) {
		if (secret_read_file(&pw, o->password_file, err,
				     sizeof(err)) < 0) {
			diag_add(dl, DIAG_EXPORT_PASSWORD, SEV_FAIL,
				 "export.password_file",
				 "pass --password-file with a file whose first "
				 "line is the PFX password",
				 "cannot read the PFX password: %s", err);
			return;
		}
		use = &pw;
	} else if (f->st.pfx_password &&
		   strcmp(f->st.pfx_password, "typed") == 0 &&
		   !f->ctx.pfx_password_typed) {
		diag_add(dl, DIAG_EXPORT_REREAD, SEV_SKIP,
			 "export.password_file",
			 "give --password-file to check the PFX",
			 "skip: typed during enrollment, give --password-file "
			 "to check the PFX '%s'", f->st.pfx_path);
		return;
	}
	if (secret_is_set(use) &&
	    export_reread(f->st.pfx_path, use->buf, f->st.cert_path, NULL,
			  dl) == ST_OK)
		diag_add(dl, DIAG_EXPORT_REREAD, SEV_PASS, "export.pfx", NULL,
			 "the PFX '%s' opens with its password and holds the "
			 "wizard's certificate", f->st.pfx_path);
	secret_wipe(&pw);
}

/* Stage 3 on the certificate in use (and the PFX of stage 4 when there
 * is one). */
static void check_certificate(struct flow *f, const struct check_opts *o,
			      const char *fqdn, const char *store,
			      const struct hooks *h, struct diag_list *dl)
{
	struct verify_input in;
	memset(&in, 0, sizeof(in));
	struct secret pw = { 0 };
	char err[512];
	struct agentconf a;
	char *conf_path = NULL;
	int installed = !o->pfx_path && !o->cert_path &&
			installed_pair(f, &a, &conf_path);

	in.fqdn = fqdn;
	in.trust_store = store;
	in.skip_revocation = o->skip_network;
	if (o->pfx_path) {
		if (secret_read_file(&pw, o->password_file, err, sizeof(err)) < 0) {
			diag_add(dl, DIAG_EXPORT_PASSWORD, SEV_FAIL,
				 "export.password_file",
				 "pass --password-file with a file whose first line is the PFX password",
				 "cannot read the PFX password: %s", err);
			diag_add(dl, DIAG_VERIFY_PARSE, SEV_FAIL, "export.pfx",
				 "give the PFX password with --password-file",
				 "'%s' cannot be checked without its password",
				 o->pfx_path);
			goto out;
		}
		in.pfx_path = o->pfx_path;
		in.pfx_password = &pw;
		export_reread(o->pfx_path, pw.buf, NULL, NULL, dl);
	} else if (o->cert_path) {
		in.cert_path = o->cert_path;
		in.key_path = o->key_path;
	} else if (installed || f->st.cert_path) {
		if (installed)
			say_installed(f, &a, conf_path, dl);
		in.cert_path = installed ? a.cert_path : f->st.cert_path;
		in.key_path = installed ? a.key_path : f->st.key_path;
		in.chain_path = f->st.chain_path;
		check_state_pfx(f, o, dl);
	} else {
		struct diag *d = diag_add_rerun(
			dl, DIAG_VERIFY_PARSE, SEV_FAIL, "computer.fqdn", STAGE_REQUEST,
			" first, or pass --cert FILE --key FILE or --pfx FILE --password-file FILE",
			"no certificate to check: the state in '%s' has none and no file was given",
			f->state_dir);
		if (d)
			d->event = 0;   /* a missing answer, not an event */
		goto out;
	}
	if (!fqdn) {
		struct diag *d = diag_add(
			dl, DIAG_VERIFY_SUBJECT_NAME, SEV_WARN, "computer.fqdn",
			"pass --fqdn NAME or set [computer] fqdn",
			"no FQDN configured: the certificate's name cannot be compared");
		if (d)
			d->event = 0;   /* a missing answer, not an event */
	}
	verify_certificate(&in, h, dl);
out:
	secret_wipe(&pw);
	if (installed || conf_path)
		agentconf_release(&a);
	free(conf_path);
}

/* Stage 6's certificate in use: the days (hours, minutes) it has left,
 * judged by its default renewal window.  Nothing when the agent
 * configuration names none (serial_check_files says so). */
static void check_expiry(struct flow *f, struct diag_list *dl)
{
	struct cert_expiry e;
	char *cert = NULL;

	if (cert_expiry_in_use(f->ctx.cfg, f->ctx.st, f->ctx.state_dir,
			       time(NULL), -1, &e, &cert, dl) == 0)
		cert_expiry_diag(&e, cert, dl);
	free(cert);
}

/* Stages 5-7: agent configuration, connectivity, serial, approval probe. */
static void check_agent(struct flow *f, const struct check_opts *o,
			const struct hooks *h, struct diag_list *dl)
{
	bool files_only = o->cert_path || o->pfx_path;
	char *path = agentconf_path(f->ctx.cfg, f->ctx.st, f->ctx.state_dir);
	struct agentconf a;
	agentconf_init(&a);
	struct diag_list rd;
	diag_list_init(&rd);
	int r = agentconf_read(path, &a, &rd);
	if (r == 1) {
		enum diag_severity sev =
			files_only || !flow_stage_applies(f, STAGE_AGENT)
				? SEV_SKIP : SEV_FAIL;
		diag_add_rerun(dl, DIAG_AGENT_CONFIG, sev,
			       "agent.config", STAGE_AGENT, "",
			       "no agent configuration at '%s'%s", path,
			       files_only ? " (checking the given files only)" : "");
		struct diag *d = diag_add(
			dl, DIAG_SERIAL_AGENT_CONFIGURED, sev,
			"agent.config", NULL,
			"no serial can be recorded without an agent configuration");
		diag_set_fix(d, "run %s, then stage %d",
			     stage_ref(STAGE_AGENT), STAGE_SERIAL);
		goto out;
	}
	if (r < 0) {
		diag_list_append(dl, &rd);
		goto out;
	}
	char err[512];
	if (agent_check_mgmt_group(a.management_group, err, sizeof(err)) < 0)
		diag_set_fix(diag_add(dl, DIAG_AGENT_MGMT_GROUP, SEV_FAIL,
				      "agent.management_group", NULL, "%s", err),
			     "correct the management group in stage %d",
			     STAGE_AGENT);
	else
		diag_add(dl, DIAG_AGENT_MGMT_GROUP, SEV_PASS, "agent.management_group",
			 NULL, "management group '%s'", a.management_group);
	diag_add(dl, DIAG_AGENT_CONFIG, SEV_PASS, "agent.config", NULL,
		 "agent configuration '%s': server %s, port %d", path,
		 a.server ? a.server : "(none)", a.port);
	if (!o->skip_network && a.server)
		netprobe_check(a.server, a.port, CHECK_PROBE_TIMEOUT_MS, h, dl,
			       DIAG_AGENT_DNS, DIAG_AGENT_TCP, "agent.server",
			       "agent.port", 0, NULL);
	serial_check_files(path, o->cert_path ? o->cert_path : f->st.cert_path, dl);
	check_expiry(f, dl);
	if (!o->skip_network && f->cfg.approval_source != APPROVAL_NONE)
		approval_probe(&f->ctx, h, dl);
out:
	diag_list_release(&rd);
	agentconf_release(&a);
	free(path);
}

int check_collect(struct flow *f, const struct check_opts *o,
		  const struct hooks *h, struct diag_list *dl)
{
	/* Before --fqdn and --trust-store take their places: staleness is
	 * judged against the answers a run would use. */
	check_stale(f, o->json, dl);
	const char *fqdn = o->fqdn ? o->fqdn : ctx_fqdn(&f->ctx);
	if (o->fqdn)
		config_set_str(&f->cfg.fqdn, o->fqdn);
	if (o->trust_store)
		config_set_str(&f->cfg.trust_store, o->trust_store);
	const char *store = ctx_trust_store(&f->ctx);
	check_trust(f, o->trust_store != NULL, dl);
	check_certificate(f, o, fqdn, store, h, dl);
	check_agent(f, o, h, dl);
	return diag_worst(dl) == SEV_FAIL ? 1 : 0;
}
