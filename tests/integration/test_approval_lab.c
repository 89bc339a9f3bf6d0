/*
 * test_approval_lab.c - stage 7 against a real opsmgr-enroll-lab on
 * loopback: an agent certificate signed by the lab root (made here with
 * certgen from DIR/ca/root.pem + root.key) stays pending until
 * `opsmgr-enroll-lab approve`, then is approved; --auto-approve 0 approves
 * at once; a certificate from another CA is refused with event 21007; a
 * server certificate we do not trust names 20072; a closed port names
 * 21006; a rejection fails the stage; the server role lists the pending
 * agents and approves the one picked.  Stage 5 writes the agent
 * configuration the probe then uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stages/agent.h"
#include "core/agentconf.h"
#include "stages/approval.h"
#include "certgen.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/fsutil.h"
#include "lab_harness.h"
#include "mgmt/mtls.h"
#include "stages/stages.h"
#include "core/state.h"
#include "pki/x509util.h"

static struct lab lab_manual;   /* approval by command only */
static struct lab lab_auto;     /* --auto-approve 0 */
static X509 *root_manual, *root_auto;
static EVP_PKEY *root_key_manual, *root_key_auto;

static int load_root(const struct lab *l, X509 **x, EVP_PKEY **k)
{
	char err[512];
	STACK_OF(X509) *sk = NULL;
	char *kp = fs_join(l->dir, "ca/root.key");
	if (x509_load_certs_file(l->root_pem, &sk, err, sizeof(err)) != 0) {
		fprintf(stderr, "lab root: %s\n", err);
		free(kp);
		return -1;
	}
	*x = sk_X509_value(sk, 0);
	X509_up_ref(*x);
	OSSL_STACK_OF_X509_free(sk);
	*k = x509_load_key_file(kp, err, sizeof(err));
	free(kp);
	if (!*k)
		fprintf(stderr, "lab root key: %s\n", err);
	return *k ? 0 : -1;
}

static int group_setup(void **state)
{
	memset(&lab_manual, 0, sizeof(lab_manual));
	memset(&lab_auto, 0, sizeof(lab_auto));
	if (lab_start(&lab_manual, NULL, NULL) != 0)
		return -1;
	const char *const auto_args[] = { "--auto-approve", "0", NULL };
	if (lab_start(&lab_auto, NULL, auto_args) != 0)
		return -1;
	if (load_root(&lab_manual, &root_manual, &root_key_manual) ||
	    load_root(&lab_auto, &root_auto, &root_key_auto))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	X509_free(root_manual);
	X509_free(root_auto);
	EVP_PKEY_free(root_key_manual);
	EVP_PKEY_free(root_key_auto);
	lab_stop(&lab_manual);
	lab_stop(&lab_auto);
	certgen_cleanup();
	return 0;
}

struct fixture {
	char *dir;
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
	const struct lab *lab;
};

static int setup_for(void **state, const struct lab *l)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->lab = l;
	f->dir = test_mkdtemp("approval-lab-");
	config_init(&f->cfg);
	state_init(&f->st);
	ctx_init(&f->c, &f->cfg, &f->st, f->dir);
	diag_list_init(&f->dl);
	config_set_str(&f->cfg.agent_mgmt_group, "LAB");
	config_set_str(&f->cfg.agent_server, "localhost");
	f->cfg.agent_port = l->ms_port;
	f->cfg.approval_source = APPROVAL_LAB;
	f->cfg.approval_interval = 1;
	f->cfg.approval_timeout = 30;
	/* The trust store holds the lab root, recorded in the state as the
	 * confirmed root, as stage 1 leaves it. */
	char *trust = fs_join(f->dir, "trust");
	char err[FS_ERRLEN];
	assert_int_equal(fs_mkdir_p(trust, 0700, err, sizeof(err)), 0);
	char *rp = fs_join(trust, "root.pem");
	assert_int_equal(fs_copy_file(l->root_pem, rp, 0644, err, sizeof(err)),
			 0);
	config_set_str(&f->cfg.trust_store, trust);
	state_set_str(&f->st.root_path, rp);
	free(rp);
	free(trust);
	*state = f;
	return 0;
}

static int setup_manual(void **state)
{
	return setup_for(state, &lab_manual);
}

