/*
 * form.c - labelled fields over formw with inline validation (form.h).
 * The model (struct fstate) is authoritative; the FORM is rebuilt from it
 * on every uform_show() and read back with uform_sync().
 */
#include "widgets/form.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;
	while (n--)
		*v++ = 0;
}

int uform_init(struct uform *fm, const struct fdef *defs, int n, void *ud)
{
	memset(fm, 0, sizeof(*fm));
	fm->defs = defs;
	fm->n = n;
	fm->ud = ud;
	fm->active = true;
	fm->fs = calloc((size_t)(n > 0 ? n : 1), sizeof(*fm->fs));
	fm->fields = calloc((size_t)n + 1, sizeof(*fm->fields));
	fm->fmap = calloc((size_t)(n > 0 ? n : 1), sizeof(*fm->fmap));
	if (!fm->fs || !fm->fields || !fm->fmap) {
		uform_release(fm);
		return -1;
	}
	return 0;
}

void uform_release(struct uform *fm)
{
	uform_hide(fm);
	if (fm->fs)
		wipe(fm->fs, sizeof(*fm->fs) * (size_t)(fm->n > 0 ? fm->n : 1));
	free(fm->fs);
	free(fm->fields);
	free(fm->fmap);
	fm->fs = NULL;
	fm->fields = NULL;
	fm->fmap = NULL;
}

int uform_index(const struct uform *fm, const char *key)
{
	for (int i = 0; i < fm->n; i++)
		if (strcmp(fm->defs[i].key, key) == 0)
			return i;
	return -1;
}

const char *uform_value(const struct uform *fm, const char *key)
{
	int i = uform_index(fm, key);
	if (i < 0)
		return "";
	if (fm->defs[i].type == FT_CHOICE)
		return fm->defs[i].choices[fm->fs[i].choice];
	return fm->fs[i].value;
}

const char *uform_choice(const struct uform *fm, const char *key)
{
	return uform_value(fm, key);
}

int uform_choice_index(const struct uform *fm, const char *key)
{
	int i = uform_index(fm, key);
	return i >= 0 && fm->defs[i].type == FT_CHOICE ? fm->fs[i].choice : -1;
}

void uform_set(struct uform *fm, const char *key, const char *v)
{
	int i = uform_index(fm, key);
	if (i < 0)
		return;
	snprintf(fm->fs[i].value, sizeof(fm->fs[i].value), "%s", v ? v : "");
}

void uform_set_choice(struct uform *fm, const char *key, const char *name)
{
	int i = uform_index(fm, key);
	if (i < 0 || !name || fm->defs[i].type != FT_CHOICE)
		return;
	for (int c = 0; fm->defs[i].choices[c]; c++)
		if (strcmp(fm->defs[i].choices[c], name) == 0)
			fm->fs[i].choice = c;
}

void uform_set_hidden(struct uform *fm, const char *key, bool hidden)
{
	int i = uform_index(fm, key);
	if (i >= 0)
		fm->fs[i].hidden = hidden;
}

void uform_wipe(struct uform *fm, const char *key)
{
	int i = uform_index(fm, key);
	if (i >= 0)
		wipe(fm->fs[i].value, sizeof(fm->fs[i].value));
}

int uform_visible_count(const struct uform *fm)
{
	int k = 0;
	for (int i = 0; i < fm->n; i++)
		if (!fm->fs[i].hidden)
			k++;
	return k;
}

static int nchoices(const struct fdef *d)
{
	int c = 0;
	while (d->choices && d->choices[c])
		c++;
	return c;
}

static int label_width(const struct uform *fm, int width)
{
	int lens[64], k = 0;
	for (int i = 0; i < fm->n && k < 64; i++)
		if (!fm->fs[i].hidden)
			lens[k++] = (int)strlen(fm->defs[i].label) + 1;
	return layout_label_width(lens, k, width);
}

