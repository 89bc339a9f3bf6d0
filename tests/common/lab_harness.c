/*
 * lab_harness.c - start and stop an opsmgr-enroll-lab for a test (see
 * lab_harness.h): fork + execv of the lab binary with --dir, bounded wait
 * for the lab.ini it writes once serving, parsing of lab.ini, stop with
 * SIGTERM then SIGKILL, and small helpers (temporary directories, rm -rf,
 * running a lab sub-command with its output captured).
 *
 * The lab's own stdout/stderr go to <dir>/lab-output.txt; when the lab
 * fails to start (or exits uncleanly, e.g. a sanitizer report), that file
 * is copied to our stderr.  The lab gets SIGTERM when the thread that
 * started it ends (PR_SET_PDEATHSIG), so a crashed test leaves no lab
 * behind: call lab_start from a thread that outlives the lab.
 */
#include "lab_harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <iniparser.h>

#define LAB_BIN "opsmgr-enroll-lab"
#define LAB_START_TIMEOUT_MS 60000
#define LAB_STOP_TIMEOUT_MS 10000
#define LAB_CMD_TIMEOUT_MS 60000
#define LAB_CMD_OUTPUT_CAP (1024 * 1024)

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

const char *test_build_dir(void)
{
	const char *b = getenv("OPSMGR_BUILD_DIR");

	return (b && *b) ? b : "build";
}

char *test_build_path(const char *name)
{
	const char *b = test_build_dir();
	size_t n = strlen(b) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", b, name);
	return p;
}

char *test_mkdtemp(const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	char buf[4096];
	char *p;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(buf, sizeof(buf), "%s/%sXXXXXX", tmp, prefix ? prefix : "t");
	p = mkdtemp(buf);
	if (!p) {
		fprintf(stderr, "test_mkdtemp: cannot create '%s': %s\n", buf,
			strerror(errno));
		return NULL;
	}
	chmod(p, 0700);
	return strdup(p);
}

int test_rm_rf(const char *path)
{
	struct stat st;
	int rc = 0;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;

		if (!d)
			return -1;
		while ((e = readdir(d)) != NULL) {
			size_t n;
			char *sub;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			n = strlen(path) + strlen(e->d_name) + 2;
			sub = malloc(n);
			if (!sub) {
				rc = -1;
				continue;
			}
			snprintf(sub, n, "%s/%s", path, e->d_name);
			if (test_rm_rf(sub) != 0)
				rc = -1;
			free(sub);
		}
		closedir(d);
		if (rmdir(path) != 0)
			rc = -1;
	} else if (unlink(path) != 0) {
		rc = -1;
	}
	return rc;
}

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* Whole small text file, malloc'd, or NULL. */
static char *slurp(const char *path, size_t cap)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(cap + 1);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void free_fields(struct lab *l)
{
	free(l->dir);
	free(l->ca_url);
	free(l->answers);
	free(l->root_pem);
	free(l->user);
	if (l->password) {
		memset(l->password, 0, strlen(l->password));
		free(l->password);
	}
	free(l->password_file);
	l->dir = l->ca_url = l->answers = l->root_pem = NULL;
	l->user = l->password = l->password_file = NULL;
	l->ca_port = l->ms_port = 0;
}

static void dump_output(const char *dir)
{
	char *p = path_join(dir, "lab-output.txt");
	char *text = p ? slurp(p, 64 * 1024) : NULL;

	if (text && *text)
		fprintf(stderr, "--- lab output (%s) ---\n%s--- end ---\n", p,
			text);
	free(text);
	free(p);
}

static int ini_dup(dictionary *d, const char *key, char **out)
{
	const char *v = iniparser_getstring(d, key, NULL);

	if (!v || !*v) {
		fprintf(stderr, "lab_start: lab.ini has no '%s'\n", key);
		return -1;
	}
	*out = strdup(v);
	return *out ? 0 : -1;
}

