/*
 * test_stage_screens.c - the stage screen definitions (screens/scr_*.c):
 * each names its own stage, and a stage's own fields are set by its own
 * screen: "check again" on the request screen asks the CA about the
 * pending request whatever offline mode was chosen (ctx.request_action),
 * while the generic engine and the other stages leave that field alone.
 * The fields read the configuration schema: choice lists are its
 * CONFIG_NAMES_*, numbers and the friendly name are judged by their key's
 * rule, and the loader, the stage and the screen say the same thing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/config_load.h"
#include "core/config_schema.h"
#include "core/ctx.h"
#include "stages/request.h"
#include "stages/stages.h"

#include "screens.h"
#include "stage_screen.h"

static const struct stage_screen *const ALL[] = {
	&SCR_TRUST, &SCR_REQUEST, &SCR_VERIFY, &SCR_EXPORT, &SCR_AGENT,
	&SCR_SERIAL, &SCR_APPROVAL,
};

static void test_each_names_its_stage(void **st)
{
	for (size_t i = 0; i < sizeof(ALL) / sizeof(ALL[0]); i++) {
		assert_int_equal(ALL[i]->stage, STAGE_TRUST + (int)i);
		assert_non_null(ALL[i]->run_label);
		assert_non_null(ALL[i]->intro);
	}
}

static struct flow f;
static struct ui ui;

static int setup(void **st)
{
	memset(&f, 0, sizeof(f));
	memset(&ui, 0, sizeof(ui));
	ui.f = &f;
	return 0;
}

static void test_request_recheck_asks_the_ca(void **st)
{
	f.ctx.request_action = REQ_ACT_SAVE_CSR;
	assert_non_null(SCR_REQUEST.recheck);
	SCR_REQUEST.recheck(&ui);
	assert_int_equal(f.ctx.request_action, REQ_ACT_AUTO);
}

static void test_other_stages_leave_request_action(void **st)
{
	for (size_t i = 0; i < sizeof(ALL) / sizeof(ALL[0]); i++) {
		if (ALL[i] == &SCR_REQUEST || !ALL[i]->recheck)
			continue;
		f.ctx.request_action = REQ_ACT_IMPORT_CERT;
		ALL[i]->recheck(&ui);
		assert_int_equal(f.ctx.request_action, REQ_ACT_IMPORT_CERT);
	}
}

/* "y" to a question sets the ctx flag the stage reads on its next run. */
static void test_confirmations_name_their_flag(void **st)
{
	assert_int_equal(SCR_TRUST.confirm_flag, CTX_FLAG(confirm_trust));
	assert_int_equal(SCR_VERIFY.confirm_flag, CTX_FLAG(confirm_warnings));
	assert_int_equal(SCR_EXPORT.confirm_flag, CTX_FLAG(confirm_overwrite));
	assert_non_null(SCR_TRUST.question);
	assert_int_equal(SCR_REQUEST.confirm_flag, CTX_FLAG(confirm_abandon));
	assert_non_null(SCR_REQUEST.question);
	assert_int_equal(SCR_APPROVAL.confirm_flag, 0);
}

/* Stage 2's answers to its questions (leave the pending request, make a
 * new key) hold for one run: the next Enter (commit) or "check again"
 * asks anew. */
static void test_request_answers_hold_one_run(void **st)
{
	struct uform fm;
	char q[300];
	assert_int_equal(uform_init(&fm, SCR_REQUEST.fields, SCR_REQUEST.nfields,
				    &ui), 0);
	f.ctx.confirm_abandon = f.ctx.request_new_key = true;
	assert_int_equal(SCR_REQUEST.commit(&ui, &fm), 0);
	assert_false(f.ctx.confirm_abandon);
	assert_false(f.ctx.request_new_key);
	f.ctx.confirm_abandon = f.ctx.request_new_key = true;
	SCR_REQUEST.recheck(&ui);
	assert_false(f.ctx.confirm_abandon);
	assert_false(f.ctx.request_new_key);
	uform_release(&fm);
	/* the question names the request the CA holds */
	f.st.request_id = 17;
	SCR_REQUEST.question(&ui, q, sizeof(q));
	assert_non_null(strstr(q, "request ID 17 was made with the old answers"));
	f.st.request_id = 0;
	/* F6 sets request_new_key for its run */
	assert_non_null(SCR_REQUEST.choice);
	assert_int_equal(SCR_REQUEST.choice->act, ACT_NEW_KEY);
	assert_int_equal(SCR_REQUEST.choice->flag, CTX_FLAG(request_new_key));
}

