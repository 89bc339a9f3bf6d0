/*
 * test_ui_fields.c - one rule, one message, three places: the
 * 60-character management group and the single-label management server
 * fed through the loader (an answers file, in the real binary and in
 * process), stage 5 (its entry point, cancelled right after its field
 * checks so no network is touched) and the stage 5 screen (the real
 * wizard in a pty read through libvterm).  All three must say the same
 * words; the short-name warning must be on screen and stay there after
 * the focus moves on and Enter is refused; at 80x24 the whole limit
 * message is under the field (no line of it cut).  No lab needed: the saved
 * state says stages 1-4 are done, so the wizard continues at stage 5.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/config_load.h"
#include "core/ctx.h"
#include "core/state.h"
#include "core/validate.h"
#include "lab_harness.h"
#include "run_capture.h"
#include "screen_text.h"
#include "stages/stages.h"
#include "vterm_harness.h"

#define LONG_MG "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM"
#define SHORT_SERVER "ms01"

/* The test's directory, its state directory and the wizard it runs. */
struct fx {
	char *dir;
	char state[4096];
	struct vt t;
	bool started;
};

static struct fx g_fx;

static void wait_for(struct fx *fx, const char *text)
{
	if (vt_wait_text(&fx->t, text, VT_DEFAULT_WAIT_MS) == 0)
		return;
	vt_dump(&fx->t, stderr);
	fail_msg("timed out waiting for '%s'", text);
}

static int group_setup(void **state)
{
	g_fx.dir = test_mkdtemp("ui-fields-");
	if (!g_fx.dir)
		return -1;
	snprintf(g_fx.state, sizeof(g_fx.state), "%s/state", g_fx.dir);
	*state = &g_fx;
	return 0;
}

static int group_teardown(void **state)
{
	if (g_fx.started)
		vt_close(&g_fx.t);
	test_rm_rf(g_fx.dir);
	free(g_fx.dir);
	return 0;
}

static char *answers(struct fx *fx, const char *name, const char *mg,
		     const char *server)
{
	char text[512], *path = NULL;
	snprintf(text, sizeof(text),
		 "[agent]\nmanagement_group = %s\nserver = %s\n", mg, server);
	assert_true(asprintf(&path, "%s/%s", fx->dir, name) > 0);
	assert_int_equal(test_write_file(path, text), 0);
	return path;
}

/* The loader's diagnostic at field, or NULL (malloc'd message). */
static char *loader_says(const char *path, const char *field,
			 enum diag_severity *sev)
{
	struct config c;
	struct diag_list dl;
	config_init(&c);
	diag_list_init(&dl);
	config_load_file(&c, path, true, &dl);
	const struct diag *d = diag_find_field(&dl, field, SEV_WARN);
	char *m = d ? strdup(d->message) : NULL;
	*sev = d ? d->sev : SEV_PASS;
	diag_list_release(&dl);
	config_release(&c);
	return m;
}

static int cancel_now(void *ud)
{
	return 1;
}

/* Stage 5's diagnostic at field after its field checks (malloc'd). */
static char *stage_says(struct fx *fx, const char *mg, const char *server,
			const char *field, enum diag_severity *sev)
{
	struct config c;
	struct state s;
	struct ctx x;
	struct diag_list dl;
	struct hooks h = { .cancelled = cancel_now };
	config_init(&c);
	state_init(&s);
	config_set_str(&c.agent_mgmt_group, mg);
	config_set_str(&c.agent_server, server);
	ctx_init(&x, &c, &s, fx->dir);
	diag_list_init(&dl);
	stage_agent_run(&x, &h, &dl);
	const struct diag *d = diag_find_field(&dl, field, SEV_WARN);
	char *m = d ? strdup(d->message) : NULL;
	*sev = d ? d->sev : SEV_PASS;
	diag_list_release(&dl);
	ctx_release(&x);
	state_release(&s);
	config_release(&c);
	return m;
}

/* Saved progress: stages 1-4 done, so the wizard continues at stage 5. */
static void save_progress(struct fx *fx)
{
	struct state s;
	struct diag_list dl;
	diag_list_init(&dl);
	state_init(&s);
	assert_int_equal(state_dir_prepare(fx->state, &dl), 0);
	for (int i = STAGE_TRUST; i < STAGE_AGENT; i++)
		s.stage[i] = STAGE_ST_DONE;
	assert_int_equal(state_save(&s, fx->state, &dl), 0);
	state_release(&s);
	diag_list_release(&dl);
}

/* The column where text starts in row. */
static int col_of(const char *row, const char *text)
{
	const char *at = strstr(row, text);
	int col = 0;
	for (const char *p = row; at && p < at; p++)
		col += ((unsigned char)*p & 0xC0) != 0x80;
	return col;
}

/* The form's rows under the field labelled label, up to the next label,
 * from the label's column on. */
