/*
 * test_keymap.c - the wizard's one keymap (screens/keymap.c): today's
 * bindings in each key context, a context's own meaning of a key before its
 * general one, and key-line names read from the same bindings (a key shown
 * is a key that works); the printable keys of the F-key actions, silent
 * while a field takes text, Esc+digit, and the help page's list of keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <curses.h>

#include "keymap.h"

#define ESC 27

static enum action ch(wint_t c, enum keyctx ctx)
{
	return keymap_action(OK, c, ctx);
}

static enum action code(int k, enum keyctx ctx)
{
	return keymap_action(KEY_CODE_YES, (wint_t)k, ctx);
}

static const char *name(enum action a, enum keyctx ctx)
{
	static char buf[32];
	keymap_key_name(a, ctx, buf, sizeof(buf));
	return buf;
}

static void test_function_keys_everywhere(void **st)
{
	static const enum keyctx ctxs[] = { KC_STAGE, KC_PENDING, KC_CONFIRM,
					    KC_LIST, KC_WELCOME };
	for (size_t i = 0; i < sizeof(ctxs) / sizeof(ctxs[0]); i++) {
		assert_int_equal(code(KEY_F(1), ctxs[i]), ACT_HELP);
		assert_int_equal(code(KEY_F(10), ctxs[i]), ACT_QUIT);
		assert_int_equal(ch(3, ctxs[i]), ACT_QUIT);   /* ^C */
		assert_int_equal(code(KEY_F(5), ctxs[i]), ACT_RETRY);
		assert_int_equal(ch('\r', ctxs[i]), ACT_NEXT);
		assert_int_equal(ch('\n', ctxs[i]), ACT_NEXT);
		assert_int_equal(code(KEY_ENTER, ctxs[i]), ACT_NEXT);
	}
	assert_int_equal(code(KEY_F(2), KC_STAGE), ACT_RAIL);
	assert_int_equal(code(KEY_F(10), KC_BUSY), ACT_QUIT);
	assert_int_equal(ch(3, KC_BUSY), ACT_QUIT);
}

static void test_esc_by_context(void **st)
{
	assert_int_equal(ch(ESC, KC_STAGE), ACT_BACK);
	assert_int_equal(ch(ESC, KC_PENDING), ACT_BACK);
	assert_int_equal(ch(ESC, KC_LIST), ACT_BACK);
	assert_int_equal(ch(ESC, KC_HELP), ACT_BACK);
	assert_int_equal(ch(ESC, KC_RAIL), ACT_BACK);
	assert_int_equal(ch(ESC, KC_CONFIRM), ACT_NO);
	assert_int_equal(ch(ESC, KC_BUSY), ACT_CANCEL);
}

