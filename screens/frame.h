/*
 * frame.h - what every screen has around its content: the title line, the
 * stage rail, the body frame, the status line and the key line (whose key
 * names come from the keymap, so a key shown is a key that works); the
 * "terminal too small" notice; wrapped text in the body; choosing a stage
 * on the rail.
 * Owner: screens/frame.c.  No allocation.
 */
#ifndef OPSMGR_FRAME_H
#define OPSMGR_FRAME_H

#include "keymap.h"
#include "uikit.h"

/* One entry of the key line: the key of act (and of act2, shown as
 * "Up/Down"), then what (NULL: the action's default text).  With act
 * ACT_NONE, what is the key's name, a space and its text ("^U Clear"):
 * a key that is no action of the keymap (a field's editing keys, form.h:
 * uform_edit_hints). */
struct keyhint {
	enum action act;
	enum action act2;     /* ACT_NONE: one key */
	const char *what;
};

/* The key line of a screen: its entries and the context its keys are read
 * in (the key names follow that context's bindings). */
struct keyline {
	enum keyctx ctx;
	const struct keyhint *keys;
	int n;
};

void frame_draw(struct ui *ui, const char *heading, struct keyline kl);
/* The status message, wrapped over FRAME_STATUS_MAX lines at most (the
 * first one borrows the row above the status line); a longer one is cut
 * with an ellipsis, so a screen keeps it whole elsewhere. */
#define FRAME_STATUS_MAX 2
void frame_status(struct ui *ui);
/* How many lines the status message wraps to at the terminal's width. */
int frame_status_lines(const struct ui *ui);
void frame_too_small(struct ui *ui);
/* Paint text wrapped at r.w into r (the first FRAME_TEXT_MAX lines of it
 * at most); returns how many lines it wraps to.  scroll (NULL: 0) is the
 * first wrapped line shown; it is clamped first, so scrolling stops with
 * the last line at the bottom of r. */
#define FRAME_TEXT_MAX 400
int frame_text(struct rect r, const char *text, int *scroll);
/* F2: choose a stage on the rail; returns the stage, 0 (closed), -1 (the
 * terminal was resized: redraw, then ask again) or -2 (quit). */
int frame_rail_select(struct ui *ui);

#endif