static int setup_auto(void **state)
{
	return setup_for(state, &lab_auto);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	diag_list_release(&f->dl);
	ctx_release(&f->c);
	state_release(&f->st);
	config_release(&f->cfg);
	test_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* A leaf for fqdn signed by issuer, written to cert_path / key_path. */
static void make_cert(const char *fqdn, X509 *issuer, EVP_PKEY *issuer_key,
		      const char *cert_path, const char *key_path)
{
	struct certgen_opts o;
	certgen_opts_leaf(&o, fqdn);
	o.issuer = issuer;
	o.issuer_key = issuer_key;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	assert_int_equal(certgen_make(&o, &x, &k), 0);
	assert_int_equal(certgen_write_pem(cert_path, &x, 1), 0);
	assert_int_equal(certgen_write_key(key_path, k), 0);
	X509_free(x);
	EVP_PKEY_free(k);
}

/* Our certificate where the state says stage 2 left it. */
static void cert_in_state(struct fixture *f, const char *fqdn, X509 *issuer,
			  EVP_PKEY *issuer_key)
{
	char *cp = fs_join(f->dir, "cert.pem");
	char *kp = fs_join(f->dir, "key.pem");
	make_cert(fqdn, issuer, issuer_key, cp, kp);
	state_set_str(&f->st.cert_path, cp);
	state_set_str(&f->st.key_path, kp);
	config_set_str(&f->cfg.fqdn, fqdn);
	free(cp);
	free(kp);
}

static const struct diag *find_sev(const struct diag_list *dl,
				   enum diag_check c, enum diag_severity s)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].check == c && dl->items[i].sev == s)
			return &dl->items[i];
	return NULL;
}

static void dump(const struct diag_list *dl)
{
	diag_print_text(stderr, dl, 0);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_pending_then_approved(void **state)
{
	struct fixture *f = *state;
	const char *fqdn = "agent-pend.lab.test";
	config_set_str(&f->cfg.fqdn, fqdn);

	/* Stage 5 writes the agent configuration; the certificate goes
	 * where it points (as stage 6 would put it). */
	assert_int_equal(stage_agent_run(&f->c, NULL, &f->dl), ST_OK);
	assert_non_null(f->st.agent_config_path);
	struct agentconf a;
	assert_int_equal(agentconf_read(f->st.agent_config_path, &a, NULL), 0);
	make_cert(fqdn, root_manual, root_key_manual, a.cert_path, a.key_path);
	agentconf_release(&a);
	diag_list_release(&f->dl);

	/* One probe: DNS, TCP, TLS pass; the agent is pending. */
	enum approval_state st = approval_probe(&f->c, NULL, &f->dl);
	if (st != APPR_PENDING)
		dump(&f->dl);
	assert_int_equal(st, APPR_PENDING);
	assert_non_null(find_sev(&f->dl, DIAG_APPROVAL_DNS, SEV_PASS));
	assert_non_null(find_sev(&f->dl, DIAG_APPROVAL_TCP, SEV_PASS));
	assert_non_null(find_sev(&f->dl, DIAG_APPROVAL_TLS, SEV_PASS));
	const struct diag *d = diag_find(&f->dl, DIAG_APPROVAL_STATE);
	assert_non_null(d);
	assert_int_equal(d->event, 20070);
	assert_non_null(strstr(d->message, fqdn));
	diag_list_release(&f->dl);

	/* Nobody approves within the timeout: ST_PENDING, state kept. */
	f->cfg.approval_timeout = 1;
	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_PENDING);
	assert_non_null(diag_find(&f->dl, DIAG_APPROVAL_TIMEOUT));
	assert_string_equal(f->st.approval, "pending");
	d = diag_find(&f->dl, DIAG_APPROVAL_ADMIN_HINT);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "'agent-pend.lab.test'"));
	diag_list_release(&f->dl);

	/* The administrator approves; the re-run resumes and succeeds. */
	const char *const args[] = { "approve", "--dir", f->lab->dir, fqdn,
				     NULL };
	char *out = NULL;
	int rc = lab_cmd(args, &out);
	if (rc != 0)
		fprintf(stderr, "lab approve: %s\n", out ? out : "");
	free(out);
	assert_int_equal(rc, 0);
	f->cfg.approval_timeout = 30;
	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_OK);
	assert_string_equal(f->st.approval, "approved");
	assert_non_null(find_sev(&f->dl, DIAG_APPROVAL_STATE, SEV_PASS));
	const struct approval_result *v = f->c.out[STAGE_APPROVAL];
	assert_int_equal(v->attempt, 1);
}