static void test_context_keys(void **st)
{
	/* a help page closes with Esc, q or F1 again; the rail with F2 */
	assert_int_equal(ch('q', KC_HELP), ACT_BACK);
	assert_int_equal(code(KEY_F(1), KC_HELP), ACT_BACK);
	assert_int_equal(code(KEY_F(2), KC_RAIL), ACT_BACK);
	assert_int_equal(ch('q', KC_STAGE), ACT_QUIT);
	assert_int_equal(ch('q', KC_STAGE | KC_TEXT), ACT_NONE);
	/* y/n only in a question, c/l/e only while waiting */
	assert_int_equal(ch('y', KC_CONFIRM), ACT_YES);
	assert_int_equal(ch('Y', KC_CONFIRM), ACT_YES);
	assert_int_equal(ch('N', KC_CONFIRM), ACT_NO);
	assert_int_equal(ch('y', KC_STAGE), ACT_NONE);
	assert_int_equal(ch('c', KC_PENDING), ACT_CHECK);
	assert_int_equal(ch('L', KC_PENDING), ACT_LEAVE);
	assert_int_equal(ch('e', KC_PENDING), ACT_EDIT);
	assert_int_equal(ch('c', KC_STAGE), ACT_NONE);
	assert_int_equal(ch('s', KC_LIST), ACT_SAVE);
	assert_int_equal(ch('a', KC_STAGE), ACT_APPROVE);
	assert_int_equal(ch('a', KC_FORM), ACT_NONE);   /* typed text */
	/* every letter works with Caps Lock on; the key line shows it small */
	assert_int_equal(ch('C', KC_PENDING), ACT_CHECK);
	assert_int_equal(ch('E', KC_PENDING), ACT_EDIT);
	assert_int_equal(ch('S', KC_LIST), ACT_SAVE);
	assert_int_equal(ch('A', KC_STAGE), ACT_APPROVE);
	/* stage 2's "run with a new key" is a stage screen's key only */
	assert_int_equal(code(KEY_F(6), KC_STAGE), ACT_NEW_KEY);
	assert_int_equal(code(KEY_F(6), KC_PENDING), ACT_NONE);
	assert_int_equal(code(KEY_F(6), KC_LIST), ACT_NONE);
	assert_string_equal(name(ACT_NEW_KEY, KC_STAGE), "F6");
	assert_int_equal(ch('Y', KC_STAGE), ACT_NONE);
	/* Tab: next field in a stage screen and a form, next item on the
	 * welcome menu; Space changes a choice and the role */
	assert_int_equal(ch('\t', KC_STAGE), ACT_FIELD_NEXT);
	assert_int_equal(ch('\t', KC_FORM), ACT_FIELD_NEXT);
	assert_int_equal(code(KEY_BTAB, KC_FORM), ACT_FIELD_PREV);
	assert_int_equal(ch('\t', KC_WELCOME), ACT_DOWN);
	assert_int_equal(code(KEY_BTAB, KC_WELCOME), ACT_UP);
	assert_int_equal(ch(' ', KC_FORM), ACT_RIGHT);
	assert_int_equal(ch(' ', KC_WELCOME), ACT_RIGHT);
	assert_int_equal(ch(' ', KC_STAGE), ACT_NONE);
	assert_int_equal(code(KEY_LEFT, KC_WELCOME), ACT_LEFT);
	assert_int_equal(code(KEY_DOWN, KC_LIST), ACT_DOWN);
}

static void test_nothing_for_unbound_keys(void **st)
{
	assert_int_equal(ch('z', KC_ANY), ACT_NONE);
	assert_int_equal(code(KEY_F(7), KC_ANY), ACT_NONE);
	assert_int_equal(keymap_action(ERR, 0, KC_ANY), ACT_NONE);
	/* a code and a character with the same number are different keys */
	assert_int_equal(keymap_action(KEY_CODE_YES, '\r', KC_STAGE), ACT_NONE);
}

static void test_key_line_names(void **st)
{
	assert_string_equal(name(ACT_HELP, KC_STAGE), "F1");
	assert_string_equal(name(ACT_RAIL, KC_STAGE), "F2");
	assert_string_equal(name(ACT_RETRY, KC_STAGE), "F5");
	assert_string_equal(name(ACT_QUIT, KC_STAGE), "F10");
	assert_string_equal(name(ACT_NEXT, KC_STAGE), "Enter");
	assert_string_equal(name(ACT_BACK, KC_STAGE), "Esc");
	assert_string_equal(name(ACT_BACK, KC_HELP), "Esc");
	assert_string_equal(name(ACT_CANCEL, KC_BUSY), "Esc");
	assert_string_equal(name(ACT_YES, KC_CONFIRM), "y");
	assert_string_equal(name(ACT_NO, KC_CONFIRM), "n");
	assert_string_equal(name(ACT_CHECK, KC_PENDING), "c");
	assert_string_equal(name(ACT_LEAVE, KC_PENDING), "l");
	assert_string_equal(name(ACT_FIELD_NEXT, KC_STAGE), "Tab");
	assert_string_equal(name(ACT_FIELD_PREV, KC_STAGE), "S-Tab");
	assert_string_equal(name(ACT_UP, KC_WELCOME), "Up");
	assert_string_equal(name(ACT_RIGHT, KC_WELCOME), "Right");
	assert_string_equal(name(ACT_SAVE, KC_LIST), "s");
	/* no key for an action in a context: nothing to show */
	assert_int_equal(keymap_key_name(ACT_YES, KC_STAGE, (char[8]){ 0 }, 8), -1);
	assert_string_equal(name(ACT_APPROVE, KC_PENDING), "");
	assert_string_equal(keymap_what(ACT_HELP), "Help");
	/* the key itself, e.g. for a lost terminal that must quit */
	wint_t k = 0;
	assert_int_equal(keymap_key(ACT_QUIT, KC_ANY, &k), KEY_CODE_YES);
	assert_int_equal(k, (wint_t)KEY_F(10));
	assert_int_equal(keymap_key(ACT_CANCEL, KC_BUSY, &k), OK);
	assert_int_equal(k, 27);
	assert_int_equal(keymap_key(ACT_SAVE, KC_STAGE, &k), ERR);
	assert_string_equal(keymap_what(ACT_QUIT), "Quit");
}

