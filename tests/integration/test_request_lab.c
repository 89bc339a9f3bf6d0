/*
 * test_request_lab.c - stage 2 (backend/stages/request.c) against a real
 * opsmgr-enroll-lab on loopback, each run with a fresh ctx over a state
 * saved to and loaded from disk (as a restart would): OpsMgr issued,
 * WebServer issued, wrong password (ca.password), unknown template
 * (ca.template), OpsMgrManual pending -> still pending -> approve ->
 * issued with no second request, pending -> deny -> denied, unknown
 * request ID, TLS failure without ca_file / with the trust store instead,
 * killed mid-submission -> same CSR resubmitted, a CA that never answers
 * (timeout), a CA answering HTML garbage, cancellation during key
 * generation and during the POST, the offline path (save CSR, import a
 * certificate, a foreign certificate refused), and field validation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "adcs/certsrv.h"
#include "adcs/hresult.h"
#include "core/config.h"
#include "core/config_load.h"
#include "pki/csr.h"
#include "core/ctx.h"
#include "core/diag.h"
#include "core/fsutil.h"
#include "sys/http.h"
#include "lab_harness.h"
#include "stages/request.h"
#include "stages/stages.h"
#include "core/state.h"
#include "tls_stub.h"
#include "unit_util.h"
#include "pki/truststore.h"
#include "pki/x509util.h"

static struct lab L;
static char *stub_dir, *stub_root, *stub_cert, *stub_key;

struct env {
	char *dir;
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
	int saves;
};

static int save_cp(struct ctx *c, struct diag_list *dl)
{
	struct env *e = c->checkpoint_ud;
	e->saves++;
	return state_save(c->st, c->state_dir, dl);
}

/* A run's world, loaded from disk: config from the lab's answers file. */
static void env_open(struct env *e, const char *dir)
{
	struct diag_list tmp;
	diag_list_init(&tmp);
	if (!dir) {
		char *base = test_mkdtemp("request-");
		assert_non_null(base);
		e->dir = fs_join(base, "state");
		free(base);
	} else {
		e->dir = strdup(dir);
	}
	config_init(&e->cfg);
	assert_int_equal(config_load_file(&e->cfg, L.answers, true, &tmp), 0);
	assert_int_equal(state_dir_prepare(e->dir, &tmp), 0);
	state_init(&e->st);
	assert_true(state_load(&e->st, e->dir, &tmp) >= 0);
	ctx_init(&e->c, &e->cfg, &e->st, e->dir);
	e->c.checkpoint = save_cp;
	e->c.checkpoint_ud = e;
	diag_list_init(&e->dl);
	e->saves = 0;
	diag_list_release(&tmp);
}

static void env_close(struct env *e)
{
	ctx_release(&e->c);
	state_release(&e->st);
	config_release(&e->cfg);
	diag_list_release(&e->dl);
}

static void env_free(struct env *e)
{
	char *base = fs_dirname(e->dir);
	env_close(e);
	test_rm_rf(base);
	free(base);
	free(e->dir);
	e->dir = NULL;
}

/* One stage run, then the state saved like the wizard does. */
static enum status env_run(struct env *e, const struct hooks *h)
{
	diag_list_clear(&e->dl);
	enum status s = stage_request_run(&e->c, h, &e->dl);
	struct diag_list tmp;
	diag_list_init(&tmp);
	assert_int_equal(state_save(&e->st, e->dir, &tmp), 0);
	diag_list_release(&tmp);
	if (getenv("TEST_VERBOSE"))
		diag_print_text(stderr, &e->dl, SEV_PASS);
	return s;
}

/* Close and reopen from disk: what a restart sees. */
static void env_restart(struct env *e)
{
	char *dir = strdup(e->dir);
	env_close(e);
	free(e->dir);
	env_open(e, dir);
	free(dir);
}

static const struct diag *find_fail(struct env *e, enum diag_check c)
{
	const struct diag *d = NULL;
	for (size_t i = 0; i < e->dl.n && !d; i++)
		if (e->dl.items[i].check == c && e->dl.items[i].sev == SEV_FAIL)
			d = &e->dl.items[i];
	if (!d) {
		diag_print_text(stderr, &e->dl, SEV_PASS);
		fail_msg("expected a failed '%s' diagnostic", diag_check_id(c));
	}
	return d;
}

static int lab_requests(void)
{
	const char *args[] = {"list", "--dir", L.dir, NULL};
	char *out = NULL;
	int n = 0;
	assert_int_equal(lab_cmd(args, &out), 0);
	for (char *p = out; p && (p = strstr(p, "request ")); p++)
		if (p == out || p[-1] == '\n')
			n++;
	free(out);
	return n;
}

static void lab_act(const char *cmd, long id)
{
	char sid[32];
	snprintf(sid, sizeof(sid), "%ld", id);
	const char *args[] = {cmd, "--dir", L.dir, sid, NULL};
	assert_int_equal(lab_cmd(args, NULL), 0);
}

static char *slurp(const char *path, size_t *len)
{
	unsigned char *b = NULL;
	char err[FS_ERRLEN];
	size_t n = 0;
	if (fs_read_file(path, 1u << 20, &b, &n, err, sizeof(err)) != 0)
		return NULL;
	if (len)
		*len = n;
	return (char *)b;
}