/* Inline lines under field i for a message column msg_w wide. */
static int extra_lines(const struct uform *fm, int i, int msg_w)
{
	const struct fstate *s = &fm->fs[i];
	const struct fdef *d = &fm->defs[i];
	int n = 0;
	if (s->sev != SEV_PASS && s->msg[0]) {
		int m = layout_wrap(s->msg, msg_w - 2, 0, NULL, NULL);
		n += m > 3 ? 3 : m;
		if (s->fix[0]) {
			int f = layout_wrap(s->fix, msg_w - 7, 0, NULL, NULL);
			n += f > 2 ? 2 : f;
		}
	} else if (d->type == FT_CHOICE && d->choice_hints &&
		   d->choice_hints[s->choice]) {
		int h = layout_wrap(d->choice_hints[s->choice], msg_w - 2, 0,
				    NULL, NULL);
		n += h > 2 ? 2 : h;
	}
	return n;
}

int uform_need(struct uform *fm, int width)
{
	int lw = label_width(fm, width), need = 0;
	for (int i = 0; i < fm->n; i++)
		if (!fm->fs[i].hidden)
			need += 1 + extra_lines(fm, i, width - lw);
	return need;
}

void uform_hide(struct uform *fm)
{
	if (fm->form) {
		unpost_form(fm->form);
		free_form(fm->form);
		fm->form = NULL;
	}
	if (fm->fields) {
		for (int k = 0; fm->fields[k]; k++) {
			free_field(fm->fields[k]);
			fm->fields[k] = NULL;
		}
	}
	if (fm->sub) {
		delwin(fm->sub);
		fm->sub = NULL;
	}
}

static void choice_text(const struct uform *fm, int i, char *buf, size_t n)
{
	snprintf(buf, n, "< %s >", fm->defs[i].choices[fm->fs[i].choice]);
}

static int field_k(const struct uform *fm, int i)
{
	for (int k = 0; fm->fields && fm->fields[k]; k++)
		if (fm->fmap[k] == i)
			return k;
	return -1;
}

static void put_wrapped(const struct theme *t, const char *prefix,
			const char *text, int y, int x, int w, int maxl,
			int *rows_left)
{
	int starts[4], lens[4];
	int n = layout_wrap(text, w - (int)strlen(prefix), 4, starts, lens);
	for (int l = 0; l < n && l < maxl && *rows_left > 0; l++) {
		char line[UFORM_MSG_MAX + 16];
		snprintf(line, sizeof(line), "%s%.*s", l == 0 ? prefix : "",
			 lens[l], text + starts[l]);
		if (l > 0) {
			memmove(line + strlen(prefix), line, strlen(line) + 1);
			memset(line, ' ', strlen(prefix));
		}
		theme_put(stdscr, y + l, x, line, w);
		(*rows_left)--;
	}
}

