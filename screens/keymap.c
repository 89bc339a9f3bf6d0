/*
 * keymap.c - the bindings of the wizard's actions (see keymap.h): one row a
 * key, first match wins, so a context's own meaning of a key is listed
 * before the meaning it has everywhere else.  A second key for an action is
 * one more row; an action's F-key row comes before its printable key, so
 * the F-key is the name messages use.  Also the names of keys: for the key
 * line, messages and the help page.
 */
#include "keymap.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <curses.h>

#define KEY_ESC 27
#define KEY_CTRL_C 3

struct binding {
	unsigned ctx;        /* enum keyctx bits where the row applies */
	enum action act;
	bool code;           /* a curses key code (KEY_CODE_YES) or a character */
	wint_t key;
};

#define CODE(k) true, (wint_t)(k)
#define CHAR(c) false, (wint_t)(c)
/* A lowercase letter and its capital (Caps Lock on): two rows, the
 * lowercase one first, so the key line shows it. */
#define LETTER(ctx, act, c) \
	{ ctx, act, CHAR(c) }, { ctx, act, CHAR((c) - 'a' + 'A') }
/* Where a printable key may be an action: not in a form field (text). */
#define KC_KEYS (KC_ANY & ~KC_FORM)
/* Where "run what remains" is offered. */
#define KC_RUN_ALL (KC_STAGE | KC_PENDING | KC_WELCOME)
/* Where the explain page opens: every screen, not over a question, a
 * running stage, the rail or a page (help, explain itself). */
#define KC_EXPLAIN (KC_STAGE | KC_PENDING | KC_LIST | KC_WELCOME | KC_FORM)

static const struct binding BINDINGS[] = {
	/* the arrows first: the key line shows "Up/Down", "Left/Right" */
	{ KC_ANY, ACT_UP, CODE(KEY_UP) },
	{ KC_ANY, ACT_DOWN, CODE(KEY_DOWN) },
	{ KC_ANY, ACT_LEFT, CODE(KEY_LEFT) },
	{ KC_ANY, ACT_RIGHT, CODE(KEY_RIGHT) },
	{ KC_ANY, ACT_PAGE_UP, CODE(KEY_PPAGE) },
	{ KC_ANY, ACT_PAGE_DOWN, CODE(KEY_NPAGE) },
	{ KC_ANY, ACT_TOP, CODE(KEY_HOME) },
	{ KC_ANY, ACT_BOTTOM, CODE(KEY_END) },
	/* what a key means in one context (before its general meaning) */
	LETTER(KC_CONFIRM, ACT_YES, 'y'),
	LETTER(KC_CONFIRM, ACT_NO, 'n'),
	{ KC_CONFIRM, ACT_NO, CHAR(KEY_ESC) },
	{ KC_BUSY, ACT_CANCEL, CHAR(KEY_ESC) },
	LETTER(KC_PENDING, ACT_CHECK, 'c'),
	LETTER(KC_PENDING, ACT_LEAVE, 'l'),
	LETTER(KC_PENDING, ACT_EDIT, 'e'),
	LETTER(KC_LIST, ACT_SAVE, 's'),
	LETTER(KC_LIST, ACT_SAVE_ANSWERS, 'a'),
	LETTER(KC_STAGE, ACT_APPROVE, 'a'),
	{ KC_STAGE, ACT_NEW_KEY, CODE(KEY_F(6)) },
	LETTER(KC_STAGE, ACT_NEW_KEY, 'k'),
	{ KC_WELCOME, ACT_RENEW, CODE(KEY_F(6)) },   /* a new key, like stage 2's */
	LETTER(KC_WELCOME, ACT_RENEW, 'k'),
	{ KC_WELCOME, ACT_DOWN, CHAR('\t') },
	{ KC_WELCOME, ACT_UP, CODE(KEY_BTAB) },
	{ KC_WELCOME | KC_FORM, ACT_RIGHT, CHAR(' ') },
	{ KC_STAGE | KC_FORM, ACT_FIELD_NEXT, CHAR('\t') },
	{ KC_STAGE | KC_FORM, ACT_FIELD_PREV, CODE(KEY_BTAB) },
	/* everywhere */
	{ KC_ANY, ACT_BACK, CHAR(KEY_ESC) },
	LETTER(KC_HELP, ACT_BACK, 'q'),
	{ KC_HELP, ACT_BACK, CODE(KEY_F(1)) },
	{ KC_HELP, ACT_BACK, CHAR('?') },
	{ KC_RAIL, ACT_BACK, CODE(KEY_F(2)) },
	LETTER(KC_RAIL, ACT_BACK, 'g'),
	{ KC_ANY, ACT_NEXT, CHAR('\r') },
	{ KC_ANY, ACT_NEXT, CHAR('\n') },
	{ KC_ANY, ACT_NEXT, CODE(KEY_ENTER) },
	{ KC_ANY, ACT_HELP, CODE(KEY_F(1)) },
	{ KC_ANY, ACT_RAIL, CODE(KEY_F(2)) },
	{ KC_RUN_ALL, ACT_RUN_ALL, CODE(KEY_F(4)) },
	{ KC_ANY, ACT_RETRY, CODE(KEY_F(5)) },
	{ KC_EXPLAIN, ACT_EXPLAIN, CODE(KEY_F(3)) },
	{ KC_ANY, ACT_QUIT, CODE(KEY_F(10)) },
	{ KC_ANY, ACT_QUIT, CHAR(KEY_CTRL_C) },   /* raw mode: ^C quits too */
	/* the F-keys' printable keys, wherever no field takes text */
	{ KC_KEYS, ACT_HELP, CHAR('?') },
	LETTER(KC_KEYS, ACT_RAIL, 'g'),
	LETTER(KC_RUN_ALL, ACT_RUN_ALL, 'x'),
	LETTER(KC_KEYS, ACT_RETRY, 'r'),
	LETTER(KC_KEYS, ACT_QUIT, 'q'),
	LETTER(KC_EXPLAIN & ~KC_FORM, ACT_EXPLAIN, 'v'),
};

