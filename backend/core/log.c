/*
 * log.c - the log file <state_dir>/opsmgr-enroll.log (see log.h): opened
 * append-only, 0600, never through a symlink; one timestamped line per
 * message line, registered secrets replaced by "********" before anything
 * is written; the registered copies are cleansed at log_close().
 */
#include "core/log.h"
#include "core/text.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/fsutil.h"

#define LOG_NAME "opsmgr-enroll.log"
#define MASK "********"
#define MASK_LEN 8

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;
static char **secrets;     /* registered secrets, longest first */
static size_t n_secrets, cap_secrets;

int log_open(const char *state_dir)
{
	if (!state_dir || !*state_dir)
		return -1;
	char *path = fs_join(state_dir, LOG_NAME);
	if (!path)
		return -1;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
		      O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid()) {
		close(fd);
		return -1;
	}
	/* an older file may have been created looser: tighten it */
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) != 0) {
		close(fd);
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	pthread_mutex_lock(&log_lock);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	for (size_t i = 0; i < n_secrets; i++) {
		OPENSSL_cleanse(secrets[i], strlen(secrets[i]));
		free(secrets[i]);
	}
	free(secrets);
	secrets = NULL;
	n_secrets = cap_secrets = 0;
	pthread_mutex_unlock(&log_lock);
}

void log_redact_add(const char *secret)
{
	if (!secret || !*secret)
		return;
	pthread_mutex_lock(&log_lock);
	for (size_t i = 0; i < n_secrets; i++) {
		if (strcmp(secrets[i], secret) == 0) {
			pthread_mutex_unlock(&log_lock);
			return;
		}
	}
	if (n_secrets == cap_secrets) {
		size_t ncap = cap_secrets ? cap_secrets * 2 : 4;
		char **ns = realloc(secrets, ncap * sizeof(*ns));
		if (!ns) {
			pthread_mutex_unlock(&log_lock);
			return;
		}
		secrets = ns;
		cap_secrets = ncap;
	}
	char *copy = strdup(secret);
	if (!copy) {
		pthread_mutex_unlock(&log_lock);
		return;
	}
	/* keep longest first so a secret containing another is masked whole */
	size_t len = strlen(copy), at = n_secrets;
	while (at > 0 && strlen(secrets[at - 1]) < len) {
		secrets[at] = secrets[at - 1];
		at--;
	}
	secrets[at] = copy;
	n_secrets++;
	pthread_mutex_unlock(&log_lock);
}

/* In place: each occurrence becomes MASK cut to the secret's length. */
static void redact_in_place(char *s)
{
	for (size_t i = 0; i < n_secrets; i++) {
		const char *sec = secrets[i];
		size_t sl = strlen(sec);
		size_t ml = sl < MASK_LEN ? sl : MASK_LEN;
		char *p = s;
		while ((p = strstr(p, sec)) != NULL) {
			memcpy(p, MASK, ml);
			if (ml < sl)
				memmove(p + ml, p + sl, strlen(p + sl) + 1);
			p += ml;
		}
	}
}

void log_redact(char *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&log_lock);
	redact_in_place(s);
	pthread_mutex_unlock(&log_lock);
}

/*
 * A new string with every occurrence of every secret replaced by the full
 * MASK (which may be longer than a short secret).  The input is cleansed.
 */
static char *redact_copy(char *s)
{
	for (size_t i = 0; i < n_secrets; i++) {
		const char *sec = secrets[i];
		size_t sl = strlen(sec);
		size_t count = 0;
		for (const char *p = s; (p = strstr(p, sec)) != NULL; p += sl)
			count++;
		if (count == 0)
			continue;
		size_t ol = strlen(s);
		size_t nl = ol - count * sl + count * MASK_LEN;
		char *out = malloc(nl + 1);
		if (!out) {
			/* cannot grow: mask in place, shorter but safe */
			redact_in_place(s);
			return s;
		}
		char *o = out;
		const char *p = s, *q;
		while ((q = strstr(p, sec)) != NULL) {
			memcpy(o, p, (size_t)(q - p));
			o += q - p;
			memcpy(o, MASK, MASK_LEN);
			o += MASK_LEN;
			p = q + sl;
		}
		strcpy(o, p);
		OPENSSL_cleanse(s, ol);
		free(s);
		s = out;
	}
	return s;
}

/* msg with stamp in front of every line, each ended by '\n' (malloc'd).
 * Each line's bytes go through text_escape (TEXT_ESC_TERM): a CA's or a
 * certificate's words cannot forge a line or reach a terminal that shows
 * the log as control sequences. */
static char *stamped(const char *msg, const char *stamp, size_t *len)
{
	size_t sl = strlen(stamp), lines = 1;
	for (const char *p = msg; *p; p++)
		lines += *p == '\n';
	/* an escaped byte takes at most 4 ("\xHH") */
	size_t cap = 4 * strlen(msg) + lines * (sl + 1) + 1;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	char *o = out;
	const char *p = msg;
	for (;;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (!e && l == 0 && p != msg)
			break; /* message ended with a newline */
		memcpy(o, stamp, sl);
		o += sl;
		o += text_escape(o, cap - (size_t)(o - out), p, l,
				 TEXT_ESC_TERM);
		*o++ = '\n';
		if (!e)
			break;
		p = e + 1;
	}
	*len = (size_t)(o - out);
	return out;
}

/* Write msg (consumed) under the lock, secrets masked. */
static void log_text(char *msg)
{
	pthread_mutex_lock(&log_lock);
	if (log_fd < 0) {
		pthread_mutex_unlock(&log_lock);
		OPENSSL_cleanse(msg, strlen(msg));
		free(msg);
		return;
	}
	msg = redact_copy(msg);

	char stamp[32];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ ", &tm);

	/* one timestamp per line, written with a single write() */
	size_t len = 0;
	char *out = stamped(msg, stamp, &len);
	if (out) {
		fs_write_all(log_fd, out, len);   /* best effort */
		free(out);
	}
	pthread_mutex_unlock(&log_lock);
	free(msg);
}

void log_msg(const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg)
		log_text(msg);
}
