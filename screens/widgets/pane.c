/*
 * pane.c - the checklist / output pane (pane.h): row storage, every row
 * drawn whole (text, fix and event wrapped), scrolling by lines, and the
 * "more above / below" line.
 */
#include "widgets/pane.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

void pane_init(struct pane *p, bool selectable, bool follow)
{
	memset(p, 0, sizeof(*p));
	p->selectable = selectable;
	p->follow = follow;
}

static void row_free(struct prow *r)
{
	free(r->text);
	free(r->fix);
	r->text = r->fix = NULL;
}

void pane_clear(struct pane *p)
{
	for (int i = 0; i < p->n; i++)
		row_free(&p->rows[i]);
	p->n = 0;
	p->sel = p->first = 0;
}

void pane_release(struct pane *p)
{
	pane_clear(p);
	free(p->rows);
	p->rows = NULL;
	p->cap = 0;
}

void pane_add(struct pane *p, enum theme_el el, const char *tag,
	      const char *text, const char *fix, int event)
{
	struct prow *r;

	if (p->n >= PANE_MAX_ROWS) {
		row_free(&p->rows[0]);
		memmove(p->rows, p->rows + 1, sizeof(*p->rows) * (size_t)(p->n - 1));
		p->n--;
		if (p->sel > 0)
			p->sel--;
	}
	if (p->n == p->cap) {
		int nc = p->cap ? p->cap * 2 : 32;
		struct prow *nr = realloc(p->rows, sizeof(*nr) * (size_t)nc);
		if (!nr)
			return;
		p->rows = nr;
		p->cap = nc;
	}
	r = &p->rows[p->n];
	memset(r, 0, sizeof(*r));
	r->el = el;
	snprintf(r->tag, sizeof(r->tag), "%s", tag ? tag : "");
	r->text = strdup(text ? text : "");
	r->fix = fix ? strdup(fix) : NULL;
	r->event = event;
	if (!r->text)
		return;
	p->n++;
	if (p->follow)
		p->sel = p->n - 1;
}

void pane_addf(struct pane *p, enum theme_el el, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pane_add(p, el, NULL, buf, NULL, 0);
}

void pane_add_wrapped(struct pane *p, enum theme_el el, const char *text,
		      int width)
{
	enum { MAX_LINES = 32 };
	int starts[MAX_LINES], lens[MAX_LINES];
	int n = layout_wrap(text, width, MAX_LINES, starts, lens);
	for (int i = 0; i < n && i < MAX_LINES; i++) {
		char line[1024];
		snprintf(line, sizeof(line), "%.*s", lens[i], text + starts[i]);
		pane_add(p, el, NULL, line, NULL, 0);
	}
}

void pane_add_value(struct pane *p, enum theme_el el, const char *fmt,
		    const char *value)
{
	if (value)
		pane_addf(p, el, fmt, value);
}

void pane_add_diags(struct pane *p, const struct diag_list *dl,
		    bool (*skip)(const struct diag *d, void *ud), void *ud,
		    bool with_stage)
{
	for (size_t i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->items[i];
		char buf[1200], *msg, *fix;
		if (skip && skip(d, ud))
			continue;
		/* a message or fix may quote a certificate, a CA or a
		 * Windows computer's evidence: escaped for the terminal */
		msg = text_escape_dup(d->message ? d->message : "");
		fix = text_escape_dup(d->fix);
		if (with_stage)
			snprintf(buf, sizeof(buf), "%s/%s: %s", stage_id(d->stage),
				 diag_check_id(d->check), msg ? msg : "");
		else
			snprintf(buf, sizeof(buf), "%s", msg ? msg : "");
		pane_add(p, theme_sev_el(d->sev), theme_sev_tag(d->sev), buf,
			 fix, d->event);
		free(msg);
		free(fix);
	}
}

static void clear_rect(WINDOW *w, struct rect r)
{
	for (int y = 0; y < r.h; y++)
		mvwprintw(w, r.y + y, r.x, "%*s", r.w, "");
}

/*
 * A row on screen: its text wrapped (after the tag, or with continuation
 * lines indented), then "fix: ..." and the Operations Manager event it
 * leads to, each wrapped too: nothing of a row is cut.  One screen line:
 */
struct pline {
	const char *pre;     /* printed first ("fix: "), may be "" */
	const char *s;
	int len;
	int x;               /* column in the pane */
	enum theme_el el;
	bool tag;            /* the row's first line: its tag at column 0 */
};

#define ROW_LINES_MAX 64
#define TAG_W 5
#define CONT_INDENT 2

/* text wrapped into out from k on: the first line after pre at x, w
 * columns; the others at x + cont.  Returns the new count. */
