/*
 * test_killpoints.c - interruption: `opsmgr-enroll --answers --non-interactive`
 * against a real lab is SIGKILLed at many points, then run again.  Every
 * time: no partial file is visible (every key, certificate, CSR, state,
 * agent configuration and PFX present parses, none is empty), the key a
 * request was made with is kept (byte for byte, with its CSR, once the
 * state says a request was sent, and every request the CA holds for the
 * host - its CSR, or its certificate once issued - carries the final key),
 * the CA holds one request for the host - two only when the kill landed
 * while the submission was in flight, and then the re-run says an earlier
 * submission may have reached the CA and sends the same key and CSR -, and
 * the re-run finishes (exit 0, all seven stages done).
 *
 * Points are placed two ways.  Exactly, under ptrace (kill_tracer.h): the
 * run is stopped at a system call - a temp file created or first written,
 * a file just before or just after its rename into place, the state file
 * just saved with a given phase - and killed there, optionally after
 * letting it run on a few ms (inside key generation).  And by time: a
 * sweep of kill times across a measured full run.  Lab 1 approves at once;
 * lab 2 (the same lab restarted) holds each submission 2 s and approves
 * agents 3 s after their first contact, for kills while the CA delays its
 * answer and during the approval wait.  Each point uses its own FQDN so
 * `list` shows its requests alone.  Temp files a kill leaves behind are
 * counted and reported.  Prints "kill points: N tried, N recovered" and
 * where the kills landed.
 *
 * Size: every traced point plain, every other one under ASan (or all with
 * $OPSMGR_KILLPOINT_ALL=1); $OPSMGR_KILLPOINT_SWEEP timed points (default
 * 16, 6 under ASan), the sweep stopping early after
 * $OPSMGR_KILLPOINT_BUDGET seconds (default 150, 400 under ASan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iniparser.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "kill_tracer.h"
#include "lab_harness.h"
#include "robust_util.h"
#include "run_capture.h"
#include "core/state.h"

#if defined(__SANITIZE_ADDRESS__)
#define KP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KP_ASAN 1
#endif
#endif
#ifndef KP_ASAN
#define KP_ASAN 0
#endif

#define RUN_TIMEOUT_MS (300 * 1000)
#define MAX_IDS 16

enum trig_kind { TK_TIME, TK_TRACE };

struct trig {
	const char *label;
	enum trig_kind kind;
	enum kt_kind at;          /* TK_TRACE: where */
	const char *rel;          /* path below the point's directory */
	const char *need;         /* rel == "state/state": a line it must have */
	const char *no_file;      /* ... and a state-dir file that must be missing */
	int after_ms;             /* run on this long after the trigger */
	long at_ms;               /* TK_TIME */
	int prefix;               /* rename/unlink: rel is a prefix */
};

/* What a kill landed on, read from the files it left. */
enum cat {
	CAT_BEFORE_REQUEST = 0, /* trust stage or earlier */
	CAT_KEYGEN,             /* stage 1 done, no key yet */
	CAT_KEY_WRITTEN,        /* key on disk, nothing sent */
	CAT_SUBMITTING,         /* the POST in flight */
	CAT_ISSUED_UNSAVED,     /* cert.pem written, state still pending */
	CAT_PENDING,            /* request ID recorded, cert not fetched */
	CAT_AFTER_REQUEST,      /* stage 2 done, stages 3-5 */
	CAT_PFX_WRITING,        /* a PFX temp file left */
	CAT_APPROVAL_WAIT,      /* stage 6 done, stage 7 not */
	CAT_ARCHIVING,          /* changed answers: the old request archived */
	CAT_NOT_KILLED,         /* the run ended first */
	CAT_N
};

static const char *const cat_names[CAT_N] = {
	"before the request", "key generation", "key written, not sent",
	"submission in flight", "issued, state not saved", "pending ID saved",
	"verify/export/agent", "PFX being written", "approval wait",
	"archiving a request", "run ended first",
};

struct kp {
	struct lab lab;
	char *work;
	int seq;
	int tried, recovered;
	int cats[CAT_N];
	int in_flight_dups;     /* points where the CA got the request twice */
	int temp_left_points;   /* points that left temp files after the re-run */
	char *pfx_password;
};

static struct kp K;

/* ---- small file checks ------------------------------------------------- */

static int state_line(const char *state, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = state; p && (p = strstr(p, line)) != NULL; p += n)
		if ((p == state || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return 1;
	return 0;
}

static char *path2(const char *a, const char *b)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", a, b) > 0);
	return p;
}

static int file_exists(const char *dir, const char *name)
{
	char *p = path2(dir, name);
	struct stat st;
	int r = lstat(p, &st) == 0;

	free(p);
	return r;
}

static EVP_PKEY *read_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (!f)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return k;
}

static int count_certs(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;
	int n = 0;

	if (!f)
		return -1;
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		X509_free(x);
		n++;
	}
	fclose(f);
	return n;
}

static X509_REQ *read_csr(const char *path)
{
	FILE *f = fopen(path, "r");
	X509_REQ *r;

	if (!f)
		return NULL;
	r = PEM_read_X509_REQ(f, NULL, NULL, NULL);
	fclose(f);
	return r;
}