static void test_verify_question_counts_warnings(void **st)
{
	char q[200];
	diag_list_init(&f.last[STAGE_VERIFY]);
	diag_add(&f.last[STAGE_VERIFY], DIAG_VERIFY_SUBJECT_NAME, SEV_WARN, NULL,
		 NULL, "short name");
	assert_string_equal(SCR_VERIFY.question(&ui, q, sizeof(q)),
			    "accept 1 warning(s) and go on?");
	diag_list_release(&f.last[STAGE_VERIFY]);
}

/* Every field of a schema key takes its choices and its number rule from
 * the schema: a screen cannot list its own names or limits. */
static void test_fields_read_the_schema(void **st)
{
	int choices = 0, numbers = 0;
	for (size_t i = 0; i < sizeof(ALL) / sizeof(ALL[0]); i++)
		for (int j = 0; j < ALL[i]->nfields; j++) {
			const struct fdef *d = &ALL[i]->fields[j];
			const struct config_key *k = config_key_find(d->key);
			if (!k)
				continue;
			if (d->type == FT_CHOICE) {
				assert_int_equal(k->type, CT_ENUM);
				assert_ptr_equal(d->choices, k->names);
				choices++;
			}
			if (d->type == FT_INT || k->type == CT_INT) {
				assert_int_equal(d->type, FT_INT);
				assert_int_equal(k->type, CT_INT);
				assert_ptr_equal(d->validate, val_schema);
				numbers++;
			}
		}
	assert_int_equal(choices, 5);  /* source, auth (stages 1, 2), compat, target */
	assert_int_equal(numbers, 2);  /* key.bits, agent.port */
}

/* The screen's verdict on field key of screen sc holding value. */
static enum diag_severity screen_says(const struct stage_screen *sc,
				      const char *key, const char *value,
				      char *msg, size_t n)
{
	struct uform fm;
	assert_int_equal(uform_init(&fm, sc->fields, sc->nfields, &ui), 0);
	int i = uform_index(&fm, key);
	assert_true(i >= 0);
	uform_set(&fm, key, value);
	fm.fs[i].touched = true;
	enum diag_severity sev = uform_validate(&fm, i);
	snprintf(msg, n, "%s", fm.fs[i].msg);
	uform_release(&fm);
	return sev;
}

/* The loader's verdict on "[section]\nkey = value": the diagnostic at the
 * key's field, or NULL. */
static char *loader_says(const char *key, const char *value)
{
	const struct config_key *k = config_key_find(key);
	char path[] = "/tmp/test_stage_screens_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *fp = fdopen(fd, "w");
	assert_non_null(fp);
	fprintf(fp, "[%s]\n%s = %s\n", k->section, k->key, value);
	fclose(fp);
	struct config c;
	struct diag_list dl;
	config_init(&c);
	diag_list_init(&dl);
	int r = config_load_file(&c, path, true, &dl);
	const struct diag *d = diag_find_field(&dl, key, SEV_FAIL);
	char *msg = d ? strdup(d->message) : NULL;
	assert_int_equal(r, d ? -1 : 0);
	diag_list_release(&dl);
	config_release(&c);
	unlink(path);
	return msg;
}

/* What a stage runs with: defaults, no state, no directory. */
struct stage_env {
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
};

static void env_open(struct stage_env *e)
{
	config_init(&e->cfg);
	state_init(&e->st);
	diag_list_init(&e->dl);
	ctx_init(&e->c, &e->cfg, &e->st, "/nonexistent");
}

static void env_close(struct stage_env *e)
{
	diag_list_release(&e->dl);
	ctx_release(&e->c);
	state_release(&e->st);
	config_release(&e->cfg);
}

/* The friendly name: the loader refuses a 65-character name from an
 * answers file with the message the screen shows and stage 4 gives. */
static void test_friendly_name_one_rule(void **st)
{
	char name[RULE_FRIENDLY_NAME_MAX + 2], msg[UFORM_MSG_MAX];
	struct verdict rule;
	memset(name, 'n', sizeof(name));
	name[RULE_FRIENDLY_NAME_MAX] = '\0';
	/* the limit itself passes everywhere */
	assert_int_equal(rule_friendly_name(name, &rule), SEV_PASS);
	assert_null(loader_says("export.friendly_name", name));
	assert_int_equal(screen_says(&SCR_EXPORT, "export.friendly_name", name,
				     msg, sizeof(msg)), SEV_PASS);
	/* one more character fails everywhere, in the same words */
	name[RULE_FRIENDLY_NAME_MAX] = 'n';
	name[RULE_FRIENDLY_NAME_MAX + 1] = '\0';
	assert_int_equal(rule_friendly_name(name, &rule), SEV_FAIL);
	assert_non_null(strstr(rule.msg, "65 characters"));
	char *loader = loader_says("export.friendly_name", name);
	assert_non_null(loader);
	assert_non_null(strstr(loader, rule.msg));
	free(loader);
	assert_int_equal(screen_says(&SCR_EXPORT, "export.friendly_name", name,
				     msg, sizeof(msg)), SEV_FAIL);
	assert_string_equal(msg, rule.msg);

	struct stage_env e;
	env_open(&e);
	config_set_str(&e.cfg.export_friendly_name, name);
	assert_int_equal(stage_export_run(&e.c, NULL, &e.dl), ST_FAIL);
	const struct diag *d = diag_find_field(&e.dl, "export.friendly_name",
					       SEV_FAIL);
	assert_non_null(d);
	assert_string_equal(d->message, rule.msg);
	assert_int_equal(d->stage, STAGE_EXPORT);
	env_close(&e);
}

