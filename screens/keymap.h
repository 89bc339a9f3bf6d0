/*
 * keymap.h - the one keymap of the wizard: named actions (an X-macro table,
 * tig's `enum request`), the keys bound to them in each key context, and the
 * key line's labels, read from the same bindings so a key shown is a key
 * that works.  Screens ask keymap_action() what a key means instead of
 * comparing raw key codes.  Owner: screens/keymap.c.  No allocation.
 */
#ifndef OPSMGR_KEYMAP_H
#define OPSMGR_KEYMAP_H

#include <stddef.h>
#include <wchar.h>

/*
 * ACTION(name, default key-line text).  The keys of an action are its rows
 * in BINDINGS (keymap.c); the first row that applies in a context is the
 * key the key line shows.
 */
#define KEYMAP_ACTIONS(ACTION)                                   \
	ACTION(NONE, "")                                         \
	ACTION(NEXT, "Next")           /* Enter: run, go on */   \
	ACTION(BACK, "Back")           /* Esc: leave, close */   \
	ACTION(HELP, "Help")                                     \
	ACTION(RAIL, "Stages")         /* choose a stage */      \
	ACTION(RETRY, "Run again")                               \
	ACTION(RUN_ALL, "Run all")     /* every remaining stage */ \
	ACTION(NEW_KEY, "Run with new key")  /* stage 2 */       \
	ACTION(RENEW, "Renew")         /* welcome: cert due */   \
	ACTION(QUIT, "Quit")                                     \
	ACTION(CANCEL, "Cancel")       /* stop running work */   \
	ACTION(LEAVE, "Leave, resume later")                     \
	ACTION(CHECK, "Check again")                             \
	ACTION(EDIT, "Edit")                                     \
	ACTION(YES, "Yes")                                       \
	ACTION(NO, "No")                                         \
	ACTION(FIELD_NEXT, "Field")                              \
	ACTION(FIELD_PREV, "Field")                              \
	ACTION(UP, "Up")                                         \
	ACTION(DOWN, "Down")                                     \
	ACTION(LEFT, "Left")                                     \
	ACTION(RIGHT, "Right")                                   \
	ACTION(PAGE_UP, "Page up")                               \
	ACTION(PAGE_DOWN, "Page down")                           \
	ACTION(TOP, "First")           /* Home: the first row */ \
	ACTION(BOTTOM, "Last")         /* End: the last row */   \
	ACTION(SAVE, "Save report")                              \
	ACTION(APPROVE, "Approve agent")                         \
	ACTION(SAVE_ANSWERS, "Save answers")                     \
	ACTION(EXPLAIN, "Explain event") /* the explain page */

#define KEYMAP_ENUM(name, what) ACT_##name,
enum action { KEYMAP_ACTIONS(KEYMAP_ENUM) ACT_COUNT };
#undef KEYMAP_ENUM

/* Where a key is read: the same key may mean another action elsewhere. */
enum keyctx {
	KC_STAGE = 1u << 0,    /* a stage screen, editing or done */
	KC_PENDING = 1u << 1,  /* a stage waiting on someone */
	KC_CONFIRM = 1u << 2,  /* a y/n question */
	KC_BUSY = 1u << 3,     /* long work running (spinner) */
	KC_LIST = 1u << 4,     /* diagnose and summary */
	KC_WELCOME = 1u << 5,  /* the welcome menu */
	KC_HELP = 1u << 6,     /* a help page */
	KC_RAIL = 1u << 7,     /* choosing a stage on the rail */
	KC_FORM = 1u << 8,     /* a form field has the focus */
	KC_ANY = 0x1ffu,
	/* Not a place but a state, added to one: a text field has the focus,
	 * so a printable character is text and means no action there. */
	KC_TEXT = 1u << 9
};

/*
 * Every action on an F-key also has a printable key (`?` help, `q` quit...)
 * for terminals whose F-keys never arrive; it works wherever no text field
 * has the focus.  Esc followed by a digit is the F-key of that number (Esc 1
 * = F1 ... Esc 0 = F10, Midnight Commander's convention), decoded by
 * ui_getkey into the F-key itself.
 */
#define KEYMAP_ESC_DIGIT_MS 600   /* how long after Esc a digit still counts */

/* The function key Esc then ch stands for (KEY_F(1)..KEY_F(10)), or 0 when
 * ch is not a digit. */
int keymap_esc_digit(wint_t ch);

/* The action bound to a key read by get_wch (r: OK or KEY_CODE_YES) in
 * context ctx; ACT_NONE when the key means nothing there. */
enum action keymap_action(int r, wint_t ch, enum keyctx ctx);

/* The key that means a in ctx, as get_wch would return it: OK or
 * KEY_CODE_YES with *ch set, or ERR when a has no key there. */
int keymap_key(enum action a, enum keyctx ctx, wint_t *ch);

/* The action's default text for the key line ("Help"). */
const char *keymap_what(enum action a);

/* The name of the key the key line shows for a in ctx ("F1", "Esc",
 * "Enter", "y"): the action's first binding in ctx.  Writes "" and returns
 * -1 when a has no key there. */
int keymap_key_name(enum action a, enum keyctx ctx, char *buf, size_t n);

/* The key line's label for a in ctx: the key name, after a printable
 * alternative when ctx has one ("q/F10", "?/F1", "Enter"), so that what
 * follows the slash is what keymap_key_name says.  "" and -1 as there. */
int keymap_key_label(enum action a, enum keyctx ctx, char *buf, size_t n);

/* Every key of a in ctx, for the help page: "F1, Esc 1, ?" ("Esc N" after
 * each of F1..F10).  "" and -1 when a has no key there. */
int keymap_key_names(enum action a, enum keyctx ctx, char *buf, size_t n);

/* The help page's list of keys: one line per action that has a key in
 * ctx ("  F1, Esc 1, ?   Help"), the keys that work everywhere first,
 * then a sentence on letters and Esc+digit.  Returns the length it needs
 * (like snprintf). */
size_t keymap_describe(enum keyctx ctx, char *buf, size_t n);

#endif
