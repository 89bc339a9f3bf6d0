/*
 * test_renew_lab.c - `opsmgr-enroll renew` through the real binary
 * (--non-interactive) against a lab whose certificates live three minutes
 * (--validity 3m), agents approved at once:
 *   - right after an enrollment `renew --if-due --before 2m` does nothing:
 *     exit 0, no request at the lab, the agent configuration untouched;
 *     once that window has opened (a minute later; the other tests run
 *     meanwhile) it renews: a new serial in the agent configuration and in
 *     the .reg, the old key, request, certificate and PFX archived, stage 7
 *     approved with the new certificate (the lab sees the new serial),
 *     `check` passes, and the next `renew --if-due --before 2m` is not due;
 *   - nothing enrolled: `renew` exits 2 saying there is nothing to renew;
 *     a bad --before is refused with exit 2;
 *   - a renewal the CA holds (template OpsMgrManual): exit 75 with the old
 *     certificate still in use, again 75 without a second request, then
 *     approved at the lab, `renew --if-due` finishes it;
 *   - a kill (SIGKILL under ptrace, kill_tracer.h) at every step boundary
 *     of a renewal: archiving, the state saved, the new key, the request in
 *     flight and issued, the PFX, the new pair written beside the old one,
 *     the agent configuration's rename (the switch), the old pair's
 *     removal, stage 6 and the end saved.  After each kill the agent
 *     configuration names a complete, matching pair: the old one before
 *     the switch, the new (verified) one from the switch on; the next run
 *     (`renew --if-due` once the state records the renewal, else `renew`)
 *     finishes with one archive and one new request (two only when the
 *     kill landed while it was in flight, and then the re-run says so).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <iniparser.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kill_tracer.h"
#include "lab_harness.h"
#include "robust_util.h"
#include "run_capture.h"

#define RUN_S 120
#define MAX_IDS 16

static struct {
	struct lab lab;
	int up;
	char *work;
	int seq;
	/* the first test's enrollment, renewed by the last one */
	char *main_dir;
	char *main_old_serial;
	time_t main_due_at;      /* when its --before 2m window opens */
} R;

/* One enrollment: its own directories, answers and FQDN. */
struct enr {
	char *dir, *state, *answers, *fqdn, *agent_ini, *reg, *pfx;
};

static char *cat2(const char *a, const char *b)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", a, b) > 0);
	return p;
}

static void enr_make(struct enr *e, const char *template_name)
{
	char name[32];
	int seq = ++R.seq;
	snprintf(name, sizeof(name), "r%02d", seq);
	e->dir = cat2(R.work, name);
	assert_int_equal(mkdir(e->dir, 0700), 0);
	e->state = cat2(e->dir, "state");
	char *out = cat2(e->dir, "out"), *agent = cat2(e->dir, "agent");
	assert_int_equal(mkdir(out, 0700), 0);
	assert_int_equal(mkdir(agent, 0700), 0);
	assert_true(asprintf(&e->fqdn, "renew%02d.lab.test", seq) > 0);
	e->agent_ini = cat2(agent, "agent.ini");
	e->reg = cat2(agent, "opsmgr-serial.reg");
	e->pfx = cat2(out, "agent.pfx");
	e->answers = cat2(e->dir, "answers.ini");
	const char *const repl[][3] = {
		{ "computer", "fqdn", e->fqdn },
		{ "ca", "template", template_name },
		{ "export", "pfx", e->pfx },
		{ "agent", "config", e->agent_ini },
		{ "agent", "reg_file", e->reg },
		{ "approval", "interval", "1" },
		{ "approval", "timeout", "60" },
		{ NULL, NULL, NULL },
	};
	assert_int_equal(ru_answers_write(R.lab.answers, e->answers, repl), 0);
	free(out);
	free(agent);
}

static void enr_free(struct enr *e)
{
	free(e->dir);
	free(e->state);
	free(e->answers);
	free(e->fqdn);
	free(e->agent_ini);
	free(e->reg);
	free(e->pfx);
	memset(e, 0, sizeof(*e));
}

/* argv of the program: [cmd] [opt1 [opt2 [opt3]]] --answers --state-dir
 * [--non-interactive] (NULLs skipped; check has no such option); returns
 * the bin to free. */