static int pfx_parses(const char *path, const char *password)
{
	size_t len = 0;
	unsigned char *der = ru_read(path, &len);
	const unsigned char *p = der;
	PKCS12 *p12;
	EVP_PKEY *k = NULL;
	X509 *c = NULL;
	STACK_OF(X509) *ca = NULL;
	int ok = 0;

	if (!der)
		return 0;
	p12 = d2i_PKCS12(NULL, &p, (long)len);
	if (p12 && PKCS12_parse(p12, password, &k, &c, &ca) == 1)
		ok = k && c && X509_check_private_key(c, k) == 1;
	EVP_PKEY_free(k);
	X509_free(c);
	sk_X509_pop_free(ca, X509_free);
	PKCS12_free(p12);
	free(der);
	return ok;
}

struct scan {
	int temps_hidden;   /* temp files that are dot files (allowed after a kill) */
	int temps_visible;  /* temp files under a visible name */
	int bad;            /* files that do not parse */
	char report[2048];
};

static void scan_note(struct scan *s, const char *fmt, const char *path)
{
	size_t n = strlen(s->report);

	if (n + strlen(path) + 64 < sizeof(s->report))
		snprintf(s->report + n, sizeof(s->report) - n, fmt, path);
}

static void scan_file(const char *path, void *ud)
{
	struct scan *s = ud;
	const char *base = strrchr(path, '/');
	struct stat st;
	size_t n;
	int ok = 1;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (lstat(path, &st) != 0)
		return;   /* removed meanwhile */
	if (ru_is_temp_name(base)) {
		if (base[0] == '.')
			s->temps_hidden++;
		else
			s->temps_visible++;
		scan_note(s, "  temp file: %s\n", path);
		return;
	}
	if (S_ISLNK(st.st_mode)) {
		/* trust store hash links must point at something */
		ok = stat(path, &st) == 0;
	} else if (!strcmp(base, "opsmgr-enroll.log") ||
		   !strcmp(base, "answers.ini") || !strncmp(base, "run", 3)) {
		return;   /* append-only log, our own files */
	} else if (st.st_size == 0) {
		ok = 0;
	} else if (!strcmp(base, STATE_FILE_NAME)) {
		size_t len = 0;
		unsigned char *b = ru_read(path, &len);
		struct state stt;
		char err[256];

		state_init(&stt);
		ok = b && state_parse(&stt, (char *)b, len, err, sizeof(err)) == 0;
		state_release(&stt);
		free(b);
	} else if (!strcmp(base, "key.pem") || !strncmp(base, "agent-key", 9)) {
		/* agent-key.pem, or agent-key-<SERIAL>.pem installed beside
		 * another certificate in use (serial_install.c) */
		EVP_PKEY *k = read_key(path);

		ok = k != NULL;
		EVP_PKEY_free(k);
	} else if (!strcmp(base, "request.csr")) {
		X509_REQ *r = read_csr(path);

		ok = r != NULL;
		X509_REQ_free(r);
	} else if (n > 4 && !strcmp(base + n - 4, ".pem")) {
		ok = count_certs(path) > 0;
	} else if (n > 4 && !strcmp(base + n - 4, ".pfx")) {
		ok = pfx_parses(path, K.pfx_password);
	} else if (n > 4 && !strcmp(base + n - 4, ".ini")) {
		dictionary *d = iniparser_load(path);

		ok = d != NULL && iniparser_getnsec(d) > 0;
		iniparser_freedict(d);
	}
	if (!ok) {
		s->bad++;
		scan_note(s, "  does not parse: %s\n", path);
	}
}

static void scan_dirs(const char *work, struct scan *s)
{
	static const char *const dirs[] = { "state", "out", "agent" };

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *d = path2(work, dirs[i]);

		ru_walk(d, scan_file, s);
		free(d);
	}
}

/* ---- the lab's view ------------------------------------------------------ */

/* IDs of the requests the lab holds for fqdn; returns how many. */
static int lab_requests_for(const char *fqdn, long ids[MAX_IDS])
{
	const char *args[] = { "list", "--dir", K.lab.dir, NULL };
	char *out = NULL, *save = NULL;
	int n = 0;

	assert_int_equal(lab_cmd(args, &out), 0);
	for (char *line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		long id;
		char st[32], tpl[64], cn[256];

		if (sscanf(line, "request %ld %31s %63s %255s", &id, st, tpl,
			   cn) == 4 && !strcmp(cn, fqdn) && n < MAX_IDS)
			ids[n++] = id;
	}
	free(out);
	return n;
}

/* Was request id made with key?  The lab keeps the CSR of a request it
 * holds pending and the certificate of one it issued. */