#define NBINDINGS (sizeof(BINDINGS) / sizeof(BINDINGS[0]))

#define KEYMAP_WHAT(name, what) what,
static const char *const WHAT[ACT_COUNT] = { KEYMAP_ACTIONS(KEYMAP_WHAT) };
#undef KEYMAP_WHAT

static bool printable(bool code, wint_t key)
{
	return !code && key >= 32 && key != 127;
}

int keymap_esc_digit(wint_t ch)
{
	if (ch >= '1' && ch <= '9')
		return KEY_F((int)(ch - '0'));
	return ch == '0' ? KEY_F(10) : 0;
}

enum action keymap_action(int r, wint_t ch, enum keyctx ctx)
{
	bool code = r == KEY_CODE_YES;
	if (r != OK && !code)
		return ACT_NONE;
	if ((ctx & KC_TEXT) && printable(code, ch))
		return ACT_NONE;   /* typed text */
	for (size_t i = 0; i < NBINDINGS; i++) {
		const struct binding *b = &BINDINGS[i];
		if ((b->ctx & (unsigned)ctx) && b->code == code && b->key == ch)
			return b->act;
	}
	return ACT_NONE;
}

const char *keymap_what(enum action a)
{
	return a >= 0 && a < ACT_COUNT ? WHAT[a] : "";
}

static void binding_name(const struct binding *b, char *buf, size_t n)
{
	static const struct {
		bool code;
		wint_t key;
		const char *name;
	} NAMES[] = {
		{ CHAR(KEY_ESC), "Esc" },      { CHAR('\r'), "Enter" },
		{ CHAR('\n'), "Enter" },       { CODE(KEY_ENTER), "Enter" },
		{ CHAR('\t'), "Tab" },         { CODE(KEY_BTAB), "S-Tab" },
		{ CHAR(' '), "Space" },        { CHAR(KEY_CTRL_C), "^C" },
		{ CODE(KEY_UP), "Up" },        { CODE(KEY_DOWN), "Down" },
		{ CODE(KEY_LEFT), "Left" },    { CODE(KEY_RIGHT), "Right" },
		{ CODE(KEY_PPAGE), "PgUp" },   { CODE(KEY_NPAGE), "PgDn" },
		{ CODE(KEY_HOME), "Home" },    { CODE(KEY_END), "End" },
	};
	for (size_t i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); i++)
		if (NAMES[i].code == b->code && NAMES[i].key == b->key) {
			snprintf(buf, n, "%s", NAMES[i].name);
			return;
		}
	if (b->code && b->key >= (wint_t)KEY_F(1) && b->key <= (wint_t)KEY_F(12))
		snprintf(buf, n, "F%d", (int)(b->key - (wint_t)KEY_F0));
	else if (!b->code && b->key > 32 && b->key < 127)
		snprintf(buf, n, "%c", (int)b->key);
	else
		snprintf(buf, n, "key %u", (unsigned)b->key);
}

