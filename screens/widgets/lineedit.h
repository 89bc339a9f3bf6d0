/*
 * lineedit.h - the text of one field being edited, apart from drawing
 * (htop's LineEditor): a UTF-8 value, the cursor, and whether the whole
 * value is selected.  Entering a field selects its value: typing (or
 * Backspace, Delete) replaces it, End or an arrow keeps it and moves the
 * cursor, Ctrl-U clears it.  Every byte that leaves the value (cleared,
 * replaced, deleted) is wiped with explicit_bzero, so a password leaves
 * nothing behind in the buffer.  Owner: screens/widgets/lineedit.c.
 *
 * Ownership: struct ledit is a plain value inside its owner (no
 * allocation); ledit_wipe() before it is dropped.
 */
#ifndef OPSMGR_LINEEDIT_H
#define OPSMGR_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#define LEDIT_MAX 512

struct ledit {
	char value[LEDIT_MAX];   /* UTF-8, NUL-terminated */
	int cur;                 /* cursor: byte offset into value */
	bool selected;           /* the whole value is selected */
};

/* What a key does to the text (form.c maps keys to these). */
enum ledit_op {
	LE_NONE = 0,
	LE_INSERT,     /* a character */
	LE_DEL_PREV,   /* Backspace */
	LE_DEL_CHAR,   /* Delete */
	LE_CLEAR,      /* Ctrl-U */
	LE_LEFT,
	LE_RIGHT,
	LE_HOME,
	LE_END
};

/* Replace the value (the old one wiped); cursor at the end, not
 * selected. */
void ledit_set(struct ledit *e, const char *v);
/* Wipe the value: empty, nothing selected. */
void ledit_wipe(struct ledit *e);
/* Entering the field: the value selected (when there is one), the cursor
 * at its end. */
void ledit_enter(struct ledit *e);
/* Apply op (ch: the character of LE_INSERT).  Returns 1 when the value
 * changed, 0 when only the cursor or the selection did, -1 when op did
 * nothing (a full buffer, the cursor at an edge). */
int ledit_apply(struct ledit *e, enum ledit_op op, wint_t ch);
/* Characters (code points) in the value, and before the cursor. */
int ledit_chars(const struct ledit *e);
int ledit_cursor_col(const struct ledit *e);
/* What a password field shows: one mask character per character of the
 * value, into out. */
void ledit_mask(const struct ledit *e, char *out, size_t n);

#endif