void uform_show(struct uform *fm, const struct theme *t, struct rect area)
{
	int vis[64], extra[64], row[64], nv = 0, fvis = 0, k = 0;
	int lw, inw;

	uform_hide(fm);
	fm->area = area;
	if (area.h <= 0 || area.w < 20 || fm->n == 0)
		return;
	lw = label_width(fm, area.w);
	fm->label_w = lw;
	inw = area.w - lw;
	for (int i = 0; i < fm->n && nv < 64; i++) {
		if (fm->fs[i].hidden)
			continue;
		if (i == fm->focus)
			fvis = nv;
		vis[nv] = i;
		extra[nv] = extra_lines(fm, i, inw);
		nv++;
	}
	layout_form(nv, extra, area.h, fvis, &fm->first, row);

	/* the formw view */
	fm->sub = derwin(stdscr, area.h, area.w, area.y, area.x);
	if (!fm->sub)
		goto labels;
	for (int v = 0; v < nv; v++) {
		int i = vis[v], w = inw;
		const struct fdef *d = &fm->defs[i];
		FIELD *fl;
		char buf[UFORM_VALUE_MAX + 8];
		if (row[v] < 0)
			continue;
		if (d->type == FT_CHOICE) {
			int m = 0;
			for (int c = 0; c < nchoices(d); c++)
				if ((int)strlen(d->choices[c]) > m)
					m = (int)strlen(d->choices[c]);
			w = m + 4;
		} else if (d->type == FT_INT) {
			w = 8;
		}
		if (w > inw)
			w = inw;
		if (w < 1)
			w = 1;
		fl = new_field(1, w, row[v], lw, 0, 0);
		if (!fl)
			continue;
		field_opts_off(fl, O_AUTOSKIP | O_BLANK);
		if (d->type == FT_CHOICE) {
			field_opts_off(fl, O_EDIT);
			choice_text(fm, i, buf, sizeof(buf));
		} else {
			field_opts_off(fl, O_STATIC);
			set_max_field(fl, UFORM_VALUE_MAX - 1);
			snprintf(buf, sizeof(buf), "%s", fm->fs[i].value);
		}
		if (d->type == FT_PASSWORD)
			field_opts_off(fl, O_PUBLIC);
		set_field_buffer(fl, 0, buf);
		wipe(buf, sizeof(buf));
		set_field_back(fl, t->attr[i == fm->focus && fm->active ?
				   TH_FIELD_FOCUS : TH_FIELD] |
			       (attr_t)COLOR_PAIR(t->pair[i == fm->focus && fm->active ?
							  TH_FIELD_FOCUS : TH_FIELD]));
		fm->fields[k] = fl;
		fm->fmap[k] = i;
		k++;
	}
	fm->fields[k] = NULL;
	if (k == 0)
		goto labels;
	fm->form = new_form(fm->fields);
	if (!fm->form)
		goto labels;
	set_form_win(fm->form, stdscr);
	set_form_sub(fm->form, fm->sub);
	if (post_form(fm->form) != E_OK) {
		free_form(fm->form);
		fm->form = NULL;
		goto labels;
	}
	{
		int fk = field_k(fm, fm->focus);
		if (fk >= 0) {
			set_current_field(fm->form, fm->fields[fk]);
			if (fm->defs[fm->focus].type != FT_CHOICE)
				form_driver(fm->form, REQ_END_FIELD);
		}
	}
labels:
	/* post_form erases the form's window: labels and inline lines last */
	for (int v = 0; v < nv; v++) {
		int i = vis[v], y = area.y + row[v], left;
		const struct fstate *s = &fm->fs[i];
		const struct fdef *d = &fm->defs[i];
		char label[128];
		if (row[v] < 0)
			continue;
		snprintf(label, sizeof(label), "%s:", d->label);
		theme_on(t, stdscr, s->sev == SEV_FAIL ? TH_ERROR : TH_LABEL);
		theme_put(stdscr, y, area.x, label, lw - 1);
		theme_on(t, stdscr, TH_NORMAL);
		left = area.y + area.h - (y + 1);
		if (left > extra[v])
			left = extra[v];
		if (s->sev != SEV_PASS && s->msg[0]) {
			char prefix[8];
			snprintf(prefix, sizeof(prefix), "%s ",
				 s->sev == SEV_FAIL ? (t->utf8 ? "\u2717" : "!") :
				 s->sev == SEV_WARN ? "!" : "i");
			theme_on(t, stdscr, s->sev == SEV_FAIL ? TH_ERROR :
				 s->sev == SEV_WARN ? TH_WARN : TH_NORMAL);
			/* the prefix is one column wide plus a space */
			{
				int starts[4], lens[4];
				int n = layout_wrap(s->msg, inw - 2, 4, starts, lens);
				int yy = y + 1;
				for (int l = 0; l < n && l < 3 && left > 0; l++) {
					char line[UFORM_MSG_MAX];
					snprintf(line, sizeof(line), "%.*s", lens[l],
						 s->msg + starts[l]);
					if (l == 0)
						theme_put(stdscr, yy, area.x + lw, prefix, 2);
					theme_put(stdscr, yy, area.x + lw + 2, line, inw - 2);
					yy++;
					left--;
				}
				if (s->fix[0] && left > 0) {
					theme_on(t, stdscr, TH_NORMAL);
					put_wrapped(t, "fix: ", s->fix, yy,
						    area.x + lw + 2, inw - 2, 2, &left);
				}
			}
			theme_on(t, stdscr, TH_NORMAL);
		} else if (extra[v] > 0 && left > 0) {
			theme_on(t, stdscr, TH_DIM);
			put_wrapped(t, "", d->choice_hints[s->choice], y + 1,
				    area.x + lw + 2, inw - 2, 2, &left);
			theme_on(t, stdscr, TH_NORMAL);
		}
	}

}

