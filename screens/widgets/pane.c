/*
 * pane.c - the checklist / output pane (pane.h): row storage, scrolling,
 * and drawing with the selected row's full message and fix underneath.
 */
#include "widgets/pane.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		char buf[1200];
		if (skip && skip(d, ud))
			continue;
		if (with_stage)
			snprintf(buf, sizeof(buf), "%s/%s: %s", stage_id(d->stage),
				 diag_check_id(d->check), d->message);
		else
			snprintf(buf, sizeof(buf), "%s", d->message);
		pane_add(p, theme_sev_el(d->sev), theme_sev_tag(d->sev), buf,
			 d->fix, d->event);
	}
}

static void clear_rect(WINDOW *w, struct rect r)
{
	for (int y = 0; y < r.h; y++)
		mvwprintw(w, r.y + y, r.x, "%*s", r.w, "");
}

/*
 * The detail under a checklist: the selected row's whole message (up to 3
 * lines), its fix (up to 3) and the Operations Manager event it leads to.
 * Counts the lines; draws them too when w is non-NULL.
 */
static int detail_segment(const struct theme *t, WINDOW *w, const char *text,
			  enum theme_el el, int maxl, struct rect r, int y)
{
	int starts[8], lens[8];
	int n = layout_wrap(text, r.w, 8, starts, lens), k = 0;
	for (int i = 0; i < n && i < maxl; i++, k++) {
		char line[400];
		if (w && y + k < r.y + r.h) {
			snprintf(line, sizeof(line), "%.*s", lens[i], text + starts[i]);
			theme_on(t, w, el);
			theme_put(w, y + k, r.x, line, r.w);
		}
	}
	return k;
}

static int detail_lines_draw(const struct theme *t, WINDOW *w,
			     const struct prow *sel, struct rect r, int y)
{
	char buf[1400];
	int k = 0;
	k += detail_segment(t, w, sel->text, TH_NORMAL, sel->fix ? 2 : 3, r,
			    y + k);
	if (sel->fix) {
		snprintf(buf, sizeof(buf), "fix: %s", sel->fix);
		k += detail_segment(t, w, buf, TH_WARN, 3, r, y + k);
	}
	if (sel->event) {
		snprintf(buf, sizeof(buf), "Operations Manager event %d when "
			 "this is not fixed", sel->event);
		k += detail_segment(t, w, buf, TH_DIM, 1, r, y + k);
	}
	if (w)
		theme_on(t, w, TH_NORMAL);
	return k;
}

static int detail_lines(const struct prow *sel, int width)
{
	struct rect r = { 0, 0, 1000, width };
	return detail_lines_draw(NULL, NULL, sel, r, 0);
}

static void draw_detail(const struct theme *t, WINDOW *w,
			const struct prow *sel, struct rect r)
{
	theme_hline(t, w, r.y, r.x, r.w);
	detail_lines_draw(t, w, sel, (struct rect){ r.y + 1, r.x, r.h - 1, r.w },
			  r.y + 1);
}

void pane_draw(const struct theme *t, WINDOW *w, struct pane *p,
	       struct rect r, bool focused)
{
	int list_h = r.h, detail_h = 0;
	struct prow *sel = NULL;

	theme_on(t, w, TH_NORMAL);
	clear_rect(w, r);
	if (r.h <= 0 || r.w <= 4)
		return;
	if (p->selectable && p->n > 0) {
		sel = &p->rows[p->sel < p->n ? p->sel : p->n - 1];
		/* the detail shows a fix, or the whole of a cut-off line */
		if (sel->fix || sel->event ||
		    (int)strlen(sel->text) + (sel->tag[0] ? 5 : 0) > r.w) {
			int want = 1 + detail_lines(sel, r.w);
			int cap = r.h >= 12 ? 7 : r.h >= 8 ? 4 : r.h >= 5 ? 2 : 0;
			detail_h = want < cap ? want : cap;
			list_h = r.h - detail_h;
		}
	}
	if (p->follow)
		p->sel = p->n - 1;
	p->first = layout_scroll(p->n, list_h, p->sel, p->first);
	for (int i = 0; i < list_h && p->first + i < p->n; i++) {
		struct prow *row = &p->rows[p->first + i];
		int x = r.x, used;
		bool is_sel = p->selectable && p->first + i == p->sel;
		if (is_sel) {
			theme_on(t, w, focused ? TH_SELECT : TH_DIM);
			mvwprintw(w, r.y + i, r.x, "%*s", r.w, "");
		}
		if (row->tag[0]) {
			if (!is_sel)
				theme_on(t, w, row->el);
			used = theme_put(w, r.y + i, x, row->tag, 4);
			x += used + 1;
			if (!is_sel)
				theme_on(t, w, TH_NORMAL);
		} else if (!is_sel) {
			theme_on(t, w, row->el);
		}
		theme_put(w, r.y + i, x, row->text, r.w - (x - r.x));
		theme_on(t, w, TH_NORMAL);
	}
	if (sel && detail_h > 0)
		draw_detail(t, w, sel, (struct rect){ r.y + list_h, r.x, detail_h,
						      r.w });
}

bool pane_key(struct pane *p, enum action act, int page)
{
	if (p->n == 0)
		return false;
	switch (act) {
	case ACT_UP:
		p->sel--;
		break;
	case ACT_DOWN:
		p->sel++;
		break;
	case ACT_PAGE_UP:
		p->sel -= page > 1 ? page : 1;
		break;
	case ACT_PAGE_DOWN:
		p->sel += page > 1 ? page : 1;
		break;
	case ACT_TOP:
		p->sel = 0;
		break;
	case ACT_BOTTOM:
		p->sel = p->n - 1;
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