static void under(struct fx *fx, const char *label, const char *next,
		  char *buf, size_t n)
{
	char row[2048];
	int r = vt_find_row(&fx->t, label), end = vt_find_row(&fx->t, next);
	if (r < 0 || end <= r) {
		vt_dump(&fx->t, stderr);
		fail_msg("no '%s' before '%s' on screen", label, next);
	}
	vt_row(&fx->t, r, row, sizeof(row));
	int col = col_of(row, label);
	buf[0] = '\0';
	for (int i = r + 1; i < end; i++) {
		vt_row(&fx->t, i, row, sizeof(row));
		size_t used = strlen(buf);
		snprintf(buf + used, n - used, "%s\n", screen_from_col(row, col));
	}
}

/* The message of the field labelled label is on screen with its marker. */
static void assert_shown(struct fx *fx, const char *label, const char *next,
			 const char *marker, const char *msg)
{
	char rows[4096], a[4096], b[1024];
	under(fx, label, next, rows, sizeof(rows));
	screen_squeeze(rows, "", a, sizeof(a));
	screen_squeeze(msg, "", b, sizeof(b));
	if (!strstr(rows, marker) || !strstr(a, b)) {
		vt_dump(&fx->t, stderr);
		fail_msg("'%s' (%s) is not shown under '%s': '%s'", msg, marker,
			 label, rows);
	}
}

/* The wizard at rows x cols continues at stage 5; the 60-character
 * group typed into its field shows msg under it when the focus moves on. */
static void type_long_group(struct fx *fx, int rows, int cols,
			    const char *msg)
{
	assert_int_equal(vt_start_wizard(&fx->t, rows, cols, fx->state, NULL,
					 NULL), 0);
	fx->started = true;
	wait_for(fx, "Continue at stage 5");
	vt_key(&fx->t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
	wait_for(fx, "Stage 5 of 7");
	vt_type(&fx->t, LONG_MG);
	vt_key(&fx->t, VTERM_KEY_TAB, VTERM_MOD_NONE);
	wait_for(fx, "the limit is");
	assert_shown(fx, "Management group:", "Management server:", "\u2717",
		     msg);
}

static void test_one_message_everywhere(void **state)
{
	struct fx *fx = *state;
	struct verdict mg, server;
	enum diag_severity sev;
	char *m;

	assert_int_equal(strlen(LONG_MG), 60);
	assert_int_equal(rule_mgmt_group(LONG_MG, &mg), SEV_FAIL);
	assert_int_equal(rule_server(SHORT_SERVER, &server), SEV_WARN);

	/* the loader */
	char *bad = answers(fx, "bad.ini", LONG_MG, "ms01.contoso.com");
	char *warn = answers(fx, "warn.ini", "OpsMgr", SHORT_SERVER);
	m = loader_says(bad, "agent.management_group", &sev);
	assert_non_null(m);
	assert_int_equal(sev, SEV_FAIL);
	assert_non_null(strstr(m, mg.msg));
	free(m);
	m = loader_says(warn, "agent.server", &sev);
	assert_non_null(m);
	assert_int_equal(sev, SEV_WARN);
	assert_non_null(strstr(m, server.msg));
	free(m);

	/* stage 5 */
	m = stage_says(fx, LONG_MG, "ms01.contoso.com", "agent.management_group",
		       &sev);
	assert_non_null(m);
	assert_int_equal(sev, SEV_FAIL);
	assert_string_equal(m, mg.msg);
	free(m);
	m = stage_says(fx, "OpsMgr", SHORT_SERVER, "agent.server", &sev);
	assert_non_null(m);
	assert_int_equal(sev, SEV_WARN);
	assert_string_equal(m, server.msg);
	free(m);

	/* the real binary refuses the answers file with the same words */
	assert_int_equal(vt_start_wizard(&fx->t, 24, 200, fx->state, bad, NULL),
			 0);
	fx->started = true;
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 2);
	assert_true(vt_output_has(&fx->t, mg.msg));
	vt_close(&fx->t);
	fx->started = false;

	/* the screen: type both values into stage 5's fields */
	save_progress(fx);
	type_long_group(fx, 30, 120, mg.msg);
	vt_type(&fx->t, SHORT_SERVER);
	vt_key(&fx->t, VTERM_KEY_TAB, VTERM_MOD_NONE);
	wait_for(fx, "is a short name");
	assert_shown(fx, "Management server:", "Port:", "!", server.msg);
	/* it stays: focus moves on, Enter is refused for the group */
	vt_key(&fx->t, VTERM_KEY_TAB, VTERM_MOD_NONE);
	vt_key(&fx->t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
	wait_for(fx, "'Management group' is not valid");
	assert_shown(fx, "Management group:", "Management server:", "\u2717",
		     mg.msg);
	assert_shown(fx, "Management server:", "Port:", "!", server.msg);
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 0);
	vt_close(&fx->t);
	fx->started = false;

	/* at 80x24 the limit is shown whole too: no line of it is cut */
	type_long_group(fx, 24, 80, mg.msg);
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 0);
	free(bad);
	free(warn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_message_everywhere),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
