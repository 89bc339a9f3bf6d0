/*
 * wine_harness.c - a throwaway WINEPREFIX in the build directory, programs
 * run in it with a time limit, `reg query` read back, and the stand-in
 * MOMAgent.msi built with wixl (wine_harness.h).
 */
#include "wine_harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab_harness.h"
#include "run_capture.h"
#include "unit_util.h"

#define WINE_BOOT_TIMEOUT_S 180
#define WINE_REG_TIMEOUT_S 60

/* The environment of every program run in the prefix (the child only). */
static void child_wine_env(const char *prefix)
{
	setenv("WINEPREFIX", prefix, 1);
	setenv("WINEDEBUG", "-all", 1);
	setenv("WINEDLLOVERRIDES", "mscoree,mshtml=", 1);
	unsetenv("DISPLAY");
	unsetenv("WAYLAND_DISPLAY");
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * fork + execvp argv in its own process group, stdin /dev/null, stdout and
 * stderr into out_path; prefix non-NULL: the wine environment.  Waits up
 * to timeout_s; then kills the group.  Exit status, 128+signal, or -1.
 */
static int spawn_wait(const char *const argv[], const char *prefix,
		      const char *cwd, const char *out_path, int timeout_s)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setpgid(0, 0);
		if (prefix)
			child_wine_env(prefix);
		int in = open("/dev/null", O_RDONLY);
		int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (in < 0 || out < 0 || (cwd && chdir(cwd) != 0))
			_exit(126);
		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	long long deadline = now_ms() + (long long)timeout_s * 1000;
	int st = 0;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() > deadline) {
			fprintf(stderr, "wine_harness: '%s %s' ran longer than %d s: killed\n",
				argv[0], argv[1] ? argv[1] : "", timeout_s);
			kill(-pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		usleep(20000);
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

static char *join2(const char *a, const char *b)
{
	char *p = NULL;
	return asprintf(&p, "%s%s", a, b) < 0 ? NULL : p;
}

/* The absolute build directory, malloc'd. */
static char *abs_build_dir(void)
{
	char buf[PATH_MAX];
	const char *b = test_build_dir();
	if (!realpath(b, buf)) {
		fprintf(stderr, "wine_harness: build directory '%s': %s\n", b,
			strerror(errno));
		return NULL;
	}
	return strdup(buf);
}

static void wineserver_kill(const char *prefix, const char *out_path)
{
	const char *argv[] = { "wineserver", "-k", NULL };
	spawn_wait(argv, prefix, NULL, out_path, 30);
	const char *wait_argv[] = { "wineserver", "-w", NULL };
	spawn_wait(wait_argv, prefix, NULL, out_path, 30);
}

/* Remove "wine-<pid>-*" prefixes (and their .out files) of test programs
 * that no longer run. */
static void remove_stale_prefixes(const char *build)
{
	DIR *d = opendir(build);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		long pid = 0;
		int used = 0;
		if (sscanf(e->d_name, "wine-%ld-%n", &pid, &used) != 1 || !used ||
		    pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;   /* still running (or not ours to judge) */
		char *path = NULL;
		if (asprintf(&path, "%s/%s", build, e->d_name) < 0)
			continue;
		size_t n = strlen(path);
		if (n > 4 && !strcmp(path + n - 4, ".out")) {
			unlink(path);
		} else {
			wineserver_kill(path, "/dev/null");
			test_rm_rf(path);
		}
		free(path);
	}
	closedir(d);
}

int wine_prefix_create(struct wine_prefix *w)
{
	memset(w, 0, sizeof(*w));
	char *b = abs_build_dir();
	if (!b)
		return -1;
	remove_stale_prefixes(b);
	char *tmpl = NULL;
	if (asprintf(&tmpl, "%s/wine-%ld-XXXXXX", b, (long)getpid()) < 0)
		tmpl = NULL;
	free(b);
	if (!tmpl || !mkdtemp(tmpl)) {
		fprintf(stderr, "wine_harness: cannot make a prefix directory: %s\n",
			strerror(errno));
		free(tmpl);
		return -1;
	}
	w->dir = tmpl;
	/* The output file sits beside the prefix, not in it. */
	w->out_path = join2(tmpl, ".out");
	w->work = join2(tmpl, "/drive_c/opsmgr-test");
	if (!w->out_path || !w->work)
		goto fail;
	const char *server[] = { "wineserver", "-p", NULL };
	if (spawn_wait(server, w->dir, NULL, w->out_path, 30) != 0) {
		fprintf(stderr, "wine_harness: wineserver -p failed\n");
		goto fail;
	}
	const char *boot[] = { "wine", "wineboot", "--init", NULL };
	int rc = spawn_wait(boot, w->dir, NULL, w->out_path, WINE_BOOT_TIMEOUT_S);
	/* wineboot returns before everything it started has finished: one
	 * more program waits for the prefix to settle. */
	const char *settle[] = { "wine", "cmd", "/c", "exit", "0", NULL };
	if (rc != 0 || spawn_wait(settle, w->dir, NULL, w->out_path,
				  WINE_BOOT_TIMEOUT_S) != 0) {
		char *o = test_read_file(w->out_path);
		fprintf(stderr, "wine_harness: wineboot failed (%d):\n%s\n", rc,
			o ? o : "");
		free(o);
		goto fail;
	}
	if (mkdir(w->work, 0700) != 0) {
		fprintf(stderr, "wine_harness: cannot make '%s': %s\n", w->work,
			strerror(errno));
		goto fail;
	}
	return 0;
fail:
	wine_prefix_destroy(w);
	return -1;
}

void wine_prefix_destroy(struct wine_prefix *w)
{
	if (w->dir) {
		wineserver_kill(w->dir, w->out_path ? w->out_path : "/dev/null");
		if (test_rm_rf(w->dir) != 0)
			fprintf(stderr, "wine_harness: cannot remove '%s'\n", w->dir);
	}
	if (w->out_path)
		unlink(w->out_path);
	free(w->dir);
	free(w->work);
	free(w->out_path);
	memset(w, 0, sizeof(*w));
}

int wine_run(struct wine_prefix *w, const char *const args[], const char *cwd,
	     int timeout_s, char **out)
{
	const char *argv[64];
	size_t n = 0;
	argv[n++] = "wine";
	for (size_t i = 0; args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int rc = spawn_wait(argv, w->dir, cwd ? cwd : w->dir, w->out_path,
			    timeout_s);
	if (rc < 0)
		wineserver_kill(w->dir, "/dev/null");
	if (out) {
		*out = test_read_file(w->out_path);
		if (!*out)
			*out = strdup("");
	}
	return rc;
}

int wine_cmd_script(struct wine_prefix *w, const char *script_path,
		    const char *const args[], int timeout_s, char **out)
{
	char *dir = strdup(script_path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (!slash || slash == dir) {
		free(dir);
		if (out)
			*out = strdup("");
		return -1;
	}
	*slash = '\0';
	const char *argv[64];
	size_t n = 0;
	argv[n++] = "cmd";
	argv[n++] = "/c";
	argv[n++] = slash + 1;
	for (size_t i = 0; args && args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int rc = wine_run(w, argv, dir, timeout_s, out);
	free(dir);
	return rc;
}

char *wine_win_path(const char *unix_path)
{
	char *p = join2("Z:", unix_path);
	if (p)
		for (char *c = p; *c; c++)
			if (*c == '/')
				*c = '\\';
	return p;
}

/*
 * In `reg query` output, the line "    NAME    TYPE    DATA" (DATA may be
 * absent for an empty string): DATA malloc'd, TYPE copied.
 */
static char *parse_reg_line(const char *out, const char *name, char *type,
			    size_t typelen)
{
	size_t nlen = strlen(name);
	for (const char *line = out; line && *line;) {
		const char *eol = strpbrk(line, "\r\n");
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		if (len > 4 + nlen + 4 && !strncmp(line, "    ", 4) &&
		    !strncasecmp(line + 4, name, nlen) &&
		    !strncmp(line + 4 + nlen, "    ", 4)) {
			const char *t = line + 4 + nlen + 4;
			const char *te = t;
			while (te < line + len && *te != ' ')
				te++;
			if (type && typelen) {
				size_t tl = (size_t)(te - t);
				if (tl >= typelen)
					tl = typelen - 1;
				memcpy(type, t, tl);
				type[tl] = '\0';
			}
			const char *d = te;
			if (line + len - te >= 4)
				d = te + 4;
			else
				d = line + len;
			return strndup(d, (size_t)(line + len - d));
		}
		line = eol ? eol + strspn(eol, "\r\n") : NULL;
	}
	return NULL;
}

char *wine_reg_value(struct wine_prefix *w, const char *key, const char *name,
		     char *type, size_t typelen)
{
	const char *args[] = { "reg", "query", key, "/v", name, NULL };
	char *out = NULL;
	int rc = wine_run(w, args, NULL, WINE_REG_TIMEOUT_S, &out);
	char *v = rc == 0 ? parse_reg_line(out, name, type, typelen) : NULL;
	free(out);
	return v;
}

int wine_reg_key_exists(struct wine_prefix *w, const char *key)
{
	const char *args[] = { "reg", "query", key, NULL };
	int rc = wine_run(w, args, NULL, WINE_REG_TIMEOUT_S, NULL);
	return rc < 0 ? -1 : rc == 0;
}

int wine_reg_add(struct wine_prefix *w, const char *key, const char *name,
		 const char *type, const char *data, char **out)
{
	const char *args[] = { "reg", "add", key, "/v", name, "/t", type,
			       "/d", data, "/f", NULL };
	return wine_run(w, args, NULL, WINE_REG_TIMEOUT_S, out) == 0 ? 0 : -1;
}

int wine_reg_delete_key(struct wine_prefix *w, const char *key)
{
	const char *args[] = { "reg", "delete", key, "/f", NULL };
	return wine_run(w, args, NULL, WINE_REG_TIMEOUT_S, NULL) == 0 ? 0 : -1;
}

int wine_build_momagent_msi(const char *out_msi)
{
	char *wxs = test_data_path("wine", "momagent.wxs");
	char *log = out_msi ? join2(out_msi, ".wixl.log") : NULL;
	int rc = -1;
	if (wxs && log) {
		const char *argv[] = { "wixl", "-a", "x64", "-o", out_msi, wxs,
				       NULL };
		rc = spawn_wait(argv, NULL, NULL, log, 120);
		if (rc != 0) {
			char *o = test_read_file(log);
			fprintf(stderr, "wixl %s failed (%d):\n%s\n", wxs, rc,
				o ? o : "");
			free(o);
			rc = -1;
		}
		unlink(log);
	}
	free(wxs);
	free(log);
	return rc;
}