/* The issued certificate on disk belongs to key.pem and names fqdn. */
static void check_issued(struct env *e)
{
	char err[1024];
	assert_int_equal(e->st.req_phase, REQ_ISSUED);
	assert_true(e->st.request_id > 0);
	assert_non_null(e->st.cert_path);
	assert_int_equal(fs_mode(e->st.key_path), 0600);
	STACK_OF(X509) *certs = NULL;
	assert_int_equal(x509_load_certs_file(e->st.cert_path, &certs, err, sizeof(err)), 0);
	EVP_PKEY *k = x509_load_key_file(e->st.key_path, err, sizeof(err));
	assert_non_null(k);
	assert_int_equal(x509_key_matches(sk_X509_value(certs, 0), k), 1);
	char *cn = x509_subject_cn(sk_X509_value(certs, 0));
	assert_string_equal(cn, "agent01.lab.test");
	free(cn);
	EVP_PKEY_free(k);
	OSSL_STACK_OF_X509_free(certs);
	const struct diag *m = diag_find(&e->dl, DIAG_REQ_CERT_MATCH);
	if (m)
		assert_int_equal(m->sev, SEV_PASS);
	struct request_result *o = e->c.out[STAGE_REQUEST];
	assert_non_null(o);
	assert_int_equal(o->phase, REQ_ISSUED);
	assert_non_null(o->cert_path);
}

/* ------------------------------------------------------------------ */

static void test_issued(void **state)
{
	struct env e;
	env_open(&e, NULL);
	int before = lab_requests();
	assert_int_equal(env_run(&e, NULL), ST_OK);
	check_issued(&e);
	assert_non_null(e.st.chain_path);
	assert_true(fs_exists(e.st.chain_path));
	assert_int_equal(lab_requests(), before + 1);
	assert_true(e.saves >= 3);   /* key written, submitting, CA holds it */
	struct request_result *o = e.c.out[STAGE_REQUEST];
	assert_non_null(strstr(o->subject, "agent01.lab.test"));
	assert_non_null(o->serial_hex);

	/* again, after a restart: nothing is sent */
	size_t kl1, kl2;
	char *k1 = slurp(e.st.key_path, &kl1);
	env_restart(&e);
	assert_int_equal(env_run(&e, NULL), ST_OK);
	check_issued(&e);
	assert_int_equal(lab_requests(), before + 1);
	char *k2 = slurp(e.st.key_path, &kl2);
	assert_int_equal(kl1, kl2);
	assert_memory_equal(k1, k2, kl1);
	free(k1);
	free(k2);

	/* the certificate file lost: fetched again by its request ID */
	assert_int_equal(unlink(e.st.cert_path), 0);
	env_restart(&e);
	assert_int_equal(env_run(&e, NULL), ST_OK);
	check_issued(&e);
	assert_true(fs_exists(e.st.cert_path));
	const struct diag *d = diag_find(&e.dl, DIAG_REQ_RETRIEVE);
	assert_non_null(strstr(d->message, "fetching request"));
	assert_int_equal(lab_requests(), before + 1);
	env_free(&e);
}

static void test_webserver_issues(void **state)
{
	struct env e;
	env_open(&e, NULL);
	config_set_str(&e.cfg.ca_template, "WebServer");
	assert_int_equal(env_run(&e, NULL), ST_OK);
	check_issued(&e);   /* its EKU is the verify stage's business */
	env_free(&e);
}

static void test_wrong_password(void **state)
{
	struct env e;
	env_open(&e, NULL);
	assert_int_equal(secret_set(&e.c.ca_password, "not-the-password", 16), 0);
	int before = lab_requests();
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	const struct diag *d = find_fail(&e, DIAG_REQ_PASSWORD);
	assert_string_equal(d->field, "ca.password");
	assert_non_null(strstr(d->message, "Basic"));
	assert_non_null(strstr(d->message, "401"));
	assert_null(strstr(d->message, "not-the-password"));
	assert_int_equal(e.st.req_phase, REQ_KEY_WRITTEN);   /* nothing taken */
	assert_int_equal(lab_requests(), before);
	assert_int_equal(fs_mode(e.st.key_path), 0600);
	env_free(&e);
}

static void test_unknown_template(void **state)
{
	struct env e;
	env_open(&e, NULL);
	config_set_str(&e.cfg.ca_template, "Ops Mgr");
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	const struct diag *d = find_fail(&e, DIAG_REQ_TEMPLATE);
	assert_string_equal(d->field, "ca.template");
	assert_non_null(strstr(d->message, "'Ops Mgr'"));
	assert_non_null(strstr(d->message, "0x80094800"));
	/* the CA's words, the HRESULT's name, our explanation */
	assert_non_null(strstr(d->message, "\" (CERTSRV_E_UNSUPPORTED_CERT_TYPE): "
				       "this CA does not issue"));
	assert_string_equal(d->fix, "use the template name without spaces, e.g. 'OpsMgr'");
	/* the space was warned about before sending, too */
	const struct diag *w = diag_find_field(&e.dl, "ca.template", SEV_WARN);
	assert_non_null(w);
	assert_int_equal(e.st.req_phase, REQ_DENIED);
	assert_non_null(strstr(e.st.disposition, "not supported"));
	env_free(&e);

	/* a name without spaces: the table's fix */
	env_open(&e, NULL);
	config_set_str(&e.cfg.ca_template, "NoSuchTemplate");
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	d = find_fail(&e, DIAG_REQ_TEMPLATE);
	assert_string_equal(d->field, "ca.template");
	assert_string_equal(d->fix, hresult_find(0x80094800UL)->fix);
	env_free(&e);
}

