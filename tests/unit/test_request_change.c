/*
 * test_request_change.c - stage 2 decides by what changed: the decision
 * table (phase x what changed x --new-key x --abandon-pending), which
 * recorded inputs count as a key change, a request change or nothing
 * (credentials), request_needs_confirm's warning at the changed field;
 * and the archive: files moved into a 0700 folder with 0600 files and a
 * manifest, a kept key stays (its CSR copied), the state saved before the
 * old files go, an interrupted archive neither archived twice nor lost,
 * temp folders and leftover links cleaned up, history read newest first;
 * a due renewal: a new key with nothing changed, the PFX copied into the
 * archive and left in place, the renewal marked running in the same save,
 * never archived a second time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certgen.h"
#include "core/fsutil.h"
#include "core/stage_inputs.h"
#include "lab_harness.h"
#include "pki/csr.h"
#include "stages/request_history.h"
#include "stages/request_int.h"

/* ---- the decision table ---------------------------------------------- */

#define K REQ_CHANGED_KEY_INPUT
#define R REQ_CHANGED_REQ_INPUT
#define N REQ_CHANGED_RENEWAL

static void test_decision_table(void **st)
{
	static const struct {
		enum request_phase phase;
		unsigned changed;
		bool new_key, abandon;
		enum req_change change;
		bool archive, confirm;
	} T[] = {
		/* nothing made, or nothing changed: today's behaviour */
		{ REQ_NONE, K | R, true, false, REQ_CHANGE_NONE, false, false },
		{ REQ_ISSUED, 0, true, false, REQ_CHANGE_NONE, false, false },
		{ REQ_PENDING, 0, false, false, REQ_CHANGE_NONE, false, false },
		/* fqdn / key size: new key and request */
		{ REQ_ISSUED, K, false, false, REQ_CHANGE_KEY, true, false },
		{ REQ_ISSUED, K | R, false, false, REQ_CHANGE_KEY, true, false },
		{ REQ_KEY_WRITTEN, K, false, false, REQ_CHANGE_KEY, true, false },
		{ REQ_DENIED, K, false, false, REQ_CHANGE_KEY, true, false },
		/* template / CA: new request, same key unless asked */
		{ REQ_ISSUED, R, false, false, REQ_CHANGE_REQUEST, true, false },
		{ REQ_ISSUED, R, true, false, REQ_CHANGE_KEY, true, false },
		{ REQ_DENIED, R, false, false, REQ_CHANGE_REQUEST, true, false },
		/* nothing sent yet: the key and CSR serve the new template */
		{ REQ_KEY_WRITTEN, R, false, false, REQ_CHANGE_NONE, false, false },
		{ REQ_KEY_WRITTEN, R, true, false, REQ_CHANGE_KEY, true, false },
		/* the CA holds it (or may): only when confirmed */
		{ REQ_PENDING, R, false, false, REQ_CHANGE_REQUEST, true, true },
		{ REQ_PENDING, R, false, true, REQ_CHANGE_REQUEST, true, false },
		{ REQ_PENDING, K, false, false, REQ_CHANGE_KEY, true, true },
		{ REQ_SUBMITTING, R, false, false, REQ_CHANGE_REQUEST, true, true },
		{ REQ_SUBMITTING, K, true, true, REQ_CHANGE_KEY, true, false },
		/* a renewal due: a new key and request, nothing else changed */
		{ REQ_ISSUED, N, false, false, REQ_CHANGE_KEY, true, false },
		{ REQ_ISSUED, N | R, false, false, REQ_CHANGE_KEY, true, false },
		{ REQ_NONE, N, false, false, REQ_CHANGE_NONE, false, false },
		{ REQ_PENDING, N, false, false, REQ_CHANGE_KEY, true, true },
	};
	for (size_t i = 0; i < sizeof(T) / sizeof(T[0]); i++) {
		struct req_decision d;
		req_decide(T[i].phase, T[i].changed, T[i].new_key, T[i].abandon,
			   &d);
		if (d.change != T[i].change || d.archive != T[i].archive ||
		    d.confirm != T[i].confirm ||
		    d.renewal != (d.archive && (T[i].changed & N)))
			fail_msg("row %zu: phase %s changed %u: got change %d "
				 "archive %d confirm %d", i,
				 request_phase_name(T[i].phase), T[i].changed,
				 d.change, d.archive, d.confirm);
	}
}

