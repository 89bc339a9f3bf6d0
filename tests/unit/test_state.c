/*
 * test_state.c - the resumable state file (backend/core/state_format.c,
 * state.c): format round trip of every field, strict parsing, corrupt and truncated files moved
 * aside, interrupted writes that leave the old file intact, and the
 * private state directory; the text buffer the file is written through
 * (backend/core/strbuf.c): exact across growth, long printf output kept
 * whole, NULL instead of a partial text after an allocation failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/state.h"
#include "core/strbuf.h"

static char g_tmp[PATH_MAX];

static int rm_cb(const char *p, const struct stat *sb, int flag,
		 struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	chmod(p, 0700);
	return remove(p);
}

static void rm_rf(const char *p)
{
	/* make directories writable again so their entries can go */
	chmod(p, 0700);
	nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup(void **st)
{
	(void)st;
	snprintf(g_tmp, sizeof(g_tmp), "/tmp/test_state.XXXXXX");
	return mkdtemp(g_tmp) ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	rm_rf(g_tmp);
	return 0;
}

/* <tmp>/name in one of a few rotating static buffers. */
static char *path_in(const char *name)
{
	static char p[4][2 * PATH_MAX + 2];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", g_tmp, name);
	return p[k];
}

static void write_raw(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Name of the first entry in g_tmp starting with prefix, or NULL. */
static int count_prefix(const char *dir, const char *prefix, char *first,
			size_t flen)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
			if (n == 0 && first)
				snprintf(first, flen, "%s", e->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

static const struct diag *find_msg(const struct diag_list *dl,
				   enum diag_severity sev, const char *needle)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].sev == sev &&
		    strstr(dl->items[i].message, needle))
			return &dl->items[i];
	return NULL;
}

/* A state with every field set, strings full of characters to escape. */
static void fill(struct state *s)
{
	state_init(s);
	s->role = ROLE_SERVER;
	for (int i = 1; i < STAGE_COUNT; i++)
		s->stage[i] = (enum stage_status)(i % 6);
	state_set_str(&s->fqdn, "web01.example.com");
	state_set_str(&s->root_sha256, "0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F9");
	state_set_str(&s->root_path, "/state/trust/root with spaces.pem");
	s->req_phase = REQ_DENIED;
	s->request_id = 2147483647L * 4;
	state_set_str(&s->request_ca_url, "https://ca.example.com/certsrv/?a=b&c=100%");
	state_set_str(&s->request_template, "");
	state_set_str(&s->disposition,
		      "Denied by Policy Module\r\nline two\n=start\tTab %41 \x7f end\x01");
	state_set_str(&s->key_path, "/state/key.pem");
	state_set_str(&s->csr_path, "/state/req.csr");
	state_set_str(&s->cert_path, "/state/cert.pem");
	state_set_str(&s->chain_path, "/state/chain.pem");
	s->submitted_at = 1700000000;
	state_set_str(&s->pfx_path, "/out/Café ✓.pfx");
	state_set_str(&s->agent_config_path, "/state/agent.ini");
	state_set_str(&s->serial_hex, "0A1B2C");
	state_set_str(&s->thumbprint, "AABBCC");
	state_set_str(&s->approval, "pending");
	state_set_str(&s->approval_at, "2026-12-03 12:00:00 UTC");
	state_set_str(&s->mgmt_server, "ms01.example.com");
	state_set_str(&s->mgmt_port, "5723");
	state_set_str(&s->mgmt_group, "Contoso Ops");
	state_set_str(&s->serial_reversed, "2C1B0A");
	state_set_str(&s->reg_file, "/state/opsmgr-serial.reg");
	s->updated = 1700000123;
}

static void assert_same(const struct state *a, const struct state *b)
{
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->role, b->role);
	for (int i = 1; i < STAGE_COUNT; i++)
		assert_int_equal(a->stage[i], b->stage[i]);
	assert_int_equal(a->req_phase, b->req_phase);
	assert_int_equal(a->renewal, b->renewal);
	assert_int_equal(a->request_id, b->request_id);
	assert_int_equal(a->submitted_at, b->submitted_at);
	assert_int_equal(a->updated, b->updated);