static char *make_argv(const struct enr *e, const char *cmd, const char *o1,
		       const char *o2, const char *o3, const char *argv[12])
{
	char *bin = test_build_path("opsmgr-enroll");
	int n = 0;
	argv[n++] = bin;
	const char *opt[] = { cmd, o1, o2, o3 };
	for (int i = 0; i < 4; i++)
		if (opt[i])
			argv[n++] = opt[i];
	argv[n++] = "--answers";
	argv[n++] = e->answers;
	argv[n++] = "--state-dir";
	argv[n++] = e->state;
	if (!cmd || strcmp(cmd, "check") != 0)
		argv[n++] = "--non-interactive";
	argv[n] = NULL;
	return bin;
}

static int run(const struct enr *e, const char *cmd, const char *o1,
	       const char *o2, const char *o3, char **out)
{
	const char *argv[12];
	char *bin = make_argv(e, cmd, o1, o2, o3, argv);
	int rc = run_capture(argv, RUN_S, out);
	free(bin);
	return rc;
}

/* A command that must exit `want` (its output shown when it does not). */
static char *run_expect(const struct enr *e, int want, const char *cmd,
			const char *o1, const char *o2, const char *o3)
{
	char *out = NULL;
	int rc = run(e, cmd, o1, o2, o3, &out);
	if (rc != want) {
		fprintf(stderr, "--- %s %s ---\n%s\n", cmd ? cmd : "enroll",
			o1 ? o1 : "", out ? out : "");
		fail_msg("'%s' exited %d, expected %d", cmd ? cmd : "enroll", rc,
			 want);
	}
	return out;
}

/* ---- certificates, independently of the product's code ------------------ */

static X509 *read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	return x;
}

static EVP_PKEY *read_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	return k;
}

/* The serial as upper hex without leading zeros, malloc'd. */
static char *serial_of(X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *h = bn ? BN_bn2hex(bn) : NULL;
	char *s = h ? strdup(h) : NULL;
	OPENSSL_free(h);
	BN_free(bn);
	return s;
}

/* The same serial, whatever leading zeros and case. */
static int same_serial(const char *a, const char *b)
{
	while (a && *a == '0')
		a++;
	while (b && *b == '0')
		b++;
	return a && b && strcasecmp(a, b) == 0;
}

static void thumb_of(X509 *x, char out[41])
{
	unsigned char md[20];
	unsigned n = 0;
	assert_int_equal(X509_digest(x, EVP_sha1(), md, &n), 1);
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", md[i]);
}

/*
 * The certificate in use: the agent configuration names a certificate and
 * a key that exist, belong together, and whose serial and thumbprint are
 * the recorded ones.  Returns the serial (malloc'd); fails the test
 * otherwise (`when` says at which point).
 */
static char *in_use(const struct enr *e, const char *when)
{
	dictionary *d = iniparser_load(e->agent_ini);
	if (!d)
		fail_msg("%s: the agent configuration '%s' cannot be read", when,
			 e->agent_ini);
	const char *cp = iniparser_getstring(d, "certificate:certificate", NULL);
	const char *kp = iniparser_getstring(d, "certificate:key", NULL);
	const char *sr = iniparser_getstring(d, "certificate:serial", NULL);
	const char *tp = iniparser_getstring(d, "certificate:thumbprint", NULL);
	if (!cp || !kp || !sr || !tp)
		fail_msg("%s: the agent configuration names no complete "
			 "certificate", when);
	X509 *x = read_cert(cp);
	EVP_PKEY *k = read_key(kp);
	if (!x || !k)
		fail_msg("%s: the certificate '%s' or key '%s' in use cannot be "
			 "read", when, cp, kp);
	if (X509_check_private_key(x, k) != 1)
		fail_msg("%s: the key in use '%s' does not belong to the "
			 "certificate in use '%s'", when, kp, cp);
	char *serial = serial_of(x), thumb[41];
	thumb_of(x, thumb);
	if (!same_serial(serial, sr) || strcasecmp(thumb, tp) != 0)
		fail_msg("%s: the recorded serial %s / thumbprint %s are not the "
			 "certificate's (%s / %s)", when, sr, tp, serial, thumb);
	X509_free(x);
	EVP_PKEY_free(k);
	iniparser_freedict(d);
	return serial;
}