/* Stage 2 and its screen ask for a user name for the same methods
 * (ca_auth_needs_password): negotiate takes the Kerberos ticket. */
static void test_auth_user_asked_alike(void **st)
{
	for (int a = 0; CONFIG_NAMES_CA_AUTH[a]; a++) {
		bool needs = ca_auth_needs_password((enum ca_auth)a);
		struct uform fm;
		assert_int_equal(uform_init(&fm, SCR_REQUEST.fields,
					    SCR_REQUEST.nfields, &ui), 0);
		uform_set_choice(&fm, "ca.auth", CONFIG_NAMES_CA_AUTH[a]);
		assert_int_equal(uform_choice_index(&fm, "ca.auth"), a);
		int i = uform_index(&fm, "ca.user");
		fm.fs[i].touched = true;
		assert_int_equal(uform_validate(&fm, i) == SEV_FAIL, needs);
		uform_release(&fm);

		struct stage_env e;
		env_open(&e);
		e.cfg.ca_auth = (enum ca_auth)a;
		request_validate(&e.c, "agent01.example.com", true, &e.dl);
		assert_int_equal(diag_find_field(&e.dl, "ca.user", SEV_FAIL) != NULL,
				 needs);
		env_close(&e);
	}
	assert_false(ca_auth_needs_password(AUTH_NEGOTIATE));
	assert_true(ca_auth_needs_password(AUTH_NTLM));
}

/* A number field says what its key's rule says, not a range of its own. */
static void test_number_fields_say_the_rule(void **st)
{
	static const struct {
		const struct stage_screen *sc;
		const char *key, *value;
	} cases[] = {
		{ &SCR_REQUEST, "key.bits", "512" },
		{ &SCR_REQUEST, "key.bits", "20000" },
		{ &SCR_REQUEST, "key.bits", "2o48" },
		{ &SCR_AGENT, "agent.port", "0" },
		{ &SCR_AGENT, "agent.port", "65536" },
		{ &SCR_AGENT, "agent.port", "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[UFORM_MSG_MAX];
		struct verdict schema;
		config_key_check_text(config_key_find(cases[i].key),
				      cases[i].value, &schema);
		assert_int_equal(schema.sev, SEV_FAIL);
		assert_int_equal(screen_says(cases[i].sc, cases[i].key,
					     cases[i].value, msg, sizeof(msg)),
				 SEV_FAIL);
		assert_string_equal(msg, schema.msg);
		if (!cases[i].value[0])
			continue;           /* in a file: the key is not set */
		char *loader = loader_says(cases[i].key, cases[i].value);
		assert_non_null(loader);
		assert_non_null(strstr(loader, schema.msg));
		free(loader);
	}
	/* a warning of the rule shows as a warning */
	char msg[UFORM_MSG_MAX];
	struct verdict rule;
	rule_key_bits(1024, &rule);
	assert_int_equal(screen_says(&SCR_REQUEST, "key.bits", "1024", msg,
				     sizeof(msg)), SEV_WARN);
	assert_string_equal(msg, rule.msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_names_its_stage),
		cmocka_unit_test_setup(test_request_recheck_asks_the_ca, setup),
		cmocka_unit_test_setup(test_other_stages_leave_request_action,
				       setup),
		cmocka_unit_test(test_confirmations_name_their_flag),
		cmocka_unit_test_setup(test_request_answers_hold_one_run, setup),
		cmocka_unit_test_setup(test_verify_question_counts_warnings, setup),
		cmocka_unit_test(test_fields_read_the_schema),
		cmocka_unit_test_setup(test_friendly_name_one_rule, setup),
		cmocka_unit_test_setup(test_number_fields_say_the_rule, setup),
		cmocka_unit_test_setup(test_auth_user_asked_alike, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