#define SAME(m)                                                   \
	do {                                                      \
		if (a->m == NULL)                                 \
			assert_null(b->m);                        \
		else                                              \
			assert_string_equal(a->m, b->m);          \
	} while (0)
	SAME(fqdn);
	SAME(root_sha256);
	SAME(root_path);
	SAME(request_ca_url);
	SAME(request_template);
	SAME(disposition);
	SAME(key_path);
	SAME(csr_path);
	SAME(cert_path);
	SAME(chain_path);
	SAME(pfx_path);
	SAME(agent_config_path);
	SAME(serial_hex);
	SAME(previous_serial);
	SAME(thumbprint);
	SAME(approval);
	SAME(approval_at);
	SAME(mgmt_server);
	SAME(mgmt_port);
	SAME(mgmt_group);
	SAME(serial_reversed);
	SAME(reg_file);
#undef SAME
}

/* ---- format ----------------------------------------------------------------- */

static void test_init_and_names(void **st)
{
	(void)st;
	struct state s;
	state_init(&s);
	assert_int_equal(s.version, STATE_VERSION);
	assert_int_equal(s.role, ROLE_AGENT);
	assert_int_equal(s.req_phase, REQ_NONE);
	assert_int_equal(s.request_id, 0);
	assert_null(s.fqdn);
	for (int i = STAGE_FIRST; i <= STAGE_LAST; i++)
		assert_int_equal(s.stage[i], STAGE_ST_NONE);
	assert_string_equal(stage_status_name(STAGE_ST_WAITING), "waiting");
	assert_string_equal(stage_status_name(STAGE_ST_SKIPPED), "skipped");
	assert_string_equal(stage_status_name((enum stage_status)99), "unknown");
	assert_string_equal(request_phase_name(REQ_KEY_WRITTEN), "key_written");
	assert_string_equal(request_phase_name(REQ_PENDING), "pending");
	assert_string_equal(request_phase_name((enum request_phase)99), "unknown");
	state_release(&s);
}

static void test_round_trip(void **st)
{
	(void)st;
	struct state a, b;
	fill(&a);
	char *text = state_format(&a);
	assert_non_null(text);
	/* the look of the file */
	assert_memory_equal(text, "opsmgr-enroll-state 1\n", 22);
	size_t n = strlen(text);
	assert_true(n > 4);
	assert_string_equal(text + n - 4, "end\n");
	assert_non_null(strstr(text, "disposition=Denied by Policy Module%0D%0Aline two%0A%3Dstart%09Tab %2541 %7F end%01\n"));
	assert_non_null(strstr(text, "request_ca_url=https://ca.example.com/certsrv/?a%3Db&c%3D100%25\n"));
	assert_non_null(strstr(text, "request_template=\n"));
	assert_non_null(strstr(text, "role=server\n"));
	assert_non_null(strstr(text, "req_phase=denied\n"));
	assert_non_null(strstr(text, "request_id=8589934588\n"));
	/* one line per key: no raw CR in the file */
	assert_null(strchr(text, '\r'));

	state_init(&b);
	char err[256] = "";
	assert_int_equal(state_parse(&b, text, n, err, sizeof(err)), 0);
	assert_same(&a, &b);
	/* NULL strings stay NULL, empty stay empty */
	state_set_str(&a.fqdn, NULL);
	free(text);
	text = state_format(&a);
	assert_null(strstr(text, "fqdn="));
	assert_int_equal(state_parse(&b, text, strlen(text), err, sizeof(err)), 0);
	assert_null(b.fqdn);
	assert_string_equal(b.request_template, "");
	assert_same(&a, &b);
	free(text);
	state_release(&a);
	state_release(&b);

	/* numbers a stage should never set still read back (no lost state) */
	state_init(&a);
	state_init(&b);
	a.request_id = -7;
	a.submitted_at = (time_t)-1;
	text = state_format(&a);
	assert_int_equal(state_parse(&b, text, strlen(text), err, sizeof(err)), 0);
	assert_same(&a, &b);
	free(text);
	state_release(&a);
	state_release(&b);

	/* every status and phase value survives */
	for (int v = 0; v <= STAGE_ST_SKIPPED; v++) {
		state_init(&a);
		state_init(&b);
		for (int i = 1; i < STAGE_COUNT; i++)
			a.stage[i] = (enum stage_status)v;
		a.req_phase = (enum request_phase)(v % (REQ_DENIED + 1));
		text = state_format(&a);
		assert_int_equal(state_parse(&b, text, strlen(text), err, sizeof(err)), 0);
		assert_same(&a, &b);
		free(text);
		state_release(&a);
		state_release(&b);
	}
}

