/*
 * form.h - a form of labelled fields: text, password (one mask character
 * per typed character), integer and choice fields, each validated when the
 * operator leaves it, with the whole message (and its fix) wrapped inline
 * under the field in the field's own terms (nmtui's model: the values live
 * in the model, drawing only shows them; Next is refused while any field
 * is invalid).  Backend diagnostics whose `field` equals a field's key are
 * shown under that field too.  Each field's text is edited by lineedit.h:
 * entering a field selects its value, so typing replaces it (End or an
 * arrow keeps it), Ctrl-U clears it; the key line names those keys
 * (uform_edit_hints).
 *
 * Ownership: struct uform owns the value buffers; every value is wiped
 * when it is cleared, replaced or freed (uform_release).
 */
#ifndef OPSMGR_FORM_H
#define OPSMGR_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>
#include <curses.h>

#include "core/diag.h"
#include "keymap.h"
#include "layout.h"
#include "theme.h"
#include "widgets/lineedit.h"

#define UFORM_VALUE_MAX LEDIT_MAX
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
	struct ledit ed;              /* the value, its cursor, selection */
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
	bool shown;                   /* drawn by uform_show, not hidden */
	const struct theme *th;
	int *row;                     /* per field: its row in area, -1 none */
	int *scroll;                  /* per field: first character shown */
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
/* The editing keys the key line names for the focused field now: up to
 * max entries, each the key's name, a space and what it does ("^U Clear",
 * frame.h's keyhint for a key that is no action); returns how many (none
 * on a choice or while the form is not active). */
int uform_edit_hints(const struct uform *fm, const char **hint, int max);

/* Rows needed to show everything (fields + inline lines) at width w. */
int uform_need(struct uform *fm, int width);
/*
 * Draw labels, fields and inline messages into area of stdscr.  Call
 * after erasing/drawing the rest of the screen.
 */
void uform_show(struct uform *fm, const struct theme *t, struct rect area);
/* The form is no longer on screen (before the screen is erased). */
void uform_hide(struct uform *fm);
/* Put the terminal cursor where the focused field's cursor is
 * (wnoutrefresh of stdscr; the caller refreshes). */
void uform_place_cursor(struct uform *fm);

/* Trim blanks at the edges of the values (the model is always current;
 * kept for the callers that read values). */
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
 * moves, choice changes; the rest is text editing, lineedit.h).  Returns
 * 0 not used, 1 used (the field is redrawn on stdscr: refresh enough), 2
 * used and a full redraw is needed (focus moved with a new message, a
 * choice changed, a selection ended: the key line changes).
 */
int uform_key(struct uform *fm, int r, wint_t ch);
/* Move focus to field i (visible), validating the field left; the value
 * of the field entered is selected (also when i is the focused one). */
void uform_focus(struct uform *fm, int i);
/* Whether the focused field's value is selected (typing replaces it). */
bool uform_selected(const struct uform *fm);
bool uform_any_touched(const struct uform *fm);
int uform_visible_count(const struct uform *fm);

#endif