static void test_auto_approve(void **state)
{
	struct fixture *f = *state;
	cert_in_state(f, "agent-auto.lab.test", root_auto, root_key_auto);
	enum status s = stage_approval_run(&f->c, NULL, &f->dl);
	if (s != ST_OK)
		dump(&f->dl);
	assert_int_equal(s, ST_OK);
	assert_string_equal(f->st.approval, "approved");
	const struct approval_result *v = f->c.out[STAGE_APPROVAL];
	assert_int_equal(v->attempt, 1);
	const struct diag *d = find_sev(&f->dl, DIAG_APPROVAL_STATE, SEV_PASS);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "agent-auto.lab.test"));
}

static void test_foreign_client_cert(void **state)
{
	struct fixture *f = *state;
	struct certgen_opts o;
	certgen_opts_ca(&o, "Some Other Root");
	X509 *other = NULL;
	EVP_PKEY *other_key = NULL;
	assert_int_equal(certgen_make(&o, &other, &other_key), 0);
	cert_in_state(f, "agent-foreign.lab.test", other, other_key);
	X509_free(other);
	EVP_PKEY_free(other_key);

	assert_int_equal(approval_probe(&f->c, NULL, &f->dl), APPR_UNKNOWN);
	const struct diag *d = find_sev(&f->dl, DIAG_APPROVAL_TLS, SEV_FAIL);
	if (!d || d->event != 21007)
		dump(&f->dl);
	assert_non_null(d);
	assert_int_equal(d->event, 21007);
	assert_non_null(strstr(d->message, "21007"));
	assert_non_null(d->fix);
	assert_null(diag_find(&f->dl, DIAG_APPROVAL_STATE));
	diag_list_release(&f->dl);

	/* The stage stops at once with ST_FAIL (no point in waiting). */
	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_FAIL);
	assert_non_null(find_sev(&f->dl, DIAG_APPROVAL_TLS, SEV_FAIL));
	assert_null(f->st.approval);
}

static void test_untrusted_server(void **state)
{
	struct fixture *f = *state;
	cert_in_state(f, "agent-untrusting.lab.test", root_manual,
		      root_key_manual);
	/* A trust store holding another root only, confirmed in stage 1. */
	char *trust = fs_join(f->dir, "trust2");
	char err[FS_ERRLEN];
	assert_int_equal(fs_mkdir_p(trust, 0700, err, sizeof(err)), 0);
	char *rp = fs_join(trust, "other.pem");
	assert_int_equal(fs_copy_file(lab_auto.root_pem, rp, 0644, err,
				      sizeof(err)), 0);
	config_set_str(&f->cfg.trust_store, trust);
	state_set_str(&f->st.root_path, rp);
	assert_int_equal(approval_probe(&f->c, NULL, &f->dl), APPR_UNKNOWN);
	const struct diag *d = find_sev(&f->dl, DIAG_APPROVAL_TLS, SEV_FAIL);
	if (!d)
		dump(&f->dl);
	assert_non_null(d);
	assert_int_equal(d->event, 20072);
	free(rp);
	free(trust);
}

static void test_closed_port(void **state)
{
	struct fixture *f = *state;
	cert_in_state(f, "agent-closed.lab.test", root_manual,
		      root_key_manual);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t sl = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	close(fd);
	config_set_str(&f->cfg.agent_server, "127.0.0.1");
	f->cfg.agent_port = ntohs(sa.sin_port);
	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = find_sev(&f->dl, DIAG_APPROVAL_TCP, SEV_FAIL);
	assert_non_null(d);
	assert_int_equal(d->event, 21006);
	assert_non_null(strstr(d->message, "refused"));
	assert_non_null(strstr(d->message, "21016"));
}

static void test_rejected(void **state)
{
	struct fixture *f = *state;
	const char *fqdn = "agent-rejected.lab.test";
	cert_in_state(f, fqdn, root_manual, root_key_manual);
	assert_int_equal(approval_probe(&f->c, NULL, &f->dl), APPR_PENDING);
	diag_list_release(&f->dl);

	/* The lab's administrator (its certificate, not an agent's) rejects
	 * it. */
	char *cp = fs_join(f->lab->dir, "admin/admin.pem");
	char *kp = fs_join(f->lab->dir, "admin/admin.key");
	struct mtls_opts o = { .host = "localhost", .port = f->lab->ms_port,
			       .cert_path = cp, .key_path = kp,
			       .ca_file = f->lab->root_pem };
	struct mtls_response r;
	char err[512];
	assert_int_equal(mtls_request(&o, -1, "POST", "/opsmgr/v1/reject",
				      "agent=agent-rejected.lab.test", NULL,
				      &r, err, sizeof(err)),
			 MTLS_OK);
	assert_int_equal(r.status, 200);
	mtls_response_release(&r);

	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = find_sev(&f->dl, DIAG_APPROVAL_STATE, SEV_FAIL);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "rejected"));
	assert_string_equal(f->st.approval, "rejected");
	free(cp);
	free(kp);
}

