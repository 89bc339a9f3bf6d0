/*
 * privdir.h - the one check of a private directory (the state directory,
 * the trust store, the lab's directory and its ca/), modelled on how
 * OpenSSH checks ~/.ssh: what is kept there is private only when nobody
 * else can replace the directory or anything on the way to it.
 *
 *   the directory   exists, is a directory and no symbolic link, is owned
 *                   by us (the effective uid) or root, and is writable by
 *                   neither group nor others;
 *   every ancestor  up to / is owned by us or root and is not writable by
 *                   group or others unless sticky (like /tmp); an ancestor
 *                   that is a symbolic link passes only when its target
 *                   (and every ancestor of that) passes.
 *
 * The message names the offending path, its owner and mode, and the fix
 * (chmod / chown), e.g. "state directory '/t/ww/st' is not private: a
 * directory on the way to it, '/t/ww', is world-writable and not sticky
 * (owner uid 0, mode 0777), so others can replace what is inside: run
 * chmod go-w '/t/ww', or choose a directory elsewhere".
 *
 * Owner: backend/core/privdir.c.  No allocation kept; errors in err.
 */
#ifndef OPSMGR_PRIVDIR_H
#define OPSMGR_PRIVDIR_H

#include <stddef.h>

/* Check dir; what names it in messages ("state directory", "trust store",
 * "lab directory").  0, or -1 with the reason and the fix in err. */
int privdir_check(const char *what, const char *dir, char *err,
		  size_t errlen);

#endif
