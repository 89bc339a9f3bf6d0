/*
 * test_faults.c - the wizard against a CA that misbehaves: a fault proxy
 * (tests/common/faultproxy.h) in front of a real lab, ca.url pointed at
 * it, ca.timeout 3 s.  Stage 1 runs through the healthy proxy; then stage
 * 2 (--stages 2-2) meets one fault each: slow first byte, stalled body,
 * connection reset, HTTP 500, HTTP 503, truncated body, garbage HTML, a
 * 100 MB body (with and without a length), TLS handshake failure and a
 * certificate for another name; then faults while fetching the issued
 * certificate, at stage 1 while downloading the CA chain, and at stage 7
 * from a second proxy posing as the management server (client
 * certificates required, healthy it passes through as the agent).  For
 * each: exit 10+stage, the diagnostic at ca.url (agent.server/agent.port
 * for stage 7) names the fault, no hang (bounded run), no crash, the state file
 * still loads and says whether the submission may have reached the CA;
 * then, healed, a full re-run finishes with the same key, and the lab got
 * one submission per run that could reach it (the slow answer did).
 * Prints "faults: N reported / N tried".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/pem.h>

#include "certgen.h"
#include "core/diag.h"
#include "faultproxy.h"
#include "lab_harness.h"
#include "run_capture.h"
#include "core/state.h"

#define CA_TIMEOUT_S 3
#define RUN_BOUND_S 30      /* a faulted run that takes longer hangs */

static struct lab L;
static struct faultproxy *P;     /* in front of the CA */
static struct faultproxy *M;     /* posing as the management server */
static char *work;
static int tried, reported;

struct fault_case {
	const char *name;
	enum fp_fault fault;
	int status;
	/* the diagnostic must contain one of these (case-insensitive) */
	const char *expect[3];
	/* where the request stands afterwards: REQ_KEY_WRITTEN (it cannot
	 * have left: TLS never established), REQ_SUBMITTING (it left; the CA
	 * may have it), REQ_PENDING (the CA took it, its ID is kept) */
	enum request_phase phase;
	/* new requests the lab got during the faulted run and the re-run */
	int lab_first, lab_rerun;
	/* which requests get the fault: NULL = the submission */
	const char *match;
	/* the stage that meets the fault: 0 = 2 (request), or 1 (trust:
	 * the CA chain download; no key exists yet) */
	int stage;
};

#define SUBMIT "certfnsh.asp"
#define RETRIEVE "certnew.cer"

