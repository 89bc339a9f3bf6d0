/*
 * run_capture.h - test helper: run a program (argv, no shell) with a time
 * limit, stdin from /dev/null, stdout+stderr captured into a malloc'd
 * string (caller frees).  Returns the exit status, 128+signal when killed,
 * or -1 when it could not run / timed out.
 */
#ifndef OPSMGR_RUN_CAPTURE_H
#define OPSMGR_RUN_CAPTURE_H

int run_capture(const char *const argv[], int timeout_s, char **out);
/* Write text to path (0600); 0 / -1. */
int test_write_file(const char *path, const char *text);
/* Read a whole file (malloc'd, NUL-terminated) or NULL. */
char *test_read_file(const char *path);

#endif