/* PgUp/PgDn and Home/End are actions in every context (help pages, lists,
 * the result pane, and a form, whose text fields still read Home/End as
 * the cursor keys they are there). */
static void test_page_keys(void **st)
{
	for (unsigned c = 1; c <= KC_FORM; c <<= 1) {
		assert_int_equal(code(KEY_PPAGE, (enum keyctx)c), ACT_PAGE_UP);
		assert_int_equal(code(KEY_NPAGE, (enum keyctx)c), ACT_PAGE_DOWN);
		assert_int_equal(code(KEY_HOME, (enum keyctx)c), ACT_TOP);
		assert_int_equal(code(KEY_END, (enum keyctx)c), ACT_BOTTOM);
	}
	/* a character with the same number is not the key */
	assert_int_equal(ch(KEY_NPAGE, KC_ANY), ACT_NONE);
	assert_string_equal(name(ACT_PAGE_UP, KC_HELP), "PgUp");
	assert_string_equal(name(ACT_PAGE_DOWN, KC_LIST), "PgDn");
	assert_string_equal(name(ACT_TOP, KC_STAGE), "Home");
	assert_string_equal(name(ACT_BOTTOM, KC_STAGE), "End");
	assert_string_equal(keymap_what(ACT_PAGE_DOWN), "Page down");
	wint_t k = 0;
	assert_int_equal(keymap_key(ACT_PAGE_DOWN, KC_HELP, &k), KEY_CODE_YES);
	assert_int_equal(k, (wint_t)KEY_NPAGE);
}

/* Every name on the key line is a key that means that action there. */
static void test_shown_key_works(void **st)
{
	static const struct {
		const char *name;
		int r;
		wint_t ch;
	} KEYS[] = {
		{ "F1", KEY_CODE_YES, KEY_F(1) }, { "F2", KEY_CODE_YES, KEY_F(2) },
		{ "F3", KEY_CODE_YES, KEY_F(3) }, { "F4", KEY_CODE_YES, KEY_F(4) },
		{ "F5", KEY_CODE_YES, KEY_F(5) }, { "F6", KEY_CODE_YES, KEY_F(6) },
		{ "F10", KEY_CODE_YES, KEY_F(10) },
		{ "Enter", OK, '\r' }, { "Esc", OK, ESC }, { "Tab", OK, '\t' },
		{ "S-Tab", KEY_CODE_YES, KEY_BTAB }, { "Up", KEY_CODE_YES, KEY_UP },
		{ "Down", KEY_CODE_YES, KEY_DOWN }, { "Left", KEY_CODE_YES, KEY_LEFT },
		{ "Right", KEY_CODE_YES, KEY_RIGHT },
		{ "PgUp", KEY_CODE_YES, KEY_PPAGE }, { "PgDn", KEY_CODE_YES, KEY_NPAGE },
		{ "Home", KEY_CODE_YES, KEY_HOME }, { "End", KEY_CODE_YES, KEY_END },
	};
	for (unsigned c = 1; c <= KC_FORM; c <<= 1)
		for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
			char n[32];
			if (keymap_key_name((enum action)a, (enum keyctx)c, n,
					    sizeof(n)) < 0)
				continue;
			if (strlen(n) == 1) {
				assert_int_equal(keymap_action(OK, (wint_t)n[0],
							       (enum keyctx)c), a);
				continue;
			}
			size_t k = 0;
			while (k < sizeof(KEYS) / sizeof(KEYS[0]) &&
			       strcmp(KEYS[k].name, n) != 0)
				k++;
			assert_true(k < sizeof(KEYS) / sizeof(KEYS[0]));
			assert_int_equal(keymap_action(KEYS[k].r, KEYS[k].ch,
						       (enum keyctx)c), a);
		}
}

/* Every action on an F-key has a printable key where no field takes
 * text: ? help, q quit, g stages, r run again, x run all, k new key. */