void uform_place_cursor(struct uform *fm)
{
	int y, x, by, bx;
	if (!fm->form || !fm->sub || !fm->active) {
		curs_set(0);
		return;
	}
	pos_form_cursor(fm->form);
	getyx(fm->sub, y, x);
	getbegyx(fm->sub, by, bx);
	wnoutrefresh(fm->sub);
	move(by + y, bx + x);
	curs_set(fm->defs[fm->focus].type == FT_CHOICE ? 0 : 1);
}

static void trim_copy(char *dst, size_t n, const char *src)
{
	size_t len;
	while (*src == ' ')
		src++;
	snprintf(dst, n, "%s", src);
	len = strlen(dst);
	while (len > 0 && dst[len - 1] == ' ')
		dst[--len] = 0;
}

void uform_sync(struct uform *fm)
{
	if (!fm->form)
		return;
	form_driver(fm->form, REQ_VALIDATION);
	for (int k = 0; fm->fields[k]; k++) {
		int i = fm->fmap[k];
		char *b;
		if (fm->defs[i].type == FT_CHOICE)
			continue;
		b = field_buffer(fm->fields[k], 0);
		if (b)
			trim_copy(fm->fs[i].value, sizeof(fm->fs[i].value), b);
	}
}

enum diag_severity uform_validate(struct uform *fm, int i)
{
	struct fstate *s = &fm->fs[i];
	const struct fdef *d = &fm->defs[i];
	enum diag_severity sev = SEV_PASS;

	if (s->from_backend && !s->touched)
		return s->sev;       /* keep what the backend said */
	s->msg[0] = s->fix[0] = 0;
	s->sev = SEV_PASS;
	s->from_backend = false;
	if (s->hidden)
		return SEV_PASS;
	if (d->validate)
		sev = d->validate(fm, i, d->type == FT_CHOICE ?
				  d->choices[s->choice] : s->value,
				  s->msg, sizeof(s->msg), fm->ud);
	s->sev = sev;
	if (sev == SEV_PASS)
		s->msg[0] = 0;
	return sev;
}

int uform_validate_all(struct uform *fm)
{
	int bad = -1;
	uform_sync(fm);
	for (int i = 0; i < fm->n; i++) {
		if (fm->fs[i].hidden)
			continue;
		fm->fs[i].touched = true;   /* re-check every field now */
		fm->fs[i].from_backend = false;
		if (uform_validate(fm, i) == SEV_FAIL && bad < 0)
			bad = i;
	}
	return bad;
}

void uform_apply_diags(struct uform *fm, const struct diag_list *dl)
{
	for (int i = 0; i < fm->n; i++) {
		struct fstate *s = &fm->fs[i];
		const struct diag *d;
		if (s->from_backend || s->sev != SEV_FAIL) {
			s->msg[0] = s->fix[0] = 0;
			s->sev = SEV_PASS;
			s->from_backend = false;
		}
		s->touched = false;
		if (!dl)
			continue;
		d = diag_find_field(dl, fm->defs[i].key, SEV_WARN);
		if (!d)
			continue;
		snprintf(s->msg, sizeof(s->msg), "%s", d->message);
		snprintf(s->fix, sizeof(s->fix), "%s", d->fix ? d->fix : "");
		s->sev = d->sev;
		s->from_backend = true;
	}
}

