/*
 * form.h - a form of labelled fields over the ncurses form library (formw):
 * text, masked password, integer and choice fields, each validated when the
 * operator leaves it, with the message drawn inline under the field in the
 * field's own terms (nmtui's model: the values live in a draft model, the
 * FORM is only the view and is rebuilt on every layout; Next is refused
 * while any field is invalid).  Backend diagnostics whose `field` equals a
 * field's key are shown under that field too.
 *
 * Ownership: struct uform owns its FORM/FIELDs and the value buffers;
 * uform_release() frees them and wipes the password values.
 */
#ifndef OPSMGR_FORM_H
#define OPSMGR_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>
#include <curses.h>
#include <form.h>

#include "core/diag.h"
#include "keymap.h"
#include "layout.h"
#include "theme.h"

#define UFORM_VALUE_MAX 512
#define UFORM_MSG_MAX 600

/* FT_INT is a narrow field for a number; its validator judges it. */
enum ftype { FT_TEXT = 0, FT_PASSWORD, FT_INT, FT_CHOICE };

struct uform;

/* Validate v; write a message and return SEV_FAIL / SEV_WARN, or SEV_PASS. */
typedef enum diag_severity (*fvalidate_fn)(struct uform *fm, int idx,
					   const char *v, char *msg,
					   size_t msglen, void *ud);

/* A validator's verdict: writes the message, returns sev. */
enum diag_severity uform_say(enum diag_severity sev, char *msg, size_t n,
			     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

struct fdef {
	const char *key;                  /* "section.key" (diag field) */
	const char *label;
	enum ftype type;
	const char *const *choices;       /* FT_CHOICE: NULL-terminated */
	const char *const *choice_hints;  /* one line per choice, or NULL */
	fvalidate_fn validate;            /* NULL = anything goes; FT_INT:
					     the key's rule (val_schema) */
};

struct fstate {
	char value[UFORM_VALUE_MAX];
	int choice;
	char msg[UFORM_MSG_MAX];
	char fix[UFORM_MSG_MAX];
	enum diag_severity sev;       /* of msg: PASS = none */
	bool from_backend;            /* msg came from a diagnostic */
	bool touched;                 /* edited since load / last run */
	bool hidden;                  /* not applicable now (not drawn) */
};

struct uform {
	const struct fdef *defs;
	int n;
	struct fstate *fs;
	int focus;
	int first;
	void *ud;                     /* passed to validators */

	/* view */
	FORM *form;
	FIELD **fields;               /* n + 1, NULL terminated (visible only) */
	int *fmap;                    /* fields[k] -> defs index */
	WINDOW *sub;
	struct rect area;
	int label_w;
	bool active;                  /* focus is in the form (not the pane) */
};

int uform_init(struct uform *fm, const struct fdef *defs, int n, void *ud);
void uform_release(struct uform *fm);

int uform_index(const struct uform *fm, const char *key);   /* -1 */
const char *uform_value(const struct uform *fm, const char *key);
void uform_set(struct uform *fm, const char *key, const char *v);
void uform_set_choice(struct uform *fm, const char *key, const char *name);
const char *uform_choice(const struct uform *fm, const char *key);
/* The chosen entry's index in the field's choices, -1 when key is not a
 * choice (choices from a CONFIG_NAMES_* list: the index is the enum). */
int uform_choice_index(const struct uform *fm, const char *key);
void uform_set_hidden(struct uform *fm, const char *key, bool hidden);
/* Wipe a (password) value. */
void uform_wipe(struct uform *fm, const char *key);

/* Rows needed to show everything (fields + inline lines) at width w. */
int uform_need(struct uform *fm, int width);
/*
 * Draw labels and inline messages into area of stdscr and (re)build the
 * formw view there.  Call after erasing/drawing the rest of the screen.
 */
void uform_show(struct uform *fm, const struct theme *t, struct rect area);
/* Remove the formw view (before the screen is erased / rebuilt). */
void uform_hide(struct uform *fm);
/* Put the terminal cursor where the focused field's cursor is. */
void uform_place_cursor(struct uform *fm);

/* Copy the formw buffers into the model (trimmed). */
void uform_sync(struct uform *fm);
/* Validate field i into its message; returns its severity. */
enum diag_severity uform_validate(struct uform *fm, int i);
/* Validate all visible fields; returns the first failing index or -1. */
int uform_validate_all(struct uform *fm);

/* Clear backend messages, then take the diagnostics naming our fields. */
void uform_apply_diags(struct uform *fm, const struct diag_list *dl);
/* Whether a diagnostic is shown under one of the visible fields. */
bool uform_owns_diag(const struct uform *fm, const struct diag *d);

/*
 * Offer a key (what it means is read from the keymap in KC_FORM: field
 * moves, choice changes; the rest is text editing).  Returns 0 not used, 1 used (field content changed or cursor
 * moved, refresh enough), 2 used and a full redraw is needed (focus moved
 * with a new message, a choice changed).
 */
int uform_key(struct uform *fm, int r, wint_t ch);
/* Move focus to field i (visible), validating the field left. */
void uform_focus(struct uform *fm, int i);
bool uform_any_touched(const struct uform *fm);
int uform_visible_count(const struct uform *fm);

#endif