static void test_printable_keys(void **st)
{
	static const enum keyctx ctxs[] = { KC_STAGE, KC_PENDING, KC_LIST,
					    KC_WELCOME, KC_BUSY };
	for (size_t i = 0; i < sizeof(ctxs) / sizeof(ctxs[0]); i++) {
		assert_int_equal(ch('?', ctxs[i]), ACT_HELP);
		assert_int_equal(ch('q', ctxs[i]), ACT_QUIT);
		assert_int_equal(ch('Q', ctxs[i]), ACT_QUIT);
		assert_int_equal(ch('r', ctxs[i]), ACT_RETRY);
		assert_int_equal(ch('g', ctxs[i]), ACT_RAIL);
	}
	/* a key in a context and what it means there */
	static const struct {
		bool code;
		int key;
		enum keyctx ctx;
		enum action want;
	} KEYS[] = {
		{ false, 'q', KC_CONFIRM, ACT_QUIT },
		/* in help, ? and q close it like F1; on the rail, g like F2 */
		{ false, '?', KC_HELP, ACT_BACK }, { false, 'Q', KC_HELP, ACT_BACK },
		{ false, 'g', KC_RAIL, ACT_BACK }, { false, 'q', KC_RAIL, ACT_QUIT },
		/* run what remains: F4 or x on the welcome menu and stage screens */
		{ true, KEY_F(4), KC_WELCOME, ACT_RUN_ALL },
		{ true, KEY_F(4), KC_STAGE, ACT_RUN_ALL },
		{ true, KEY_F(4), KC_PENDING, ACT_RUN_ALL },
		{ false, 'x', KC_WELCOME, ACT_RUN_ALL },
		{ false, 'X', KC_STAGE, ACT_RUN_ALL },
		{ false, 'x', KC_LIST, ACT_NONE },
		{ true, KEY_F(4), KC_LIST, ACT_NONE },
		{ false, 'k', KC_STAGE, ACT_NEW_KEY },
		{ false, 'k', KC_PENDING, ACT_NONE },
		/* renew a due certificate from the welcome menu: F6 or k, the
		 * new-key keys of stage 2 */
		{ true, KEY_F(6), KC_WELCOME, ACT_RENEW },
		{ false, 'k', KC_WELCOME, ACT_RENEW },
		{ false, 'K', KC_WELCOME, ACT_RENEW },
		{ true, KEY_F(6), KC_LIST, ACT_NONE },
		/* the explain page from anywhere: F3 or v, not over a question,
		 * a running stage or a page (help, the explain page itself) */
		{ true, KEY_F(3), KC_WELCOME, ACT_EXPLAIN },
		{ true, KEY_F(3), KC_STAGE, ACT_EXPLAIN },
		{ true, KEY_F(3), KC_FORM, ACT_EXPLAIN },
		{ true, KEY_F(3), KC_PENDING, ACT_EXPLAIN },
		{ false, 'v', KC_LIST, ACT_EXPLAIN },
		{ false, 'V', KC_STAGE, ACT_EXPLAIN },
		{ false, 'v', KC_FORM, ACT_NONE },
		{ false, 'v', KC_STAGE | KC_TEXT, ACT_NONE },
		{ true, KEY_F(3), KC_CONFIRM, ACT_NONE },
		{ true, KEY_F(3), KC_BUSY, ACT_NONE },
		{ true, KEY_F(3), KC_HELP, ACT_NONE },
		/* a context's own letters first: y/n in a question, c/l/e waiting */
		{ false, 'n', KC_CONFIRM, ACT_NO },
		{ false, 'c', KC_PENDING, ACT_CHECK },
	};
	for (size_t i = 0; i < sizeof(KEYS) / sizeof(KEYS[0]); i++)
		assert_int_equal(KEYS[i].code ? code(KEYS[i].key, KEYS[i].ctx) :
				 ch((wint_t)KEYS[i].key, KEYS[i].ctx), KEYS[i].want);
}

/* A field with the focus takes printable keys as text; the keys that
 * are no text still work. */