static const struct fault_case cases[] = {
	{ "slow-first-byte", FP_SLOW_FIRST_BYTE, 0, { "timed out", NULL },
	  REQ_SUBMITTING, 1, 1, NULL, 0 },
	{ "stalled-body", FP_STALL_BODY, 0, { "timed out", NULL },
	  REQ_SUBMITTING, 0, 1, NULL, 0 },
	{ "connection-reset", FP_RESET, 0, { "connection reset", NULL },
	  REQ_SUBMITTING, 0, 1, NULL, 0 },
	{ "http-500", FP_STATUS, 500, { "HTTP 500", NULL },
	  REQ_SUBMITTING, 0, 1, NULL, 0 },
	{ "http-503", FP_STATUS, 503, { "HTTP 503", NULL },
	  REQ_SUBMITTING, 0, 1, NULL, 0 },
	{ "truncated-body", FP_TRUNCATED, 0,
	  { "bytes remaining", "unexpected eof", NULL },
	  REQ_SUBMITTING, 0, 1, NULL, 0 },
	{ "garbage-html", FP_GARBAGE, 0, { "not a page this tool knows", NULL },
	  REQ_SUBMITTING, 0, 1, NULL, 0 },
	{ "100MB-body", FP_HUGE, 0, { "larger than", NULL },
	  REQ_SUBMITTING, 0, 1, NULL, 0 },
	{ "100MB-body-unsized", FP_HUGE_UNSIZED, 0, { "larger than", NULL },
	  REQ_SUBMITTING, 0, 1, NULL, 0 },
	{ "tls-handshake-failure", FP_TLS_ALERT, 0,
	  { "TLS handshake", "handshake failure", NULL },
	  REQ_KEY_WRITTEN, 0, 1, NULL, 0 },
	{ "wrong-server-name", FP_WRONG_NAME, 0,
	  { "does not name the host", NULL }, REQ_KEY_WRITTEN, 0, 1, NULL, 0 },
	/* the submission is answered, fetching the certificate fails: the
	 * request ID is kept and the re-run fetches it, sending nothing new */
	{ "retrieve-reset", FP_RESET, 0, { "connection reset", NULL },
	  REQ_PENDING, 1, 0, RETRIEVE, 0 },
	{ "retrieve-http-503", FP_STATUS, 503, { "HTTP 503", NULL },
	  REQ_PENDING, 1, 0, RETRIEVE, 0 },
	{ "retrieve-slow", FP_SLOW_FIRST_BYTE, 0, { "timed out", NULL },
	  REQ_PENDING, 1, 0, RETRIEVE, 0 },
	/* stage 1 downloading the CA chain (trust.source = ca) */
	{ "trust-chain-garbage", FP_GARBAGE, 0,
	  { "PKCS#7", "certificate", NULL }, REQ_NONE, 0, 1, "certnew.p7b", 1 },
	{ "trust-chain-100MB", FP_HUGE_UNSIZED, 0, { "larger than", NULL },
	  REQ_NONE, 0, 1, "certnew.p7b", 1 },
	{ "trust-certcarc-503", FP_STATUS, 503, { "HTTP 503", NULL },
	  REQ_NONE, 0, 1, "certcarc.asp", 1 },
	{ "trust-reset", FP_RESET, 0, { "connection reset", NULL },
	  REQ_NONE, 0, 1, "certnew.p7b", 1 },
	/* stage 7: the management server misbehaves (mutual TLS; the probe
	 * has its own 10 s limit) */
	{ "ms-no-answer", FP_SILENT, 0, { "no answer", NULL },
	  REQ_ISSUED, 0, 0, NULL, 7 },
	{ "ms-reset", FP_RESET, 0, { "closed the connection", NULL },
	  REQ_ISSUED, 0, 0, NULL, 7 },
	{ "ms-http-503", FP_STATUS, 503, { "HTTP 503", NULL },
	  REQ_ISSUED, 0, 0, NULL, 7 },
	{ "ms-garbage", FP_GARBAGE, 0, { "not understood", NULL },
	  REQ_ISSUED, 0, 0, NULL, 7 },
	{ "ms-truncated", FP_TRUNCATED, 0, { "cut short", NULL },
	  REQ_ISSUED, 0, 0, NULL, 7 },
	{ "ms-100MB", FP_HUGE, 0, { "larger than", NULL },
	  REQ_ISSUED, 0, 0, NULL, 7 },
	{ "ms-tls-alert", FP_TLS_ALERT, 0, { "handshake", NULL },
	  REQ_ISSUED, 0, 0, NULL, 7 },
	{ "ms-wrong-name", FP_WRONG_NAME, 0, { "not issued to", NULL },
	  REQ_ISSUED, 0, 0, NULL, 7 },
};