static void test_pending_approve(void **state)
{
	struct env e;
	env_open(&e, NULL);
	config_set_str(&e.cfg.ca_template, "OpsMgrManual");
	int before = lab_requests();
	assert_int_equal(env_run(&e, NULL), ST_PENDING);
	long id = e.st.request_id;
	assert_true(id > 0);
	assert_int_equal(e.st.req_phase, REQ_PENDING);
	const struct diag *d = diag_find(&e.dl, DIAG_REQ_PENDING);
	assert_non_null(d);
	char idtxt[32];
	snprintf(idtxt, sizeof(idtxt), "request %ld", id);
	assert_non_null(strstr(d->message, idtxt));
	assert_non_null(strstr(d->message, "the CA says \"Certificate Pending\""));
	assert_non_null(strstr(d->fix, "run again"));
	assert_int_equal(lab_requests(), before + 1);
	size_t kl1, kl2, cl1, cl2;
	char *k1 = slurp(e.st.key_path, &kl1), *c1 = slurp(e.st.csr_path, &cl1);

	/* run again (after a restart): still pending, nothing resubmitted */
	env_restart(&e);
	config_set_str(&e.cfg.ca_template, "OpsMgrManual");   /* the same answers */
	assert_int_equal(e.st.req_phase, REQ_PENDING);
	assert_int_equal(env_run(&e, NULL), ST_PENDING);
	assert_int_equal(e.st.request_id, id);
	d = diag_find(&e.dl, DIAG_REQ_PENDING);
	assert_non_null(strstr(d->message, "still pending"));
	assert_int_equal(lab_requests(), before + 1);

	/* the CA manager issues it; the next run fetches it */
	lab_act("approve", id);
	env_restart(&e);
	config_set_str(&e.cfg.ca_template, "OpsMgrManual");   /* the same answers */
	assert_int_equal(env_run(&e, NULL), ST_OK);
	check_issued(&e);
	assert_int_equal(e.st.request_id, id);
	assert_int_equal(lab_requests(), before + 1);   /* no second request */
	char *k2 = slurp(e.st.key_path, &kl2), *c2 = slurp(e.st.csr_path, &cl2);
	assert_int_equal(kl1, kl2);
	assert_memory_equal(k1, k2, kl1);   /* the same key all along */
	assert_int_equal(cl1, cl2);
	assert_memory_equal(c1, c2, cl1);
	free(k1);
	free(k2);
	free(c1);
	free(c2);
	env_free(&e);
}

static void test_pending_deny(void **state)
{
	struct env e;
	env_open(&e, NULL);
	config_set_str(&e.cfg.ca_template, "OpsMgrManual");
	assert_int_equal(env_run(&e, NULL), ST_PENDING);
	long id = e.st.request_id;
	lab_act("deny", id);
	env_restart(&e);
	config_set_str(&e.cfg.ca_template, "OpsMgrManual");   /* the same answers */
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	const struct diag *d = find_fail(&e, DIAG_REQ_DENIED);
	assert_non_null(strstr(d->message, "denied"));
	assert_non_null(strstr(d->message, "Denied by"));
	assert_non_null(strstr(d->message, "(CERTSRV_E_ADMIN_DENIED_REQUEST): a CA "
				       "manager or administrator denied"));
	assert_null(d->field);
	assert_string_equal(d->fix, hresult_find(0x80094014UL)->fix);
	assert_int_equal(e.st.req_phase, REQ_DENIED);
	assert_int_equal(e.st.request_id, id);
	assert_non_null(strstr(e.st.disposition, "Denied"));
	env_free(&e);
}

/* The wizard's path: a pending request whose template changed is not
 * checked again silently; the stage asks (ST_NEED_CONFIRM at ca.template),
 * and once the operator confirms it archives the request and sends anew. */
static void test_pending_changed_needs_confirm(void **state)
{
	struct env e;
	env_open(&e, NULL);
	config_set_str(&e.cfg.ca_template, "OpsMgrManual");
	assert_int_equal(env_run(&e, NULL), ST_PENDING);
	long id = e.st.request_id;
	int before = lab_requests();
	env_restart(&e);              /* the answers file says OpsMgr */
	assert_int_equal(env_run(&e, NULL), ST_NEED_CONFIRM);
	const struct diag *d = diag_find(&e.dl, DIAG_REQ_CHANGED);
	assert_non_null(d);
	assert_string_equal(d->field, "ca.template");
	assert_int_equal(e.st.req_phase, REQ_PENDING);
	assert_int_equal(e.st.request_id, id);
	assert_int_equal(lab_requests(), before);

	e.c.confirm_abandon = true;
	assert_int_equal(env_run(&e, NULL), ST_OK);
	check_issued(&e);
	assert_true(e.st.request_id != id);
	assert_int_equal(lab_requests(), before + 1);
	d = diag_find(&e.dl, DIAG_REQ_ARCHIVE);
	assert_non_null(d);
	char idtxt[48];
	snprintf(idtxt, sizeof(idtxt), "archived request %ld (pending", id);
	assert_non_null(strstr(d->message, idtxt));
	env_free(&e);
}

static void test_unknown_request_id(void **state)
{
	struct env e;
	env_open(&e, NULL);
	config_set_str(&e.cfg.ca_template, "OpsMgrManual");
	assert_int_equal(env_run(&e, NULL), ST_PENDING);
	e.st.request_id = 987654;      /* a request the CA never saw */
	struct diag_list tmp;
	diag_list_init(&tmp);
	assert_int_equal(state_save(&e.st, e.dir, &tmp), 0);
	diag_list_release(&tmp);
	env_restart(&e);
	config_set_str(&e.cfg.ca_template, "OpsMgrManual");   /* the same answers */
	int before = lab_requests();
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	const struct diag *d = find_fail(&e, DIAG_REQ_RETRIEVE);
	assert_non_null(strstr(d->message, "has no request 987654"));
	assert_non_null(strstr(d->message, "property value is empty"));
	assert_non_null(strstr(d->message, "(CERTSRV_E_PROPERTY_EMPTY): the CA has "
				       "no request with that ID"));
	assert_int_equal(lab_requests(), before);
	assert_int_equal(e.st.req_phase, REQ_KEY_WRITTEN);
	env_free(&e);
}