static int lab_request_has_key(long id, EVP_PKEY *key)
{
	char name[64];
	char *p;
	X509_REQ *r;
	int ok = 0;

	snprintf(name, sizeof(name), "requests/%ld.csr", id);
	p = path2(K.lab.dir, name);
	r = read_csr(p);
	free(p);
	if (r) {
		ok = EVP_PKEY_eq(X509_REQ_get0_pubkey(r), key) == 1;
		X509_REQ_free(r);
		return ok;
	}
	snprintf(name, sizeof(name), "requests/%ld.pem", id);
	p = path2(K.lab.dir, name);
	FILE *f = fopen(p, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	free(p);
	ok = x && EVP_PKEY_eq(X509_get0_pubkey(x), key) == 1;
	X509_free(x);
	return ok;
}

/* ---- one point ------------------------------------------------------------ */

static char *wizard_bin(void)
{
	return test_build_path("opsmgr-enroll");
}

static char *make_answers_as(const char *work, const char *name,
			     const char *fqdn)
{
	char *answers = path2(work, name);
	char *pfx = path2(work, "out/agent.pfx");
	char *agent = path2(work, "agent/agent.ini");
	const char *const repl[][3] = {
		{ "computer", "fqdn", fqdn },
		{ "export", "pfx", pfx },
		{ "agent", "config", agent },
		{ "approval", "interval", "1" },
		{ "approval", "timeout", "120" },
		{ NULL, NULL, NULL },
	};

	assert_int_equal(ru_answers_write(K.lab.answers, answers, repl), 0);
	free(pfx);
	free(agent);
	return answers;
}

static char *make_answers(const char *work, const char *fqdn)
{
	return make_answers_as(work, "answers.ini", fqdn);
}

struct state_pred {
	const char *statef, *statedir, *need, *no_file;
};

/* At a stop: does the state file on disk show the wanted phase? */
static int state_pred_check(void *ud)
{
	const struct state_pred *p = ud;
	char *s;
	int ok;

	if (!p->need)
		return 1;
	s = (char *)ru_read(p->statef, NULL);
	ok = s && state_line(s, p->need) &&
	     (!p->no_file || !file_exists(p->statedir, p->no_file));
	free(s);
	return ok;
}

/*
 * The first run: killed at t_ms (untraced), or traced and killed at the
 * trigger.  *fired: the kill was sent.  Returns the exit status.
 */
static int first_run(const char *const argv[], const char *work,
		     const char *out, const struct trig *t, int *fired)
{
	*fired = 0;
	if (t->kind == TK_TIME) {
		long long t0 = ru_now_ms();
		pid_t pid = ru_spawn(argv, out);

		assert_true(pid > 0);
		while (ru_alive(pid) && ru_now_ms() - t0 < t->at_ms)
			ru_sleep_ms(1);
		if (ru_alive(pid)) {
			kill(pid, SIGKILL);
			*fired = 1;
		}
		return ru_wait(pid, RUN_TIMEOUT_MS);
	}
	char *target = path2(work, t->rel);
	char *statedir = path2(work, "state");
	char *statef = path2(statedir, STATE_FILE_NAME);
	struct state_pred pred = { statef, statedir, t->need, t->no_file };
	struct kt_trigger kt = { t->at, target, state_pred_check, &pred,
				 t->after_ms, t->prefix };
	/* LeakSanitizer cannot stop a traced process's threads at exit */
	char asan[512];
	const char *env[] = { asan, NULL };
	const char *old = getenv("ASAN_OPTIONS");

	snprintf(asan, sizeof(asan), "ASAN_OPTIONS=%s%sdetect_leaks=0",
		 old ? old : "", old && *old ? ":" : "");
	int rc = kt_run(argv, env, out, &kt, RUN_TIMEOUT_MS, fired);
	if (rc == KT_NO_PTRACE)
		fail_msg("cannot trace '%s': ptrace(PTRACE_TRACEME) was refused "
			 "(a container without CAP_SYS_PTRACE or a seccomp "
			 "profile that blocks it)", argv[0]);
	free(target);
	free(statedir);
	free(statef);
	return rc;
}

static enum cat classify(const char *work, int killed)
{
	char *statedir = path2(work, "state");
	char *statef = path2(statedir, STATE_FILE_NAME);
	char *s = (char *)ru_read(statef, NULL);
	enum cat c;
	struct scan sc;

	scan_dirs(work, &sc);
	if (!killed)
		c = CAT_NOT_KILLED;
	else if (s && state_line(s, "stage6=done"))
		c = CAT_APPROVAL_WAIT;
	else if (strstr(sc.report, "/out/.agent.pfx.tmp-"))
		c = CAT_PFX_WRITING;
	else if (s && (state_line(s, "stage2=done") || state_line(s, "stage2=warn")))
		c = CAT_AFTER_REQUEST;
	else if (s && state_line(s, "req_phase=submitting"))
		c = CAT_SUBMITTING;
	else if (s && state_line(s, "req_phase=pending"))
		c = file_exists(statedir, "cert.pem") ? CAT_ISSUED_UNSAVED
						      : CAT_PENDING;
	else if (s && state_line(s, "req_phase=issued"))
		c = CAT_ISSUED_UNSAVED;
	else if (file_exists(statedir, "key.pem"))
		c = CAT_KEY_WRITTEN;
	else if (s && state_line(s, "stage1=done"))
		c = CAT_KEYGEN;
	else
		c = CAT_BEFORE_REQUEST;
	free(s);
	free(statef);
	free(statedir);
	return c;
}

static void dump_file(const char *what, const char *path)
{
	char *t = (char *)ru_read(path, NULL);

	fprintf(stderr, "--- %s (%s) ---\n%s\n--- end ---\n", what, path,
		t ? t : "(unreadable)");
	free(t);
}

/* The archive folders of statedir (temp folders counted apart). */
static int archive_folders(const char *statedir, char **only, int *temps)
{
	char *root = path2(statedir, "archive");
	DIR *d = opendir(root);
	struct dirent *e;
	int n = 0;

	*temps = 0;
	*only = NULL;
	while (d && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_name[0] == '.') {
			(*temps)++;
			continue;
		}
		n++;
		free(*only);
		*only = path2(root, e->d_name);
	}
	if (d)
		closedir(d);
	free(root);
	return n;
}

