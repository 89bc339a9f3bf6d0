/*
 * test_stale_lab.c - changed answers redo exactly the stages they affect,
 * through the real `opsmgr-enroll --non-interactive` against a lab; each
 * test asserts on the runner's lines and on disk (the state, the PFX, the
 * agent configuration, the lab's requests):
 *   - export.compat modern -> legacy: stage 4 says why it runs again and
 *     writes a legacy PFX (3DES key bag and certificates, SHA-1 MAC), 6-7
 *     run again for the new PFX, 1-3 and 5 are skipped; `check --json`
 *     shows the stale rows 4, 6, 7 (and no other) before, none after;
 *   - the issue's `--answers F --non-interactive --stages 4-4` after that
 *     change runs stage 4 (with the locale's arrow) and only stage 4;
 *   - another management-server port (a TCP relay to the lab's server, so
 *     both ports are real) redoes 5-7 only, back and forth;
 *   - another CA password file (same password) and CA timeout redo
 *     nothing: same request, same recorded inputs;
 *   - nothing changed: a plain run skips everything, `--stages 2-3` runs
 *     2 and 3 and keeps the certificate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <openssl/objects.h>

#include "core/digest.h"
#include "core/stage_inputs.h"
#include "core/state.h"
#include "lab_harness.h"
#include "pki/pkcs12.h"
#include "run_capture.h"

static struct lab g_lab;
static char g_root_sha256[80];

/* ---- a TCP relay: a second, real port for the lab's management server */

struct relay {
	int lfd, port, upstream;
	volatile int stop;
	int accepted;
	pthread_mutex_t mu;
	pthread_t th;
};

/* Copy one connection both ways until either side closes. */
static void *relay_pipe(void *arg)
{
	int *fds = arg;
	struct pollfd p[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 } };
	char buf[16384];
	for (int open = 1; open && poll(p, 2, 30000) > 0;) {
		for (int i = 0; i < 2 && open; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(p[i].fd, buf, sizeof(buf));
			open = n > 0 && write(p[1 - i].fd, buf, (size_t)n) == n;
		}
	}
	close(fds[0]);
	close(fds[1]);
	free(fds);
	return NULL;
}