/* The lab's view: the requests it holds for fqdn (ids[], states[]) and
 * the serial its management server last saw from the agent. */
static int lab_requests(const char *fqdn, long ids[MAX_IDS],
			char states[MAX_IDS][16], char **agent_serial)
{
	const char *args[] = { "list", "--dir", R.lab.dir, NULL };
	char *out = NULL, *save = NULL;
	int n = 0;
	if (agent_serial)
		*agent_serial = NULL;
	assert_int_equal(lab_cmd(args, &out), 0);
	for (char *line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		long id;
		char st[16], tpl[64], cn[256], ser[128];
		if (sscanf(line, "request %ld %15s %63s %255s", &id, st, tpl,
			   cn) == 4 && !strcmp(cn, fqdn) && n < MAX_IDS) {
			ids[n] = id;
			snprintf(states[n++], 16, "%s", st);
		} else if (agent_serial &&
			   sscanf(line, "agent %255s %15s %127s", cn, st, ser) == 3 &&
			   !strcmp(cn, fqdn)) {
			free(*agent_serial);
			*agent_serial = strdup(ser);
		}
	}
	free(out);
	return n;
}

static int lab_count(const char *fqdn)
{
	long ids[MAX_IDS];
	char st[MAX_IDS][16];
	return lab_requests(fqdn, ids, st, NULL);
}

static void lab_approve(long id)
{
	char num[32];
	snprintf(num, sizeof(num), "%ld", id);
	const char *args[] = { "approve", "--dir", R.lab.dir, num, NULL };
	assert_int_equal(lab_cmd(args, NULL), 0);
}

/* The archive folders of e (temp folders not counted); *only: the last. */
static int archives(const struct enr *e, char **only)
{
	char *root = cat2(e->state, "archive");
	DIR *d = opendir(root);
	struct dirent *ent;
	int n = 0;
	*only = NULL;
	while (d && (ent = readdir(d)) != NULL) {
		if (ent->d_name[0] == '.')
			continue;
		n++;
		free(*only);
		*only = cat2(root, ent->d_name);
	}
	if (d)
		closedir(d);
	free(root);
	return n;
}

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; p && (p = strstr(p, line)) != NULL; p += n)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return 1;
	return 0;
}

static char *state_text(const struct enr *e)
{
	char *p = cat2(e->state, "state");
	char *s = (char *)ru_read(p, NULL);
	free(p);
	return s;
}

/* An enrollment with the OpsMgr template, done; returns the serial. */
static char *enroll(struct enr *e)
{
	enr_make(e, "OpsMgr");
	free(run_expect(e, 0, NULL, NULL, NULL, NULL));
	return in_use(e, "after the enrollment");
}

/*
 * After a finished renewal of old_serial: a new serial in use, in the .reg
 * (the new thumbprint and serial bytes) and at the lab's management
 * server; one archive holding the old key, request, certificate and PFX
 * with old_key's bytes; no renewal left in the state.
 */
