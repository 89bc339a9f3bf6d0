/*
 * errcap.c - stderr captured to an unlinked temporary file while curses is
 * active, replayed after endwin (errcap.h).
 */
#include "errcap.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int errcap_begin(struct errcap *e)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];

	e->saved = e->fd = -1;
	snprintf(path, sizeof(path), "%s/opsmgr-enroll-stderr-XXXXXX",
		 dir && *dir ? dir : "/tmp");
	e->fd = mkstemp(path);
	if (e->fd < 0)
		return -1;
	unlink(path);
	fflush(stderr);
	e->saved = dup(STDERR_FILENO);
	if (e->saved < 0 || dup2(e->fd, STDERR_FILENO) < 0) {
		if (e->saved >= 0)
			close(e->saved);
		close(e->fd);
		e->saved = e->fd = -1;
		return -1;
	}
	return 0;
}

size_t errcap_end(struct errcap *e)
{
	char buf[4096];
	ssize_t n;
	size_t total = 0;

	if (e->fd < 0)
		return 0;
	fflush(stderr);
	dup2(e->saved, STDERR_FILENO);
	close(e->saved);
	if (lseek(e->fd, 0, SEEK_SET) == 0) {
		while ((n = read(e->fd, buf, sizeof(buf))) > 0) {
			total += (size_t)n;
			if (write(STDERR_FILENO, buf, (size_t)n) < 0)
				break;
		}
	}
	close(e->fd);
	e->fd = e->saved = -1;
	return total;
}