/* ---- a context with a recorded request -------------------------------- */

struct fx {
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
	char *dir;
	int checkpoints, fail_checkpoint;
};

static int count_checkpoint(struct ctx *c, struct diag_list *dl)
{
	struct fx *f = c->checkpoint_ud;
	f->checkpoints++;
	return f->fail_checkpoint ? -1 : 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	config_init(&f->cfg);
	state_init(&f->st);
	diag_list_init(&f->dl);
	f->dir = test_mkdtemp("reqchange");
	ctx_init(&f->c, &f->cfg, &f->st, f->dir);
	f->c.checkpoint = count_checkpoint;
	f->c.checkpoint_ud = f;
	config_set_str(&f->cfg.fqdn, "agent01.lab.test");
	config_set_str(&f->cfg.ca_url, "https://ca.lab.test/certsrv/");
	config_set_str(&f->cfg.ca_template, "WebServer");
	config_set_str(&f->cfg.ca_user, "alice");
	f->st.req_phase = REQ_ISSUED;
	f->st.request_id = 7;
	state_set_str(&f->st.request_ca_url, "https://ca.lab.test/certsrv/");
	state_set_str(&f->st.request_template, "WebServer");
	state_set_str(&f->st.fqdn, "agent01.lab.test");
	f->st.stage[STAGE_REQUEST] = STAGE_ST_DONE;
	assert_int_equal(stage_inputs_record(&f->c, STAGE_REQUEST), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	ctx_release(&f->c);
	state_release(&f->st);
	config_release(&f->cfg);
	diag_list_release(&f->dl);
	test_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void test_changed_inputs(void **state)
{
	struct fx *f = *state;
	const char *first = NULL;
	/* credentials and timeouts are no inputs */
	config_set_str(&f->cfg.ca_user, "bob");
	config_set_str(&f->cfg.ca_password_file, "/elsewhere");
	f->cfg.ca_timeout = 99;
	assert_int_equal(req_changed_inputs(&f->c, &first), 0);
	assert_null(first);

	config_set_str(&f->cfg.ca_template, "OpsMgr");
	assert_int_equal(req_changed_inputs(&f->c, &first), R);
	assert_string_equal(first, "ca.template");
	config_set_str(&f->cfg.ca_url, "https://ca2.lab.test/certsrv/");
	assert_int_equal(req_changed_inputs(&f->c, &first), R);
	assert_string_equal(first, "ca.url");
	f->cfg.key_bits = 4096;
	assert_int_equal(req_changed_inputs(&f->c, NULL), R | K);
	config_set_str(&f->cfg.ca_template, "WebServer");
	config_set_str(&f->cfg.ca_url, "https://ca.lab.test/certsrv/");
	assert_int_equal(req_changed_inputs(&f->c, &first), K);
	assert_string_equal(first, "key.bits");
	f->cfg.key_bits = 0;
	config_set_str(&f->cfg.fqdn, "agent02.lab.test");
	assert_int_equal(req_changed_inputs(&f->c, &first), K);
	assert_string_equal(first, "computer.fqdn");
}

static void test_needs_confirm(void **state)
{
	struct fx *f = *state;
	config_set_str(&f->cfg.ca_template, "OpsMgr");
	/* issued: no question */
	assert_false(request_needs_confirm(&f->c, &f->dl));
	assert_int_equal(f->dl.n, 0);
	/* pending: the question, at the changed field, naming the request */
	f->st.req_phase = REQ_PENDING;
	assert_true(request_needs_confirm(&f->c, &f->dl));
	assert_int_equal(f->dl.n, 1);
	const struct diag *d = &f->dl.items[0];
	assert_int_equal(d->check, DIAG_REQ_CHANGED);
	assert_int_equal(d->sev, SEV_WARN);
	assert_string_equal(d->field, "ca.template");
	assert_non_null(strstr(d->message, "WebServer -> OpsMgr"));
	assert_non_null(strstr(d->message, "request 7 is still pending"));
	assert_non_null(strstr(d->fix, "--abandon-pending"));
	/* confirmed: none */
	f->c.confirm_abandon = true;
	assert_false(request_needs_confirm(&f->c, NULL));
	/* answers back: none either */
	f->c.confirm_abandon = false;
	config_set_str(&f->cfg.ca_template, "WebServer");
	assert_false(request_needs_confirm(&f->c, NULL));
}

/* ---- the archive ------------------------------------------------------ */

static char *in(const char *dir, const char *name)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* key.pem, request.csr, cert.pem, chain.pem of an issued request. */
static void write_request_files(struct fx *f)
{
	struct certgen_opts o;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	char err[256];
	certgen_opts_leaf(&o, "agent01.lab.test");
	o.fresh_key = 1;
	assert_int_equal(certgen_make(&o, &cert, &key), 0);
	char *kp = in(f->dir, "key.pem"), *cp = in(f->dir, "request.csr");
	char *xp = in(f->dir, "cert.pem"), *hp = in(f->dir, "chain.pem");
	assert_int_equal(certgen_write_key(kp, key), 0);
	X509_REQ *q = csr_build(key, "agent01.lab.test", err, sizeof(err));
	char *pem = csr_to_pem(q);
	assert_int_equal(certgen_write_file(cp, pem, strlen(pem)), 0);
	assert_int_equal(chmod(cp, 0644), 0);   /* as stage 2 writes it */
	assert_int_equal(certgen_write_pem(xp, &cert, 1), 0);
	assert_int_equal(certgen_write_pem(hp, &cert, 1), 0);
	state_set_str(&f->st.key_path, kp);
	state_set_str(&f->st.csr_path, cp);
	state_set_str(&f->st.cert_path, xp);
	state_set_str(&f->st.chain_path, hp);
	state_set_str(&f->st.cert_sha256, "ab12");
	free(pem);
	X509_REQ_free(q);
	X509_free(cert);
	EVP_PKEY_free(key);
	free(kp);
	free(cp);
	free(xp);
	free(hp);
}

static void init_run(struct fx *f, struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->c = &f->c;
	r->cfg = &f->cfg;
	r->st = &f->st;
	r->dl = &f->dl;
	r->fqdn = ctx_fqdn(&f->c);
	r->key_path = strdup(f->st.key_path);
	r->csr_path = strdup(f->st.csr_path);
}

static void release_run(struct run *r)
{
	free(r->key_path);
	free(r->csr_path);
}

static bool present(const char *dir, const char *name)
{
	char *p = in(dir, name);
	bool r = access(p, F_OK) == 0;
	free(p);
	return r;
}

static void assert_mode(const char *dir, const char *name, int mode)
{
	char *p = in(dir, name);
	struct stat sb;
	assert_int_equal(lstat(p, &sb), 0);
	if ((int)(sb.st_mode & 0777) != mode)
		fail_msg("'%s' has mode %o, not %o", p, sb.st_mode & 0777, mode);
	free(p);
}

static void test_archive_new_key(void **state)
{
	struct fx *f = *state;
	struct run r;
	struct request_history h;
	char err[256];
	write_request_files(f);
	config_set_str(&f->cfg.fqdn, "agent02.lab.test");
	struct req_decision d;
	req_decide_for(&f->c, &d);
	assert_int_equal(d.change, REQ_CHANGE_KEY);
	init_run(f, &r);
	assert_int_equal(req_archive(&r, &d), ST_OK);
	assert_int_equal(f->checkpoints, 1);

	/* the state holds no request now */
	assert_int_equal(f->st.req_phase, REQ_NONE);
	assert_int_equal(f->st.request_id, 0);
	assert_null(f->st.cert_path);
	assert_null(f->st.cert_sha256);
	assert_int_equal(f->st.stage[STAGE_REQUEST], STAGE_ST_NONE);
	/* moved, not copied */
	assert_false(present(f->dir, "key.pem"));
	assert_false(present(f->dir, "request.csr"));
	assert_false(present(f->dir, "cert.pem"));
	assert_false(present(f->dir, "chain.pem"));

	assert_int_equal(request_history_load(f->dir, &h, err, sizeof(err)), 0);
	assert_int_equal(h.n, 1);
	const struct request_archive_entry *e = &h.items[0];
	assert_non_null(strstr(e->dir, "-req7"));
	assert_int_equal(e->request_id, 7);
	assert_string_equal(e->phase, "issued");
	assert_string_equal(e->template_name, "WebServer");
	assert_string_equal(e->fqdn, "agent01.lab.test");
	assert_string_equal(e->subject, "CN=agent01.lab.test");
	assert_string_equal(e->key, "archived");
	assert_string_equal(e->files, "key.pem request.csr cert.pem chain.pem");
	assert_non_null(strstr(e->reason, "computer.fqdn agent01.lab.test -> "
				"agent02.lab.test"));
	assert_mode(e->dir, ".", 0700);
	assert_mode(e->dir, "key.pem", 0600);
	assert_mode(e->dir, "cert.pem", 0600);
	assert_mode(e->dir, REQUEST_MANIFEST_FILE, 0600);
	/* the screen/runner line names the folder and the request */
	bool said = false;
	for (size_t i = 0; i < f->dl.n; i++)
		said |= f->dl.items[i].check == DIAG_REQ_ARCHIVE &&
			strstr(f->dl.items[i].message, "request 7") &&
			strstr(f->dl.items[i].message, e->dir);
	assert_true(said);
	request_history_release(&h);
	release_run(&r);
}

/* A due renewal: a new key although no answer changed; the PFX is copied
 * into the archive and stays in place for stage 4 to replace; the state
 * saved with the old files gone says the renewal is running, so a second
 * run decides nothing more. */
static void test_archive_renewal(void **state)
{
	struct fx *f = *state;
	struct run r;
	struct request_history h;
	char err[256];
	write_request_files(f);
	char *pfx = in(f->dir, "agent01.pfx");
	assert_int_equal(certgen_write_file(pfx, "PFX bytes", 9), 0);
	state_set_str(&f->st.pfx_path, pfx);
	state_set_str(&f->st.previous_serial, "0A1B2C");
	struct req_decision d;
	req_decide_for(&f->c, &d);
	assert_int_equal(d.change, REQ_CHANGE_NONE);   /* nothing changed */
	f->st.renewal = RENEWAL_DUE;
	req_decide_for(&f->c, &d);
	assert_int_equal(d.change, REQ_CHANGE_KEY);
	assert_true(d.archive && d.renewal && !d.confirm);
	init_run(f, &r);
	assert_int_equal(req_archive(&r, &d), ST_OK);
	assert_int_equal(f->checkpoints, 1);
	assert_int_equal(f->st.renewal, RENEWAL_RUNNING);
	assert_int_equal(f->st.req_phase, REQ_NONE);
	assert_false(present(f->dir, "key.pem"));
	assert_false(present(f->dir, "cert.pem"));
	assert_true(present(f->dir, "agent01.pfx"));   /* until stage 4 */

	assert_int_equal(request_history_load(f->dir, &h, err, sizeof(err)), 0);
	assert_int_equal(h.n, 1);
	const struct request_archive_entry *e = &h.items[0];
	assert_string_equal(e->files, "key.pem request.csr cert.pem chain.pem "
			    REQUEST_ARCHIVED_PFX);
	assert_string_equal(e->key, "archived");
	assert_non_null(strstr(e->reason, "renewal of the certificate in use "
				"(serial 0A1B2C)"));
	assert_mode(e->dir, REQUEST_ARCHIVED_PFX, 0600);
	char *apfx = in(e->dir, REQUEST_ARCHIVED_PFX);
	unsigned char *b = NULL;
	size_t n = 0;
	assert_int_equal(fs_read_file(apfx, 1024, &b, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 9);
	assert_memory_equal(b, "PFX bytes", 9);
	/* the renewal is under way: nothing more to archive */
	req_decide_for(&f->c, &d);
	assert_false(d.archive);
	free(b);
	free(apfx);
	free(pfx);
	request_history_release(&h);
	release_run(&r);
}

static void test_archive_same_key(void **state)
{
	struct fx *f = *state;
	struct run r;
	struct request_history h;
	char err[256];
	write_request_files(f);
	unsigned char *key_before = NULL;
	size_t klen = 0;
	assert_int_equal(fs_read_file(f->st.key_path, 1 << 20, &key_before,
				      &klen, err, sizeof(err)), 0);
	config_set_str(&f->cfg.ca_template, "OpsMgr");
	struct req_decision d;
	req_decide_for(&f->c, &d);
	assert_int_equal(d.change, REQ_CHANGE_REQUEST);
	init_run(f, &r);
	assert_int_equal(req_archive(&r, &d), ST_OK);
	assert_int_equal(f->st.req_phase, REQ_KEY_WRITTEN);
	/* the key and CSR stay in use; certificate and chain move */
	assert_true(present(f->dir, "key.pem"));
	assert_true(present(f->dir, "request.csr"));
	assert_false(present(f->dir, "cert.pem"));
	assert_mode(f->dir, "request.csr", 0644);
	unsigned char *key_after = NULL;
	size_t klen2 = 0;
	assert_int_equal(fs_read_file(f->st.key_path, 1 << 20, &key_after,
				      &klen2, err, sizeof(err)), 0);
	assert_true(klen == klen2 && memcmp(key_before, key_after, klen) == 0);

	assert_int_equal(request_history_load(f->dir, &h, err, sizeof(err)), 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.items[0].key, "kept");
	assert_string_equal(h.items[0].files, "request.csr cert.pem chain.pem");
	assert_false(present(h.items[0].dir, "key.pem"));
	assert_mode(h.items[0].dir, "request.csr", 0600);
	request_history_release(&h);
	free(key_before);
	free(key_after);
	release_run(&r);
}

/* A kill after the folder is in place but before the state is saved: the
 * next run finds the request's archive and makes no second one; the
 * files stay until the state no longer holds them. */
static void test_archive_interrupted(void **state)
{
	struct fx *f = *state;
	struct run r;
	struct request_history h;
	char err[256];
	write_request_files(f);
	struct state saved;
	state_init(&saved);
	char *text = state_format(&f->st);
	assert_int_equal(state_parse(&saved, text, strlen(text), err,
				     sizeof(err)), 0);
	free(text);
	/* a temp folder an earlier kill left */
	char *root = in(f->dir, REQUEST_ARCHIVE_DIR);
	char *tmp = in(root, ".20260101T000000Z-req7.tmp-0000000100000001");
	assert_int_equal(mkdir(root, 0700), 0);
	assert_int_equal(mkdir(tmp, 0700), 0);
	char *tf = in(tmp, "cert.pem");
	assert_int_equal(certgen_write_file(tf, "x", 1), 0);

	config_set_str(&f->cfg.fqdn, "agent02.lab.test");
	struct req_decision d;
	req_decide_for(&f->c, &d);
	init_run(f, &r);
	f->fail_checkpoint = 1;
	assert_int_equal(req_archive(&r, &d), ST_FAIL);
	assert_true(present(f->dir, "key.pem"));      /* nothing removed */
	assert_true(present(f->dir, "cert.pem"));
	assert_int_not_equal(access(tmp, F_OK), 0);   /* temp folder gone */

	/* the run again, from the state on disk */
	state_release(&f->st);
	f->st = saved;
	f->fail_checkpoint = 0;
	diag_list_release(&f->dl);
	assert_int_equal(req_archive(&r, &d), ST_OK);
	assert_int_equal(request_history_load(f->dir, &h, err, sizeof(err)), 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.items[0].files,
			    "key.pem request.csr cert.pem chain.pem");
	assert_false(present(f->dir, "key.pem"));
	assert_false(present(f->dir, "cert.pem"));

	/* killed before the removals: links into the archive, unused by the
	 * state, are removed; a file of its own is not */
	char *arch_cert = in(h.items[0].dir, "cert.pem");
	char *cert = in(f->dir, "cert.pem");
	char *arch_key = in(h.items[0].dir, "key.pem");
	char *key = in(f->dir, "key.pem");
	assert_int_equal(link(arch_cert, cert), 0);
	assert_int_equal(link(arch_key, key), 0);
	req_archive_leftovers(&r);
	assert_false(present(f->dir, "cert.pem"));
	assert_false(present(f->dir, "key.pem"));
	assert_true(present(h.items[0].dir, "cert.pem"));
	assert_int_equal(certgen_write_file(cert, "mine", 4), 0);
	req_archive_leftovers(&r);
	assert_true(present(f->dir, "cert.pem"));

	request_history_release(&h);
	free(arch_cert);
	free(cert);
	free(arch_key);
	free(key);
	free(tf);
	free(tmp);
	free(root);
	release_run(&r);
}

/* The archive folder cannot be made (a file holds its name): the stage
 * fails with DIAG_REQ_ARCHIVE and the reason, and nothing is removed or
 * forgotten. */
static void test_archive_cannot_create(void **state)
{
	struct fx *f = *state;
	struct run r;
	write_request_files(f);
	char *root = in(f->dir, REQUEST_ARCHIVE_DIR);
	assert_int_equal(certgen_write_file(root, "x", 1), 0);
	config_set_str(&f->cfg.fqdn, "agent02.lab.test");
	struct req_decision d;
	req_decide_for(&f->c, &d);
	assert_int_equal(d.change, REQ_CHANGE_KEY);
	init_run(f, &r);
	assert_int_equal(req_archive(&r, &d), ST_FAIL);
	const struct diag *dg = diag_find(&f->dl, DIAG_REQ_ARCHIVE);
	assert_non_null(dg);
	assert_int_equal(dg->sev, SEV_FAIL);
	assert_non_null(strstr(dg->message, "cannot archive the request"));
	assert_non_null(strstr(dg->fix, "nothing was removed"));
	assert_int_equal(f->checkpoints, 0);
	assert_true(present(f->dir, "key.pem"));
	assert_true(present(f->dir, "request.csr"));
	assert_true(present(f->dir, "cert.pem"));
	assert_true(present(f->dir, "chain.pem"));
	assert_int_equal(f->st.req_phase, REQ_ISSUED);
	assert_int_equal(f->st.request_id, 7);
	assert_int_equal(f->st.stage[STAGE_REQUEST], STAGE_ST_DONE);
	free(root);
	release_run(&r);
}

/* Two archives of one state: newest first; no archive: empty. */
static void test_history_order(void **state)
{
	struct fx *f = *state;
	struct request_history h;
	char err[256];
	assert_int_equal(request_history_load(f->dir, &h, err, sizeof(err)), 0);
	assert_int_equal(h.n, 0);
	char *root = in(f->dir, REQUEST_ARCHIVE_DIR);
	assert_int_equal(mkdir(root, 0700), 0);
	static const char *const names[] = { "20260101T000000Z-req1",
					     "20260301T000000Z-req3",
					     "20260201T000000Z-none" };
	static const char *const when[] = { "2026-01-01T00:00:00Z",
					    "2026-03-01T00:00:00Z",
					    "2026-02-01T00:00:00Z" };
	for (int i = 0; i < 3; i++) {
		char *d = in(root, names[i]), *m = in(d, REQUEST_MANIFEST_FILE);
		char text[256];
		snprintf(text, sizeof(text), "%s\narchived=%s\nrequest_id=%d\n",
			 REQUEST_MANIFEST_HEADER, when[i], i == 2 ? 0 : i * 2 + 1);
		assert_int_equal(mkdir(d, 0700), 0);
		assert_int_equal(certgen_write_file(m, text, strlen(text)), 0);
		free(d);
		free(m);
	}
	char *junk = in(root, "not-an-archive");
	assert_int_equal(mkdir(junk, 0700), 0);
	assert_int_equal(request_history_load(f->dir, &h, err, sizeof(err)), 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.items[0].request_id, 3);
	assert_int_equal(h.items[1].request_id, 0);
	assert_int_equal(h.items[2].request_id, 1);
	request_history_release(&h);
	free(junk);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_table),
		cmocka_unit_test_setup_teardown(test_changed_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs_confirm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_new_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_renewal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_archive_same_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_cannot_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_order, setup, teardown),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	certgen_cleanup();
	return r;
}