static void assert_renewed(const struct enr *e, const char *old_serial,
			   const unsigned char *old_key, size_t old_key_len,
			   const char *when)
{
	char *now = in_use(e, when);
	if (same_serial(now, old_serial))
		fail_msg("%s: serial %s is still in use", when, old_serial);
	char *lab_serial = NULL;
	long ids[MAX_IDS];
	char states[MAX_IDS][16];
	lab_requests(e->fqdn, ids, states, &lab_serial);
	if (!lab_serial || !same_serial(lab_serial, now))
		fail_msg("%s: the lab's management server saw serial %s, not %s",
			 when, lab_serial ? lab_serial : "(none)", now);
	/* the .reg: the new certificate's thumbprint and reversed serial */
	char *reg = (char *)ru_read(e->reg, NULL);
	dictionary *d = iniparser_load(e->agent_ini);
	X509 *x = read_cert(iniparser_getstring(d, "certificate:certificate", ""));
	char thumb[41], want[200] = "hex:";
	thumb_of(x, thumb);
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	const unsigned char *b = ASN1_STRING_get0_data(sn);
	for (int i = ASN1_STRING_length(sn) - 1, k = 4; i >= 0 && k < 190; i--)
		k += snprintf(want + k, sizeof(want) - (size_t)k, "%s%02x",
			      k > 4 ? "," : "", b[i]);
	if (!reg || !strstr(reg, thumb) || !strstr(reg, want))
		fail_msg("%s: the .reg '%s' does not hold the new thumbprint %s "
			 "and serial %s", when, e->reg, thumb, want);
	X509_free(x);
	iniparser_freedict(d);
	free(reg);
	/* the archive: the old key byte for byte, the old certificate, PFX */
	char *arch = NULL;
	assert_int_equal(archives(e, &arch), 1);
	char *akey = cat2(arch, "key.pem"), *acert = cat2(arch, "cert.pem");
	char *apfx = cat2(arch, "export.pfx"), *acsr = cat2(arch, "request.csr");
	size_t klen = 0;
	unsigned char *k = ru_read(akey, &klen);
	if (!k || klen != old_key_len || memcmp(k, old_key, klen) != 0)
		fail_msg("%s: the archived key is not the old key", when);
	X509 *ac = read_cert(acert);
	assert_non_null(ac);
	char *as = serial_of(ac);
	assert_true(same_serial(as, old_serial));
	struct stat sb;
	assert_int_equal(stat(apfx, &sb), 0);
	assert_true(sb.st_size > 0);
	assert_int_equal(sb.st_mode & 077, 0);
	assert_int_equal(stat(acsr, &sb), 0);
	char *st = state_text(e);
	assert_non_null(st);
	assert_null(strstr(st, "\nrenewal="));
	const char *prev = strstr(st, "\nprevious_serial=");
	char prev_serial[128] = "";
	assert_non_null(prev);
	sscanf(prev + strlen("\nprevious_serial="), "%127[0-9A-Fa-f]",
	       prev_serial);
	if (!same_serial(prev_serial, old_serial))
		fail_msg("%s: the state's previous_serial is '%s', not %s", when,
			 prev_serial, old_serial);
	assert_true(has_line(st, "stage7=done"));
	free(st);
	free(as);
	X509_free(ac);
	free(k);
	free(akey);
	free(acert);
	free(apfx);
	free(acsr);
	free(arch);
	free(lab_serial);
	free(now);
}

/* ---- the tests -------------------------------------------------------------- */

/* Not due right after the enrollment: nothing happens, nothing is sent. */
static void test_not_due(void **st)
{
	(void)st;
	struct enr e;
	R.main_old_serial = enroll(&e);
	assert_int_equal(lab_count(e.fqdn), 1);
	unsigned char *before = ru_read(e.agent_ini, NULL);
	char *out = run_expect(&e, 0, "renew", "--if-due", "--before", "2m");
	assert_non_null(strstr(out, "not due"));
	assert_non_null(strstr(out, "window (the last 2 minutes) opens"));
	assert_null(strstr(out, "[2/7]"));
	free(out);
	assert_int_equal(lab_count(e.fqdn), 1);
	unsigned char *after = ru_read(e.agent_ini, NULL);
	assert_string_equal((char *)before, (char *)after);
	char *arch = NULL;
	assert_int_equal(archives(&e, &arch), 0);
	/* when it opens: two minutes before the certificate's end */
	dictionary *d = iniparser_load(e.agent_ini);
	X509 *x = read_cert(iniparser_getstring(d, "certificate:certificate", ""));
	assert_non_null(x);
	struct tm tm;
	assert_int_equal(ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm), 1);
	R.main_due_at = timegm(&tm) - 120;
	X509_free(x);
	iniparser_freedict(d);
	free(before);
	free(after);
	R.main_dir = strdup(e.dir);
	enr_free(&e);   /* its files stay for test_window_opens */
}

/* Nothing enrolled, and a bad --before: exit 2, said plainly. */
static void test_nothing_to_renew(void **st)
{
	(void)st;
	struct enr e;
	enr_make(&e, "OpsMgr");
	char *out = run_expect(&e, 2, "renew", "--if-due", NULL, NULL);
	assert_non_null(strstr(out, "nothing to renew"));
	free(out);
	out = run_expect(&e, 2, "renew", "--before", "30", NULL);
	assert_non_null(strstr(out, "--before"));
	free(out);
	assert_int_equal(lab_count(e.fqdn), 0);
	test_rm_rf(e.dir);
	enr_free(&e);
}

/* The CA holds the renewal: 75 with the old certificate in use, no second
 * request, then approved and finished by `renew --if-due`. */