static int add_seg(struct pline *out, int k, const char *pre,
		   const char *text, int x, int w, int cont, enum theme_el el)
{
	int st[ROW_LINES_MAX], ln[ROW_LINES_MAX], pl = (int)strlen(pre), n;
	const char *rest;
	if (k >= ROW_LINES_MAX || w - pl < 1)
		return k;
	if (layout_wrap(text, w - pl, 1, st, ln) == 0) {
		out[k++] = (struct pline){ pre, text, 0, x, el, false };
		return k;
	}
	out[k++] = (struct pline){ pre, text + st[0], ln[0], x, el, false };
	rest = text + st[0] + ln[0];
	if (w - cont < 1)
		return k;
	n = layout_wrap(rest, w - cont, ROW_LINES_MAX, st, ln);
	for (int i = 0; i < n && i < ROW_LINES_MAX && k < ROW_LINES_MAX; i++)
		out[k++] = (struct pline){ "", rest + st[i], ln[i], x + cont, el,
					   false };
	return k;
}

/* The lines of row r in a pane w columns wide (ev: room for the event
 * line's text).  Returns how many. */
static int row_layout(const struct prow *r, int w, struct pline *out,
		      char *ev, size_t evn)
{
	bool tagged = r->tag[0] != 0;
	int ind = tagged ? TAG_W : CONT_INDENT, k;
	if (tagged)
		k = add_seg(out, 0, "", r->text, TAG_W, w - TAG_W, 0, TH_NORMAL);
	else
		k = add_seg(out, 0, "", r->text, 0, w, CONT_INDENT, r->el);
	if (k > 0)
		out[0].tag = tagged;
	if (r->fix)
		k = add_seg(out, k, "fix: ", r->fix, ind, w - ind, 5, TH_WARN);
	if (r->event) {
		snprintf(ev, evn, "Operations Manager event %d when this is not "
			 "fixed", r->event);
		k = add_seg(out, k, "", ev, ind, w - ind, 0, TH_DIM);
	}
	return k;
}

static int row_lines(const struct prow *r, int w)
{
	struct pline l[ROW_LINES_MAX];
	char ev[96];
	return row_layout(r, w, l, ev, sizeof(ev));
}

/* The first line of row i, and (*end) the line after its last. */
static int row_start(const struct pane *p, int i, int w, int *end)
{
	int y = 0;
	for (int k = 0; k < i && k < p->n; k++)
		y += row_lines(&p->rows[k], w);
	if (end)
		*end = y + (i < p->n ? row_lines(&p->rows[i], w) : 0);
	return y;
}

static int total_lines(const struct pane *p, int w)
{
	int end;
	row_start(p, p->n, w, &end);
	return end;
}

/* The row that line y belongs to (the last row past the end). */
static int row_at(const struct pane *p, int y, int w)
{
	int at = 0;
	for (int i = 0; i < p->n; i++) {
		at += row_lines(&p->rows[i], w);
		if (y < at)
			return i;
	}
	return p->n - 1;
}

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The first line shown in h lines: the selected row whole (from its top
 * when it is taller than h, or where *first already shows part of it);
 * an output pane ends at its selected (newest) row. */
static int first_line(const struct pane *p, int w, int h)
{
	int e, s = row_start(p, p->sel, w, &e), total = total_lines(p, w);
	int f;
	if (!p->selectable)
		f = e - h;
	else
		f = clampi(p->first, e - h < s ? e - h : s, e - h < s ? s : e - h);
	return clampi(f, 0, total - h > 0 ? total - h : 0);
}

static void draw_line(const struct theme *t, WINDOW *w, const struct prow *row,
		      const struct pline *l, struct rect r, int y, bool is_sel,
		      bool focused)
{
	char text[1100];
	if (is_sel) {
		theme_on(t, w, focused ? TH_SELECT : TH_DIM);
		mvwprintw(w, y, r.x, "%*s", r.w, "");
	}
	if (l->tag) {
		if (!is_sel)
			theme_on(t, w, row->el);
		theme_put(w, y, r.x, row->tag, TAG_W - 1);
	}
	if (!is_sel)
		theme_on(t, w, l->el);
	snprintf(text, sizeof(text), "%s%.*s", l->pre, l->len, l->s);
	theme_put(w, y, r.x + l->x, text, r.w - l->x);
	theme_on(t, w, TH_NORMAL);
}