static int ini_port(dictionary *d, const char *key, int *out)
{
	const char *v = iniparser_getstring(d, key, NULL);
	char *end;
	long n;

	if (!v) {
		fprintf(stderr, "lab_start: lab.ini has no '%s'\n", key);
		return -1;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n <= 0 || n > 65535) {
		fprintf(stderr, "lab_start: lab.ini '%s' = '%s' is no port\n",
			key, v);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* Parse lab.ini when it exists and names our pid: 1 parsed, 0 not yet, -1 bad. */
static int read_lab_ini(struct lab *l, const char *ini)
{
	dictionary *d;
	const char *pid;
	char *pw;
	size_t n;
	int rc = -1;

	if (access(ini, R_OK) != 0)
		return 0;
	d = iniparser_load(ini);
	if (!d)
		return 0;
	pid = iniparser_getstring(d, "lab:pid", NULL);
	if (!pid || atol(pid) != (long)l->pid) {
		iniparser_freedict(d);
		return 0;
	}
	if (ini_port(d, "lab:ca_port", &l->ca_port) ||
	    ini_port(d, "lab:ms_port", &l->ms_port) ||
	    ini_dup(d, "lab:ca_url", &l->ca_url) ||
	    ini_dup(d, "lab:user", &l->user) ||
	    ini_dup(d, "lab:password_file", &l->password_file) ||
	    ini_dup(d, "lab:root", &l->root_pem))
		goto out;
	pw = slurp(l->password_file, 4096);
	if (!pw) {
		fprintf(stderr, "lab_start: cannot read '%s'\n",
			l->password_file);
		goto out;
	}
	n = strlen(pw);
	while (n && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
		pw[--n] = '\0';
	l->password = pw;
	l->answers = path_join(l->dir, "answers.ini");
	rc = l->answers ? 1 : -1;
out:
	iniparser_freedict(d);
	return rc;
}

int lab_start(struct lab *l, const char *dir, const char *const extra_args[])
{
	/* A restart passes the struct's own dir: its fields are ours to free.
	 * Otherwise the struct may be uninitialised: only keep_dir == 1 is
	 * taken from it. */
	int restart = dir && dir == l->dir;
	char *bin = test_build_path(LAB_BIN);
	char *newdir = dir ? strdup(dir) : test_mkdtemp("opsmgr-lab-");
	char *ini = NULL, *outp = NULL;
	const char *argv[64];
	size_t argc = 0;
	long long deadline;
	pid_t parent;
	int keep = l->keep_dir == 1;
	int rc = -1;

	if (restart) {
		lab_kill(l);
		free_fields(l);
	}
	memset(l, 0, sizeof(*l));
	l->keep_dir = keep;
	if (!bin || !newdir)
		goto fail;
	l->dir = newdir;
	newdir = NULL;
	ini = path_join(l->dir, "lab.ini");
	outp = path_join(l->dir, "lab-output.txt");
	if (!ini || !outp)
		goto fail;
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "lab_start: '%s' is not executable: %s "
			"(build it or set OPSMGR_BUILD_DIR)\n", bin,
			strerror(errno));
		goto fail;
	}
	unlink(ini);

	argv[argc++] = bin;
	argv[argc++] = "--dir";
	argv[argc++] = l->dir;
	for (size_t i = 0; extra_args && extra_args[i] && argc < 62; i++)
		argv[argc++] = extra_args[i];
	argv[argc] = NULL;

	fflush(NULL);
	parent = getpid();
	l->pid = fork();
	if (l->pid < 0) {
		fprintf(stderr, "lab_start: fork: %s\n", strerror(errno));
		l->pid = 0;
		goto fail;
	}
	if (l->pid == 0) {
		int fd = open(outp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			      0600);
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);

		/* a test that crashes must not leave its lab running */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);

		if (nul >= 0)
			dup2(nul, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(bin, (char *const *)argv);
		_exit(127);
	}

	deadline = now_ms() + LAB_START_TIMEOUT_MS;
	for (;;) {
		int st, r = read_lab_ini(l, ini);

		if (r == 1) {
			rc = 0;
			break;
		}
		if (r < 0)
			break;
		if (waitpid(l->pid, &st, WNOHANG) == l->pid) {
			fprintf(stderr, "lab_start: the lab exited before it "
				"was ready (status 0x%x)\n", st);
			l->pid = 0;
			break;
		}
		if (now_ms() > deadline) {
			fprintf(stderr, "lab_start: no lab.ini after %d s\n",
				LAB_START_TIMEOUT_MS / 1000);
			break;
		}
		sleep_ms(20);
	}
	if (rc != 0) {
		dump_output(l->dir);
		lab_kill(l);
	}
fail:
	free(bin);
	free(newdir);
	free(ini);
	free(outp);
	return rc;
}