/* Whether row b is a key of a in ctx (not taken there by an earlier row). */
static bool works(const struct binding *b, enum action a, enum keyctx ctx)
{
	return b->act == a && (b->ctx & (unsigned)ctx) &&
	       keymap_action(b->code ? KEY_CODE_YES : OK, b->key, ctx) == a;
}

/* The first row of a that works in ctx (only_printable: the first
 * printable one), or NULL. */
static const struct binding *find_key(enum action a, enum keyctx ctx,
				      bool only_printable)
{
	for (size_t i = 0; i < NBINDINGS; i++) {
		const struct binding *b = &BINDINGS[i];
		if (works(b, a, ctx) && (!only_printable || printable(b->code, b->key)))
			return b;
	}
	return NULL;
}

static const struct binding *first_key(enum action a, enum keyctx ctx)
{
	return find_key(a, ctx, false);
}

int keymap_key(enum action a, enum keyctx ctx, wint_t *ch)
{
	const struct binding *b = first_key(a, ctx);
	if (!b)
		return ERR;
	*ch = b->key;
	return b->code ? KEY_CODE_YES : OK;
}

int keymap_key_name(enum action a, enum keyctx ctx, char *buf, size_t n)
{
	const struct binding *b = first_key(a, ctx);
	if (b) {
		binding_name(b, buf, n);
		return 0;
	}
	if (n > 0)
		buf[0] = 0;
	return -1;
}

int keymap_key_label(enum action a, enum keyctx ctx, char *buf, size_t n)
{
	const struct binding *b = first_key(a, ctx);
	const struct binding *alt = find_key(a, ctx, true);
	char name[32];
	if (!b || !alt || alt == b || n == 0)
		return keymap_key_name(a, ctx, buf, n);
	binding_name(alt, buf, n);
	binding_name(b, name, sizeof(name));
	size_t l = strlen(buf);
	snprintf(buf + l, n - l, "/%s", name);
	return 0;
}

/* A capital letter whose small one means the same: not listed again. */
static bool caps_twin(const struct binding *b, enum action a, enum keyctx ctx)
{
	return !b->code && b->key >= 'A' && b->key <= 'Z' &&
	       keymap_action(OK, b->key - 'A' + 'a', ctx) == a;
}

/* Whether a row before i that works for a in ctx has the same name
 * ("Enter" is \r, \n and KEY_ENTER). */
static bool named_before(size_t i, enum action a, enum keyctx ctx,
			 const char *name)
{
	for (size_t j = 0; j < i; j++) {
		char other[32];
		if (!works(&BINDINGS[j], a, ctx))
			continue;
		binding_name(&BINDINGS[j], other, sizeof(other));
		if (strcmp(other, name) == 0)
			return true;
	}
	return false;
}

int keymap_key_names(enum action a, enum keyctx ctx, char *buf, size_t n)
{
	size_t l = 0;
	if (n == 0)
		return -1;
	buf[0] = 0;
	for (size_t i = 0; i < NBINDINGS; i++) {
		const struct binding *b = &BINDINGS[i];
		char name[32];
		if (!works(b, a, ctx) || caps_twin(b, a, ctx))
			continue;
		binding_name(b, name, sizeof(name));
		if (named_before(i, a, ctx, name))
			continue;
		l += (size_t)snprintf(buf + l, l < n ? n - l : 0, "%s%s",
				      l ? ", " : "", name);
		if (b->code && b->key >= (wint_t)KEY_F(1) &&
		    b->key <= (wint_t)KEY_F(10))
			l += (size_t)snprintf(buf + l, l < n ? n - l : 0,
					      ", Esc %d", (int)(b->key - (wint_t)KEY_F0) % 10);
	}
	return buf[0] ? 0 : -1;
}

size_t keymap_describe(enum keyctx ctx, char *buf, size_t n)
{
	size_t l = 0;
	if (n > 0)
		buf[0] = 0;
	for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
		char names[96];
		if (keymap_key_names((enum action)a, ctx, names, sizeof(names)) < 0)
			continue;
		l += (size_t)snprintf(buf + l, l < n ? n - l : 0, "  %-22s %s\n",
				      names, keymap_what((enum action)a));
	}
	l += (size_t)snprintf(buf + l, l < n ? n - l : 0, "\n"
		"A letter or ? works wherever no text field has the focus. "
		"Esc then a digit is the F-key of that number everywhere (Esc 1 "
		"= F1 ... Esc 0 = F10), for terminals whose F-keys do not "
		"arrive.\n");
	return l;
}