/* The first run, killed at the trigger: 1 when the kill landed, 0 when
 * the run ended first (and then it must have succeeded); *ms: how long it
 * ran. */
static int killed_run(const char *const argv[], const char *work,
		      const char *out1, int seq, const struct trig *t,
		      long long *ms)
{
	long long t0 = ru_now_ms();
	int fired = 0;
	int rc1 = first_run(argv, work, out1, t, &fired);
	int killed = fired && rc1 == 128 + SIGKILL;

	*ms = ru_now_ms() - t0;
	if (!killed && rc1 != 0) {
		dump_file("first run", out1);
		fail_msg("point %d (%s): the first run ended with %d before the "
			 "kill", seq, t->label, rc1);
	}
	return killed;
}

/* Every visible file complete (`when`: "after the kill", ...). */
static void assert_files_parse(const char *work, int seq, const struct trig *t,
			       const char *when)
{
	struct scan sc;

	scan_dirs(work, &sc);
	if (sc.bad) {
		fprintf(stderr, "point %d (%s): %s:\n%s", seq, t->label, when,
			sc.report);
		fail_msg("a file does not parse %s", when);
	}
}

/*
 * The re-run after a kill: it exits 0, every file parses, temp files and
 * folders it leaves are counted, all seven stages are done with the
 * certificate issued.  Returns its output (caller frees).
 */
static char *rerun_and_check(const char *const argv[], const char *work,
			     const char *out1, int seq, const struct trig *t,
			     long long killed_at, const char *landed)
{
	char *statedir = path2(work, "state");
	char *statef = path2(statedir, STATE_FILE_NAME);
	char *out2 = NULL, *arch = NULL;
	struct scan sc;
	int temps = 0;
	int rc2 = run_capture(argv, RUN_TIMEOUT_MS / 1000, &out2);

	if (rc2 != 0) {
		dump_file("first run", out1);
		fprintf(stderr, "--- re-run ---\n%s\n", out2);
		fail_msg("point %d (%s, killed at %lld ms, %s): the re-run "
			 "exited %d", seq, t->label, killed_at, landed, rc2);
	}
	assert_files_parse(work, seq, t, "after the re-run");
	scan_dirs(work, &sc);
	archive_folders(statedir, &arch, &temps);
	if (sc.temps_hidden || sc.temps_visible || temps) {
		/* counted and reported: nothing removes a temp file a
		 * killed run left (see the closing line) */
		printf("  point %d (%s): temporary files or folders left after "
		       "the re-run:\n%s", seq, t->label, sc.report);
		K.temp_left_points++;
	}
	char *st = (char *)ru_read(statef, NULL);
	assert_non_null(st);
	assert_true(state_line(st, "stage7=done"));
	assert_true(state_line(st, "req_phase=issued"));
	free(st);
	free(arch);
	free(statef);
	free(statedir);
	return out2;
}

/*
 * One kill point: fresh directories and FQDN, run, kill at the trigger,
 * check what is left, run again, check the outcome.  cmocka assertions
 * abort the test with the details when a check fails.  Returns how long
 * the first run lasted (ms).
 */