static void test_tls_failure_then_trust_store(void **state)
{
	struct env e;
	char err[1024];
	env_open(&e, NULL);
	config_set_str(&e.cfg.ca_file, NULL);   /* no ca_file, empty trust store */
	int before = lab_requests();
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	const struct diag *d = find_fail(&e, DIAG_REQ_TLS);
	assert_string_equal(d->field, "ca.url");
	assert_non_null(strstr(d->message, "certificate verify failed"));
	assert_non_null(strstr(d->fix, "import the CA root first"));
	assert_int_equal(e.st.req_phase, REQ_KEY_WRITTEN);
	assert_int_equal(lab_requests(), before);

	/* stage 1's trust store (hashed directory) is enough */
	STACK_OF(X509) *root = NULL;
	assert_int_equal(x509_load_certs_file(L.root_pem, &root, err, sizeof(err)), 0);
	assert_int_equal(truststore_add(ctx_trust_store(&e.c), sk_X509_value(root, 0),
					NULL, NULL, err, sizeof(err)), 0);
	OSSL_STACK_OF_X509_free(root);
	env_restart(&e);
	config_set_str(&e.cfg.ca_file, NULL);
	assert_int_equal(env_run(&e, NULL), ST_OK);
	check_issued(&e);
	env_free(&e);
}

struct cancel_at {
	const char *when;     /* cancel once a progress line contains this */
	int armed;
	int progress;
	struct timespec t0;
	long after_ms;        /* or: cancel this long after start (0 = off) */
};

static void cancel_progress(void *ud, const char *what, double f)
{
	struct cancel_at *c = ud;
	c->progress++;
	if (c->when && strstr(what, c->when))
		c->armed = 1;
}

static int cancel_poll(void *ud)
{
	struct cancel_at *c = ud;
	if (c->after_ms) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (now.tv_sec - c->t0.tv_sec) * 1000 +
			  (now.tv_nsec - c->t0.tv_nsec) / 1000000;
		if (ms >= c->after_ms)
			c->armed = 1;
	}
	return c->armed;
}

static void test_killed_mid_submission(void **state)
{
	struct env e;
	env_open(&e, NULL);
	/* stop exactly when the POST starts: the state says SUBMITTING */
	struct cancel_at ca = {.when = "submitting"};
	struct hooks h = {cancel_progress, cancel_poll, NULL, &ca};
	int before = lab_requests();
	assert_int_equal(env_run(&e, &h), ST_CANCELLED);
	assert_int_equal(e.st.req_phase, REQ_SUBMITTING);
	assert_non_null(diag_find(&e.dl, DIAG_CANCELLED));
	size_t kl1, kl2, cl1, cl2;
	char *k1 = slurp(e.st.key_path, &kl1), *c1 = slurp(e.st.csr_path, &cl1);

	env_restart(&e);
	assert_int_equal(e.st.req_phase, REQ_SUBMITTING);
	assert_int_equal(env_run(&e, NULL), ST_OK);
	const struct diag *d = diag_find(&e.dl, DIAG_REQ_SUBMIT);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "an earlier submission may have reached the CA"));
	check_issued(&e);
	char *k2 = slurp(e.st.key_path, &kl2), *c2 = slurp(e.st.csr_path, &cl2);
	assert_int_equal(kl1, kl2);
	assert_memory_equal(k1, k2, kl1);
	assert_int_equal(cl1, cl2);
	assert_memory_equal(c1, c2, cl1);
	assert_int_equal(lab_requests(), before + 1);
	free(k1);
	free(k2);
	free(c1);
	free(c2);
	env_free(&e);
}

static void test_cancel_keygen(void **state)
{
	struct env e;
	env_open(&e, NULL);
	e.cfg.key_bits = 4096;
	struct cancel_at ca = {.when = "RSA key"};
	struct hooks h = {cancel_progress, cancel_poll, NULL, &ca};
	assert_int_equal(env_run(&e, &h), ST_CANCELLED);
	char *kp = ctx_path(&e.c, REQUEST_KEY_FILE);
	assert_false(fs_exists(kp));
	assert_int_equal(e.st.req_phase, REQ_NONE);
	free(kp);
	env_free(&e);
}

static void test_ca_never_answers(void **state)
{
	struct tls_stub *s = tls_stub_start(TLS_STUB_SILENT, NULL, NULL, NULL, 0);
	assert_non_null(s);
	char url[128];
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/certsrv/", tls_stub_port(s));

	/* the configured timeout ends it */
	struct env e;
	env_open(&e, NULL);
	config_set_str(&e.cfg.ca_url, url);
	e.cfg.ca_timeout = 2;
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	const struct diag *d = find_fail(&e, DIAG_REQ_TIMEOUT);
	assert_string_equal(d->field, "ca.url");
	assert_non_null(strstr(d->message, url));
	assert_non_null(strstr(d->fix, "run again"));
	assert_non_null(strstr(d->fix, "ca.timeout (now 2 s)"));
	assert_int_equal(e.st.req_phase, REQ_SUBMITTING);   /* may have reached */

	/* and with a long timeout, Esc (hooks) ends it instead */
	env_restart(&e);
	config_set_str(&e.cfg.ca_url, url);
	e.cfg.ca_timeout = 120;
	struct cancel_at ca = {.after_ms = 300};
	clock_gettime(CLOCK_MONOTONIC, &ca.t0);
	struct hooks h = {cancel_progress, cancel_poll, NULL, &ca};
	assert_int_equal(env_run(&e, &h), ST_CANCELLED);
	assert_null(diag_find(&e.dl, DIAG_REQ_TIMEOUT));
	assert_int_equal(e.st.req_phase, REQ_SUBMITTING);
	env_free(&e);
	tls_stub_stop(s);
}