static void test_text_focus(void **st)
{
	static const char letters[] = "?qQgrxka ";
	for (size_t i = 0; letters[i]; i++) {
		assert_int_equal(ch((wint_t)letters[i], KC_STAGE | KC_TEXT), ACT_NONE);
		assert_int_equal(ch((wint_t)letters[i], KC_FORM), letters[i] == ' ' ?
				 ACT_RIGHT : ACT_NONE);
	}
	assert_int_equal(code(KEY_F(1), KC_STAGE | KC_TEXT), ACT_HELP);
	assert_int_equal(code(KEY_F(10), KC_STAGE | KC_TEXT), ACT_QUIT);
	assert_int_equal(ch(3, KC_STAGE | KC_TEXT), ACT_QUIT);
	assert_int_equal(ch('\r', KC_STAGE | KC_TEXT), ACT_NEXT);
	assert_int_equal(ch(ESC, KC_STAGE | KC_TEXT), ACT_BACK);
	assert_int_equal(ch('\t', KC_STAGE | KC_TEXT), ACT_FIELD_NEXT);
}

/* Esc then a digit is the F-key of that number (Esc 0 = F10). */
static void test_esc_digit(void **st)
{
	assert_int_equal(keymap_esc_digit('1'), KEY_F(1));
	assert_int_equal(keymap_esc_digit('5'), KEY_F(5));
	assert_int_equal(keymap_esc_digit('9'), KEY_F(9));
	assert_int_equal(keymap_esc_digit('0'), KEY_F(10));
	assert_int_equal(keymap_esc_digit('a'), 0);
	assert_int_equal(keymap_esc_digit(ESC), 0);
	assert_int_equal(code(keymap_esc_digit('0'), KC_STAGE), ACT_QUIT);
}

/* The key line's label puts the printable key before the F-key; the help
 * page lists every key, Esc+digit included. */
static void test_labels_and_help(void **st)
{
	typedef int (*namer)(enum action, enum keyctx, char *, size_t);
	static const struct {
		namer fn;
		enum action a;
		enum keyctx ctx;
		const char *want;
	} NAMES[] = {
		{ keymap_key_label, ACT_HELP, KC_STAGE, "?/F1" },
		{ keymap_key_label, ACT_QUIT, KC_WELCOME, "q/F10" },
		{ keymap_key_label, ACT_QUIT, KC_STAGE | KC_TEXT, "F10" },
		{ keymap_key_label, ACT_NEXT, KC_STAGE, "Enter" },
		{ keymap_key_label, ACT_CHECK, KC_PENDING, "c" },
		{ keymap_key_label, ACT_YES, KC_STAGE, "" },
		/* the message name stays the F-key */
		{ keymap_key_name, ACT_QUIT, KC_WELCOME, "F10" },
		{ keymap_key_names, ACT_HELP, KC_STAGE, "F1, Esc 1, ?" },
		{ keymap_key_names, ACT_QUIT, KC_STAGE, "F10, Esc 0, ^C, q" },
		{ keymap_key_names, ACT_NEXT, KC_STAGE, "Enter" },
		{ keymap_key_names, ACT_HELP, KC_STAGE | KC_TEXT, "F1, Esc 1" },
		{ keymap_key_names, ACT_SAVE, KC_STAGE, "" },
	};
	char b[64], *all;
	size_t need;
	for (size_t i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); i++) {
		int r = NAMES[i].fn(NAMES[i].a, NAMES[i].ctx, b, sizeof(b));
		assert_string_equal(b, NAMES[i].want);
		assert_int_equal(r, NAMES[i].want[0] ? 0 : -1);   /* no key: -1 */
	}

	need = keymap_describe(KC_STAGE, NULL, 0);
	all = malloc(need + 1);
	assert_non_null(all);
	assert_int_equal(keymap_describe(KC_STAGE, all, need + 1), need);
	assert_int_equal(strlen(all), need);
	assert_non_null(strstr(all, "F1, Esc 1, ?"));
	assert_non_null(strstr(all, "F4, Esc 4, x"));
	assert_non_null(strstr(all, "Esc 0 = F10"));
	free(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_function_keys_everywhere),
		cmocka_unit_test(test_esc_by_context),
		cmocka_unit_test(test_context_keys),
		cmocka_unit_test(test_nothing_for_unbound_keys),
		cmocka_unit_test(test_key_line_names),
		cmocka_unit_test(test_page_keys),
		cmocka_unit_test(test_shown_key_works),
		cmocka_unit_test(test_printable_keys),
		cmocka_unit_test(test_text_focus),
		cmocka_unit_test(test_esc_digit),
		cmocka_unit_test(test_labels_and_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