static int connect_port(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void *relay_accept(void *arg)
{
	struct relay *r = arg;
	while (!r->stop) {
		struct pollfd p = { r->lfd, POLLIN, 0 };
		if (poll(&p, 1, 100) <= 0)
			continue;
		int c = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		int *fds = malloc(2 * sizeof(int));
		fds[0] = c;
		fds[1] = connect_port(r->upstream);
		pthread_mutex_lock(&r->mu);
		r->accepted++;
		pthread_mutex_unlock(&r->mu);
		pthread_t t;
		if (fds[1] < 0 || pthread_create(&t, NULL, relay_pipe, fds) != 0) {
			close(c);
			if (fds[1] >= 0)
				close(fds[1]);
			free(fds);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

static void relay_start(struct relay *r, int upstream)
{
	memset(r, 0, sizeof(*r));
	r->upstream = upstream;
	pthread_mutex_init(&r->mu, NULL);
	r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(r->lfd >= 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	assert_int_equal(bind(r->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(r->lfd, 16), 0);
	assert_int_equal(getsockname(r->lfd, (struct sockaddr *)&a, &len), 0);
	r->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&r->th, NULL, relay_accept, r), 0);
}

static int relay_accepted(struct relay *r)
{
	pthread_mutex_lock(&r->mu);
	int n = r->accepted;
	pthread_mutex_unlock(&r->mu);
	return n;
}

static void relay_stop(struct relay *r)
{
	r->stop = 1;
	pthread_join(r->th, NULL);
	close(r->lfd);
	pthread_mutex_destroy(&r->mu);
}

/* ---- answers, runs, the state ---------------------------------------- */

/* What a test changes in the answers; zero / NULL = the lab's. */
struct answers {
	const char *compat;
	int port;
	int ca_timeout;
	const char *ca_password_file;
	bool state_dir;            /* [wizard] state_dir = <work>/state */
};

/* <work>/answers.ini for the lab with a's changes; every output (PFX,
 * agent configuration) inside work.  Returns the malloc'd path. */
static char *write_answers(const char *work, const struct answers *a)
{
	char *path = malloc(strlen(work) + 32), text[8192];
	sprintf(path, "%s/answers.ini", work);
	int n = snprintf(
		text, sizeof(text),
		"[computer]\nfqdn = agent01.lab.test\n"
		"[trust]\nsource = ca\nsha256 = %s\n"
		"[ca]\nurl = %s\ntemplate = OpsMgr\nauth = basic\nuser = %s\n"
		"password_file = %s\nca_file = %s\ntimeout = %d\n"
		"[key]\nbits = 2048\n"
		"[export]\npfx = %s/agent01.pfx\npassword_file = %s/pfx-password\n"
		"compat = %s\nfriendly_name = OpsMgr agent\n"
		"[agent]\nmanagement_group = LAB\nserver = localhost\nport = %d\n"
		"config = %s/agent/agent.ini\n"
		"[approval]\nsource = lab\ninterval = 1\ntimeout = 60\n",
		g_root_sha256, g_lab.ca_url, g_lab.user,
		a->ca_password_file ? a->ca_password_file : g_lab.password_file,
		g_lab.root_pem, a->ca_timeout ? a->ca_timeout : 30, work,
		g_lab.dir, a->compat ? a->compat : "modern",
		a->port ? a->port : g_lab.ms_port, work);
	if (a->state_dir)
		snprintf(text + n, sizeof(text) - (size_t)n,
			 "[wizard]\nstate_dir = %s/state\n", work);
	assert_int_equal(test_write_file(path, text), 0);
	return path;
}

/* Run opsmgr-enroll with the arguments up to NULL; output into *out. */
static int run_enroll(char **out, ...)
{
	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[16] = { bin };
	int n = 1;
	va_list ap;
	va_start(ap, out);
	for (const char *a; n < 15 && (a = va_arg(ap, const char *));)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	int rc = run_capture(argv, 300, out);
	free(bin);
	return rc;
}

/* A run with the answers in work (and its state there). */
static char *run_ok(const char *work, const char *stages)
{
	char answers[600], state[600];
	snprintf(answers, sizeof(answers), "%s/answers.ini", work);
	snprintf(state, sizeof(state), "%s/state", work);
	char *out = NULL;
	int rc = run_enroll(&out, "--answers", answers, "--state-dir", state,
			    "--non-interactive", stages ? "--stages" : NULL,
			    stages, NULL);
	if (rc != 0)
		fprintf(stderr, "run (stages %s) exit %d:\n%s\n",
			stages ? stages : "all", rc, out);
	assert_int_equal(rc, 0);
	return out;
}

static void load_state(const char *work, struct state *st)
{
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/state", work);
	struct diag_list dl;
	diag_list_init(&dl);
	state_init(st);
	assert_int_equal(state_load(st, dir, &dl), 0);
	diag_list_release(&dl);
}

/* The runner's announce line for stage s ("[4/7] Export: ..."), copied
 * into buf; "" when the output has none. */
static const char *stage_line(const char *out, enum stage s, char *buf,
			      size_t n)
{
	char head[64];
	snprintf(head, sizeof(head), "[%d/%d] %s: ", s, STAGE_LAST,
		 stage_title(s));
	buf[0] = '\0';
	for (const char *p = out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, head, strlen(head)) == 0) {
			size_t len = strcspn(p, "\n");
			snprintf(buf, n, "%.*s", (int)len, p);
			break;
		}
	return buf;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* Stage s was skipped as done: "already done/warn, skipped", not run. */
static void assert_skipped(const char *out, enum stage s)
{
	char line[512], ran[64];
	stage_line(out, s, line, sizeof(line));
	if (!strstr(line, ": already ") || !ends_with(line, ", skipped"))
		fail_msg("stage %d not skipped: '%s' in:\n%s", s, line, out);
	snprintf(ran, sizeof(ran), "[%d/%d] %s ...", s, STAGE_LAST,
		 stage_title(s));
	assert_null(strstr(out, ran));
}

/* Stage s ran again saying why (why may be NULL: any reason) and ok. */
static void assert_rerun(const char *out, enum stage s, const char *why)
{
	char line[512], want[512], ran[64];
	stage_line(out, s, line, sizeof(line));
	snprintf(want, sizeof(want), "[%d/%d] %s: %s, running again", s,
		 STAGE_LAST, stage_title(s), why ? why : "");
	if (why ? strcmp(line, want) != 0
		: !ends_with(line, ", running again") || strstr(line, "already"))
		fail_msg("stage %d: '%s', wanted '%s' in:\n%s", s, line, want,
			 out);
	snprintf(ran, sizeof(ran), "[%d/%d] %s: ok (", s, STAGE_LAST,
		 stage_title(s));
	assert_non_null(strstr(out, ran));
}

static int count_requests(void)
{
	char *out = NULL;
	const char *args[] = { "list", "--dir", g_lab.dir, NULL };
	assert_int_equal(lab_cmd(args, &out), 0);
	int n = 0;
	for (char *p = out; (p = strstr(p, "request ")) != NULL; p++)
		n += p == out || p[-1] == '\n';
	free(out);
	return n;
}

/* The PFX at path: readable with the lab's password, with these
 * algorithms for the key bag, the certificates and the MAC. */
static void assert_pfx(const char *path, int pbe_nid, int mac_nid)
{
	char pwpath[600];
	snprintf(pwpath, sizeof(pwpath), "%s/pfx-password", g_lab.dir);
	char *pw = test_read_file(pwpath);
	assert_non_null(pw);
	pw[strcspn(pw, "\r\n")] = '\0';
	struct pfx_info info;
	char err[512];
	enum pfx_verify v = pkcs12_verify(path, pw, NULL, &info, err, sizeof(err));
	if (v != PFX_OK)
		fail_msg("'%s': %s", path, err);
	assert_int_equal(info.key_pbe_nid, pbe_nid);
	assert_int_equal(info.cert_pbe_nid, pbe_nid);
	assert_int_equal(info.mac_md_nid, mac_nid);
	pfx_info_release(&info);
	free(pw);
}

/* One enrolment of a test: its work directory (answers, state, PFX,
 * agent configuration), the state after the full run and the number of
 * requests the lab had then. */
struct enrolment {
	char *work;
	struct state before;
	int requests;
};

/* A fresh work directory, answers a, and a full run of the seven stages. */
static void enroll(struct enrolment *e, const struct answers *a)
{
	e->work = test_mkdtemp("stale");
	char agent_dir[600];
	snprintf(agent_dir, sizeof(agent_dir), "%s/agent", e->work);
	assert_int_equal(mkdir(agent_dir, 0700), 0);
	free(write_answers(e->work, a));
	char *out = run_ok(e->work, NULL);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		char ran[64];
		snprintf(ran, sizeof(ran), "[%d/%d] %s: ok (", s, STAGE_LAST,
			 stage_title((enum stage)s));
		assert_non_null(strstr(out, ran));
	}
	free(out);
	load_state(e->work, &e->before);
	e->requests = count_requests();
}

/* The end of every test: no change sent the CA a request. */
static void enrolment_end(struct enrolment *e)
{
	assert_int_equal(count_requests(), e->requests);
	state_release(&e->before);
	test_rm_rf(e->work);
	free(e->work);
}

/* Stages whose recorded digest differs between two states (bit s). */
static unsigned digests_changed(const struct state *a, const struct state *b)
{
	unsigned m = 0;
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		assert_non_null(a->digest[s]);
		assert_non_null(b->digest[s]);
		if (strcmp(a->digest[s], b->digest[s]) != 0)
			m |= 1u << s;
	}
	return m;
}

#define BIT(s) (1u << STAGE_##s)

/* `check --json` with the work's answers (+ one more argument pair),
 * exiting with want_rc. */
static char *check_json(const char *work, const char *opt, const char *val,
			int want_rc)
{
	char answers[600], state[600];
	snprintf(answers, sizeof(answers), "%s/answers.ini", work);
	snprintf(state, sizeof(state), "%s/state", work);
	char *out = NULL;
	int rc = run_enroll(&out, "check", "--json", "--offline", "--answers",
			    answers, "--state-dir", state, opt, val, NULL);
	if (rc != want_rc)
		fprintf(stderr, "check exit %d:\n%s\n", rc, out);
	assert_int_equal(rc, want_rc);
	return out;
}

/* The stages with a "stale" row in a check --json report (bit s). */
static unsigned stale_rows(const char *json)
{
	unsigned m = 0;
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		char want[128];
		snprintf(want, sizeof(want),
			 "{\"stage\": \"%s\", \"id\": \"stale\", \"status\": \"warn\"",
			 stage_id((enum stage)s));
		if (strstr(json, want))
			m |= 1u << s;
	}
	return m;
}

/* ---- the tests ------------------------------------------------------- */

static void test_compat_change_reexports(void **st)
{
	struct answers a = { 0 };
	struct enrolment e;
	enroll(&e, &a);
	char pfx[600];
	snprintf(pfx, sizeof(pfx), "%s/agent01.pfx", e.work);
	assert_pfx(pfx, NID_pbes2, NID_sha256);

	a.compat = "legacy";
	free(write_answers(e.work, &a));

	/* check names the stale stages (4, and 6, 7 through the PFX), with
	 * the change as the field and the plain run as the fix */
	char *json = check_json(e.work, NULL, NULL, 0);
	assert_int_equal(stale_rows(json),
			 BIT(EXPORT) | BIT(SERIAL) | BIT(APPROVAL));
	assert_non_null(strstr(json, "\"message\": \"stage 4 (export) is stale: "
				     "answers changed (export.compat modern -> legacy)\""));
	assert_non_null(strstr(json, "\"fix\": \"run stage 4 (export) again: "
				     "'opsmgr-enroll --non-interactive'"));
	assert_non_null(strstr(json, "\"field\": \"export.compat\""));
	free(json);
	/* judged against the answers, not against check's own --fqdn (which
	 * the certificate fails: exit 1) */
	json = check_json(e.work, "--fqdn", "other.lab.test", 1);
	assert_non_null(strstr(json, "does not match the FQDN 'other.lab.test'"));
	assert_int_equal(stale_rows(json),
			 BIT(EXPORT) | BIT(SERIAL) | BIT(APPROVAL));
	free(json);

	char *out = run_ok(e.work, NULL);
	assert_rerun(out, STAGE_EXPORT,
		     "answers changed (export.compat modern -> legacy)");
	assert_rerun(out, STAGE_SERIAL, "a new PFX from stage 4 (export)");
	assert_rerun(out, STAGE_APPROVAL, "a new PFX from stage 4 (export)");
	assert_skipped(out, STAGE_TRUST);
	assert_skipped(out, STAGE_REQUEST);
	assert_skipped(out, STAGE_VERIFY);
	assert_skipped(out, STAGE_AGENT);
	free(out);

	/* on disk: a legacy PFX, recorded by its digest; the same request */
	assert_pfx(pfx, NID_pbe_WithSHA1And3_Key_TripleDES_CBC, NID_sha1);
	struct state after;
	load_state(e.work, &after);
	char hex[DIGEST_HEX_LEN + 1], err[256], buf[64];
	assert_int_equal(digest_file_sha256_hex(pfx, hex, err, sizeof(err)), 0);
	assert_true(strcasecmp(after.pfx_sha256, hex) == 0);
	assert_true(strcasecmp(e.before.pfx_sha256, hex) != 0);
	assert_string_equal(stage_input_recorded(&after, STAGE_EXPORT,
						 "export.compat", buf,
						 sizeof(buf)),
			    "legacy");
	assert_int_equal(digests_changed(&e.before, &after),
			 BIT(EXPORT) | BIT(SERIAL) | BIT(APPROVAL));
	assert_string_equal(e.before.cert_sha256, after.cert_sha256);
	assert_int_equal(e.before.request_id, after.request_id);
	state_release(&after);

	/* nothing stale any more */
	json = check_json(e.work, NULL, NULL, 0);
	assert_int_equal(stale_rows(json), 0);
	free(json);
	enrolment_end(&e);
}

/* The command, state from the answers' [wizard] state_dir, in a
 * UTF-8 locale: stage 4 runs (never "already done, skipped"), alone. */
static void test_stages_4_4_after_change(void **st)
{
	struct answers a = { .state_dir = true };
	struct enrolment e;
	enroll(&e, &a);
	char pfx[600], answers[600];
	snprintf(pfx, sizeof(pfx), "%s/agent01.pfx", e.work);
	a.compat = "legacy";
	free(write_answers(e.work, &a));
	snprintf(answers, sizeof(answers), "%s/answers.ini", e.work);

	setenv("LC_ALL", "C.UTF-8", 1);
	char *out = NULL;
	int rc = run_enroll(&out, "--answers", answers, "--non-interactive",
			    "--stages", "4-4", NULL);
	setenv("LC_ALL", "C", 1);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_rerun(out, STAGE_EXPORT,
		     "answers changed (export.compat modern \u2192 legacy)");
	assert_null(strstr(out, "already done, skipped"));
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		char line[512];
		if (s != STAGE_EXPORT)
			assert_string_equal(stage_line(out, (enum stage)s, line,
						       sizeof(line)), "");
	}
	assert_non_null(strstr(out, "done: stages 4-4 complete"));
	free(out);
	assert_pfx(pfx, NID_pbe_WithSHA1And3_Key_TripleDES_CBC, NID_sha1);

	/* the plain run then takes the new PFX to stages 6 and 7 */
	out = run_ok(e.work, NULL);
	assert_skipped(out, STAGE_EXPORT);
	assert_rerun(out, STAGE_SERIAL, "a new PFX from stage 4 (export)");
	assert_rerun(out, STAGE_APPROVAL, "a new PFX from stage 4 (export)");
	free(out);
	enrolment_end(&e);
}