static long long run_point(const struct trig *t)
{
	char name[64], fqdn[128];
	char *work, *statedir, *out1, *answers, *bin = wizard_bin();
	EVP_PKEY *key_before = NULL;
	unsigned char *keybytes = NULL, *csrbytes = NULL;
	size_t keylen = 0, csrlen = 0;
	long ids[MAX_IDS];
	int seq = ++K.seq;

	snprintf(name, sizeof(name), "kp%02d-", seq);
	snprintf(fqdn, sizeof(fqdn), "kp%02d.lab.test", seq);
	work = path2(K.work, name);
	assert_int_equal(mkdir(work, 0700), 0);
	statedir = path2(work, "state");
	char *outd = path2(work, "out"), *agentd = path2(work, "agent");
	assert_int_equal(mkdir(statedir, 0700), 0);
	assert_int_equal(mkdir(outd, 0700), 0);
	assert_int_equal(mkdir(agentd, 0700), 0);
	free(outd);
	free(agentd);
	answers = make_answers(work, fqdn);
	out1 = path2(work, "run1.txt");

	const char *argv[] = { bin, "--answers", answers, "--state-dir",
			       statedir, "--non-interactive", NULL };
	long long killed_at;
	int killed = killed_run(argv, work, out1, seq, t, &killed_at);
	enum cat c = classify(work, killed);
	K.tried += killed;

	/* What the kill left: every visible file complete. */
	assert_files_parse(work, seq, t, "after the kill");
	char *statef = path2(statedir, STATE_FILE_NAME);
	char *st = (char *)ru_read(statef, NULL);
	int sent = st && (state_line(st, "req_phase=submitting") ||
			  state_line(st, "req_phase=pending") ||
			  state_line(st, "req_phase=issued"));
	int was_submitting = st && state_line(st, "req_phase=submitting");
	free(st);
	char *keyp = path2(statedir, "key.pem");
	char *csrp = path2(statedir, "request.csr");
	if (sent) {
		keybytes = ru_read(keyp, &keylen);
		csrbytes = ru_read(csrp, &csrlen);
		assert_non_null(keybytes);
		assert_non_null(csrbytes);
		key_before = read_key(keyp);
		assert_non_null(key_before);
	}
	int n_before = lab_requests_for(fqdn, ids);

	/* The re-run. */
	char *out2 = rerun_and_check(argv, work, out1, seq, t, killed_at,
				     cat_names[c]);

	/* The key the request was made with is the key in use. */
	EVP_PKEY *key_after = read_key(keyp);
	assert_non_null(key_after);
	if (sent) {
		size_t l2 = 0, l3 = 0;
		unsigned char *k2 = ru_read(keyp, &l2), *c2 = ru_read(csrp, &l3);

		if (!k2 || l2 != keylen || memcmp(k2, keybytes, keylen) != 0)
			fail_msg("point %d (%s): the key of the sent request was "
				 "replaced", seq, t->label);
		if (!c2 || l3 != csrlen || memcmp(c2, csrbytes, csrlen) != 0)
			fail_msg("point %d (%s): the CSR of the sent request was "
				 "replaced", seq, t->label);
		free(k2);
		free(c2);
		assert_int_equal(EVP_PKEY_eq(key_before, key_after), 1);
	}
	int n = lab_requests_for(fqdn, ids);
	for (int i = 0; i < n; i++)
		if (!lab_request_has_key(ids[i], key_after)) {
			fprintf(stderr, "--- re-run ---\n%s\n", out2);
			fail_msg("point %d (%s): request %ld at the CA was made with "
				 "a key that is not the one kept", seq, t->label,
				 ids[i]);
		}
	const char *maybe = "an earlier submission may have reached the CA";
	if (n != 1) {
		if (n != 2 || !was_submitting) {
			fprintf(stderr, "--- re-run ---\n%s\n", out2);
			fail_msg("point %d (%s, %s): the CA holds %d requests for "
				 "'%s' (%d before the re-run)", seq, t->label,
				 cat_names[c], n, fqdn, n_before);
		}
		K.in_flight_dups++;
	}
	if (was_submitting && !strstr(out2, maybe)) {
		fprintf(stderr, "--- re-run ---\n%s\n", out2);
		fail_msg("point %d (%s): killed while submitting, but the re-run "
			 "does not say '%s'", seq, t->label, maybe);
	}
	K.recovered += killed;   /* every check above passed */
	K.cats[c]++;
	printf("  point %2d %-34s %6lld ms  %-24s requests %d -> %d\n", seq,
	       t->label, killed_at, cat_names[c], n_before, n);
	fflush(stdout);

	EVP_PKEY_free(key_before);
	EVP_PKEY_free(key_after);
	free(keybytes);
	free(csrbytes);
	free(keyp);
	free(csrp);
	free(statef);
	free(out2);
	free(out1);
	free(answers);
	free(statedir);
	test_rm_rf(work);
	free(work);
	free(bin);
	return killed_at;
}

/* ---- a run that archives ------------------------------------------------ */

static char *cert_cn_of(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	char cn[256] = "";

	if (f)
		fclose(f);
	if (x)
		X509_NAME_get_text_by_NID(X509_get_subject_name(x),
					  NID_commonName, cn, sizeof(cn));
	X509_free(x);
	return strdup(cn);
}

/*
 * One kill point in a run that archives: a complete enrollment for
 * kpNN.lab.test, then the FQDN changed to kpNN-b.lab.test (a new key and
 * request: the old key, CSR and certificate are archived) and that run
 * killed at the trigger, then run again.  Afterwards: exactly one archive,
 * of the old request (its ID, its key byte for byte, its certificate), the
 * new key and certificate in use, no request sent again for the old name.
 */