void lab_kill(struct lab *l)
{
	long long deadline;
	int st;

	if (l->pid <= 0)
		return;
	kill(l->pid, SIGTERM);
	deadline = now_ms() + LAB_STOP_TIMEOUT_MS;
	for (;;) {
		pid_t r = waitpid(l->pid, &st, WNOHANG);

		if (r == l->pid) {
			/* a sanitizer report makes the lab exit non-zero */
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				fprintf(stderr, "lab_kill: the lab did not exit "
					"cleanly (status 0x%x)\n", st);
				if (l->dir)
					dump_output(l->dir);
			}
			break;
		}
		if (r < 0 && errno == ECHILD)
			break;
		if (now_ms() > deadline) {
			fprintf(stderr, "lab_kill: lab %ld ignored SIGTERM for "
				"%d s, killing it\n", (long)l->pid,
				LAB_STOP_TIMEOUT_MS / 1000);
			kill(l->pid, SIGKILL);
			waitpid(l->pid, &st, 0);
			break;
		}
		sleep_ms(10);
	}
	l->pid = 0;
}

void lab_stop(struct lab *l)
{
	lab_kill(l);
	if (l->dir && !l->keep_dir)
		test_rm_rf(l->dir);
	free_fields(l);
}

int lab_cmd(const char *const args[], char **out)
{
	char *bin = test_build_path(LAB_BIN);
	const char *argv[64];
	size_t argc = 0, len = 0, cap = 4096;
	char *buf = NULL;
	int pfd[2], st = 0;
	long long deadline;
	pid_t pid;

	if (out)
		*out = NULL;
	if (!bin)
		return -1;
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "lab_cmd: '%s' is not executable: %s (build it "
			"or set OPSMGR_BUILD_DIR)\n", bin, strerror(errno));
		free(bin);
		return -1;
	}
	argv[argc++] = bin;
	for (size_t i = 0; args && args[i] && argc < 62; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		free(bin);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		free(bin);
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (nul >= 0)
			dup2(nul, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	free(bin);
	buf = malloc(cap);
	deadline = now_ms() + LAB_CMD_TIMEOUT_MS;
	for (;;) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		char tmp[4096];
		ssize_t n;
		int pr = poll(&p, 1, 100);

		if (now_ms() > deadline) {
			fprintf(stderr, "lab_cmd: '%s' timed out\n", args[0]);
			kill(pid, SIGKILL);
			break;
		}
		if (pr <= 0)
			continue;
		n = read(pfd[0], tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (buf && len + (size_t)n + 1 > cap &&
		    len + (size_t)n + 1 <= LAB_CMD_OUTPUT_CAP) {
			char *nb;

			while (len + (size_t)n + 1 > cap)
				cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				buf = NULL;
			} else {
				buf = nb;
			}
		}
		if (buf && len + (size_t)n + 1 <= cap) {
			memcpy(buf + len, tmp, (size_t)n);
			len += (size_t)n;
		}
	}
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (buf)
		buf[len] = '\0';
	if (out)
		*out = buf;
	else
		free(buf);
	if (!WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}
