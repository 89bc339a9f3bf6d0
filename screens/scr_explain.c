/*
 * scr_explain.c - the explain page (scr_explain.h): one line of text, the
 * event found in it (explain_find_id) and its explanation from the events
 * table (each cause with its deciders: `check` here, `check --evidence` on
 * collected evidence), scrolled with Up/Down/PgUp/PgDn.  Enter and Tab are spaces, so a
 * pasted multi-line event text stays one text.
 */
#include "scr_explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "frame.h"
#include "widgets/lineedit.h"

#define KEY_CTRL_U 21
#define LABEL "Event ID or text: "

struct xstate {
	struct ledit ed;
	int id;             /* explain_find_id of the line, 0: none */
	char *text;         /* its explanation, or NULL */
	int first;          /* first wrapped line shown */
};

/* The line changed: find the event again. */
static void refresh_text(struct xstate *xs)
{
	int id = explain_find_id(xs->ed.value);
	const struct om_event *e = id > 0 ? om_event_find(id) : NULL;
	if (id == xs->id && (xs->text || !e))
		return;
	xs->id = id;
	xs->first = 0;
	free(xs->text);
	xs->text = e ? explain_text(e, 0) : NULL;
}

/* The line's last characters that fit in w columns (ASCII width; a pasted
 * text is shown by its end, where typing goes). */
static void draw_line(struct ui *ui, struct rect in, const struct xstate *xs)
{
	int room = in.w - (int)strlen(LABEL) - 1;
	const char *v = xs->ed.value;
	int chars = ledit_chars(&xs->ed);
	while (chars > room && *v) {
		do
			v++;
		while ((*v & 0xC0) == 0x80);
		chars--;
	}
	theme_on(&ui->th, stdscr, TH_NORMAL);
	mvaddstr(in.y, in.x, LABEL);
	theme_on(&ui->th, stdscr, TH_FIELD_FOCUS);
	addstr(v);
	for (int i = chars; i < room; i++)
		addch(' ');
	theme_on(&ui->th, stdscr, TH_NORMAL);
}

static void draw(struct ui *ui, struct xstate *xs)
{
	static const struct keyhint keys[] = {
		{ ACT_UP, ACT_DOWN, "Scroll" }, { ACT_BACK, ACT_NONE, "Close" },
		{ ACT_QUIT, ACT_NONE, NULL },
	};
	struct rect in = ui->lay.inner;
	if (ui->lay.too_small) {
		frame_too_small(ui);
		return;
	}
	/* the line takes text: the key line names no letter */
	frame_draw(ui, "Explain an event",
		   (struct keyline){ KC_HELP | KC_TEXT, keys, 3 });
	draw_line(ui, in, xs);
	struct rect body = { in.y + 2, in.x, in.h - 2, in.w };
	char msg[256];
	const char *shown = xs->text;
	if (!shown)
		shown = xs->ed.value[0] ? explain_unknown(xs->id, msg, sizeof(msg))
			: "Type an Operations Manager event ID (e.g. 21007) or "
			  "paste the event's text from Event Viewer or "
			  "wevtutil: its meaning, usual causes, the checks that "
			  "decide each (a row of the Diagnose screen here, and "
			  "of check --evidence on a Windows computer's "
			  "collected evidence) and the fix show here.";
	int n = layout_wrap(shown, body.w, 0, NULL, NULL);
	if (n > body.h && body.h > 1) {
		body.h--;
		frame_text(body, shown, &xs->first);
		pane_draw_more(&ui->th, stdscr, body, body.y + body.h, xs->first,
			       n - xs->first - body.h);
	} else {
		frame_text(body, shown, &xs->first);
	}
	curs_set(0);
	refresh();
}

/* A key that edits the line: 1 when it was one. */
static int edit(struct xstate *xs, int r, wint_t ch)
{
	enum ledit_op op = LE_NONE;
	if (r == OK && (ch == '\r' || ch == '\n' || ch == '\t')) {
		op = LE_INSERT;
		ch = ' ';
	} else if (r == OK && ch >= 32 && ch != 127) {
		op = LE_INSERT;
	} else if ((r == OK && (ch == 127 || ch == 8)) ||
		   (r == KEY_CODE_YES && ch == KEY_BACKSPACE)) {
		op = LE_DEL_PREV;
	} else if (r == OK && ch == KEY_CTRL_U) {
		op = LE_CLEAR;
	}
	if (op == LE_NONE)
		return 0;
	ledit_apply(&xs->ed, op, ch);
	refresh_text(xs);
	return 1;
}

enum nav scr_explain_show(struct ui *ui, int event)
{
	struct xstate xs;
	enum nav nav = NAV_STAY;
	memset(&xs, 0, sizeof(xs));
	if (event > 0) {
		char id[16];
		snprintf(id, sizeof(id), "%d", event);
		ledit_set(&xs.ed, id);
		ledit_enter(&xs.ed);   /* selected: typing replaces it */
	}
	refresh_text(&xs);
	for (;;) {
		wint_t ch;
		draw(ui, &xs);
		int r = ui_getkey(ui, &ch);
		if (ui_key_ignored(r, ch))
			continue;
		enum action act = keymap_action(r, ch, KC_HELP | KC_TEXT);
		if (act == ACT_QUIT)
			nav = NAV_QUIT;
		if (act == ACT_QUIT || act == ACT_BACK)
			break;
		if (act == ACT_TOP)
			xs.first = 0;
		else if (act == ACT_BOTTOM)
			xs.first = FRAME_TEXT_MAX;
		else if (!ui_scroll(act, &xs.first) &&
			 !ui_page(act, &xs.first, ui->lay.inner.h - 4))
			edit(&xs, r, ch);
	}
	ledit_wipe(&xs.ed);
	free(xs.text);
	return nav;
}

int scr_explain_pane_event(const struct pane *p)
{
	if (!p || p->n <= 0 || p->sel < 0 || p->sel >= p->n)
		return 0;
	return p->rows[p->sel].event;
}
