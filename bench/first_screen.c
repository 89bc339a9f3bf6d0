/*
 * first_screen.c - the wizard's first screen in a pseudo-terminal (issue 9,
 * figure 3): time from just before fork+exec to the moment the emulated
 * 80x24 terminal (libvterm, tests/common/vterm_harness.h) shows the whole
 * welcome screen, then F10 and the peak RSS of the wizard (RUSAGE_CHILDREN
 * ru_maxrss once it has been reaped; run one wizard per process).
 *
 *   first_screen BIN ANSWERS STATE_DIR
 *
 * The screen counts as complete when the title, the last menu item and
 * the key line are all on it ("Welcome", "Diagnose the existing setup",
 * "F10 Quit").  Prints "first_screen_ms maxrss_kib".  Exits 1 when the
 * screen does not appear within 20 s or the wizard does not quit on F10.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "vterm_harness.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool complete(struct vt *t)
{
	static const char *const want[] = { "Welcome", "Diagnose the existing setup",
					    "F10 Quit", NULL };
	char *s = vt_screen_text(t);
	bool ok = s != NULL;
	for (int i = 0; ok && want[i]; i++)
		ok = strstr(s, want[i]) != NULL;
	free(s);
	return ok;
}

int main(int argc, char **argv)
{
	struct vt t;
	char xdg[4096];
	if (argc != 4) {
		fprintf(stderr, "usage: first_screen BIN ANSWERS STATE_DIR\n");
		return 2;
	}
	snprintf(xdg, sizeof(xdg), "XDG_CONFIG_HOME=%s/xdg-config", argv[3]);
	const char *const env[] = { "TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL",
		"LC_CTYPE", "NO_COLOR",
		"OPSMGR_ENROLL_SYSTEM_CONFIG=/nonexistent/opsmgr-enroll.ini", xdg, NULL };
	const char *const args[] = { argv[1], "--answers", argv[2], "--state-dir",
				     argv[3], NULL };
	memset(&t, 0, sizeof(t));
	double t0 = now_ms();
	if (vt_spawn(&t, 24, 80, args, env) != 0) {
		fprintf(stderr, "first_screen: cannot start '%s' in a pty\n", argv[1]);
		return 1;
	}
	double t1 = -1;
	while (now_ms() - t0 < 20000) {
		struct pollfd p = { t.master, POLLIN, 0 };
		poll(&p, 1, 5);
		vt_pump(&t, 0);
		if (complete(&t)) {
			t1 = now_ms();
			break;
		}
		if (t.exited)
			break;
	}
	if (t1 < 0) {
		fprintf(stderr, "first_screen: the welcome screen did not appear; the screen was:\n");
		vt_dump(&t, stderr);
		vt_close(&t);
		return 1;
	}
	vt_fkey(&t, 10);
	int st = vt_wait_exit(&t, 20000);
	if (st != 0) {
		fprintf(stderr, "first_screen: the wizard did not quit with 0 on F10 (%d)\n", st);
		vt_close(&t);
		return 1;
	}
	vt_close(&t);
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("%.3f %ld\n", t1 - t0, ru.ru_maxrss);
	return 0;
}
