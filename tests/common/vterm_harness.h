/*
 * vterm_harness.h - run a program under a pseudo-terminal (forkpty) and
 * render what it draws with libvterm, the way a person would see it: type
 * keys (as the emulated terminal encodes them, or raw bytes), wait with a
 * time limit for text to appear, read the screen back as text, resize,
 * and check how the terminal was left (alternate screen, cursor).
 *
 * Ownership: struct vt owns the pty, the child and the emulator;
 * vt_close() kills a child still running, reaps it and frees everything.
 */
#ifndef OPSMGR_VTERM_HARNESS_H
#define OPSMGR_VTERM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <vterm.h>

#define VT_DEFAULT_WAIT_MS 20000

struct vt {
	pid_t pid;
	int master;
	VTerm *vt;
	VTermScreen *screen;
	int rows, cols;
	bool altscreen;         /* the program switched to the alternate screen */
	bool cursor_visible;
	bool ever_altscreen;
	char *raw;              /* every byte the program wrote */
	size_t raw_len, raw_cap;
	bool exited;
	int status;             /* exit code, or 128+signal */
};

/*
 * Start argv[0] (a path) with argv at rows x cols.  env: settings applied
 * on top of the inherited environment, "NAME=value" sets, "NAME" unsets;
 * NULL-terminated, may be NULL.  Returns 0 / -1.
 */
int vt_spawn(struct vt *t, int rows, int cols, const char *const argv[],
	     const char *const env[]);
void vt_close(struct vt *t);

/* Read what the program wrote for up to timeout_ms (0 = what is there). */
void vt_pump(struct vt *t, int timeout_ms);
/* Wait until text is on screen: 0, or -1 after timeout_ms. */
int vt_wait_text(struct vt *t, const char *text, int timeout_ms);
/* Wait until text is no longer on screen: 0 / -1. */
int vt_wait_gone(struct vt *t, const char *text, int timeout_ms);
/* Wait until any of the texts is on screen: its index, or -1. */
int vt_wait_any(struct vt *t, const char *const texts[], int timeout_ms);
/* Whether text is on screen now. */
bool vt_has_text(struct vt *t, const char *text);
/* Wait until the program exits: its status, or -1 after timeout_ms. */
int vt_wait_exit(struct vt *t, int timeout_ms);

/* The screen as UTF-8 text, rows separated by '\n' (malloc'd). */
char *vt_screen_text(struct vt *t);
/* One row as UTF-8 into buf. */
void vt_row(struct vt *t, int row, char *buf, size_t n);
/* Row index of the first row containing text, or -1. */
int vt_find_row(struct vt *t, const char *text);
/* Print the screen with a frame (for failing tests). */
void vt_dump(struct vt *t, FILE *out);

/* Keys encoded by the emulated terminal (mode-aware, e.g. application
 * cursor keys).  Modifier: VTERM_MOD_NONE / SHIFT / CTRL / ALT. */
void vt_key(struct vt *t, VTermKey key, VTermModifier mod);
void vt_fkey(struct vt *t, int n);
/* Type text (UTF-8) as key presses. */
void vt_type(struct vt *t, const char *text);
/* Write raw bytes to the program. */
void vt_send(struct vt *t, const char *bytes, size_t len);

/* Resize the terminal (the program gets SIGWINCH). */
void vt_resize(struct vt *t, int rows, int cols);

/* Colour and character-set checks over the whole screen. */
bool vt_any_color(struct vt *t);        /* a cell with non-default fg/bg */
bool vt_all_ascii(struct vt *t);        /* every cell is ASCII */
/* Whether the program's output contains the byte string s. */
bool vt_output_has(struct vt *t, const char *s);

/*
 * Start $OPSMGR_BUILD_DIR/opsmgr-enroll at rows x cols with --state-dir
 * state_dir and --answers answers (when non-NULL), in a predictable
 * environment: TERM=xterm-256color, LANG=C.UTF-8, no NO_COLOR, no system
 * or user configuration file.  env: further settings as for vt_spawn.
 */
int vt_start_wizard(struct vt *t, int rows, int cols, const char *state_dir,
		    const char *answers, const char *const env[]);

#endif