/* A renewal in progress and the serial it replaces survive; no renewal
 * writes no line (the files of every other enrollment stay as they were). */
static void test_renewal_round_trip(void **st)
{
	(void)st;
	struct state a, b;
	char err[256] = "";
	state_init(&a);
	char *text = state_format(&a);
	assert_null(strstr(text, "renewal="));
	assert_null(strstr(text, "previous_serial="));
	free(text);
	for (int v = RENEWAL_NONE; v <= RENEWAL_RUNNING; v++) {
		a.renewal = (enum renewal_phase)v;
		state_set_str(&a.previous_serial, "00A1B2");
		text = state_format(&a);
		assert_true((v == RENEWAL_NONE) ==
			    (strstr(text, "\nrenewal=") == NULL));
		assert_non_null(strstr(text, "\nprevious_serial=00A1B2\n"));
		state_init(&b);
		assert_int_equal(state_parse(&b, text, strlen(text), err,
					     sizeof(err)), 0);
		assert_same(&a, &b);
		state_release(&b);
		free(text);
	}
	assert_string_equal(renewal_phase_name(RENEWAL_DUE), "due");
	assert_string_equal(renewal_phase_name(RENEWAL_RUNNING), "running");
	assert_string_equal(renewal_phase_name((enum renewal_phase)9), "unknown");
	state_release(&a);
}

static void expect_parse_error(const char *text, const char *needle)
{
	struct state s;
	state_init(&s);
	state_set_str(&s.fqdn, "keep.example.com");
	char err[256] = "";
	int r = state_parse(&s, text, strlen(text), err, sizeof(err));
	if (r != -1 || !strstr(err, needle))
		print_message("input:\n%s\nerror: %s\n", text, err);
	assert_int_equal(r, -1);
	assert_non_null(strstr(err, needle));
	/* a failed parse leaves s untouched */
	assert_string_equal(s.fqdn, "keep.example.com");
	state_release(&s);
}

