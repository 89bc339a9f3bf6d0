/*
 * scr_evidence.c - "Diagnose a Windows computer" from the welcome screen:
 * a form with the evidence collect.cmd wrote (its folder or zip) and an
 * optional FQDN of the computer (the product's one rule,
 * rule_computer_fqdn); Enter runs evidence_check (wizard/evidence_check.h)
 * and shows its diagnostics in the shared results view (diag_view.h).  Esc
 * there returns to the fields, their values kept; Esc again to the
 * welcome screen.  A path that is not evidence (missing, neither a folder
 * nor a zip) is said at its field, escaped (core/text.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/text.h"
#include "core/validate.h"
#include "diag_view.h"
#include "evidence_check.h"
#include "frame.h"
#include "help.h"
#include "scr_explain.h"
#include "screens.h"
#include "widgets/form.h"

#define TITLE "Diagnose a Windows computer"
#define F_PATH "evidence.path"
#define F_FQDN "evidence.fqdn"
#define INTRO_LINES 4

static const char INTRO[] =
	"Give the folder or zip that collect.cmd wrote on the Windows "
	"computer, copied here. Leave the FQDN empty to use the one in the "
	"evidence.";

static enum diag_severity val_path(struct uform *fm, int idx, const char *v,
				   char *msg, size_t n, void *ud)
{
	struct verdict vd;
	(void)fm, (void)idx, (void)ud;
	if (!*v)
		return uform_say(SEV_FAIL, msg, n, "give the folder collect.cmd "
				 "wrote on the Windows computer, or its zip");
	if (rule_path(v, &vd) != SEV_PASS)
		snprintf(msg, n, "%s", vd.msg);
	return vd.sev;
}

/* Empty: the FQDN in the evidence; else the computer's name rule. */
static enum diag_severity val_fqdn(struct uform *fm, int idx, const char *v,
				   char *msg, size_t n, void *ud)
{
	struct verdict vd;
	(void)fm, (void)idx, (void)ud;
	if (!*v)
		return SEV_PASS;
	if (rule_computer_fqdn(v, &vd) != SEV_PASS)
		snprintf(msg, n, "%s", vd.msg);
	return vd.sev;
}

static const struct fdef FIELDS[] = {
	{ F_PATH, "Evidence", FT_TEXT, NULL, NULL, val_path },
	{ F_FQDN, "Computer FQDN", FT_TEXT, NULL, NULL, val_fqdn },
};
#define NFIELDS ((int)(sizeof(FIELDS) / sizeof(FIELDS[0])))

struct estate {
	struct uform fm;
	struct diag_view view;
	char path[UFORM_VALUE_MAX];   /* the values of the last run */
	char fqdn[UFORM_VALUE_MAX];
};

static int collect(struct ui *ui, void *ud, struct diag_list *dl)
{
	struct estate *es = ud;
	(void)ui;
	return evidence_check(es->path, es->fqdn[0] ? es->fqdn : NULL, dl);
}

/* A focused text field takes letters as text. */
static enum keyctx form_ctx(const struct estate *es)
{
	return es->fm.active ? KC_FORM | KC_TEXT : KC_FORM;
}

static void draw_form(struct ui *ui, struct estate *es)
{
	struct keyhint keys[10];
	const char *edit[4];
	struct rect in = ui->lay.inner;
	int k = 0, ne, nl, y;

	uform_sync(&es->fm);
	uform_hide(&es->fm);
	if (ui->lay.too_small) {
		frame_too_small(ui);
		return;
	}
	es->fm.active = true;   /* before the key line: letters are text */
	keys[k++] = (struct keyhint){ ACT_NEXT, ACT_NONE, "Diagnose" };
	keys[k++] = (struct keyhint){ ACT_FIELD_NEXT, ACT_FIELD_PREV, NULL };
	ne = uform_edit_hints(&es->fm, edit, 4);
	for (int e = 0; e < ne; e++)
		keys[k++] = (struct keyhint){ ACT_NONE, ACT_NONE, edit[e] };
	keys[k++] = (struct keyhint){ ACT_BACK, ACT_NONE, NULL };
	keys[k++] = (struct keyhint){ ACT_HELP, ACT_NONE, NULL };
	keys[k++] = (struct keyhint){ ACT_QUIT, ACT_NONE, NULL };
	frame_draw(ui, TITLE, (struct keyline){ form_ctx(es), keys, k });
	theme_on(&ui->th, stdscr, TH_DIM);
	nl = frame_text((struct rect){ in.y, in.x, INTRO_LINES, in.w }, INTRO,
			NULL);
	theme_on(&ui->th, stdscr, TH_NORMAL);
	y = in.y + (nl < INTRO_LINES ? nl : INTRO_LINES) + 1;
	uform_show(&es->fm, &ui->th,
		   (struct rect){ y, in.x, in.y + in.h - y, in.w });
	refresh();
	uform_place_cursor(&es->fm);
	refresh();
}

/* What the results view says above the list: the evidence and the name
 * it is checked against, escaped. */