static void test_server_role(void **state)
{
	struct fixture *f = *state;
	/* An agent makes contact first, so it is pending. */
	const char *agent = "agent-listed.lab.test";
	cert_in_state(f, agent, root_manual, root_key_manual);
	assert_int_equal(approval_probe(&f->c, NULL, &f->dl), APPR_PENDING);
	diag_list_release(&f->dl);
	char *agent_cert = strdup(f->st.cert_path);
	char *agent_key = strdup(f->st.key_path);

	/* Now the management server's own run of stage 7, with the lab's
	 * administrator certificate (the lab lists and approves for it
	 * only). */
	char *cp = fs_join(f->lab->dir, "admin/admin.pem");
	char *kp = fs_join(f->lab->dir, "admin/admin.key");
	state_set_str(&f->st.cert_path, cp);
	state_set_str(&f->st.key_path, kp);
	config_set_str(&f->cfg.fqdn, "ms01.lab.test");
	f->cfg.role = ROLE_SERVER;
	f->c.interactive = false;
	/* Stage 6 on a server records a configuration naming the server
	 * itself (no DNS entry here): the list still goes to [agent] server. */
	struct agentconf a;
	agentconf_init(&a);
	a.management_group = strdup("LAB");
	a.server = strdup("ms01.lab.test");
	a.port = 5723;
	a.role = strdup("server");
	char *acp = fs_join(f->dir, "ms.ini");
	assert_int_equal(agentconf_write(acp, &a, NULL), 0);
	agentconf_release(&a);
	state_set_str(&f->st.agent_config_path, acp);
	free(acp);
	enum status s = stage_approval_run(&f->c, NULL, &f->dl);
	if (s != ST_OK)
		dump(&f->dl);
	assert_int_equal(s, ST_OK);
	const struct approval_result *v = f->c.out[STAGE_APPROVAL];
	int found = 0;
	for (size_t i = 0; i < v->agents.n; i++)
		if (strcmp(v->agents.items[i].name, agent) == 0) {
			found = 1;
			assert_string_equal(v->agents.items[i].state,
					    "pending");
		}
	assert_true(found);
	const struct diag *d = diag_find(&f->dl, DIAG_APPROVAL_AGENTS);
	assert_non_null(d);
	assert_non_null(strstr(d->message, agent));
	diag_list_release(&f->dl);

	/* The operator picks it: approved on the server. */
	assert_int_equal(approval_approve(&f->c, NULL, agent, &f->dl), 0);
	assert_int_equal(approval_approve(&f->c, NULL, "never-seen.lab.test",
					  &f->dl), -1);
	diag_list_release(&f->dl);

	/* The agent now sees itself approved (it has no configuration file
	 * of its own here: the server's is put away). */
	f->cfg.role = ROLE_AGENT;
	state_set_str(&f->st.agent_config_path, NULL);
	state_set_str(&f->st.cert_path, agent_cert);
	state_set_str(&f->st.key_path, agent_key);
	config_set_str(&f->cfg.fqdn, agent);
	assert_int_equal(approval_probe(&f->c, NULL, &f->dl), APPR_APPROVED);
	free(agent_cert);
	free(agent_key);
	free(cp);
	free(kp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pending_then_approved,
						setup_manual, teardown),
		cmocka_unit_test_setup_teardown(test_auto_approve, setup_auto,
						teardown),
		cmocka_unit_test_setup_teardown(test_foreign_client_cert,
						setup_manual, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted_server,
						setup_manual, teardown),
		cmocka_unit_test_setup_teardown(test_closed_port, setup_manual,
						teardown),
		cmocka_unit_test_setup_teardown(test_rejected, setup_manual,
						teardown),
		cmocka_unit_test_setup_teardown(test_server_role, setup_manual,
						teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
