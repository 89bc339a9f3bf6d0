/*
 * lineedit.c - the edited text of a field: selection on entry, UTF-8
 * aware cursor moves and deletes, wiping what leaves the value (see
 * lineedit.h).
 */
#include "widgets/lineedit.h"

#include <stdio.h>
#include <string.h>

#define MASK_CHAR '*'

static bool is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

static int prev_char(const struct ledit *e, int at)
{
	if (at <= 0)
		return 0;
	at--;
	while (at > 0 && is_cont((unsigned char)e->value[at]))
		at--;
	return at;
}

static int next_char(const struct ledit *e, int at)
{
	int len = (int)strlen(e->value);
	if (at >= len)
		return len;
	at++;
	while (at < len && is_cont((unsigned char)e->value[at]))
		at++;
	return at;
}

/* Remove bytes [a, b) of the value, wiping the freed tail. */
static void cut(struct ledit *e, int a, int b)
{
	size_t len = strlen(e->value);
	memmove(e->value + a, e->value + b, len - (size_t)b + 1);
	explicit_bzero(e->value + len - (size_t)(b - a), (size_t)(b - a));
	e->cur = a;
}

void ledit_wipe(struct ledit *e)
{
	explicit_bzero(e->value, sizeof(e->value));
	e->cur = 0;
	e->selected = false;
}

void ledit_set(struct ledit *e, const char *v)
{
	ledit_wipe(e);
	snprintf(e->value, sizeof(e->value), "%s", v ? v : "");
	e->cur = (int)strlen(e->value);
}

void ledit_enter(struct ledit *e)
{
	e->cur = (int)strlen(e->value);
	e->selected = e->cur > 0;
}

static int insert(struct ledit *e, wint_t ch)
{
	char mb[8];
	mbstate_t ps;
	size_t k, len = strlen(e->value);
	memset(&ps, 0, sizeof(ps));
	k = wcrtomb(mb, (wchar_t)ch, &ps);
	if (k == (size_t)-1 || k == 0) {
		if (ch >= 128)
			return -1;
		mb[0] = (char)ch;   /* the C locale: ASCII only */
		k = 1;
	}
	if (len + k >= sizeof(e->value))
		return -1;
	memmove(e->value + e->cur + k, e->value + e->cur, len - (size_t)e->cur + 1);
	memcpy(e->value + e->cur, mb, k);
	explicit_bzero(mb, sizeof(mb));
	e->cur += (int)k;
	return 1;
}

/* A key on a selected value: the ones that edit replace it first. */
static bool replaces(enum ledit_op op)
{
	return op == LE_INSERT || op == LE_DEL_PREV || op == LE_DEL_CHAR ||
	       op == LE_CLEAR;
}

int ledit_apply(struct ledit *e, enum ledit_op op, wint_t ch)
{
	int len = (int)strlen(e->value), at;
	if (e->selected) {
		e->selected = false;
		if (replaces(op)) {
			ledit_wipe(e);
			if (op == LE_INSERT)
				insert(e, ch);
			return 1;
		}
		/* End, Home or an arrow: kept, the cursor moves from its end */
	}
	switch (op) {
	case LE_INSERT:
		return insert(e, ch);
	case LE_DEL_PREV:
		if (e->cur == 0)
			return -1;
		cut(e, prev_char(e, e->cur), e->cur);
		return 1;
	case LE_DEL_CHAR:
		if (e->cur >= len)
			return -1;
		at = e->cur;
		cut(e, at, next_char(e, at));
		return 1;
	case LE_CLEAR:
		if (len == 0)
			return -1;
		ledit_wipe(e);
		return 1;
	case LE_LEFT:
		e->cur = prev_char(e, e->cur);
		return 0;
	case LE_RIGHT:
		e->cur = next_char(e, e->cur);
		return 0;
	case LE_HOME:
		e->cur = 0;
		return 0;
	case LE_END:
		e->cur = len;
		return 0;
	default:
		return -1;
	}
}

static int count_chars(const char *s, int bytes)
{
	int n = 0;
	for (int i = 0; i < bytes && s[i]; i++)
		n += !is_cont((unsigned char)s[i]);
	return n;
}

int ledit_chars(const struct ledit *e)
{
	return count_chars(e->value, (int)sizeof(e->value));
}

int ledit_cursor_col(const struct ledit *e)
{
	return count_chars(e->value, e->cur);
}

void ledit_mask(const struct ledit *e, char *out, size_t n)
{
	size_t k = (size_t)ledit_chars(e);
	if (n == 0)
		return;
	if (k >= n)
		k = n - 1;
	memset(out, MASK_CHAR, k);
	out[k] = 0;
}