static void set_intro(struct estate *es)
{
	struct strbuf b = STRBUF_INIT;
	char *path = text_escape_dup(es->path);
	char *fqdn = text_escape_dup(es->fqdn);
	char *t;

	strbuf_printf(&b, "Evidence: %s; computer FQDN: ", path ? path : "");
	if (fqdn && fqdn[0])
		strbuf_printf(&b, "'%s'.", fqdn);
	else
		strbuf_puts(&b, "the one in it.");
	t = strbuf_take(&b);
	diag_view_set_intro(&es->view, t);
	free(t);
	free(path);
	free(fqdn);
}

/* The evidence could not be read at all: its evidence_file message at the
 * path field, escaped, instead of an empty list. */
static void say_at_path(struct estate *es, const struct diag_list *dl)
{
	struct diag_list fl;
	const struct diag *d = dl->n ? &dl->items[0] : NULL;
	char msg[UFORM_MSG_MAX], fix[UFORM_MSG_MAX];
	const char *m = d && d->message ? d->message : "cannot read it";
	const char *f = d && d->fix ? d->fix : "";

	text_escape(msg, sizeof(msg), m, strlen(m), TEXT_ESC_TERM);
	text_escape(fix, sizeof(fix), f, strlen(f), TEXT_ESC_TERM);
	diag_list_init(&fl);
	diag_add(&fl, DIAG_EVIDENCE_FILE, SEV_FAIL, F_PATH, fix[0] ? fix : NULL,
		 "%s", msg);
	uform_apply_diags(&es->fm, &fl);
	diag_list_release(&fl);
	uform_focus(&es->fm, uform_index(&es->fm, F_PATH));
}

/* Enter on the form: true when the results are there to show. */
static bool try_run(struct ui *ui, struct estate *es)
{
	struct diag_list dl;
	int bad, r;

	uform_apply_diags(&es->fm, NULL);   /* judge the values anew */
	bad = uform_validate_all(&es->fm);
	if (bad >= 0) {
		uform_focus(&es->fm, bad);
		ui_set_msg(ui, TH_ERROR, "fix the field marked above first");
		return false;
	}
	snprintf(es->path, sizeof(es->path), "%s", uform_value(&es->fm, F_PATH));
	snprintf(es->fqdn, sizeof(es->fqdn), "%s", uform_value(&es->fm, F_FQDN));
	set_intro(es);
	uform_hide(&es->fm);
	diag_list_init(&dl);
	r = diag_view_run(ui, &es->view, &dl);
	if (r < 0) {
		ui->msg[0] = 0;
		say_at_path(es, &dl);
	}
	diag_list_release(&dl);
	return r >= 0;
}

/* One key on the form: where to go (NAV_NEXT: the results). */
static enum nav form_key(struct ui *ui, struct estate *es, int r, wint_t ch)
{
	enum action act = keymap_action(r, ch, form_ctx(es));
	if (act == ACT_QUIT)
		return NAV_QUIT;
	if (ui->lay.too_small)
		return NAV_STAY;
	ui->msg[0] = 0;
	switch (act) {
	case ACT_HELP:
		return help_show(ui, SCREEN_EVIDENCE);
	case ACT_EXPLAIN:
		return scr_explain_show(ui, 0);
	case ACT_BACK:
		return NAV_BACK;
	case ACT_NEXT:
		return try_run(ui, es) ? NAV_NEXT : NAV_STAY;
	default:
		uform_key(&es->fm, r, ch);
		return NAV_STAY;
	}
}

/* The form until Enter shows results (NAV_NEXT), Esc or quit. */
static enum nav form_loop(struct ui *ui, struct estate *es)
{
	enum nav nav = NAV_STAY;
	while (nav == NAV_STAY) {
		wint_t ch;
		int r;
		draw_form(ui, es);
		r = ui_getkey(ui, &ch);
		if (!ui_key_ignored(r, ch))
			nav = form_key(ui, es, r, ch);
	}
	return nav;
}

enum nav scr_evidence_run(struct ui *ui)
{
	struct estate *es = calloc(1, sizeof(*es));
	enum nav nav = NAV_STAY;

	if (!es || uform_init(&es->fm, FIELDS, NFIELDS, ui) < 0) {
		free(es);
		return NAV_QUIT;
	}
	diag_view_init(&es->view, TITLE, SCREEN_EVIDENCE, collect, es);
	es->view.busy_what = "reading the evidence...";
	uform_focus(&es->fm, 0);
	while (nav == NAV_STAY) {
		nav = form_loop(ui, es);
		if (nav == NAV_NEXT) {
			nav = diag_view_loop(ui, &es->view);
			ui->msg[0] = 0;
			if (nav == NAV_BACK) {   /* the fields, values kept */
				uform_focus(&es->fm, 0);
				nav = NAV_STAY;
			}
		}
	}
	ui->repaint = NULL;
	ui->repaint_ud = NULL;
	ui->msg[0] = 0;
	uform_release(&es->fm);
	diag_view_release(&es->view);
	free(es);
	return nav;
}