static void run_archive_point(const struct trig *t)
{
	char name[64], fqdn1[128], fqdn2[128];
	char *bin = wizard_bin();
	long ids[MAX_IDS];
	int seq = ++K.seq;

	snprintf(name, sizeof(name), "kp%02d-", seq);
	snprintf(fqdn1, sizeof(fqdn1), "kp%02d.lab.test", seq);
	snprintf(fqdn2, sizeof(fqdn2), "kp%02d-b.lab.test", seq);
	char *work = path2(K.work, name), *statedir = path2(work, "state");
	char *outd = path2(work, "out"), *agentd = path2(work, "agent");
	assert_int_equal(mkdir(work, 0700), 0);
	assert_int_equal(mkdir(statedir, 0700), 0);
	assert_int_equal(mkdir(outd, 0700), 0);
	assert_int_equal(mkdir(agentd, 0700), 0);
	char *a1 = make_answers_as(work, "answers.ini", fqdn1);
	char *a2 = make_answers_as(work, "answers2.ini", fqdn2);
	char *out1 = path2(work, "run1.txt"), *out0 = NULL;
	const char *argv1[] = { bin, "--answers", a1, "--state-dir", statedir,
				"--non-interactive", NULL };
	const char *argv2[] = { bin, "--answers", a2, "--state-dir", statedir,
				"--non-interactive", NULL };

	if (run_capture(argv1, RUN_TIMEOUT_MS / 1000, &out0) != 0) {
		fprintf(stderr, "%s\n", out0);
		fail_msg("point %d (%s): the enrollment before the change "
			 "failed", seq, t->label);
	}
	free(out0);
	char *keyp = path2(statedir, "key.pem"), *certp = path2(statedir, "cert.pem");
	size_t k1len = 0;
	unsigned char *key1 = ru_read(keyp, &k1len);
	assert_non_null(key1);
	assert_int_equal(lab_requests_for(fqdn1, ids), 1);
	long old_id = ids[0];

	long long killed_at;
	int killed = killed_run(argv2, work, out1, seq, t, &killed_at);
	assert_files_parse(work, seq, t, "after the kill");
	char *statef = path2(statedir, STATE_FILE_NAME);
	char *st = (char *)ru_read(statef, NULL);
	int was_submitting = st && state_line(st, "req_phase=submitting");
	free(st);

	char *out2 = rerun_and_check(argv2, work, out1, seq, t, killed_at,
				     cat_names[CAT_ARCHIVING]);
	char *arch = NULL;
	int temps = 0;
	int narch = archive_folders(statedir, &arch, &temps);

	/* one archive, of the old request, nothing of it lost */
	if (narch != 1) {
		fprintf(stderr, "--- re-run ---\n%s\n", out2);
		fail_msg("point %d (%s): %d archives of request %ld", seq,
			 t->label, narch, old_id);
	}
	char *akey = path2(arch, "key.pem"), *acert = path2(arch, "cert.pem");
	char *amanifest = path2(arch, "manifest");
	size_t aklen = 0;
	unsigned char *ak = ru_read(akey, &aklen);
	if (!ak || aklen != k1len || memcmp(ak, key1, k1len) != 0)
		fail_msg("point %d (%s): the archived key is not the old key",
			 seq, t->label);
	char *cn = cert_cn_of(acert);
	assert_string_equal(cn, fqdn1);
	free(cn);
	char want[64];
	snprintf(want, sizeof(want), "request_id=%ld", old_id);
	char *m = (char *)ru_read(amanifest, NULL);
	assert_true(m && state_line(m, want));
	free(m);

	/* the new key and certificate in use; the old name asked for nothing */
	size_t k2len = 0;
	unsigned char *key2 = ru_read(keyp, &k2len);
	assert_non_null(key2);
	assert_false(k2len == k1len && memcmp(key2, key1, k1len) == 0);
	cn = cert_cn_of(certp);
	assert_string_equal(cn, fqdn2);
	free(cn);
	assert_int_equal(lab_requests_for(fqdn1, ids), 1);
	int n = lab_requests_for(fqdn2, ids);
	EVP_PKEY *kin = read_key(keyp);
	for (int i = 0; i < n; i++)
		if (!lab_request_has_key(ids[i], kin))
			fail_msg("point %d (%s): request %ld for '%s' was made with "
				 "another key", seq, t->label, ids[i], fqdn2);
	if (n != 1 && !(n == 2 && was_submitting)) {
		fprintf(stderr, "--- re-run ---\n%s\n", out2);
		fail_msg("point %d (%s): the CA holds %d requests for '%s'", seq,
			 t->label, n, fqdn2);
	}
	if (n == 2)
		K.in_flight_dups++;
	K.tried += killed;
	K.recovered += killed;
	K.cats[killed ? CAT_ARCHIVING : CAT_NOT_KILLED]++;
	printf("  point %2d %-34s %6lld ms  %-24s requests %d\n", seq, t->label,
	       killed_at, killed ? cat_names[CAT_ARCHIVING]
				 : cat_names[CAT_NOT_KILLED], n);
	fflush(stdout);

	EVP_PKEY_free(kin);
	free(key1);
	free(key2);
	free(ak);
	free(akey);
	free(acert);
	free(amanifest);
	free(arch);
	free(keyp);
	free(certp);
	free(statef);
	free(out2);
	free(out1);
	free(a1);
	free(a2);
	free(outd);
	free(agentd);
	free(statedir);
	test_rm_rf(work);
	free(work);
	free(bin);
}

/* ---- the sweep ------------------------------------------------------------ */

static int env_int(const char *name, int dflt)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : dflt;
}