/* agent.port (the lab's port, then a relay to it, then back): 5-7 run
 * again, 1-4 are skipped; the agent configuration names the port; the
 * relay is used exactly while the answers name it. */
static void test_port_change_reruns_5_to_7(void **st)
{
	struct relay r;
	relay_start(&r, g_lab.ms_port);
	struct answers a = { 0 };
	struct enrolment e;
	enroll(&e, &a);
	char conf[600], why[128], want[64];
	snprintf(conf, sizeof(conf), "%s/agent/agent.ini", e.work);
	assert_int_equal(relay_accepted(&r), 0);

	for (int round = 0; round < 2; round++) {
		int from = round ? r.port : g_lab.ms_port;
		a.port = round ? g_lab.ms_port : r.port;
		free(write_answers(e.work, &a));
		int used = relay_accepted(&r);
		char *out = run_ok(e.work, NULL);
		snprintf(why, sizeof(why), "answers changed (agent.port %d -> %d)",
			 from, a.port);
		assert_rerun(out, STAGE_AGENT, why);
		assert_rerun(out, STAGE_SERIAL, NULL);
		assert_rerun(out, STAGE_APPROVAL, NULL);
		for (int s = STAGE_TRUST; s <= STAGE_EXPORT; s++)
			assert_skipped(out, (enum stage)s);
		free(out);
		/* the relay carried stages 5 and 7 only when named */
		if (round == 0)
			assert_true(relay_accepted(&r) > used);
		else
			assert_int_equal(relay_accepted(&r), used);
		char *text = test_read_file(conf);
		snprintf(want, sizeof(want), "\nport = %d\n", a.port);
		assert_non_null(text);
		assert_non_null(strstr(text, want));
		free(text);
		struct state after;
		load_state(e.work, &after);
		assert_int_equal(digests_changed(&e.before, &after),
				 round ? 0u : BIT(AGENT) | BIT(SERIAL) | BIT(APPROVAL));
		assert_string_equal(after.approval, "approved");
		state_release(&after);
	}
	relay_stop(&r);
	enrolment_end(&e);
}

