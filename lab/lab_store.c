/*
 * lab_store.c - the lab's persisted state: requests (ID, state, template,
 * serial, subject CN) and agents (FQDN, state, serial, first contact) in
 * DIR/state, a line-oriented text file rewritten atomically under an
 * exclusive flock on DIR/state.lock.  The server and the approve / deny /
 * revoke / list commands each take the lock, load, change, save, unlock,
 * so a command's change is seen by the next HTTP request.
 *
 * Format (one record per line, fields separated by one blank; the last
 * field may contain blanks):
 *   next <id>
 *   request <id> <state> <deny> <submitted> <revoked_at> <serial|-> <template> <cn>
 *   agent <state> <first_seen> <serial|-> <fqdn>
 */
#include "lab.h"
#include "core/fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#define STATE_CAP (32u * 1024u * 1024u)

static const char *const req_names[] = { "pending", "issued", "denied",
					  "revoked" };
static const char *const deny_names[] = { "none", "template", "admin",
					   "notemplate" };
static const char *const agent_names[] = { "pending", "approved",
					    "rejected" };

const char *lab_req_state_name(enum lab_req_state s)
{
	return (unsigned)s < 4 ? req_names[s] : "unknown";
}

const char *lab_agent_state_name(enum lab_agent_state s)
{
	return (unsigned)s < 3 ? agent_names[s] : "unknown";
}

static int name_index(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

void lab_sanitise(char *dst, size_t cap, const char *s, int nospace)
{
	size_t k = 0;

	for (; s && *s && k + 1 < cap; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch >= 0x7f)
			ch = '?';
		else if (nospace && ch == ' ')
			ch = '_';
		dst[k++] = (char)ch;
	}
	if (k == 0 && cap > 1)
		dst[k++] = '-';
	dst[k] = '\0';
}

/* Exclusive lock on DIR/state.lock; returns an fd for lab_state_unlock. */
static int lab_state_lock(const char *dir, char *err, size_t errlen)
{
	char *p = fs_join(dir, "state.lock");
	int fd;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open '%s': %s", p,
			 strerror(errno));
		free(p);
		return -1;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "cannot lock '%s': %s", p,
				 strerror(errno));
			close(fd);
			free(p);
			return -1;
		}
	}
	free(p);
	return fd;
}

int lab_state_open(const char *dir, struct lab_state *st, char *err,
		   size_t errlen)
{
	int fd = lab_state_lock(dir, err, errlen);

	if (fd >= 0 && lab_state_load(dir, st, err, errlen)) {
		lab_state_unlock(fd);
		return -1;
	}
	return fd;
}

long lab_parse_id(const char *s)
{
	long v = 0;

	if (!s || !*s || strlen(s) > 9)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v > 0 ? v : -1;
}

void lab_state_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

void lab_state_release(struct lab_state *st)
{
	free(st->req);
	free(st->ag);
	memset(st, 0, sizeof(*st));
}

/* Append a copy of the size-byte item to the array *arr of *n items. */
static void *append(void **arr, size_t *n, size_t size, const void *item)
{
	char *grown = realloc(*arr, (*n + 1) * size);

	if (!grown)
		return NULL;
	*arr = grown;
	memcpy(grown + *n * size, item, size);
	return grown + (*n)++ * size;
}

struct lab_request *lab_state_add_req(struct lab_state *st,
				      const struct lab_request *r)
{
	return append((void **)&st->req, &st->nreq, sizeof(*r), r);
}

struct lab_agent *lab_state_add_agent(struct lab_state *st,
				      const struct lab_agent *a)
{
	return append((void **)&st->ag, &st->nag, sizeof(*a), a);
}

struct lab_request *lab_state_find_req(struct lab_state *st, long id)
{
	for (size_t i = 0; i < st->nreq; i++)
		if (st->req[i].id == id)
			return &st->req[i];
	return NULL;
}

struct lab_agent *lab_state_find_agent(struct lab_state *st,
				       const char *fqdn)
{
	for (size_t i = 0; i < st->nag; i++)
		if (!strcasecmp(st->ag[i].fqdn, fqdn))
			return &st->ag[i];
	return NULL;
}

/* Next blank-separated word of *p into buf; 0 / -1. */
static int word(char **p, char *buf, size_t cap)
{
	char *s = *p, *e;
	size_t n;

	if (!*s)
		return -1;
	e = strchr(s, ' ');
	n = e ? (size_t)(e - s) : strlen(s);
	if (n == 0 || n >= cap)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*p = e ? e + 1 : s + n;
	return 0;
}

static int num(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return (errno || *end || end == s) ? -1 : 0;
}

