/*
 * stage_screen.h - the engine every stage screen runs on (tig's view_ops
 * idea): a screen is a table of fields plus a few callbacks; the engine
 * draws the frame, the form with inline errors, and the result pane, reads
 * keys, refuses Enter while a field is invalid, runs the stage through the
 * flow with a live spinner, and handles the outcomes (done, failed,
 * pending, needs confirmation, cancelled).  On a done stage Enter runs it
 * again when its answers changed (stage_draft.h says which changes count,
 * the status line says why) and goes on to the next stage otherwise, with
 * "run again anyway" on its own key.
 *
 * Ownership: definitions are const tables in the scr_*.c files (listed in
 * screens.h for the router).
 */
#ifndef OPSMGR_STAGE_SCREEN_H
#define OPSMGR_STAGE_SCREEN_H

#include <stddef.h>

#include "frame.h"
#include "uikit.h"
#include "widgets/form.h"
#include "widgets/pane.h"

/* A second way to run a stage: an action that sets a flag of struct ctx
 * for that run (stage 2: F6 "Run with new key"). */
struct run_choice {
	enum action act;
	size_t flag;                      /* CTX_FLAG(member) */
	bool (*offered)(struct ui *ui);   /* shown and taken only while true */
};

struct stage_screen {
	enum stage stage;
	const char *intro;                     /* what this screen does */
	const struct fdef *fields;
	int nfields;
	/* After the generic load from the configuration (may be NULL). */
	void (*load)(struct ui *ui, struct uform *fm);
	/* Hide/show fields that depend on others (may be NULL). */
	void (*update)(struct ui *ui, struct uform *fm);
	/* Extra work after the generic commit (secrets...).  0 / -1 with msg. */
	int (*commit)(struct ui *ui, struct uform *fm);
	/* Rows shown before the diagnostics in the pane (may be NULL). */
	void (*result)(struct ui *ui, struct pane *p, enum status st);
	/* ST_NEED_CONFIRM: the question (written into buf), and the flag of
	 * struct ctx that "yes" sets: CTX_FLAG(confirm_trust), 0 for none. */
	const char *(*question)(struct ui *ui, char *buf, size_t n);
	size_t confirm_flag;
	/* ST_PENDING: text of the pending panel (may be NULL). */
	const char *(*pending_text)(struct ui *ui, char *buf, size_t n);
	/* Before "check again" while pending (may be NULL). */
	void (*recheck)(struct ui *ui);
	/* Lines shown in the live pane before the stage starts (may be NULL). */
	void (*live_intro)(struct ui *ui, struct pane *p);
	/* An action the engine did not use (a key bound in KC_STAGE), with
	 * the result list; returns true when handled (may be NULL).  key_hint
	 * fills the key line entry for it and returns true when it applies now
	 * (may be NULL). */
	bool (*key)(struct ui *ui, struct pane *p, enum action act);
	bool (*key_hint)(struct ui *ui, struct keyhint *k);
	const struct run_choice *choice;       /* may be NULL */
	const char *run_label;                 /* "Enter <run_label>" */
	bool live_output;                      /* progress + command lines */
	bool cancel_leaves;                    /* Esc while running = leave (7) */
};

/* A struct ctx member for confirm_flag (never 0: ctx starts with a
 * pointer). */
#define CTX_FLAG(member) offsetof(struct ctx, member)
/* .fields and .nfields from one array. */
#define SCREEN_FIELDS(defs) \
	.fields = (defs), .nfields = (int)(sizeof(defs) / sizeof((defs)[0]))

/* Run a stage screen until the operator leaves it: NAV_NEXT, NAV_BACK,
 * NAV_GOTO (F2), NAV_LEAVE, NAV_QUIT. */
enum nav stage_screen_run(struct ui *ui, const struct stage_screen *sc);

/* Shared validators (scr_common.c).  val_schema judges a field by the rule
 * its key has in the configuration schema (config_schema.h); val_url
 * judges a URL and applies [ca] allow_insecure_http to plain http. */
enum diag_severity val_required(struct uform *fm, int idx, const char *v,
				char *msg, size_t n, void *ud);
enum diag_severity val_schema(struct uform *fm, int idx, const char *v,
			      char *msg, size_t n, void *ud);
enum diag_severity val_url(struct uform *fm, int idx, const char *v,
			   char *msg, size_t n, void *ud);

/* Whether the result rows of stage s's last completed run may be shown
 * beside the status st its screen shows (the last run's): only when that
 * run passed and the state records the stage finished.  A failed,
 * cancelled or unconfirmed run shows its own outcome and nothing an
 * earlier run made (scr_common.c). */
bool stage_result_current(const struct ui *ui, enum stage s, enum status st);

#endif