static void test_pending_renewal(void **st)
{
	(void)st;
	struct enr e;
	long ids[MAX_IDS];
	char states[MAX_IDS][16];
	enr_make(&e, "OpsMgrManual");
	free(run_expect(&e, 75, NULL, NULL, NULL, NULL));
	assert_int_equal(lab_requests(e.fqdn, ids, states, NULL), 1);
	lab_approve(ids[0]);
	free(run_expect(&e, 0, NULL, NULL, NULL, NULL));
	char *old = in_use(&e, "after the enrollment");
	char *keyp = cat2(e.state, "key.pem");
	size_t klen = 0;
	unsigned char *oldkey = ru_read(keyp, &klen);
	assert_non_null(oldkey);

	char *out = run_expect(&e, 75, "renew", NULL, NULL, NULL);
	assert_non_null(strstr(out, "renew: waiting: the CA holds request"));
	free(out);
	char *now = in_use(&e, "while the renewal is pending");
	assert_true(same_serial(now, old));
	free(now);
	char *s = state_text(&e);
	assert_true(has_line(s, "renewal=running"));
	assert_true(has_line(s, "req_phase=pending"));
	free(s);
	assert_int_equal(lab_requests(e.fqdn, ids, states, NULL), 2);
	assert_string_equal(states[1], "pending");
	long pending = ids[1];

	/* asked again: still waiting, and never a second request */
	out = run_expect(&e, 75, "renew", "--if-due", NULL, NULL);
	assert_non_null(strstr(out, "resuming the renewal"));
	free(out);
	assert_int_equal(lab_count(e.fqdn), 2);
	now = in_use(&e, "while the renewal is still pending");
	assert_true(same_serial(now, old));
	free(now);

	lab_approve(pending);
	out = run_expect(&e, 0, "renew", "--if-due", NULL, NULL);
	assert_non_null(strstr(out, "renew: renewed: serial"));
	free(out);
	assert_int_equal(lab_count(e.fqdn), 2);
	assert_renewed(&e, old, oldkey, klen, "after the approved renewal");
	free(run_expect(&e, 0, "check", NULL, NULL, NULL));
	free(old);
	free(oldkey);
	free(keyp);
	test_rm_rf(e.dir);
	enr_free(&e);
}

/* ---- kills ------------------------------------------------------------------ */

struct kp {
	const char *label;
	enum kt_kind at;
	const char *rel;          /* below the enrollment's directory */
	int prefix;
	const char *need;         /* rel is the state: a line it must have */
	bool not_old_serial;      /* ... and no serial_hex=<old serial> */
	bool no_renewal;          /* ... and no renewal= line */
	bool switched;            /* the new pair is in use after the kill */
};

struct kp_pred {
	const char *statef, *need;
	char not_line[160];
	bool no_renewal;
};

static int kp_check(void *ud)
{
	const struct kp_pred *p = ud;
	if (!p->need)
		return 1;
	char *s = (char *)ru_read(p->statef, NULL);
	int ok = s && has_line(s, p->need) &&
		 (!p->not_line[0] || !has_line(s, p->not_line)) &&
		 (!p->no_renewal || !strstr(s, "\nrenewal="));
	free(s);
	return ok;
}