static char *path_in(const char *dir, const char *name)
{
	char *p = malloc(strlen(dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

/* The lab's answers with ca.url -> the proxy, ca.timeout small and the
 * files this case writes (PFX, agent configuration) inside dir. */
static char *write_answers(const char *dir, int agent_port, const char *name)
{
	char *text = test_read_file(L.answers);
	assert_non_null(text);
	size_t cap = strlen(text) + 4096;
	char *out = calloc(1, cap);
	char section[64] = "", *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[64] = "";
		size_t n = strlen(out);
		if (line[0] == '[')
			sscanf(line, "[%63[^]]", section);
		else
			sscanf(line, " %63[a-z_0-9]", key);
		if (!strcmp(section, "ca") && !strcmp(key, "url"))
			snprintf(out + n, cap - n,
				 "url = https://127.0.0.1:%d/certsrv/\n",
				 faultproxy_port(P));
		else if (!strcmp(section, "ca") && !strcmp(key, "timeout"))
			snprintf(out + n, cap - n, "timeout = %d\n", CA_TIMEOUT_S);
		else if (!strcmp(section, "export") && !strcmp(key, "pfx"))
			snprintf(out + n, cap - n, "pfx = %s/agent.pfx\n", dir);
		else if (!strcmp(section, "agent") && !strcmp(key, "port") &&
			 agent_port > 0)
			snprintf(out + n, cap - n, "port = %d\n", agent_port);
		else if (!strcmp(section, "agent") && !strcmp(key, "config"))
			snprintf(out + n, cap - n, "config = %s/agent/agent.ini\n",
				 dir);
		else
			snprintf(out + n, cap - n, "%s\n", line);
	}
	free(text);
	char *path = path_in(dir, name);
	assert_int_equal(test_write_file(path, out), 0);
	free(out);
	return path;
}

static int count_requests(void)
{
	char *out = NULL;
	const char *args[] = { "list", "--dir", L.dir, NULL };
	assert_int_equal(lab_cmd(args, &out), 0);
	int n = 0;
	for (char *p = out; (p = strstr(p, "request ")) != NULL; p++)
		if (p == out || p[-1] == '\n')
			n++;
	free(out);
	return n;
}

static int run_wizard(const char *answers, const char *state_dir,
		      const char *stages, int bound, char **out)
{
	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[] = { bin, "--answers", answers, "--state-dir",
			       state_dir, "--non-interactive",
			       stages ? "--stages" : NULL, stages, NULL };
	int rc = run_capture(argv, bound, out);
	free(bin);
	return rc;
}

static double since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The line of out holding the ca.url failure (for the report). */
static void print_diag_line(const char *name, const char *out, double secs)
{
	const char *p = strstr(out, "FAIL ");
	const char *e = p ? strchr(p, '\n') : NULL;
	printf("  %-22s %5.1f s  %.*s\n", name, secs,
	       p ? (int)(e ? e - p : (long)strlen(p)) : 9,
	       p ? p : "(no FAIL)");
}

static void test_fault(void **st)
{
	const struct fault_case *fc = *st;
	char *dir = path_in(work, fc->name);
	assert_int_equal(mkdir(dir, 0700), 0);
	char *agentdir = path_in(dir, "agent");
	assert_int_equal(mkdir(agentdir, 0700), 0);
	char *state_dir = path_in(dir, "state");
	char *answers = write_answers(dir, 0, "answers.ini");
	char *out = NULL;

	int stage = fc->stage ? fc->stage : 2;
	struct faultproxy *fp = stage == 7 ? M : P;
	if (stage == 7) {
		/* the agent is configured for the management-server proxy */
		free(answers);
		answers = write_answers(dir, faultproxy_port(M), "answers.ini");
	}
	int rc;
	if (stage != 1) {
		/* the stages before, healthy */
		faultproxy_heal(P);
		faultproxy_heal(M);
		rc = run_wizard(answers, state_dir, stage == 7 ? "1-6" : "1-1",
				RUN_BOUND_S, &out);
		if (rc != 0)
			fprintf(stderr, "%s\n", out);
		assert_int_equal(rc, 0);
		free(out);
	}
	if (stage == 7) {
		/* healthy, M passes through as this agent */
		char *ac = path_in(agentdir, "agent-cert.pem");
		char *ak = path_in(agentdir, "agent-key.pem");
		assert_int_equal(faultproxy_set_upstream_identity(M, ac, ak), 0);
		free(ac);
		free(ak);
	}

	/* the stage against the fault */
	struct fp_setting set;
	memset(&set, 0, sizeof(set));
	set.fault = fc->fault;
	set.match = fc->match ? fc->match : stage == 7 ? NULL : SUBMIT;
	set.status = fc->status;
	set.bytes = 100u * 1024u * 1024u;
	set.delay_ms = (CA_TIMEOUT_S + 5) * 1000;
	int faults_before = faultproxy_faults(fp);
	int requests_before = count_requests();
	faultproxy_set(fp, &set);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const char *only = stage == 1 ? "1-1" : stage == 2 ? "2-2" : "7-7";
	rc = run_wizard(answers, state_dir, only, RUN_BOUND_S, &out);
	double secs = since(&t0);
	faultproxy_heal(fp);

	int named = 0;
	for (int i = 0; i < 3 && fc->expect[i]; i++)
		if (strcasestr(out, fc->expect[i]))
			named = 1;
	int at_field = stage == 7
		? strstr(out, "field: agent.server") != NULL ||
		  strstr(out, "field: agent.port") != NULL
		: strstr(out, "field: ca.url") != NULL ||
		  (stage == 1 && strstr(out, "field: trust.source") != NULL);
	int want_rc = 10 + stage;
	tried++;
	if (rc == want_rc && named && at_field)
		reported++;
	print_diag_line(fc->name, out, secs);
	if (rc != want_rc || !named || !at_field)
		fprintf(stderr, "fault '%s': exit %d, output:\n%s\n", fc->name, rc,
			out);
	assert_int_not_equal(rc, -1);          /* did not hang */
	assert_true(rc < 128);                 /* did not crash */
	assert_int_equal(rc, want_rc);
	assert_true(named);
	assert_true(at_field);
	assert_true(faultproxy_faults(fp) > faults_before);
	free(out);
	/* the lab got the submission only when the fault let it through */
	assert_int_equal(count_requests(), requests_before + fc->lab_first);

	/* the state is consistent and says what may have happened */
	struct state s;
	struct diag_list dl;
	state_init(&s);
	diag_list_init(&dl);
	assert_int_equal(state_load(&s, state_dir, &dl), 0);
	enum request_phase ph = s.req_phase;
	state_release(&s);
	diag_list_release(&dl);
	if (ph != fc->phase)
		fprintf(stderr, "fault '%s': phase %s, expected %s\n", fc->name,
			request_phase_name(ph), request_phase_name(fc->phase));
	assert_int_equal(ph, fc->phase);
	char *keyp = path_in(state_dir, "key.pem");
	char *key_before = test_read_file(keyp);
	if (stage != 1)
		assert_non_null(key_before);
	else
		assert_null(key_before);   /* stage 1 made no key */

	/* healed: the next run finishes with the same key */
	rc = run_wizard(answers, state_dir, NULL, 2 * RUN_BOUND_S, &out);
	if (rc != 0)
		fprintf(stderr, "re-run after '%s': exit %d\n%s\n", fc->name, rc,
			out);
	assert_int_equal(rc, 0);
	assert_int_equal(count_requests(),
			 requests_before + fc->lab_first + fc->lab_rerun);
	if (fc->phase == REQ_SUBMITTING)
		assert_non_null(strstr(out, "may have reached the CA"));
	else
		assert_null(strstr(out, "may have reached the CA"));
	free(out);
	char *key_after = test_read_file(keyp);
	assert_non_null(key_after);
	if (key_before)
		assert_string_equal(key_before, key_after);
	free(key_before);
	free(key_after);
	free(keyp);

	free(answers);
	free(state_dir);
	free(agentdir);
	free(dir);
}

/* A certificate from the lab root for another host, for FP_WRONG_NAME. */
static int make_wrong_name_cert(char **cert, char **key)
{
	char *rootkey = path_in(L.dir, "ca/root.key");
	FILE *f = fopen(L.root_pem, "r");
	X509 *root = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	f = fopen(rootkey, "r");
	EVP_PKEY *rk = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	free(rootkey);
	if (!root || !rk)
		return -1;
	struct certgen_opts o;
	certgen_opts_leaf(&o, "other.example.test");
	o.eku = CERTGEN_EKU_SERVER;
	o.issuer = root;
	o.issuer_key = rk;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	int rc = certgen_make(&o, &x, &k);
	*cert = path_in(work, "other-name.pem");
	*key = path_in(work, "other-name.key");
	if (rc == 0) {
		X509 *chain[] = { x, root };
		rc = certgen_write_pem(*cert, chain, 2) ||
		     certgen_write_key(*key, k);
	}
	X509_free(x);
	EVP_PKEY_free(k);
	X509_free(root);
	EVP_PKEY_free(rk);
	return rc;
}

static int group_setup(void **st)
{
	(void)st;
	signal(SIGPIPE, SIG_IGN);
	const char *extra[] = { "--auto-approve", "0", NULL };
	if (lab_start(&L, NULL, extra) != 0)
		return -1;
	work = test_mkdtemp("faults");
	char *alt_cert = NULL, *alt_key = NULL;
	if (!work || make_wrong_name_cert(&alt_cert, &alt_key) != 0)
		return -1;
	char *cert = path_in(L.dir, "ca/server.pem");
	char *key = path_in(L.dir, "ca/server.key");
	struct faultproxy_opts o = { .cert = cert, .key = key,
				     .alt_cert = alt_cert, .alt_key = alt_key,
				     .upstream_port = L.ca_port,
				     .upstream_ca = L.root_pem };
	P = faultproxy_start(&o);
	/* the management server side: client certificates from the lab root */
	o.upstream_port = L.ms_port;
	o.client_ca = L.root_pem;
	M = faultproxy_start(&o);
	free(cert);
	free(key);
	free(alt_cert);
	free(alt_key);
	if (!P || !M)
		return -1;
	printf("fault proxy on 127.0.0.1:%d in front of the lab CA on port %d "
	       "(ca.timeout %d s)\n", faultproxy_port(P), L.ca_port, CA_TIMEOUT_S);
	return 0;
}

static int group_teardown(void **st)
{
	(void)st;
	printf("faults: %d reported / %d tried\n", reported, tried);
	faultproxy_stop(P);
	faultproxy_stop(M);
	if (work) {
		test_rm_rf(work);
		free(work);
	}
	lab_stop(&L);
	certgen_cleanup();
	return 0;
}


int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct CMUnitTest t = cmocka_unit_test_prestate(
			test_fault, (void *)&cases[i]);
		t.name = cases[i].name;
		tests[i] = t;
	}
	/* FAULTS_FILTER=ms-* runs only the matching cases */
	if (getenv("FAULTS_FILTER"))
		cmocka_set_test_filter(getenv("FAULTS_FILTER"));
	return _cmocka_run_group_tests("test_faults", tests,
				       sizeof(tests) / sizeof(tests[0]),
				       group_setup, group_teardown);
}
