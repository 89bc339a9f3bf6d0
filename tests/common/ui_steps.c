/*
 * ui_steps.c - the UI tests' fixture and steps on the wizard's screen (see
 * ui_steps.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ui_steps.h"

static struct lab g_lab;
static bool g_lab_up;

int ui_lab_group_setup(void **state)
{
	static const char *const args[] = { "--auto-approve", "0", NULL };
	if (lab_start(&g_lab, NULL, args) != 0)
		return -1;
	g_lab_up = true;
	return 0;
}

int ui_lab_group_teardown(void **state)
{
	if (g_lab_up)
		lab_stop(&g_lab);
	g_lab_up = false;
	return 0;
}

int ui_fx_setup(void **state)
{
	struct ui_fx *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	fx->lab = &g_lab;
	fx->state = test_mkdtemp("ui-flow-");
	if (!fx->state) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

int ui_fx_teardown(void **state)
{
	struct ui_fx *fx = *state;
	if (fx->started)
		vt_close(&fx->t);
	if (fx->own_up)
		lab_stop(&fx->own);
	test_rm_rf(fx->state);
	free(fx->state);
	free(fx);
	return 0;
}

void ui_fx_start(struct ui_fx *fx)
{
	if (fx->started)
		vt_close(&fx->t);
	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, fx->state,
					 fx->lab->answers, NULL), 0);
	fx->started = true;
	ui_wait(&fx->t, "Welcome");
}

void ui_fx_start_at(struct ui_fx *fx, int n)
{
	ui_fx_start(fx);
	ui_enter(&fx->t);
	for (int s = 1; s < n; s++)
		ui_pass_stage(&fx->t, s);
	ui_heading(&fx->t, n);
}

void ui_fx_verify_fails(struct ui_fx *fx, const char *template)
{
	ui_fx_start_at(fx, 2);
	ui_tab(&fx->t, 2);
	ui_clear_field(&fx->t);
	vt_type(&fx->t, template);
	ui_pass_stage(&fx->t, 2);
	ui_heading(&fx->t, 3);
	ui_enter(&fx->t);
	ui_wait(&fx->t, "stage 3 failed");
}

void ui_wait(struct vt *t, const char *text)
{
	if (vt_wait_text(t, text, UI_WAIT_MS) != 0) {
		vt_dump(t, stderr);
		fail_msg("timed out waiting for '%s'", text);
	}
}

void ui_enter(struct vt *t)
{
	vt_key(t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
}

void ui_tab(struct vt *t, int n)
{
	for (int i = 0; i < n; i++)
		vt_key(t, VTERM_KEY_TAB, VTERM_MOD_NONE);
}

void ui_clear_field(struct vt *t)
{
	vt_send(t, "\025", 1);   /* Ctrl-U */
	vt_pump(t, 30);
}

void ui_heading(struct vt *t, int n)
{
	char h[64];
	snprintf(h, sizeof(h), "Stage %d of 7", n);
	ui_wait(t, h);
}

void ui_run_stage_ok(struct vt *t, int n)
{
	char done[64], failed[64];
	snprintf(done, sizeof(done), "stage %d done", n);
	snprintf(failed, sizeof(failed), "stage %d failed", n);
	ui_heading(t, n);
	ui_enter(t);
	for (int round = 0; round < 4; round++) {
		const char *const any[] = { done, "(y/n)", failed, NULL };
		int w = vt_wait_any(t, any, UI_WAIT_MS);
		if (w == 0)
			return;
		if (w == 1) {
			vt_type(t, "y");
			vt_wait_gone(t, "(y/n)", 5000);
			continue;
		}
		vt_dump(t, stderr);
		fail_msg("stage %d did not finish (%s)", n,
			 w == 2 ? "failed" : "timeout");
	}
	vt_dump(t, stderr);
	fail_msg("stage %d kept asking", n);
}

void ui_pass_stage(struct vt *t, int n)
{
	ui_run_stage_ok(t, n);
	ui_enter(t);
}