static void test_parse_strict(void **st)
{
	(void)st;
	expect_parse_error("", "empty");
	expect_parse_error("opsmgr-enroll-state 1\nrenewal=soon\nend\n",
			   "unknown renewal phase 'soon'");
	expect_parse_error("opsmgr-enroll-state 1\nrenewal=due\nrenewal=due\n"
			   "end\n", "duplicate key 'renewal'");
	expect_parse_error("hello\nend\n", "not an opsmgr-enroll state file");
	expect_parse_error("opsmgr-enroll-state 2\nend\n",
			   "unsupported state version 2");
	expect_parse_error("opsmgr-enroll-state x\nend\n", "bad version");
	expect_parse_error("opsmgr-enroll-state 1\nrole=agent\n", "no 'end' line");
	expect_parse_error("opsmgr-enroll-state 1\nrole=agent\nend",
			   "truncated");
	expect_parse_error("opsmgr-enroll-state 1\nrole=age", "truncated");
	expect_parse_error("opsmgr-enroll-state 1\nend\nrole=agent\n",
			   "text after the 'end' line");
	expect_parse_error("opsmgr-enroll-state 1\nfqdn=a%4\nend\n", "bad escape");
	expect_parse_error("opsmgr-enroll-state 1\nfqdn=a%\nend\n", "bad escape");
	expect_parse_error("opsmgr-enroll-state 1\nfqdn=a%G0\nend\n", "line 2: bad escape");
	expect_parse_error("opsmgr-enroll-state 1\nfqdn=a=b\nend\n", "unescaped");
	expect_parse_error("opsmgr-enroll-state 1\nfqdn=a\rb\nend\n", "unescaped");
	expect_parse_error("opsmgr-enroll-state 1\nfqdn=a\nfqdn=b\nend\n",
			   "line 3: duplicate key 'fqdn'");
	expect_parse_error("opsmgr-enroll-state 1\nstage3=done\nstage3=done\nend\n",
			   "duplicate key 'stage3'");
	expect_parse_error("opsmgr-enroll-state 1\nrole=gateway\nend\n",
			   "unknown role 'gateway'");
	expect_parse_error("opsmgr-enroll-state 1\nstage2=finished\nend\n",
			   "unknown stage status 'finished' for stage2");
	expect_parse_error("opsmgr-enroll-state 1\nreq_phase=lost\nend\n",
			   "unknown request phase 'lost'");
	expect_parse_error("opsmgr-enroll-state 1\nrequest_id=12a\nend\n",
			   "request_id '12a' is not a number");
	expect_parse_error("opsmgr-enroll-state 1\nrequest_id=+1\nend\n",
			   "is not a number");
	expect_parse_error("opsmgr-enroll-state 1\nrequest_id=--1\nend\n",
			   "is not a number");
	expect_parse_error("opsmgr-enroll-state 1\nrequest_id=-\nend\n",
			   "is not a number");
	expect_parse_error("opsmgr-enroll-state 1\nrequest_id=\nend\n",
			   "is not a number");
	expect_parse_error("opsmgr-enroll-state 1\nrequest_id=99999999999999999999999\nend\n",
			   "is not a number");
	expect_parse_error("opsmgr-enroll-state 1\nupdated=soon\nend\n",
			   "is not a time");
	expect_parse_error("opsmgr-enroll-state 1\njust text\nend\n",
			   "line 2: expected key=value");
	expect_parse_error("opsmgr-enroll-state 1\n=x\nend\n", "expected key=value");
	expect_parse_error("opsmgr-enroll-state 1\nFQDN=x\nend\n", "bad character");
	expect_parse_error("opsmgr-enroll-state 1\n\nend\n", "expected key=value");

	/* a NUL byte anywhere */
	struct state s;
	state_init(&s);
	char err[256];
	static const char nul[] = "opsmgr-enroll-state 1\nfqdn=a\0b\nend\n";
	assert_int_equal(state_parse(&s, nul, sizeof(nul) - 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
	state_release(&s);
}

static void test_unknown_keys_ignored(void **st)
{
	(void)st;
	struct state s;
	state_init(&s);
	char err[256] = "";
	const char *text = "opsmgr-enroll-state 1\nfuture_key=whatever%20x\n"
			   "stage1=done\nfuture_key2=\nfqdn=a.example.com\nend\n";
	assert_int_equal(state_parse(&s, text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(s.stage[1], STAGE_ST_DONE);
	assert_int_equal(s.stage[2], STAGE_ST_NONE);
	assert_string_equal(s.fqdn, "a.example.com");
	state_release(&s);
}

static void test_stage_status_finished(void **st)
{
	(void)st;
	assert_true(stage_status_finished(STAGE_ST_DONE));
	assert_true(stage_status_finished(STAGE_ST_WARN));
	assert_true(stage_status_finished(STAGE_ST_SKIPPED));
	assert_false(stage_status_finished(STAGE_ST_NONE));
	assert_false(stage_status_finished(STAGE_ST_FAILED));
	assert_false(stage_status_finished(STAGE_ST_WAITING));
}

/* ---- files ------------------------------------------------------------------ */

static void test_save_load(void **st)
{
	(void)st;
	struct state a, b;
	struct diag_list dl;
	diag_list_init(&dl);
	state_init(&b);
	/* missing: fresh, 0 */
	state_set_str(&b.fqdn, "stale");
	assert_int_equal(state_load(&b, g_tmp, &dl), 0);
	assert_null(b.fqdn);
	assert_int_equal(b.updated, 0);
	assert_int_equal(dl.n, 0);

	fill(&a);
	time_t before = time(NULL);
	assert_int_equal(state_save(&a, g_tmp, &dl), 0);
	assert_true(a.updated >= before);
	struct stat sb;
	assert_int_equal(stat(path_in("state"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(state_load(&b, g_tmp, &dl), 0);
	assert_same(&a, &b);
	assert_int_equal(dl.n, 0);
	/* nothing left behind: no temp files */
	assert_int_equal(count_prefix(g_tmp, "", NULL, 0), 3); /* . .. state */
	state_release(&a);
	state_release(&b);
}

static void check_moved_aside(const char *content, size_t len,
			      const char *why)
{
	write_raw(path_in("state"), content, len);
	struct state s;
	struct diag_list dl;
	diag_list_init(&dl);
	state_init(&s);
	state_set_str(&s.fqdn, "stale");
	assert_int_equal(state_load(&s, g_tmp, &dl), 1);
	/* fresh state */
	assert_null(s.fqdn);
	for (int i = STAGE_FIRST; i <= STAGE_LAST; i++)
		assert_int_equal(s.stage[i], STAGE_ST_NONE);
	/* the file was moved, not deleted, and the warning names both paths */
	char moved[256];
	assert_int_equal(count_prefix(g_tmp, "state.corrupt-", moved, sizeof(moved)), 1);
	assert_false(access(path_in("state"), F_OK) == 0);
	const struct diag *d = find_msg(&dl, SEV_WARN, "was damaged");
	assert_non_null(d);
	assert_int_equal(d->check, DIAG_STATE);
	assert_non_null(strstr(d->message, path_in("state")));
	assert_non_null(strstr(d->message, moved));
	assert_non_null(strstr(d->message, why));
	assert_non_null(d->fix);
	size_t n;
	char *kept = read_all(path_in(moved), &n);
	assert_non_null(kept);
	assert_int_equal(n, len);
	assert_memory_equal(kept, content, len);
	free(kept);
	unlink(path_in(moved));
	diag_list_release(&dl);
	state_release(&s);
}

static void test_corrupt_moved_aside(void **st)
{
	(void)st;
	static const char junk[] = "\x00\x01garbage\xff\n";
	check_moved_aside(junk, sizeof(junk) - 1, "NUL byte");
	const char *foreign = "[ca]\nurl = x\n";
	check_moved_aside(foreign, strlen(foreign), "not an opsmgr-enroll state file");
	const char *v2 = "opsmgr-enroll-state 1\nrequest_id=12x\nend\n";
	check_moved_aside(v2, strlen(v2), "request_id '12x' is not a number");
}

static void test_truncated_is_corrupt(void **st)
{
	(void)st;
	struct state a;
	fill(&a);
	char *text = state_format(&a);
	size_t n = strlen(text);
	/* cut before the end line: a write that stopped half way */
	check_moved_aside(text, n - 4, "truncated");
	check_moved_aside(text, n / 2, "truncated");
	free(text);
	state_release(&a);
}

static void test_two_corruptions_same_second(void **st)
{
	(void)st;
	struct state s;
	struct diag_list dl;
	diag_list_init(&dl);
	state_init(&s);
	write_raw(path_in("state"), "bad\n", 4);
	assert_int_equal(state_load(&s, g_tmp, &dl), 1);
	write_raw(path_in("state"), "worse\n", 6);
	assert_int_equal(state_load(&s, g_tmp, &dl), 1);
	/* both kept (a -2 suffix when the second is the same) */
	assert_int_equal(count_prefix(g_tmp, "state.corrupt-", NULL, 0), 2);
	diag_list_release(&dl);
	state_release(&s);
}

static void test_load_refuses_non_regular(void **st)
{
	(void)st;
	struct state s;
	struct diag_list dl;
	diag_list_init(&dl);
	state_init(&s);
	write_raw(path_in("elsewhere"), "x", 1);
	assert_int_equal(symlink(path_in("elsewhere"), path_in("state")), 0);
	assert_int_equal(state_load(&s, g_tmp, &dl), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "symbolic link"));
	diag_list_release(&dl);
	unlink(path_in("state"));
	assert_int_equal(mkdir(path_in("state"), 0700), 0);
	assert_int_equal(state_load(&s, g_tmp, &dl), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "not a regular file"));
	diag_list_release(&dl);
	state_release(&s);
}

/* An interrupted or failed save must leave the previous state whole. */
static void test_failed_save_keeps_old(void **st)
{
	(void)st;
	struct state a, b;
	struct diag_list dl;
	diag_list_init(&dl);
	fill(&a);
	assert_int_equal(state_save(&a, g_tmp, &dl), 0);
	size_t oldlen;
	char *old = read_all(path_in("state"), &oldlen);
	assert_non_null(old);

	/* 1. the disk fills up in the middle of the write (file size limit) */
	state_set_str(&a.disposition, NULL);
	char big[4000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	state_set_str(&a.disposition, big);
	struct rlimit old_lim, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old_lim), 0);
	lim = old_lim;
	lim.rlim_cur = 1024;
	void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int r = state_save(&a, g_tmp, &dl);
	setrlimit(RLIMIT_FSIZE, &old_lim);
	signal(SIGXFSZ, old_sig);
	assert_int_equal(r, -1);
	const struct diag *d = find_msg(&dl, SEV_FAIL, "cannot save the state");
	assert_non_null(d);
	assert_int_equal(d->check, DIAG_STATE);
	size_t n;
	char *now = read_all(path_in("state"), &n);
	assert_int_equal(n, oldlen);
	assert_memory_equal(now, old, n);
	free(now);
	/* no temp file left behind */
	assert_int_equal(count_prefix(g_tmp, "", NULL, 0), 3);
	diag_list_release(&dl);

	/* 2. the directory cannot take a temp file (not when root: root
	 * ignores the mode bits) */
	if (geteuid() != 0) {
		assert_int_equal(chmod(g_tmp, 0500), 0);
		assert_int_equal(state_save(&a, g_tmp, &dl), -1);
		chmod(g_tmp, 0700);
		now = read_all(path_in("state"), &n);
		assert_int_equal(n, oldlen);
		assert_memory_equal(now, old, n);
		free(now);
		diag_list_release(&dl);
	}

	/* 3. a symlink planted at the destination is not followed */
	write_raw(path_in("target"), "precious\n", 9);
	assert_int_equal(rename(path_in("state"), path_in("state.keep")), 0);
	assert_int_equal(symlink(path_in("target"), path_in("state")), 0);
	assert_int_equal(state_save(&a, g_tmp, &dl), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "symbolic link"));
	now = read_all(path_in("target"), &n);
	assert_string_equal(now, "precious\n");
	free(now);
	struct stat sb;
	assert_int_equal(lstat(path_in("state"), &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	diag_list_release(&dl);

	/* and the old state still loads */
	unlink(path_in("state"));
	assert_int_equal(rename(path_in("state.keep"), path_in("state")), 0);
	state_init(&b);
	assert_int_equal(state_load(&b, g_tmp, &dl), 0);
	assert_string_equal(b.disposition,
			    "Denied by Policy Module\r\nline two\n=start\tTab %41 \x7f end\x01");
	free(old);
	state_release(&a);
	state_release(&b);
	diag_list_release(&dl);
}

static void test_move_aside(void **st)
{
	(void)st;
	struct state a;
	struct diag_list dl;
	diag_list_init(&dl);
	char moved[PATH_MAX];
	/* nothing saved: nothing to move, not an error */
	assert_int_equal(state_move_aside(g_tmp, "start over", moved, sizeof(moved), &dl), 0);
	assert_string_equal(moved, "");
	fill(&a);
	assert_int_equal(state_save(&a, g_tmp, &dl), 0);
	assert_int_equal(state_move_aside(g_tmp, "start over", moved, sizeof(moved), &dl), 0);
	assert_non_null(strstr(moved, "/state.old-"));
	assert_int_equal(strncmp(moved, g_tmp, strlen(g_tmp)), 0);
	assert_false(access(path_in("state"), F_OK) == 0);
	assert_int_equal(access(moved, R_OK), 0);
	const struct diag *d = find_msg(&dl, SEV_INFO, moved);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "start over"));
	/* the moved file is still a valid state */
	struct state b;
	state_init(&b);
	size_t n;
	char *text = read_all(moved, &n);
	char err[256];
	assert_int_equal(state_parse(&b, text, n, err, sizeof(err)), 0);
	assert_string_equal(b.fqdn, "web01.example.com");
	free(text);
	state_release(&a);
	state_release(&b);
	diag_list_release(&dl);
}

/* ---- the directory ----------------------------------------------------------- */

static void test_dir_prepare(void **st)
{
	(void)st;
	struct diag_list dl;
	diag_list_init(&dl);
	char dir[PATH_MAX + 64];
	snprintf(dir, sizeof(dir), "%s/a/b/opsmgr-enroll", g_tmp);
	mode_t old = umask(022);
	assert_int_equal(state_dir_prepare(dir, &dl), 0);
	umask(old);
	struct stat sb;
	assert_int_equal(stat(dir, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0700);
	/* again: already there, fine */
	assert_int_equal(state_dir_prepare(dir, &dl), 0);
	assert_int_equal(dl.n, 0);

	/* world-writable: refused with the fix */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(state_dir_prepare(dir, &dl), -1);
	const struct diag *d = find_msg(&dl, SEV_FAIL, "world-writable");
	assert_non_null(d);
	assert_int_equal(d->check, DIAG_STATE);
	assert_string_equal(d->field, "wizard.state_dir");
	assert_non_null(strstr(d->message, "chmod 700"));
	diag_list_release(&dl);
	/* group-writable as well */
	assert_int_equal(chmod(dir, 0770), 0);
	assert_int_equal(state_dir_prepare(dir, &dl), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "group-writable"));
	diag_list_release(&dl);
	chmod(dir, 0700);

	/* a symlink to a directory: refused */
	char link[PATH_MAX + 64];
	snprintf(link, sizeof(link), "%s/link", g_tmp);
	assert_int_equal(symlink(dir, link), 0);
	assert_int_equal(state_dir_prepare(link, &dl), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "symbolic link"));
	diag_list_release(&dl);

	/* a file in the way */
	snprintf(link, sizeof(link), "%s/file", g_tmp);
	write_raw(link, "x", 1);
	assert_int_equal(state_dir_prepare(link, &dl), -1);
	assert_int_equal(diag_count(&dl, SEV_FAIL), 1);
	diag_list_release(&dl);
	assert_int_equal(state_dir_prepare("", &dl), -1);
	diag_list_release(&dl);
}

/* --- the text buffer (strbuf.c) ----------------------------------------- */

static void test_strbuf_put_grows(void **state)
{
	struct strbuf b = STRBUF_INIT;
	char want[5001];
	for (int i = 0; i < 5000; i++) {
		char c = (char)('a' + i % 26);
		strbuf_put(&b, &c, 1);
		want[i] = c;
	}
	want[5000] = '\0';
	assert_int_equal(b.n, 5000);
	assert_true(b.cap > b.n);
	assert_string_equal(b.p, want);
	strbuf_puts(&b, "!");
	assert_int_equal(b.n, 5001);
	assert_int_equal(b.p[5001], '\0');
	strbuf_release(&b);
	assert_null(b.p);
	assert_int_equal(b.n, 0);
}

static void test_strbuf_printf_long(void **state)
{
	struct strbuf b = STRBUF_INIT;
	char big[400];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_printf(&b, "n=%d ", 42);
	strbuf_printf(&b, "[%s]", big);
	assert_int_equal(b.n, 5 + 2 + strlen(big));
	assert_memory_equal(b.p, "n=42 [", 6);
	assert_int_equal(b.p[b.n - 1], ']');
	char *t = strbuf_take(&b);
	assert_non_null(t);
	assert_int_equal(strlen(t), 5 + 2 + strlen(big));
	assert_null(b.p);
	assert_int_equal(b.n, 0);
	free(t);
}

static void test_strbuf_take_empty_and_oom(void **state)
{
	struct strbuf b = STRBUF_INIT;
	assert_null(strbuf_take(&b));
	strbuf_puts(&b, "partial");
	b.oom = 1;                 /* as after a failed realloc */
	strbuf_puts(&b, " more");  /* ignored */
	assert_int_equal(b.n, strlen("partial"));
	assert_null(strbuf_take(&b));
	assert_null(b.p);
	assert_int_equal(b.oom, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_names),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_renewal_round_trip),
		cmocka_unit_test(test_parse_strict),
		cmocka_unit_test(test_unknown_keys_ignored),
		cmocka_unit_test(test_stage_status_finished),
		cmocka_unit_test(test_strbuf_put_grows),
		cmocka_unit_test(test_strbuf_printf_long),
		cmocka_unit_test(test_strbuf_take_empty_and_oom),
		cmocka_unit_test_setup_teardown(test_save_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_moved_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_is_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_corruptions_same_second, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_non_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_save_keeps_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_prepare, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