static void test_ca_answers_garbage(void **state)
{
	static const char page[] =
		"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
		"<html><head><title>Welcome to nginx!</title><style>b{}</style></head>"
		"<body><h1>Welcome to nginx!</h1><p>If you see this page, the web "
		"server is working.</p></body></html>";
	struct tls_stub *s = tls_stub_start(TLS_STUB_REPLY, stub_cert, stub_key, page,
					    sizeof(page) - 1);
	assert_non_null(s);
	char url[128];
	snprintf(url, sizeof(url), "https://localhost:%d/certsrv/", tls_stub_port(s));
	struct env e;
	env_open(&e, NULL);
	config_set_str(&e.cfg.ca_url, url);
	config_set_str(&e.cfg.ca_file, stub_root);
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	const struct diag *d = find_fail(&e, DIAG_REQ_SUBMIT);
	assert_string_equal(d->field, "ca.url");
	assert_non_null(strstr(d->message, "Welcome to nginx!"));
	assert_non_null(strstr(d->message, "web server is working"));
	assert_null(strstr(d->message, "<h1>"));
	assert_null(strstr(d->message, "unknown error"));
	char *req = tls_stub_last_request(s);
	assert_non_null(strstr(req, "POST /certsrv/certfnsh.asp"));
	assert_non_null(strstr(req, "Mode=newreq&CertRequest=-----BEGIN%20CERTIFICATE%20REQUEST"));
	assert_non_null(strstr(req, "CertAttrib=CertificateTemplate%3AOpsMgr"));
	assert_non_null(strstr(req, "TargetStoreFlags=0&SaveCert=yes"));
	free(req);
	env_free(&e);
	tls_stub_stop(s);
}

/* A CA in another language (a stub serving a localized page of
 * tests/data/certsrv): stage 2 quotes the CA's own words, names the
 * HRESULT, explains it, and puts the fix at the HRESULT's field. */
static const struct {
	const char *file;
	enum diag_check check;
	const char *field;
	const char *words;      /* the CA's words, in its language */
	unsigned long code;     /* the HRESULT named: its symbol and cause */
	enum request_phase phase;
} FOREIGN[] = {
	{ "denied-zh.html", DIAG_REQ_DENIED, "ca.user",
	  "\"\xe8\xa2\xab\xe7\xad\x96\xe7\x95\xa5\xe6\xa8\xa1\xe5\x9d\x97"
	  "\xe6\x8b\x92\xe7\xbb\x9d 0x80094012", 0x80094012UL, REQ_DENIED },
	{ "denied-fr-subject.html", DIAG_REQ_DENIED, "computer.fqdn",
	  "\"Refus\xc3\xa9 par le module de strat\xc3\xa9gie 0x8009480f",
	  0x8009480FUL, REQ_DENIED },
	{ "denied-de.html", DIAG_REQ_TEMPLATE, "ca.template",
	  "\"Vom Richtlinienmodul verweigert 0x80094800", 0x80094800UL,
	  REQ_DENIED },
	{ "error-de-access.html", DIAG_REQ_SUBMIT, "ca.user",
	  "reported an error: \"Zugriff verweigert 0x80070005 (WIN32: 5 "
	  "ERROR_ACCESS_DENIED)\"", 0x80070005UL,
	  REQ_KEY_WRITTEN },
};

static void test_foreign_ca_words(void **state)
{
	for (size_t i = 0; i < sizeof(FOREIGN) / sizeof(FOREIGN[0]); i++) {
		size_t blen;
		char *body = test_data_load("certsrv", FOREIGN[i].file, &blen);
		assert_non_null(body);
		char head[160];
		int hl = snprintf(head, sizeof(head),
				  "HTTP/1.1 200 OK\r\nContent-Type: text/html; "
				  "charset=utf-8\r\nContent-Length: %zu\r\n"
				  "Connection: close\r\n\r\n", blen);
		char *page = malloc((size_t)hl + blen);
		assert_non_null(page);
		memcpy(page, head, (size_t)hl);
		memcpy(page + hl, body, blen);
		struct tls_stub *s = tls_stub_start(TLS_STUB_REPLY, stub_cert,
						    stub_key, page, (size_t)hl + blen);
		assert_non_null(s);
		char url[128];
		snprintf(url, sizeof(url), "https://localhost:%d/certsrv/",
			 tls_stub_port(s));
		struct env e;
		env_open(&e, NULL);
		config_set_str(&e.cfg.ca_url, url);
		config_set_str(&e.cfg.ca_file, stub_root);
		assert_int_equal(env_run(&e, NULL), ST_FAIL);
		const struct diag *d = find_fail(&e, FOREIGN[i].check);
		const struct hresult_info *hr = hresult_find(FOREIGN[i].code);
		char named[256];
		snprintf(named, sizeof(named), "\" (%s): %s", hr->symbol, hr->cause);
		print_message("%s: [%s] %s\n", FOREIGN[i].file, d->field, d->message);
		assert_string_equal(d->field, FOREIGN[i].field);
		assert_non_null(strstr(d->message, FOREIGN[i].words));
		assert_non_null(strstr(d->message, named));
		assert_string_equal(d->fix, hr->fix);
		assert_int_equal(e.st.req_phase, FOREIGN[i].phase);
		env_free(&e);
		tls_stub_stop(s);
		free(page);
		free(body);
	}
}