/* Another password file with the same password, another CA timeout:
 * credentials and timeouts are no stage's input, nothing runs. */
static void test_ca_password_change_reruns_nothing(void **st)
{
	struct answers a = { 0 };
	struct enrolment e;
	enroll(&e, &a);
	char pwfile[600];
	snprintf(pwfile, sizeof(pwfile), "%s/ca-password", e.work);
	char *pw = test_read_file(g_lab.password_file);
	assert_non_null(pw);
	assert_int_equal(test_write_file(pwfile, pw), 0);
	free(pw);

	a.ca_password_file = pwfile;
	a.ca_timeout = 45;
	free(write_answers(e.work, &a));
	char *out = run_ok(e.work, NULL);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++)
		assert_skipped(out, (enum stage)s);
	assert_null(strstr(out, "running again"));
	free(out);

	struct state after;
	load_state(e.work, &after);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		assert_string_equal(e.before.inputs[s], after.inputs[s]);
		assert_string_equal(e.before.digest[s], after.digest[s]);
	}
	assert_int_equal(e.before.request_id, after.request_id);
	state_release(&after);
	char *json = check_json(e.work, NULL, NULL, 0);
	assert_int_equal(stale_rows(json), 0);
	free(json);
	enrolment_end(&e);
}

/* Nothing changed: a plain run skips all; --stages 2-3 runs 2 and 3, the
 * request reusing its issued certificate and verify passing it again. */