static void kill_point(const struct kp *t, int *landed)
{
	struct enr e;
	char *old = enroll(&e);
	char *keyp = cat2(e.state, "key.pem");
	size_t klen = 0;
	unsigned char *oldkey = ru_read(keyp, &klen);
	assert_non_null(oldkey);

	const char *argv[12];
	char *bin = make_argv(&e, "renew", NULL, NULL, NULL, argv);
	char *target = cat2(e.dir, t->rel), *statef = cat2(e.state, "state");
	char *out1 = cat2(e.dir, "run1.txt");
	struct kp_pred pred = { statef, t->need, "", t->no_renewal };
	if (t->not_old_serial)
		snprintf(pred.not_line, sizeof(pred.not_line), "serial_hex=%s",
			 old);
	struct kt_trigger kt = { t->at, target, kp_check, &pred, 0, t->prefix };
	char asan[512];
	const char *old_asan = getenv("ASAN_OPTIONS");
	snprintf(asan, sizeof(asan), "ASAN_OPTIONS=%s%sdetect_leaks=0",
		 old_asan ? old_asan : "", old_asan && *old_asan ? ":" : "");
	const char *env[] = { asan, NULL };
	int fired = 0;
	int rc = kt_run(argv, env, out1, &kt, RUN_S * 1000, &fired);
	if (rc == KT_NO_PTRACE)
		fail_msg("cannot trace '%s': ptrace was refused", argv[0]);
	if (!fired || rc != 128 + SIGKILL) {
		char *o = (char *)ru_read(out1, NULL);
		fprintf(stderr, "--- renew ---\n%s\n", o ? o : "");
		free(o);
		fail_msg("point '%s': the kill did not land (exit %d)", t->label,
			 rc);
	}
	(*landed)++;

	/* right after the kill: a complete pair in use, old or new */
	char when[160];
	snprintf(when, sizeof(when), "killed at '%s'", t->label);
	char *now = in_use(&e, when);
	if (t->switched != !same_serial(now, old))
		fail_msg("%s: serial %s in use, expected the %s one (%s)", when,
			 now, t->switched ? "new" : "old", old);
	if (t->switched) {
		/* the new one is the certificate stage 3 verified */
		char *cp = cat2(e.state, "cert.pem");
		X509 *x = read_cert(cp);
		char *sx = x ? serial_of(x) : NULL;
		assert_true(same_serial(sx, now));
		free(sx);
		X509_free(x);
		free(cp);
	}
	free(now);
	char *s = state_text(&e);
	bool recorded = s && strstr(s, "\nrenewal=") != NULL;
	bool submitting = s && has_line(s, "req_phase=submitting");
	free(s);

	/* the next run finishes it: resumed (whatever the window says) once
	 * the state records it, else begun again - or, killed after the end
	 * was saved, finds nothing due */
	char *out2 = NULL;
	const char *says = recorded ? "resuming" : t->no_renewal ? "not due"
								  : "renewing";
	int rc2 = run(&e, "renew", recorded || t->no_renewal ? "--if-due" : NULL,
		      NULL, NULL, &out2);
	if (rc2 != 0 || !strstr(out2, says)) {
		char *o = (char *)ru_read(out1, NULL);
		fprintf(stderr, "--- killed run ---\n%s\n--- re-run ---\n%s\n",
			o ? o : "", out2 ? out2 : "");
		free(o);
		fail_msg("%s: the re-run exited %d", when, rc2);
	}
	assert_renewed(&e, old, oldkey, klen, when);
	int n = lab_count(e.fqdn);
	if (n != 2 && !(n == 3 && submitting &&
			strstr(out2, "may have reached the CA")))
		fail_msg("%s: the lab holds %d requests for '%s'", when, n,
			 e.fqdn);
	printf("  killed at %-44s %s in use, re-run ok, %d requests\n",
	       t->label, t->switched ? "new" : "old", n);
	fflush(stdout);
	free(out2);
	free(out1);
	free(statef);
	free(target);
	free(bin);
	free(old);
	free(oldkey);
	free(keyp);
	test_rm_rf(e.dir);
	enr_free(&e);
}