void pane_draw_more(const struct theme *t, WINDOW *w, struct rect r, int y,
		    int above, int below)
{
	char line[160], up[16], down[16], top[16], end[16];
	keymap_key_name(ACT_PAGE_UP, KC_STAGE, up, sizeof(up));
	keymap_key_name(ACT_PAGE_DOWN, KC_STAGE, down, sizeof(down));
	keymap_key_name(ACT_TOP, KC_STAGE, top, sizeof(top));
	keymap_key_name(ACT_BOTTOM, KC_STAGE, end, sizeof(end));
	if (above > 0 && below > 0)
		snprintf(line, sizeof(line), "%s %d more above, %s %d more below "
			 "(%s/%s)", theme_more(t, true), above, theme_more(t, false),
			 below, up, down);
	else if (below > 0)
		snprintf(line, sizeof(line), "%s %d more line%s below (%s, %s)",
			 theme_more(t, false), below, below == 1 ? "" : "s", down,
			 end);
	else
		snprintf(line, sizeof(line), "%s %d more line%s above (%s, %s)",
			 theme_more(t, true), above, above == 1 ? "" : "s", up, top);
	theme_on(t, w, TH_DIM);
	theme_put(w, y, r.x, line, r.w);
	theme_on(t, w, TH_NORMAL);
}

void pane_draw(const struct theme *t, WINDOW *w, struct pane *p,
	       struct rect r, bool focused)
{
	int total, h, y = 0, i0, s;

	theme_on(t, w, TH_NORMAL);
	clear_rect(w, r);
	p->view_h = p->view_w = 0;
	if (r.h <= 0 || r.w <= TAG_W + 4)
		return;
	if (p->follow)
		p->sel = p->n - 1;
	if (p->sel >= p->n)
		p->sel = p->n - 1;
	if (p->sel < 0)
		p->sel = 0;
	total = total_lines(p, r.w);
	h = total > r.h && r.h > 1 ? r.h - 1 : r.h;   /* a line says "more" */
	p->view_h = h;
	p->view_w = r.w;
	p->first = first_line(p, r.w, h);
	i0 = row_at(p, p->first, r.w);
	s = i0 >= 0 ? row_start(p, i0, r.w, NULL) : 0;
	for (int i = i0; i >= 0 && i < p->n && y < h; i++) {
		struct pline l[ROW_LINES_MAX];
		char ev[96];
		int k = row_layout(&p->rows[i], r.w, l, ev, sizeof(ev));
		for (int j = 0; j < k; j++) {
			if (s + j < p->first)
				continue;
			if (y >= h)
				break;
			draw_line(t, w, &p->rows[i], &l[j], r, r.y + y,
				  p->selectable && i == p->sel, focused);
			y++;
		}
		s += k;
	}
	if (h < r.h)
		pane_draw_more(t, w, r, r.y + h, p->first, total - p->first - h);
}

/* Down in a list drawn before: the rest of a selected row taller than
 * the view first, then the next row. */
static void line_down(struct pane *p)
{
	int e, st = row_start(p, p->sel, p->view_w, &e);
	if (p->selectable && e > p->first + p->view_h && st < p->first + p->view_h)
		p->first++;
	else
		p->sel++;
}

static void line_up(struct pane *p)
{
	int st = row_start(p, p->sel, p->view_w, NULL);
	if (p->selectable && st < p->first)
		p->first--;
	else
		p->sel--;
}

/* A page of lines in a list drawn before: the row at the line a page on
 * is selected (the rest of a taller row scrolls by a page). */
static void page(struct pane *p, int dir)
{
	int step = p->view_h > 1 ? p->view_h - 1 : 1, e;
	int st = row_start(p, p->sel, p->view_w, &e);
	int at = (p->selectable ? p->first : e - 1) + dir * step;
	int to = row_at(p, at < 0 ? 0 : at, p->view_w);
	if (p->selectable && to == p->sel) {
		p->first += dir * step;
		if (dir > 0 && p->first > e - p->view_h)
			p->sel++;
		if (dir < 0 && p->first < st)
			p->sel--;
		return;
	}
	p->sel = to;
	if (p->selectable)
		p->first = at;   /* pane_draw keeps the selected row whole */
}

bool pane_key(struct pane *p, enum action act, int pg)
{
	bool drawn = p->view_h > 0 && p->view_w > 0;
	if (p->n == 0)
		return false;
	switch (act) {
	case ACT_UP:
		if (drawn)
			line_up(p);
		else
			p->sel--;
		break;
	case ACT_DOWN:
		if (drawn)
			line_down(p);
		else
			p->sel++;
		break;
	case ACT_PAGE_UP:
	case ACT_PAGE_DOWN:
		if (drawn)
			page(p, act == ACT_PAGE_UP ? -1 : 1);
		else
			p->sel += (act == ACT_PAGE_UP ? -1 : 1) * (pg > 1 ? pg : 1);
		break;
	case ACT_TOP:
		p->sel = 0;
		p->first = 0;
		break;
	case ACT_BOTTOM:
		p->sel = p->n - 1;
		p->first = drawn ? total_lines(p, p->view_w) : 0;
		break;
	default:
		return false;
	}
	if (p->sel < 0)
		p->sel = 0;
	if (p->sel >= p->n)
		p->sel = p->n - 1;
	if (!p->selectable) {
		/* output pane: scroll the view instead of a selection */
		p->follow = p->sel == p->n - 1;
	}
	return true;
}
