/*
 * keymap.c - the bindings of the wizard's actions (see keymap.h): one row a
 * key, first match wins, so a context's own meaning of a key is listed
 * before the meaning it has everywhere else.  A second key for an action is
 * one more row.
 */
#include "keymap.h"

#include <stdbool.h>
#include <stdio.h>
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
	{ KC_WELCOME, ACT_DOWN, CHAR('\t') },
	{ KC_WELCOME, ACT_UP, CODE(KEY_BTAB) },
	{ KC_WELCOME | KC_FORM, ACT_RIGHT, CHAR(' ') },
	{ KC_STAGE | KC_FORM, ACT_FIELD_NEXT, CHAR('\t') },
	{ KC_STAGE | KC_FORM, ACT_FIELD_PREV, CODE(KEY_BTAB) },
	/* everywhere */
	{ KC_ANY, ACT_BACK, CHAR(KEY_ESC) },
	{ KC_HELP, ACT_BACK, CHAR('q') },
	{ KC_HELP, ACT_BACK, CODE(KEY_F(1)) },
	{ KC_RAIL, ACT_BACK, CODE(KEY_F(2)) },
	{ KC_ANY, ACT_NEXT, CHAR('\r') },
	{ KC_ANY, ACT_NEXT, CHAR('\n') },
	{ KC_ANY, ACT_NEXT, CODE(KEY_ENTER) },
	{ KC_ANY, ACT_HELP, CODE(KEY_F(1)) },
	{ KC_ANY, ACT_RAIL, CODE(KEY_F(2)) },
	{ KC_ANY, ACT_RETRY, CODE(KEY_F(5)) },
	{ KC_ANY, ACT_QUIT, CODE(KEY_F(10)) },
	{ KC_ANY, ACT_QUIT, CHAR(KEY_CTRL_C) },   /* raw mode: ^C quits too */
};

#define NBINDINGS (sizeof(BINDINGS) / sizeof(BINDINGS[0]))

#define KEYMAP_WHAT(name, what) what,
static const char *const WHAT[ACT_COUNT] = { KEYMAP_ACTIONS(KEYMAP_WHAT) };
#undef KEYMAP_WHAT

enum action keymap_action(int r, wint_t ch, enum keyctx ctx)
{
	bool code = r == KEY_CODE_YES;
	if (r != OK && !code)
		return ACT_NONE;
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

/* The first row of a that applies in ctx and is not taken there by an
 * earlier row, or NULL. */
static const struct binding *first_key(enum action a, enum keyctx ctx)
{
	for (size_t i = 0; i < NBINDINGS; i++) {
		const struct binding *b = &BINDINGS[i];
		if (b->act == a && (b->ctx & (unsigned)ctx) &&
		    keymap_action(b->code ? KEY_CODE_YES : OK, b->key, ctx) == a)
			return b;
	}
	return NULL;
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