bool uform_owns_diag(const struct uform *fm, const struct diag *d)
{
	int i;
	if (!d->field || d->sev < SEV_WARN)
		return false;
	i = uform_index(fm, d->field);
	return i >= 0 && !fm->fs[i].hidden;
}

static int next_visible(const struct uform *fm, int from, int dir)
{
	for (int i = from + dir; i >= 0 && i < fm->n; i += dir)
		if (!fm->fs[i].hidden)
			return i;
	return -1;
}

void uform_focus(struct uform *fm, int i)
{
	if (i < 0 || i >= fm->n || fm->fs[i].hidden)
		return;
	uform_sync(fm);
	if (fm->focus != i && fm->focus < fm->n && fm->fs[fm->focus].touched)
		uform_validate(fm, fm->focus);
	fm->focus = i;
}

bool uform_any_touched(const struct uform *fm)
{
	for (int i = 0; i < fm->n; i++)
		if (fm->fs[i].touched)
			return true;
	return false;
}

enum diag_severity uform_say(enum diag_severity sev, char *msg, size_t n,
			     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, n, fmt, ap);
	va_end(ap);
	return sev;
}

static int req(struct uform *fm, int request)
{
	return form_driver_w(fm->form, KEY_CODE_YES, (wchar_t)request);
}

/* Text editing keys of a field: the formw request each one makes, and
 * whether it changes the value. */
static const struct {
	bool code;
	wint_t key;
	int request;
	bool edits;
} EDIT_KEYS[] = {
	{ false, 127, REQ_DEL_PREV, true },
	{ false, 8, REQ_DEL_PREV, true },
	{ true, KEY_BACKSPACE, REQ_DEL_PREV, true },
	{ false, 21, REQ_CLR_FIELD, true },   /* Ctrl-U */
	{ true, KEY_DC, REQ_DEL_CHAR, true },
	{ true, KEY_LEFT, REQ_PREV_CHAR, false },
	{ true, KEY_RIGHT, REQ_NEXT_CHAR, false },
	{ true, KEY_HOME, REQ_BEG_FIELD, false },
	{ true, KEY_END, REQ_END_FIELD, false },
};

static int edit_key(struct uform *fm, struct fstate *s, int r, wint_t ch)
{
	for (size_t i = 0; i < sizeof(EDIT_KEYS) / sizeof(EDIT_KEYS[0]); i++) {
		if (EDIT_KEYS[i].code != (r == KEY_CODE_YES) ||
		    EDIT_KEYS[i].key != ch)
			continue;
		if (EDIT_KEYS[i].edits)
			s->touched = true;
		req(fm, EDIT_KEYS[i].request);
		return 1;
	}
	return 0;
}

int uform_key(struct uform *fm, int r, wint_t ch)
{
	const struct fdef *d;
	struct fstate *s;
	enum action act;
	int nx, dir;

	if (!fm->form || fm->n == 0 || !fm->active)
		return 0;
	d = &fm->defs[fm->focus];
	s = &fm->fs[fm->focus];
	act = keymap_action(r, ch, KC_FORM);

	dir = act == ACT_FIELD_NEXT || act == ACT_DOWN ? +1 :
	      act == ACT_FIELD_PREV || act == ACT_UP ? -1 : 0;
	if (dir != 0) {
		nx = next_visible(fm, fm->focus, dir);
		if (nx < 0)
			return 0;
		uform_focus(fm, nx);
		return 2;
	}
	if (d->type == FT_CHOICE) {
		int n = nchoices(d);
		if (act == ACT_RIGHT) {
			s->choice = (s->choice + 1) % n;
		} else if (act == ACT_LEFT) {
			s->choice = (s->choice + n - 1) % n;
		} else {
			return 0;
		}
		s->touched = true;
		uform_validate(fm, fm->focus);
		return 2;
	}
	if (r == OK && ch >= 32 && ch != 127) {
		s->touched = true;
		form_driver_w(fm->form, OK, (wchar_t)ch);
		return 1;
	}
	return edit_key(fm, s, r, ch);
}