static int setup(void **st)
{
	(void)st;
	const char *extra[] = { "--auto-approve", "0", NULL };

	memset(&K, 0, sizeof(K));
	K.work = test_mkdtemp("killpoints-");
	if (!K.work || lab_start(&K.lab, NULL, extra) != 0)
		return -1;
	char *pw = path2(K.lab.dir, "pfx-password");
	K.pfx_password = (char *)ru_read(pw, NULL);
	free(pw);
	if (!K.pfx_password)
		return -1;
	K.pfx_password[strcspn(K.pfx_password, "\r\n")] = '\0';
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	printf("kill points: %d tried, %d recovered (submission in flight and "
	       "sent twice: %d; temp files left after the re-run: %d)\n",
	       K.tried, K.recovered, K.in_flight_dups, K.temp_left_points);
	for (int i = 0; i < CAT_N; i++)
		printf("  landed on %-26s %d\n", cat_names[i], K.cats[i]);
	fflush(stdout);
	lab_stop(&K.lab);
	if (K.work)
		test_rm_rf(K.work);
	free(K.work);
	free(K.pfx_password);
	return 0;
}

#define ST "state/" STATE_FILE_NAME
#define BEFORE(label, rel) { label, TK_TRACE, KT_RENAME_BEFORE, rel, NULL, NULL, 0, 0, 0 }
#define AFTER(label, rel) { label, TK_TRACE, KT_RENAME_AFTER, rel, NULL, NULL, 0, 0, 0 }
#define OPENED(label, rel) { label, TK_TRACE, KT_OPEN_AFTER, rel, NULL, NULL, 0, 0, 0 }
#define WROTE(label, rel) { label, TK_TRACE, KT_WRITE_AFTER, rel, NULL, NULL, 0, 0, 0 }
#define STATE(label, line, nofile, ms) \
	{ label, TK_TRACE, KT_RENAME_AFTER, ST, line, nofile, ms, 0, 0 }

/* Kills at exact points of the file I/O (traced), the lab approving at once. */
static void test_traced_points(void **st)
{
	(void)st;
	const struct trig pts[] = {
		STATE("trust saved, no key", "stage1=done", "key.pem", 0),
		STATE("trust saved +30 ms (keygen)", "stage1=done", "key.pem", 30),
		STATE("trust saved +90 ms (keygen)", "stage1=done", "key.pem", 90),
		OPENED("key temp created", "state/.key.pem.tmp-"),
		WROTE("key temp written", "state/.key.pem.tmp-"),
		BEFORE("key.pem before rename", "state/key.pem"),
		AFTER("key.pem after rename", "state/key.pem"),
		WROTE("CSR temp written", "state/.request.csr.tmp-"),
		AFTER("request.csr after rename", "state/request.csr"),
		STATE("state says key_written", "req_phase=key_written", NULL, 0),
		WROTE("first state temp written", "state/.state.tmp-"),
		STATE("state says submitting", "req_phase=submitting", NULL, 0),
		STATE("state says pending (ID saved)", "req_phase=pending", NULL, 0),
		WROTE("cert temp written", "state/.cert.pem.tmp-"),
		BEFORE("cert.pem before rename", "state/cert.pem"),
		AFTER("cert.pem after rename", "state/cert.pem"),
		AFTER("chain.pem after rename", "state/chain.pem"),
		STATE("state says issued", "req_phase=issued", NULL, 0),
		STATE("state says verified", "stage3=done", NULL, 0),
		OPENED("PFX temp created", "out/.agent.pfx.tmp-"),
		WROTE("PFX temp half written", "out/.agent.pfx.tmp-"),
		BEFORE("PFX before rename", "out/agent.pfx"),
		AFTER("PFX after rename", "out/agent.pfx"),
		STATE("state says exported", "stage4=done", NULL, 0),
		WROTE("agent.ini temp written", "agent/.agent.ini.tmp-"),
		AFTER("agent.ini after rename", "agent/agent.ini"),
		WROTE("agent-key temp written", "agent/.agent-key.pem.tmp-"),
		AFTER("agent-key.pem after rename", "agent/agent-key.pem"),
		AFTER("agent-cert.pem after rename", "agent/agent-cert.pem"),
		STATE("state says serial imported", "stage6=done", NULL, 0),
	};
	/* under ASan every other point: the odd ones cover each category */
	int all = env_int("OPSMGR_KILLPOINT_ALL", !KP_ASAN);

	for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++)
		if (all || i % 2 == 1)
			run_point(&pts[i]);
}

/* Kills by time across a measured full run. */
static void test_timed_sweep(void **st)
{
	(void)st;
	int n = env_int("OPSMGR_KILLPOINT_SWEEP", KP_ASAN ? 6 : 16);
	long long budget = 1000LL * env_int("OPSMGR_KILLPOINT_BUDGET",
					    KP_ASAN ? 400 : 150);
	long long start = ru_now_ms();

	/* Measure: a point whose trigger never fires is a full run; the
	 * faster of two (the first one warms caches). */
	const struct trig never = { "full run (measure)", TK_TIME, KT_OPEN_AFTER,
				    NULL, NULL, NULL, 0, RUN_TIMEOUT_MS, 0 };
	long long full = run_point(&never);
	long long again = run_point(&never);
	if (again < full)
		full = again;
	if (full < 200)
		full = 200;
	for (int i = 0; i < n; i++) {
		char label[64];
		long at = (long)(full * (2 * i + 1) / (2 * n));

		if (ru_now_ms() - start > budget) {
			printf("  timed sweep stopped after %d of %d points (budget "
			       "%lld s)\n", i, n, budget / 1000);
			break;
		}
		snprintf(label, sizeof(label), "timed %ld ms", at);
		const struct trig t = { label, TK_TIME, KT_OPEN_AFTER, NULL, NULL,
					NULL, 0, at, 0 };
		long long took = run_point(&t);
		/* a run that ended before its kill time: later points fit
		 * into what a run takes now */
		if (took < at && took >= 100)
			full = took;
	}
}