#define ST "state/state"
static void test_kill_points(void **st)
{
	(void)st;
	const struct kp pts[] = {
		{ "archive temp folder made", KT_MKDIR_AFTER, "state/archive/.",
		  1, NULL, false, false, false },
		{ "old key linked into the archive", KT_LINK_AFTER,
		  "state/archive/.", 1, NULL, false, false, false },
		{ "old PFX copied into the archive", KT_RENAME_AFTER,
		  "state/archive/.", 1, NULL, false, false, false },
		{ "archive folder in place", KT_RENAME_AFTER, "state/archive/2",
		  1, NULL, false, false, false },
		{ "state saved: renewal running", KT_RENAME_AFTER, ST, 0,
		  "renewal=running", false, false, false },
		{ "old key removed from the state dir", KT_UNLINK_AFTER,
		  "state/key.pem", 0, NULL, false, false, false },
		{ "new key written", KT_RENAME_AFTER, ST, 0,
		  "req_phase=key_written", false, false, false },
		{ "new request in flight", KT_RENAME_AFTER, ST, 0,
		  "req_phase=submitting", false, false, false },
		{ "new certificate issued", KT_RENAME_AFTER, ST, 0,
		  "req_phase=issued", false, false, false },
		{ "new PFX half written", KT_WRITE_AFTER, "out/.agent.pfx.tmp-",
		  0, NULL, false, false, false },
		{ "new PFX in place", KT_RENAME_AFTER, "out/agent.pfx", 0, NULL,
		  false, false, false },
		{ "new certificate beside the old", KT_RENAME_AFTER,
		  "agent/agent-cert-", 1, NULL, false, false, false },
		{ "new key beside the old", KT_RENAME_AFTER, "agent/agent-key-",
		  1, NULL, false, false, false },
		{ "agent configuration temp written", KT_WRITE_AFTER,
		  "agent/.agent.ini.tmp-", 0, NULL, false, false, false },
		{ "agent configuration renamed: the switch", KT_RENAME_AFTER,
		  "agent/agent.ini", 0, NULL, false, false, true },
		{ "old certificate removed", KT_UNLINK_AFTER,
		  "agent/agent-cert.pem", 0, NULL, false, false, true },
		{ "old key removed", KT_UNLINK_AFTER, "agent/agent-key.pem", 0,
		  NULL, false, false, true },
		{ "stage 6 saved", KT_RENAME_AFTER, ST, 0, "renewal=running",
		  true, false, true },
		{ "renewal done, saved", KT_RENAME_AFTER, ST, 0, "stage7=done",
		  true, true, true },
	};
	int landed = 0;
	for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++)
		kill_point(&pts[i], &landed);
	printf("renewal kill points: %d tried, %d recovered\n", landed, landed);
	assert_int_equal(landed, (int)(sizeof(pts) / sizeof(pts[0])));
}

/* The first enrollment once its --before 2m window has opened. */
static void test_window_opens(void **st)
{
	(void)st;
	struct enr e = { 0 };
	e.dir = strdup(R.main_dir);
	e.state = cat2(e.dir, "state");
	e.answers = cat2(e.dir, "answers.ini");
	e.agent_ini = cat2(e.dir, "agent/agent.ini");
	e.reg = cat2(e.dir, "agent/opsmgr-serial.reg");
	const char *slash = strrchr(e.dir, '/');
	assert_true(asprintf(&e.fqdn, "renew%s.lab.test", slash + 2) > 0);
	char *keyp = cat2(e.state, "key.pem");
	size_t klen = 0;
	unsigned char *oldkey = ru_read(keyp, &klen);
	assert_non_null(oldkey);
	long wait = (long)(R.main_due_at - time(NULL)) + 2;
	if (wait > 0) {
		printf("  waiting %ld s for the renewal window to open\n", wait);
		fflush(stdout);
		sleep((unsigned)wait);
	}
	char *out = run_expect(&e, 0, "renew", "--if-due", "--before", "2m");
	assert_non_null(strstr(out, "renew: due: renewing serial"));
	assert_non_null(strstr(out, "renew: renewed: serial"));
	free(out);
	assert_renewed(&e, R.main_old_serial, oldkey, klen,
		       "after the window opened");
	assert_int_equal(lab_count(e.fqdn), 2);
	free(run_expect(&e, 0, "check", NULL, NULL, NULL));
	/* the new certificate is not due: nothing more happens */
	out = run_expect(&e, 0, "renew", "--if-due", "--before", "2m");
	assert_non_null(strstr(out, "not due"));
	free(out);
	assert_int_equal(lab_count(e.fqdn), 2);
	free(oldkey);
	free(keyp);
	enr_free(&e);
}

static int setup(void **st)
{
	(void)st;
	const char *extra[] = { "--auto-approve", "0", "--validity", "3m",
				NULL };
	setenv("LC_ALL", "C", 1);
	memset(&R, 0, sizeof(R));
	R.work = test_mkdtemp("renew-lab");
	if (!R.work || lab_start(&R.lab, NULL, extra) != 0)
		return -1;
	R.up = 1;
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	if (R.up)
		lab_stop(&R.lab);
	if (R.work)
		test_rm_rf(R.work);
	free(R.work);
	free(R.main_dir);
	free(R.main_old_serial);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_due),
		cmocka_unit_test(test_nothing_to_renew),
		cmocka_unit_test(test_pending_renewal),
		cmocka_unit_test(test_kill_points),
		cmocka_unit_test(test_window_opens),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
