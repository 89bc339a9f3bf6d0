/*
 * hooks.h - how long backend operations talk back to whoever called them:
 * progress (what is happening, fraction or negative for "unknown"), a
 * cancellation poll (the UI returns true after Esc), and a line sink for
 * command output.  All members may be NULL; use the inline helpers.
 *
 * The backend polls cancelled() between steps and from libcurl's progress
 * callback, so the UI can stay single-threaded: its progress() draws the
 * spinner and reads keys with a zero timeout.
 */
#ifndef OPSMGR_HOOKS_H
#define OPSMGR_HOOKS_H

struct hooks {
	void (*progress)(void *ud, const char *what, double fraction);
	int (*cancelled)(void *ud);
	void (*line)(void *ud, const char *line);
	void *ud;
};

static inline void hooks_progress(const struct hooks *h, const char *what,
				  double fraction)
{
	if (h && h->progress)
		h->progress(h->ud, what, fraction);
}

static inline int hooks_cancelled(const struct hooks *h)
{
	return h && h->cancelled && h->cancelled(h->ud);
}

static inline void hooks_line(const struct hooks *h, const char *line)
{
	if (h && h->line)
		h->line(h->ud, line);
}

#endif