#define PREFIX(label, kind, rel) { label, TK_TRACE, kind, rel, NULL, NULL, 0, 0, 1 }

/* Kills at every step of archiving the request an FQDN change replaces:
 * the temp folder, the links, the manifest, the folder's rename, the state
 * saved before the old files go, their removal, the new key and request. */
static void test_archive_points(void **st)
{
	(void)st;
	const struct trig pts[] = {
		PREFIX("archive temp folder made", KT_MKDIR_AFTER, "state/archive/."),
		PREFIX("old key linked into it", KT_LINK_AFTER, "state/archive/."),
		OPENED("archive folder opened for the manifest", "state/archive/."),
		WROTE("manifest temp written", "state/archive/."),
		PREFIX("manifest in place", KT_RENAME_AFTER, "state/archive/."),
		PREFIX("archive folder before rename", KT_RENAME_BEFORE,
		       "state/archive/2"),
		PREFIX("archive folder after rename", KT_RENAME_AFTER,
		       "state/archive/2"),
		STATE("archived, state saved", "req_phase=none", NULL, 0),
		{ "old key removed", TK_TRACE, KT_UNLINK_AFTER, "state/key.pem",
		  NULL, NULL, 0, 0, 0 },
		{ "old chain removed", TK_TRACE, KT_UNLINK_AFTER,
		  "state/chain.pem", NULL, NULL, 0, 0, 0 },
		STATE("archived +30 ms (new key)", "req_phase=none", NULL, 30),
		STATE("new key written", "req_phase=key_written", NULL, 0),
		STATE("new request in flight", "req_phase=submitting", NULL, 0),
	};
	int all = env_int("OPSMGR_KILLPOINT_ALL", !KP_ASAN);
	int before = K.cats[CAT_ARCHIVING];

	for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++)
		if (all || i % 2 == 1)
			run_archive_point(&pts[i]);
	/* exact points: every one of them lands */
	assert_int_equal(K.cats[CAT_ARCHIVING] - before,
			 all ? (int)(sizeof(pts) / sizeof(pts[0]))
			     : (int)(sizeof(pts) / sizeof(pts[0]) / 2));
}

/* The CA holds each submission 2 s; agents are approved 3 s after their
 * first contact: kills while the CA delays its answer and while waiting
 * for approval. */
static void test_delayed_ca_and_approval_wait(void **st)
{
	(void)st;
	const char *extra[] = { "--delay-submit", "2", "--auto-approve", "3", NULL };

	assert_int_equal(lab_start(&K.lab, K.lab.dir, extra), 0);
	const struct trig pts[] = {
		STATE("CA delaying its answer, +300 ms", "req_phase=submitting", NULL, 300),
		STATE("CA delaying its answer, +1500 ms", "req_phase=submitting", NULL, 1500),
		STATE("approval wait, +500 ms", "stage6=done", NULL, 500),
		STATE("approval wait, +2000 ms", "stage6=done", NULL, 2000),
		STATE("approval wait, +1000 ms", "stage6=done", NULL, 1000),
	};
	int before_wait = K.cats[CAT_APPROVAL_WAIT];
	int before_sub = K.cats[CAT_SUBMITTING];

	for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++)
		run_point(&pts[i]);
	/* these are not races: the lab holds the run there for seconds */
	assert_true(K.cats[CAT_SUBMITTING] - before_sub >= 2);
	assert_true(K.cats[CAT_APPROVAL_WAIT] - before_wait >= 2);
}

/* The points the issue names were all hit. */
static void test_coverage(void **st)
{
	(void)st;
	static const enum cat need[] = { CAT_KEYGEN, CAT_KEY_WRITTEN,
					 CAT_SUBMITTING, CAT_ISSUED_UNSAVED,
					 CAT_PFX_WRITING, CAT_APPROVAL_WAIT,
					 CAT_ARCHIVING };
	int missing = 0;

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (K.cats[need[i]] == 0) {
			fprintf(stderr, "no kill landed on: %s\n",
				cat_names[need[i]]);
			missing++;
		}
	assert_int_equal(missing, 0);
	assert_int_equal(K.tried, K.recovered);
	assert_true(K.tried >= 20);
}

/* A kill between a temp file's creation and its rename leaves the temp
 * file; the next run must not leave it lying next to the outputs. */
static void test_no_temp_files_left(void **st)
{
	(void)st;
	if (K.temp_left_points)
		fprintf(stderr, "%d kill points left temporary files behind "
			"after the re-run\n", K.temp_left_points);
	assert_int_equal(K.temp_left_points, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_traced_points),
		cmocka_unit_test(test_timed_sweep),
		cmocka_unit_test(test_archive_points),
		cmocka_unit_test(test_delayed_ca_and_approval_wait),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_no_temp_files_left),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