static void test_offline(void **state)
{
	struct env e;
	char err[1024];
	env_open(&e, NULL);
	char *base = fs_dirname(e.dir);
	char *csr_out = fs_join(base, "agent01.csr");
	e.c.request_action = REQ_ACT_SAVE_CSR;
	e.c.offline_csr_path = strdup(csr_out);
	assert_int_equal(env_run(&e, NULL), ST_PENDING);
	const struct diag *d = diag_find(&e.dl, DIAG_REQ_OFFLINE);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_PASS);
	assert_non_null(strstr(d->fix, "CertificateTemplate:OpsMgr"));
	X509_REQ *req = csr_load_file(csr_out, err, sizeof(err));
	assert_non_null(req);
	char *cn = csr_subject_cn(req);
	assert_string_equal(cn, "agent01.lab.test");
	free(cn);
	X509_REQ_free(req);
	assert_int_equal(e.st.req_phase, REQ_KEY_WRITTEN);

	/* the operator submits it by hand (here: with our client) */
	size_t cl;
	char *pem = slurp(csr_out, &cl);
	struct http_opts o;
	struct secret pw = {0};
	struct certsrv_result res;
	secret_set(&pw, L.password, strlen(L.password));
	http_opts_init(&o);
	o.ca_file = L.root_pem;
	o.auth = AUTH_BASIC;
	o.user = L.user;
	o.password = &pw;
	assert_int_equal(certsrv_submit(&o, L.ca_url, pem, "OpsMgr", NULL, &res), HTTP_OK);
	assert_int_equal(res.ans.kind, CERTSRV_ISSUED);
	long id = res.ans.request_id;
	certsrv_result_release(&res);
	assert_int_equal(certsrv_retrieve(&o, L.ca_url, id, NULL, &res), HTTP_OK);
	assert_int_equal(res.ans.kind, CERTSRV_CERT);
	char *cert_file = fs_join(base, "issued.cer");
	assert_int_equal(fs_write_atomic(cert_file, res.cert, res.cert_len, 0644, err,
					 sizeof(err)), 0);
	certsrv_result_release(&res);
	secret_wipe(&pw);
	free(pem);

	/* a certificate for some other key is refused */
	struct env other;
	env_open(&other, NULL);
	assert_int_equal(env_run(&other, NULL), ST_OK);
	env_restart(&e);
	e.c.request_action = REQ_ACT_IMPORT_CERT;
	e.c.import_cert_path = strdup(other.st.cert_path);
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	d = find_fail(&e, DIAG_REQ_CERT_MATCH);
	assert_non_null(strstr(d->message, "does not belong to the private key"));
	assert_int_equal(e.st.req_phase, REQ_KEY_WRITTEN);
	env_free(&other);

	/* not a certificate at all: the formats tried are named */
	env_restart(&e);
	e.c.request_action = REQ_ACT_IMPORT_CERT;
	e.c.import_cert_path = strdup(csr_out);
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	d = find_fail(&e, DIAG_REQ_OFFLINE);
	assert_non_null(strstr(d->message, "tried"));

	/* the right one is imported */
	env_restart(&e);
	e.c.request_action = REQ_ACT_IMPORT_CERT;
	e.c.import_cert_path = strdup(cert_file);
	assert_int_equal(env_run(&e, NULL), ST_OK);
	assert_int_equal(e.st.req_phase, REQ_ISSUED);
	assert_true(fs_exists(e.st.cert_path));
	d = diag_find(&e.dl, DIAG_REQ_CERT_MATCH);
	assert_int_equal(d->sev, SEV_PASS);

	free(cert_file);
	free(csr_out);
	free(base);
	env_free(&e);
}