static int parse_request(char *p, struct lab_request *r)
{
	char w[LAB_SERIAL_MAX + LAB_TEMPLATE_MAX + 8];
	long long v;
	int i;

	memset(r, 0, sizeof(*r));
	if (word(&p, w, sizeof(w)) || num(w, &v) || v <= 0)
		return -1;
	r->id = (long)v;
	if (word(&p, w, sizeof(w)) || (i = name_index(req_names, 4, w)) < 0)
		return -1;
	r->state = (enum lab_req_state)i;
	if (word(&p, w, sizeof(w)) || (i = name_index(deny_names, 4, w)) < 0)
		return -1;
	r->deny = (enum lab_deny_kind)i;
	if (word(&p, w, sizeof(w)) || num(w, &r->submitted))
		return -1;
	if (word(&p, w, sizeof(w)) || num(w, &r->revoked_at))
		return -1;
	if (word(&p, r->serial, sizeof(r->serial)) ||
	    word(&p, r->templ, sizeof(r->templ)))
		return -1;
	lab_sanitise(r->cn, sizeof(r->cn), p, 0);
	return 0;
}

static int parse_agent(char *p, struct lab_agent *a)
{
	char w[LAB_SERIAL_MAX];
	long long v;
	int i;

	memset(a, 0, sizeof(*a));
	if (word(&p, w, sizeof(w)) || (i = name_index(agent_names, 3, w)) < 0)
		return -1;
	a->state = (enum lab_agent_state)i;
	if (word(&p, w, sizeof(w)) || num(w, &v))
		return -1;
	a->first_seen = v;
	if (word(&p, a->serial, sizeof(a->serial)) || !*p)
		return -1;
	lab_sanitise(a->fqdn, sizeof(a->fqdn), p, 1);
	return 0;
}

/* One line of the state file into st: 0, -1 not a record, -2 no memory. */
static int load_line(struct lab_state *st, char *line)
{
	long long v;
	struct lab_request r;
	struct lab_agent a;

	if (!strncmp(line, "next ", 5)) {
		if (num(line + 5, &v) || v <= 0)
			return -1;
		st->next_id = (long)v;
	} else if (!strncmp(line, "request ", 8)) {
		if (parse_request(line + 8, &r))
			return -1;
		if (!lab_state_add_req(st, &r))
			return -2;
		if (r.id >= st->next_id)
			st->next_id = r.id + 1;
	} else if (!strncmp(line, "agent ", 6)) {
		if (parse_agent(line + 6, &a))
			return -1;
		if (!lab_state_add_agent(st, &a))
			return -2;
	} else {
		return -1;
	}
	return 0;
}

int lab_state_load(const char *dir, struct lab_state *st, char *err,
		   size_t errlen)
{
	char *path = fs_join(dir, "state");
	unsigned char *buf = NULL;
	size_t len = 0, lineno = 0;
	char *line, *save = NULL;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	st->next_id = 1;
	if (!path) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!fs_exists(path)) {
		free(path);
		return 0;
	}
	if (fs_read_file(path, STATE_CAP, &buf, &len, err, errlen)) {
		free(path);
		return -1;
	}
	for (line = strtok_r((char *)buf, "\n", &save); line && !rc;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		rc = load_line(st, line);
	}
	if (rc == -1)
		snprintf(err, errlen, "'%s' line %zu is not a lab state record",
			 path, lineno);
	else if (rc)
		snprintf(err, errlen, "out of memory");
	free(buf);
	free(path);
	if (rc)
		lab_state_release(st);
	return rc ? -1 : 0;
}

int lab_state_save(const char *dir, const struct lab_state *st, char *err,
		   size_t errlen)
{
	char *path = fs_join(dir, "state");
	char *buf = NULL;
	size_t cap = 256 + (st->nreq + st->nag) * 512, n = 0;
	int rc;

	if (!path || !(buf = malloc(cap))) {
		free(path);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n += (size_t)snprintf(buf + n, cap - n, "next %ld\n", st->next_id);
	for (size_t i = 0; i < st->nreq; i++) {
		const struct lab_request *r = &st->req[i];

		n += (size_t)snprintf(buf + n, cap - n,
				      "request %ld %s %s %lld %lld %s %s %s\n",
				      r->id, lab_req_state_name(r->state),
				      deny_names[r->deny], r->submitted,
				      r->revoked_at, r->serial, r->templ,
				      r->cn);
	}
	for (size_t i = 0; i < st->nag; i++) {
		const struct lab_agent *a = &st->ag[i];

		n += (size_t)snprintf(buf + n, cap - n, "agent %s %lld %s %s\n",
				      lab_agent_state_name(a->state),
				      a->first_seen, a->serial, a->fqdn);
	}
	rc = fs_write_atomic(path, buf, n, 0600, err, errlen);
	free(buf);
	free(path);
	return rc;
}