static void test_nothing_changed(void **st)
{
	struct answers a = { 0 };
	struct enrolment e;
	enroll(&e, &a);
	char *cert = test_read_file(e.before.cert_path);
	assert_non_null(cert);

	char *out = run_ok(e.work, NULL);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++)
		assert_skipped(out, (enum stage)s);
	free(out);

	out = run_ok(e.work, "2-3");
	for (int s = STAGE_REQUEST; s <= STAGE_VERIFY; s++) {
		char line[512];
		stage_line(out, (enum stage)s, line, sizeof(line));
		if (!ends_with(line, ", running again as --stages asks"))
			fail_msg("stage %d: '%s' in:\n%s", s, line, out);
	}
	assert_non_null(strstr(out, "[3/7] Verify: ok ("));
	assert_null(strstr(out, "FAIL "));
	assert_non_null(strstr(out, "done: stages 2-3 complete"));
	free(out);

	struct state after;
	load_state(e.work, &after);
	char *cert_after = test_read_file(e.before.cert_path);
	assert_non_null(cert_after);
	assert_string_equal(cert, cert_after);
	assert_string_equal(e.before.cert_sha256, after.cert_sha256);
	assert_int_equal(e.before.request_id, after.request_id);
	assert_int_equal(digests_changed(&e.before, &after), 0);
	free(cert);
	free(cert_after);
	state_release(&after);
	enrolment_end(&e);
}

static int setup(void **st)
{
	const char *extra[] = { "--auto-approve", "0", NULL };
	if (lab_start(&g_lab, NULL, extra) < 0)
		return -1;
	/* the lab's pin, from the answers it wrote */
	char *text = test_read_file(g_lab.answers);
	const char *p = text ? strstr(text, "\nsha256 = ") : NULL;
	if (p)
		sscanf(p, "\nsha256 = %79s", g_root_sha256);
	free(text);
	/* "->" between old and new values: an ASCII locale (one test asks
	 * for UTF-8 itself) */
	setenv("LC_ALL", "C", 1);
	return p ? 0 : -1;
}

static int teardown(void **st)
{
	lab_stop(&g_lab);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compat_change_reexports),
		cmocka_unit_test(test_stages_4_4_after_change),
		cmocka_unit_test(test_port_change_reruns_5_to_7),
		cmocka_unit_test(test_ca_password_change_reruns_nothing),
		cmocka_unit_test(test_nothing_changed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