static void test_validation(void **state)
{
	struct env e;
	env_open(&e, NULL);
	static const struct {
		const char *fqdn, *why;
	} bad[] = {
		{"agent01", "no domain part"},
		{"-agent.example.com", "starts or ends with '-'"},
		{"agent..example.com", "empty label"},
		{"agent_01.example.com", "contains '_'"},
		{"agent01.example.com.", "trailing dot"},
		{"192.168.1.10", "IP address"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_set_str(&e.cfg.fqdn, bad[i].fqdn);
		assert_int_equal(env_run(&e, NULL), ST_FAIL);
		const struct diag *d = diag_find_field(&e.dl, "computer.fqdn", SEV_FAIL);
		assert_non_null(d);
		assert_non_null(strstr(d->message, bad[i].why));
		assert_int_equal(e.st.req_phase, REQ_NONE);   /* nothing made */
	}
	char longname[300];
	memset(longname, 'a', sizeof(longname));
	for (int i = 50; i < 290; i += 51)
		longname[i] = '.';
	longname[299] = '\0';
	config_set_str(&e.cfg.fqdn, longname);
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	assert_non_null(strstr(diag_find_field(&e.dl, "computer.fqdn", SEV_FAIL)->message,
			       "253"));
	config_set_str(&e.cfg.fqdn, "agent01.lab.test");

	e.cfg.key_bits = 512;
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	assert_non_null(diag_find_field(&e.dl, "key.bits", SEV_FAIL));
	e.cfg.key_bits = 2048;

	config_set_str(&e.cfg.ca_url, "http://127.0.0.1:1/certsrv/");
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	assert_non_null(strstr(diag_find_field(&e.dl, "ca.url", SEV_FAIL)->message,
			       "plain http"));
	config_set_str(&e.cfg.ca_url, "ca.example.com/certsrv/");
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	assert_non_null(diag_find_field(&e.dl, "ca.url", SEV_FAIL));
	config_set_str(&e.cfg.ca_url, "https://u:pw@127.0.0.1/certsrv/");
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	assert_null(strstr(diag_find_field(&e.dl, "ca.url", SEV_FAIL)->message, "pw@"));
	config_set_str(&e.cfg.ca_url, L.ca_url);

	config_set_str(&e.cfg.ca_template, "");
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	assert_non_null(diag_find_field(&e.dl, "ca.template", SEV_FAIL));
	config_set_str(&e.cfg.ca_template, "OpsMgr");

	config_set_str(&e.cfg.ca_user, NULL);
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	assert_non_null(diag_find_field(&e.dl, "ca.user", SEV_FAIL));
	config_set_str(&e.cfg.ca_user, L.user);

	config_set_str(&e.cfg.ca_password_file, NULL);
	secret_wipe(&e.c.ca_password);
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	assert_non_null(diag_find_field(&e.dl, "ca.password", SEV_FAIL));

	e.cfg.ca_auth = AUTH_CERT;
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	assert_non_null(diag_find_field(&e.dl, "ca.client_cert", SEV_FAIL));
	assert_int_equal(e.st.req_phase, REQ_NONE);

	/* a 1024-bit key is a warning, not a failure */
	char why[256];
	assert_int_equal(request_fqdn_check("a-b.c0.example", why, sizeof(why)), 0);
	env_free(&e);
}

static void test_detected_fqdn(void **state)
{
	char err[512];
	char *det = request_detect_fqdn(err, sizeof(err));
	struct env e;
	env_open(&e, NULL);
	config_set_str(&e.cfg.fqdn, NULL);
	config_set_str(&e.cfg.ca_url, "http://127.0.0.1:1/");   /* stop early */
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	if (det) {
		assert_string_equal(e.st.fqdn, det);
		assert_non_null(diag_find_field(&e.dl, "ca.url", SEV_FAIL));
	} else {
		const struct diag *d = diag_find_field(&e.dl, "computer.fqdn", SEV_FAIL);
		assert_non_null(d);
		assert_non_null(strstr(d->message, "cannot detect"));
	}
	free(det);
	env_free(&e);
}


static void lab_opts(struct http_opts *o, struct secret *pw)
{
	secret_set(pw, L.password, strlen(L.password));
	http_opts_init(o);
	o->ca_file = L.root_pem;
	o->auth = AUTH_BASIC;
	o->user = L.user;
	o->password = pw;
}

static void test_certsrv_client(void **state)
{
	struct http_opts o;
	struct secret pw = {0};
	struct certsrv_result res;
	struct diag_list dl;
	char err[1024];
	unsigned char *data = NULL;
	size_t len = 0;
	lab_opts(&o, &pw);
	diag_list_init(&dl);

	/* the CA chain (stage 1's source) holds the lab root */
	assert_int_equal(certsrv_fetch_ca_chain(&o, L.ca_url, NULL, &data, &len, &dl), 0);
	STACK_OF(X509) *got = NULL, *root = NULL;
	assert_int_equal(x509_load_certs(data, len, &got, err, sizeof(err)), 0);
	assert_int_equal(x509_load_certs_file(L.root_pem, &root, err, sizeof(err)), 0);
	int found = 0;
	for (int i = 0; i < sk_X509_num(got); i++)
		found |= X509_cmp(sk_X509_value(got, i), sk_X509_value(root, 0)) == 0;
	assert_true(found);
	OSSL_STACK_OF_X509_free(got);
	OSSL_STACK_OF_X509_free(root);
	free(data);
	assert_int_equal(diag_worst(&dl), SEV_PASS);

	/* a pending request through submit, chkpnd, approve, chkpnd, retrieve,
	 * with a key the stage made */
	EVP_PKEY *k = NULL;
	{
		struct env e;
		env_open(&e, NULL);
		config_set_str(&e.cfg.ca_template, "OpsMgrManual");
		assert_int_equal(env_run(&e, NULL), ST_PENDING);
		k = x509_load_key_file(e.st.key_path, err, sizeof(err));
		env_free(&e);
	}
	assert_non_null(k);
	char *pem = NULL;
	{
		X509_REQ *q = csr_build(k, "api.lab.test", err, sizeof(err));
		assert_non_null(q);
		pem = csr_to_pem(q);
		X509_REQ_free(q);
	}
	assert_int_equal(certsrv_submit(&o, L.ca_url, pem, "OpsMgrManual", NULL, &res), HTTP_OK);
	assert_int_equal(res.ans.kind, CERTSRV_PENDING);
	long id = res.ans.request_id;
	assert_true(id > 0);
	certsrv_result_release(&res);
	assert_int_equal(certsrv_check_pending(&o, L.ca_url, id, NULL, &res), HTTP_OK);
	assert_int_equal(res.ans.kind, CERTSRV_PENDING);
	assert_int_equal(res.ans.request_id, id);
	certsrv_result_release(&res);
	assert_int_equal(certsrv_retrieve(&o, L.ca_url, id, NULL, &res), HTTP_OK);
	assert_int_equal(res.ans.kind, CERTSRV_PENDING);
	certsrv_result_release(&res);
	lab_act("approve", id);
	assert_int_equal(certsrv_check_pending(&o, L.ca_url, id, NULL, &res), HTTP_OK);
	assert_int_equal(res.ans.kind, CERTSRV_ISSUED);
	assert_int_equal(res.ans.request_id, id);
	certsrv_result_release(&res);
	assert_int_equal(certsrv_retrieve(&o, L.ca_url, id, NULL, &res), HTTP_OK);
	assert_int_equal(res.ans.kind, CERTSRV_CERT);
	assert_int_equal(x509_load_certs(res.cert, res.cert_len, &got, err, sizeof(err)), 0);
	assert_int_equal(x509_key_matches(sk_X509_value(got, 0), k), 1);
	OSSL_STACK_OF_X509_free(got);
	certsrv_result_release(&res);
	assert_int_equal(certsrv_fetch_chain(&o, L.ca_url, id, NULL, &data, &len, err,
					     sizeof(err)), HTTP_OK);
	assert_int_equal(x509_load_certs(data, len, &got, err, sizeof(err)), 0);
	assert_true(sk_X509_num(got) >= 2);   /* leaf and its issuer(s) */
	OSSL_STACK_OF_X509_free(got);
	free(data);
	assert_int_equal(certsrv_retrieve(&o, L.ca_url, 99999999, NULL, &res), HTTP_OK);
	assert_int_equal(res.ans.kind, CERTSRV_NO_SUCH_REQUEST);
	certsrv_result_release(&res);
	free(pem);
	EVP_PKEY_free(k);

	/* wrong password: a failed trust-source diagnostic naming the 401 */
	secret_set(&pw, "nope", 4);
	diag_list_clear(&dl);
	assert_int_equal(certsrv_fetch_ca_chain(&o, L.ca_url, NULL, &data, &len, &dl), -1);
	const struct diag *d = diag_find(&dl, DIAG_TRUST_SOURCE);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_FAIL);
	assert_non_null(strstr(d->message, "401"));
	assert_non_null(strstr(d->message, "Basic"));
	assert_null(data);
	diag_list_release(&dl);
	secret_wipe(&pw);
}

