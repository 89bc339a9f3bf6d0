/*
 * form.c - labelled fields with inline validation (form.h).  The model
 * (struct fstate, its text a struct ledit) is authoritative; drawing shows
 * it: the labels, each field's value (a password masked, a long value
 * scrolled so the cursor shows) and the whole of each field's message.
 */
#include "widgets/form.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_CTRL_U 21

int uform_init(struct uform *fm, const struct fdef *defs, int n, void *ud)
{
	size_t cnt = (size_t)(n > 0 ? n : 1);
	memset(fm, 0, sizeof(*fm));
	fm->defs = defs;
	fm->n = n;
	fm->ud = ud;
	fm->active = true;
	fm->fs = calloc(cnt, sizeof(*fm->fs));
	fm->row = calloc(cnt, sizeof(*fm->row));
	fm->scroll = calloc(cnt, sizeof(*fm->scroll));
	if (!fm->fs || !fm->row || !fm->scroll) {
		uform_release(fm);
		return -1;
	}
	return 0;
}

void uform_release(struct uform *fm)
{
	uform_hide(fm);
	if (fm->fs)
		explicit_bzero(fm->fs, sizeof(*fm->fs) *
			       (size_t)(fm->n > 0 ? fm->n : 1));
	free(fm->fs);
	free(fm->row);
	free(fm->scroll);
	fm->fs = NULL;
	fm->row = NULL;
	fm->scroll = NULL;
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
	return fm->fs[i].ed.value;
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
	ledit_set(&fm->fs[i].ed, v);
	if (i == fm->focus)
		ledit_enter(&fm->fs[i].ed);
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
		ledit_wipe(&fm->fs[i].ed);
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

#define FIX_PREFIX "fix: "

/* Rows the value of field i takes in an input column inw wide: a text
 * value longer than its box (a path, a URL) wraps onto more rows while it
 * is not being edited, so it reads whole. */
static int value_rows(const struct uform *fm, int i, int inw)
{
	int n;
	if (fm->defs[i].type != FT_TEXT || (i == fm->focus && fm->active) ||
	    inw < 1)
		return 1;
	n = ledit_chars(&fm->fs[i].ed);
	return n <= inw ? 1 : (n + inw - 1) / inw;
}

/* Inline lines under field i for a message column msg_w wide: the rest
 * of a wrapped value, then the whole message and its fix, or the chosen
 * entry's hint. */
static int extra_lines(const struct uform *fm, int i, int msg_w)
{
	const struct fstate *s = &fm->fs[i];
	const struct fdef *d = &fm->defs[i];
	int n = value_rows(fm, i, msg_w) - 1;
	if (s->sev != SEV_PASS && s->msg[0]) {
		n += layout_wrap(s->msg, msg_w - 2, 0, NULL, NULL);
		if (s->fix[0])
			n += layout_wrap(s->fix, msg_w - 2 - (int)strlen(FIX_PREFIX),
					 0, NULL, NULL);
	} else if (d->type == FT_CHOICE && d->choice_hints &&
		   d->choice_hints[s->choice]) {
		n += layout_wrap(d->choice_hints[s->choice], msg_w - 2, 0, NULL,
				 NULL);
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
	fm->shown = false;
}

static void choice_text(const struct uform *fm, int i, char *buf, size_t n)
{
	snprintf(buf, n, "< %s >", fm->defs[i].choices[fm->fs[i].choice]);
}

/* Columns of field i's box in an input column inw wide. */
static int field_width(const struct uform *fm, int i, int inw)
{
	const struct fdef *d = &fm->defs[i];
	int w = inw;
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
	return w < 1 ? 1 : w;
}

/* The first character of field i shown in w columns: the cursor stays
 * inside the box. */
static int field_scroll(struct uform *fm, int i, int w)
{
	int col = ledit_cursor_col(&fm->fs[i].ed), off = fm->scroll[i];
	if (col < off)
		off = col;
	if (col > off + w - 1)
		off = col - w + 1;
	if (off < 0)
		off = 0;
	fm->scroll[i] = off;
	return off;
}

static const char *skip_chars(const char *s, int n)
{
	while (*s && n > 0) {
		s++;
		while (((unsigned char)*s & 0xC0) == 0x80)
			s++;
		n--;
	}
	return s;
}

/* Field i's box and value (a password as its mask, a selected value
 * marked as selected, a long value not being edited over its rows). */
static void draw_field(struct uform *fm, int i)
{
	const struct theme *t = fm->th;
	const struct fdef *d = &fm->defs[i];
	struct fstate *s = &fm->fs[i];
	bool focus = i == fm->focus && fm->active;
	int inw = fm->area.w - fm->label_w;
	int y = fm->area.y + fm->row[i], x = fm->area.x + fm->label_w;
	int w = field_width(fm, i, inw), rows = value_rows(fm, i, inw);
	char text[UFORM_VALUE_MAX + 8];

	if (fm->row[i] < 0 || !t)
		return;
	theme_on(t, stdscr, focus ? TH_FIELD_FOCUS : TH_FIELD);
	for (int r = 0; r < rows && y + r < fm->area.y + fm->area.h; r++)
		mvhline(y + r, x, ' ', w);
	if (d->type == FT_CHOICE)
		choice_text(fm, i, text, sizeof(text));
	else if (d->type == FT_PASSWORD)
		ledit_mask(&s->ed, text, sizeof(text));
	else
		snprintf(text, sizeof(text), "%s", s->ed.value);
	if (focus && s->ed.selected)
		theme_on(t, stdscr, TH_SELECT);
	if (rows > 1) {
		for (int r = 0; r < rows && y + r < fm->area.y + fm->area.h; r++)
			theme_put(stdscr, y + r, x, skip_chars(text, r * w), w);
	} else {
		theme_put(stdscr, y, x, d->type == FT_CHOICE ? text :
			  skip_chars(text, field_scroll(fm, i, w)), w);
	}
	explicit_bzero(text, sizeof(text));
	theme_on(t, stdscr, TH_NORMAL);
}

#define WRAP_MAX 128

/* text wrapped at w columns from (y, x): the first line after prefix,
 * the others indented as far; *left rows at most.  Returns the next y. */
static int put_wrapped(const char *prefix, const char *text, int y, int x,
		       int w, int *left)
{
	int starts[WRAP_MAX], lens[WRAP_MAX], pl = (int)strlen(prefix);
	int n = layout_wrap(text, w - pl, WRAP_MAX, starts, lens);
	for (int l = 0; l < n && l < WRAP_MAX && *left > 0; l++) {
		char line[UFORM_MSG_MAX + 16];
		snprintf(line, sizeof(line), "%s%.*s", l == 0 ? prefix : "",
			 lens[l], text + starts[l]);
		if (l == 0)
			theme_put(stdscr, y, x, line, w);
		else
			theme_put(stdscr, y, x + pl, line, w - pl);
		y++;
		(*left)--;
	}
	return y;
}

/* The label of field i and the lines under it (message and fix, or the
 * chosen entry's hint), `extra` rows at most. */
static void draw_label(struct uform *fm, int i, int extra)
{
	const struct theme *t = fm->th;
	const struct fstate *s = &fm->fs[i];
	const struct fdef *d = &fm->defs[i];
	struct rect a = fm->area;
	int lw = fm->label_w, inw = a.w - lw, y = a.y + fm->row[i];
	int vr = value_rows(fm, i, inw), left;
	char label[128];

	snprintf(label, sizeof(label), "%s:", d->label);
	theme_on(t, stdscr, s->sev == SEV_FAIL ? TH_ERROR : TH_LABEL);
	theme_put(stdscr, y, a.x, label, lw - 1);
	theme_on(t, stdscr, TH_NORMAL);
	/* the lines under the value: from the row after its last one */
	y += vr - 1;
	extra -= vr - 1;
	left = a.y + a.h - (y + 1);
	if (left > extra)
		left = extra;
	if (s->sev != SEV_PASS && s->msg[0] && left > 0) {
		const char *mark = s->sev == SEV_FAIL ? (t->utf8 ? "\u2717" : "!") :
				   s->sev == SEV_WARN ? "!" : "i";
		theme_on(t, stdscr, s->sev == SEV_FAIL ? TH_ERROR :
			 s->sev == SEV_WARN ? TH_WARN : TH_NORMAL);
		theme_put(stdscr, y + 1, a.x + lw, mark, 1);
		y = put_wrapped("", s->msg, y + 1, a.x + lw + 2, inw - 2, &left);
		theme_on(t, stdscr, TH_NORMAL);
		if (s->fix[0])
			put_wrapped(FIX_PREFIX, s->fix, y, a.x + lw + 2, inw - 2,
				    &left);
	} else if (extra > 0 && left > 0) {
		theme_on(t, stdscr, TH_DIM);
		put_wrapped("", d->choice_hints[s->choice], y + 1, a.x + lw + 2,
			    inw - 2, &left);
		theme_on(t, stdscr, TH_NORMAL);
	}
}

void uform_show(struct uform *fm, const struct theme *t, struct rect area)
{
	int vis[64], extra[64], row[64], nv = 0, fvis = 0;

	uform_hide(fm);
	fm->area = area;
	fm->th = t;
	for (int i = 0; i < fm->n; i++)
		fm->row[i] = -1;
	if (area.h <= 0 || area.w < 20 || fm->n == 0)
		return;
	fm->label_w = label_width(fm, area.w);
	for (int i = 0; i < fm->n && nv < 64; i++) {
		if (fm->fs[i].hidden)
			continue;
		if (i == fm->focus)
			fvis = nv;
		vis[nv] = i;
		extra[nv] = extra_lines(fm, i, area.w - fm->label_w);
		nv++;
	}
	layout_form(nv, extra, area.h, fvis, &fm->first, row);
	for (int v = 0; v < nv; v++) {
		fm->row[vis[v]] = row[v];
		if (row[v] < 0)
			continue;
		draw_label(fm, vis[v], extra[v]);
		draw_field(fm, vis[v]);
	}
	fm->shown = true;
}

void uform_place_cursor(struct uform *fm)
{
	int i = fm->focus, w;
	if (!fm->shown || !fm->active || i >= fm->n || fm->row[i] < 0 ||
	    fm->defs[i].type == FT_CHOICE) {
		curs_set(0);
		return;
	}
	w = field_width(fm, i, fm->area.w - fm->label_w);
	move(fm->area.y + fm->row[i], fm->area.x + fm->label_w +
	     ledit_cursor_col(&fm->fs[i].ed) - field_scroll(fm, i, w));
	curs_set(1);
	wnoutrefresh(stdscr);
}

/* Blanks at the edges of a text value go (a password stays as typed). */
static void trim_field(struct uform *fm, int i)
{
	struct ledit *e = &fm->fs[i].ed;
	size_t len = strlen(e->value), lead = 0;
	if (fm->defs[i].type == FT_PASSWORD || fm->defs[i].type == FT_CHOICE)
		return;
	while (len > 0 && e->value[len - 1] == ' ')
		e->value[--len] = 0;
	while (e->value[lead] == ' ')
		lead++;
	if (lead > 0) {
		memmove(e->value, e->value + lead, len - lead + 1);
		explicit_bzero(e->value + len - lead, lead);
	}
	if (e->cur > (int)strlen(e->value))
		e->cur = (int)strlen(e->value);
}

void uform_sync(struct uform *fm)
{
	for (int i = 0; i < fm->n; i++)
		if (i != fm->focus || !fm->active)
			trim_field(fm, i);
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
				  d->choices[s->choice] : s->ed.value,
				  s->msg, sizeof(s->msg), fm->ud);
	s->sev = sev;
	if (sev == SEV_PASS)
		s->msg[0] = 0;
	return sev;
}

int uform_validate_all(struct uform *fm)
{
	int bad = -1;
	for (int i = 0; i < fm->n; i++)
		trim_field(fm, i);
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
	if (fm->focus != i && fm->focus < fm->n) {
		trim_field(fm, fm->focus);
		fm->fs[fm->focus].ed.selected = false;
		if (fm->fs[fm->focus].touched)
			uform_validate(fm, fm->focus);
	}
	fm->focus = i;
	ledit_enter(&fm->fs[i].ed);
}

bool uform_selected(const struct uform *fm)
{
	return fm->focus < fm->n && fm->defs[fm->focus].type != FT_CHOICE &&
	       fm->fs[fm->focus].ed.selected;
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

/* Text editing keys of a field and what each does (lineedit.h); the ones
 * with a name are on the key line (`selected`: only while the value is
 * selected). */
static const struct {
	bool code;
	wint_t key;
	enum ledit_op op;
	const char *hint;
	bool selected;
} EDIT_KEYS[] = {
	{ false, KEY_CTRL_U, LE_CLEAR, "^U Clear", false },
	{ true, KEY_END, LE_END, "End Keep", true },
	{ false, 127, LE_DEL_PREV, NULL, false },
	{ false, 8, LE_DEL_PREV, NULL, false },
	{ true, KEY_BACKSPACE, LE_DEL_PREV, NULL, false },
	{ true, KEY_DC, LE_DEL_CHAR, NULL, false },
	{ true, KEY_LEFT, LE_LEFT, NULL, false },
	{ true, KEY_RIGHT, LE_RIGHT, NULL, false },
	{ true, KEY_HOME, LE_HOME, NULL, false },
};

#define NEDIT_KEYS (sizeof(EDIT_KEYS) / sizeof(EDIT_KEYS[0]))

int uform_edit_hints(const struct uform *fm, const char **hint, int max)
{
	int k = 0;
	if (!fm->active || fm->n == 0 || fm->defs[fm->focus].type == FT_CHOICE)
		return 0;
	for (size_t i = 0; i < NEDIT_KEYS && k < max; i++) {
		if (!EDIT_KEYS[i].hint ||
		    (EDIT_KEYS[i].selected && !uform_selected(fm)))
			continue;
		hint[k++] = EDIT_KEYS[i].hint;
	}
	return k;
}

static enum ledit_op edit_op(int r, wint_t ch)
{
	if (r == OK && ch >= 32 && ch != 127)
		return LE_INSERT;
	for (size_t i = 0; i < NEDIT_KEYS; i++)
		if (EDIT_KEYS[i].code == (r == KEY_CODE_YES) &&
		    EDIT_KEYS[i].key == ch)
			return EDIT_KEYS[i].op;
	return LE_NONE;
}

/* A text key on the focused field: 1 (the field redrawn), 2 (the
 * selection ended: the key line changes), 0 (not an editing key). */
static int edit_key(struct uform *fm, struct fstate *s, int r, wint_t ch)
{
	enum ledit_op op = edit_op(r, ch);
	bool was = s->ed.selected;
	if (op == LE_NONE)
		return 0;
	if (ledit_apply(&s->ed, op, ch) > 0)
		s->touched = true;
	if (fm->shown)
		draw_field(fm, fm->focus);
	return was != s->ed.selected ? 2 : 1;
}

int uform_key(struct uform *fm, int r, wint_t ch)
{
	const struct fdef *d;
	struct fstate *s;
	enum action act;
	int nx, dir;

	if (!fm->shown || fm->n == 0 || !fm->active)
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
	return edit_key(fm, s, r, ch);
}
