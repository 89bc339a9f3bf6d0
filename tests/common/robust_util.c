/*
 * robust_util.c - helpers for the survival tests (robust_util.h): answers
 * files with replaced keys, spawning with output to a file, bounded waits,
 * directory walks and byte searches.
 */
#include "robust_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RU_READ_CAP (64u * 1024u * 1024u)
#define RU_MAX_REPL 64

long long ru_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ru_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

unsigned char *ru_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, cap = 4096;
	unsigned char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		size_t r;

		if (n + 1 >= cap) {
			unsigned char *nb;

			if (cap >= RU_READ_CAP) {
				free(buf);
				buf = NULL;
				break;
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		if (r == 0)
			break;
		n += r;
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	return buf;
}

/* Append text to a growing buffer; -1 on allocation failure. */
static int append(char **buf, size_t *len, size_t *cap, const char *text)
{
	size_t n = strlen(text);

	if (*len + n + 1 > *cap) {
		size_t nc = *cap ? *cap : 1024;
		char *nb;

		while (*len + n + 1 > nc)
			nc *= 2;
		nb = realloc(*buf, nc);
		if (!nb)
			return -1;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, text, n + 1);
	*len += n;
	return 0;
}

static int append_kv(char **buf, size_t *len, size_t *cap, const char *k,
		     const char *v)
{
	return append(buf, len, cap, k) || append(buf, len, cap, " = ") ||
	       append(buf, len, cap, v) || append(buf, len, cap, "\n");
}

/* Flush the additions still pending for `section`. */
static int flush_section(char **buf, size_t *len, size_t *cap,
			 const char *section, const char *const repl[][3],
			 int *used)
{
	for (int i = 0; repl[i][0] && i < RU_MAX_REPL; i++) {
		if (used[i] || strcmp(repl[i][0], section) != 0)
			continue;
		used[i] = 1;
		if (repl[i][2] && append_kv(buf, len, cap, repl[i][1], repl[i][2]))
			return -1;
	}
	return 0;
}

int ru_answers_write(const char *src, const char *dst,
		     const char *const repl[][3])
{
	size_t srclen = 0, len = 0, cap = 0;
	char *text = (char *)ru_read(src, &srclen);
	char *out = NULL, *save = NULL;
	char section[128] = "";
	int used[RU_MAX_REPL] = { 0 };
	int rc = -1, fd;

	if (!text)
		return -1;
	if (append(&out, &len, &cap, ""))
		goto done;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *p = line;
		char key[128];
		size_t k = 0;
		int hit = -1;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '[') {
			const char *e = strchr(p, ']');

			if (flush_section(&out, &len, &cap, section, repl, used))
				goto done;
			if (e && (size_t)(e - p - 1) < sizeof(section)) {
				memcpy(section, p + 1, (size_t)(e - p - 1));
				section[e - p - 1] = '\0';
			}
			if (append(&out, &len, &cap, line) ||
			    append(&out, &len, &cap, "\n"))
				goto done;
			continue;
		}
		while (k + 1 < sizeof(key) && p[k] && p[k] != '=' &&
		       p[k] != ' ' && p[k] != '\t') {
			key[k] = p[k];
			k++;
		}
		key[k] = '\0';
		for (int i = 0; k && repl[i][0] && i < RU_MAX_REPL; i++)
			if (!strcmp(repl[i][0], section) &&
			    !strcmp(repl[i][1], key))
				hit = i;
		if (hit >= 0) {
			used[hit] = 1;
			if (repl[hit][2] &&
			    append_kv(&out, &len, &cap, key, repl[hit][2]))
				goto done;
			continue;
		}
		if (append(&out, &len, &cap, line) ||
		    append(&out, &len, &cap, "\n"))
			goto done;
	}
	if (flush_section(&out, &len, &cap, section, repl, used))
		goto done;
	for (int i = 0; repl[i][0] && i < RU_MAX_REPL; i++) {
		if (used[i])
			continue;
		/* a section the source does not have: add it with its keys */
		if (append(&out, &len, &cap, "[") ||
		    append(&out, &len, &cap, repl[i][0]) ||
		    append(&out, &len, &cap, "]\n") ||
		    flush_section(&out, &len, &cap, repl[i][0], repl, used))
			goto done;
	}
	fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ssize_t w = write(fd, out, len);

		if (close(fd) == 0 && w == (ssize_t)len)
			rc = 0;
	}
done:
	free(text);
	free(out);
	return rc;
}

pid_t ru_spawn(const char *const argv[], const char *out_path)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		int fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (nul >= 0)
			dup2(nul, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return pid;
}

static int decode_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

int ru_wait(pid_t pid, int timeout_ms)
{
	long long deadline = ru_now_ms() + timeout_ms;
	int st = 0;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return decode_status(st);
		if (r < 0 && errno != EINTR)
			return -1;
		if (ru_now_ms() > deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		ru_sleep_ms(5);
	}
}

int ru_alive(pid_t pid)
{
	char path[64], buf[512];
	FILE *f;
	int alive = 0;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f)) {
		const char *p = strrchr(buf, ')');

		alive = p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	}
	fclose(f);
	return alive;
}

int ru_walk(const char *dir, void (*fn)(const char *path, void *ud), void *ud)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		char *p;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
			continue;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			int m = ru_walk(p, fn, ud);

			if (m > 0)
				n += m;
		} else {
			if (fn)
				fn(p, ud);
			n++;
		}
		free(p);
	}
	closedir(d);
	return n;
}

int ru_mem_has(const void *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	return n && buf && memmem(buf, len, needle, n) != NULL;
}

int ru_file_has(const char *path, const char *needle)
{
	size_t len = 0;
	unsigned char *b = ru_read(path, &len);
	int r;

	if (!b)
		return -1;
	r = ru_mem_has(b, len, needle);
	free(b);
	return r;
}

char *ru_random_hex(size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[64];
	char *s;

	if (n >= 128 || getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return NULL;
	s = malloc(n + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		s[i] = hex[(raw[i / 2] >> ((i % 2) * 4)) & 15];
	s[n] = '\0';
	return s;
}

int ru_is_temp_name(const char *base)
{
	const char *t = strstr(base, ".tmp-");

	return t != NULL && t[5] != '\0';
}