static void test_ca_chain_from_odd_server(void **state)
{
	/* a server with no nRenewals and no certificates anywhere */
	static const char page[] =
		"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
		"<html><body><p>The Certification Authority Service has not been "
		"started.</p></body></html>";
	struct tls_stub *s = tls_stub_start(TLS_STUB_REPLY, stub_cert, stub_key, page,
					    sizeof(page) - 1);
	assert_non_null(s);
	char url[128];
	snprintf(url, sizeof(url), "https://localhost:%d/certsrv", tls_stub_port(s));
	struct http_opts o;
	struct diag_list dl;
	unsigned char *data = NULL;
	size_t len = 0;
	http_opts_init(&o);
	o.ca_file = stub_root;
	diag_list_init(&dl);
	assert_int_equal(certsrv_fetch_ca_chain(&o, url, NULL, &data, &len, &dl), -1);
	assert_null(data);
	const struct diag *info = diag_find(&dl, DIAG_TRUST_SOURCE);
	assert_non_null(info);
	assert_int_equal(info->sev, SEV_INFO);
	assert_non_null(strstr(info->message, "nRenewals"));
	assert_non_null(strstr(info->message, "has not been started"));
	assert_int_equal(diag_worst(&dl), SEV_FAIL);
	const struct diag *f = &dl.items[dl.n - 1];
	assert_non_null(strstr(f->message, "base64"));
	assert_non_null(strstr(f->message, "binary"));
	assert_non_null(strstr(f->message, "has not been started"));
	assert_int_equal(tls_stub_requests(s), 3);   /* certcarc, b64, bin */
	char *req = tls_stub_last_request(s);
	assert_non_null(strstr(req, "GET /certsrv/certnew.p7b?ReqID=CACert&Renewal=0&Enc=bin"));
	free(req);
	diag_list_release(&dl);
	tls_stub_stop(s);
}


static int lab2_requests(const struct lab *l)
{
	const char *args[] = {"list", "--dir", l->dir, NULL};
	char *out = NULL;
	int n = 0;
	assert_int_equal(lab_cmd(args, &out), 0);
	for (char *p = out; p && (p = strstr(p, "request ")); p++)
		if (p == out || p[-1] == '\n')
			n++;
	free(out);
	return n;
}

static void test_slow_ca_post_times_out(void **state)
{
	/* a CA that takes 3 s per submission, asked with a 1 s timeout: the
	 * POST reached it, so the next run says so and sends the same CSR */
	struct lab L2;
	const char *const extra[] = {"--delay-submit", "3", NULL};
	memset(&L2, 0, sizeof(L2));
	assert_int_equal(lab_start(&L2, NULL, extra), 0);
	struct env e;
	env_open(&e, NULL);
	config_set_str(&e.cfg.ca_url, L2.ca_url);
	config_set_str(&e.cfg.ca_file, L2.root_pem);
	config_set_str(&e.cfg.ca_password_file, L2.password_file);
	e.cfg.ca_timeout = 1;
	assert_int_equal(env_run(&e, NULL), ST_FAIL);
	const struct diag *d = find_fail(&e, DIAG_REQ_TIMEOUT);
	assert_string_equal(d->field, "ca.url");
	assert_int_equal(e.st.req_phase, REQ_SUBMITTING);
	size_t cl1, cl2;
	char *c1 = slurp(e.st.csr_path, &cl1);

	env_restart(&e);
	config_set_str(&e.cfg.ca_url, L2.ca_url);
	config_set_str(&e.cfg.ca_file, L2.root_pem);
	config_set_str(&e.cfg.ca_password_file, L2.password_file);
	e.cfg.ca_timeout = 30;
	assert_int_equal(env_run(&e, NULL), ST_OK);
	d = diag_find(&e.dl, DIAG_REQ_SUBMIT);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "may have reached the CA"));
	check_issued(&e);
	char *c2 = slurp(e.st.csr_path, &cl2);
	assert_int_equal(cl1, cl2);
	assert_memory_equal(c1, c2, cl1);          /* the same request */
	/* the CA recorded the lost first POST as well: the warning was true */
	assert_int_equal(lab2_requests(&L2), 2);
	free(c1);
	free(c2);
	env_free(&e);
	lab_stop(&L2);
}

static int group_setup(void **state)
{
	if (lab_start(&L, NULL, NULL) != 0)
		return -1;
	stub_dir = test_mkdtemp("request-stub-");
	if (!stub_dir || tls_stub_make_certs(stub_dir, &stub_root, &stub_cert, &stub_key) != 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	lab_stop(&L);
	test_rm_rf(stub_dir);
	free(stub_dir);
	free(stub_root);
	free(stub_cert);
	free(stub_key);
	http_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issued),
		cmocka_unit_test(test_webserver_issues),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_unknown_template),
		cmocka_unit_test(test_pending_approve),
		cmocka_unit_test(test_pending_deny),
		cmocka_unit_test(test_pending_changed_needs_confirm),
		cmocka_unit_test(test_unknown_request_id),
		cmocka_unit_test(test_foreign_ca_words),
		cmocka_unit_test(test_tls_failure_then_trust_store),
		cmocka_unit_test(test_killed_mid_submission),
		cmocka_unit_test(test_cancel_keygen),
		cmocka_unit_test(test_ca_never_answers),
		cmocka_unit_test(test_ca_answers_garbage),
		cmocka_unit_test(test_offline),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_detected_fqdn),
		cmocka_unit_test(test_certsrv_client),
		cmocka_unit_test(test_ca_chain_from_odd_server),
		cmocka_unit_test(test_slow_ca_post_times_out),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
