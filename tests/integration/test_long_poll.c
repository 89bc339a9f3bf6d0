/*
 * test_long_poll.c - the lab's long-poll status exchange (GET
 * /opsmgr/v1/status?wait=N, lab/PROTOCOL.md) that lets stage 7 see an
 * approval at once without polling often: a held request answers with
 * the state the agent has when it returns, an approval given while it is
 * held is the answer, and the wizard's wait ends approved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab_harness.h"
#include "mgmt/mtls.h"
#include "run_capture.h"

static struct lab g_lab;
static char g_cert[600], g_key[600];

static int setup(void **st)
{
	if (lab_start(&g_lab, NULL, NULL) < 0)
		return -1;
	char state[600];
	snprintf(state, sizeof(state), "%s/wizard-state", g_lab.dir);
	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[] = { bin, "--answers", g_lab.answers, "--state-dir",
			       state, "--non-interactive", "--stages", "1-6",
			       NULL };
	char *out = NULL;
	int rc = run_capture(argv, 300, &out);
	if (rc != 0)
		fprintf(stderr, "stages 1-6 failed (%d):\n%s\n", rc, out);
	free(out);
	free(bin);
	snprintf(g_cert, sizeof(g_cert), "%s/agent/agent-cert.pem", g_lab.dir);
	snprintf(g_key, sizeof(g_key), "%s/agent/agent-key.pem", g_lab.dir);
	return rc == 0 ? 0 : -1;
}

static int teardown(void **st)
{
	lab_stop(&g_lab);
	return 0;
}

static char *status(const char *path)
{
	struct mtls_opts o;
	memset(&o, 0, sizeof(o));
	o.host = "localhost";
	o.port = g_lab.ms_port;
	o.cert_path = g_cert;
	o.key_path = g_key;
	o.ca_file = g_lab.root_pem;
	o.timeout_ms = 30000;
	struct mtls_response r;
	char err[512];
	enum mtls_err e = mtls_request(&o, -1, "GET", path, NULL, NULL, &r,
				       err, sizeof(err));
	if (e != MTLS_OK)
		fprintf(stderr, "GET %s: %s\n", path, err);
	assert_int_equal(e, MTLS_OK);
	assert_int_equal(r.status, 200);
	char *body = strdup(r.body);
	mtls_response_release(&r);
	return body;
}

static void *approve_later(void *arg)
{
	usleep(1500 * 1000);
	const char *args[] = { "approve", "--dir", g_lab.dir,
			       "agent01.lab.test", NULL };
	return (void *)(intptr_t)lab_cmd(args, NULL);
}

/* Nothing changes while the request is held: the answer is pending. */
static void test_hold_without_change_stays_pending(void **st)
{
	char *b = status("/opsmgr/v1/status");     /* first contact */
	assert_non_null(strstr(b, "\"state\":\"pending\""));
	free(b);
	b = status("/opsmgr/v1/status?wait=1");
	assert_non_null(strstr(b, "\"state\":\"pending\""));
	free(b);
	/* a nonsensical wait is ignored, not an error */
	b = status("/opsmgr/v1/status?wait=abc");
	assert_non_null(strstr(b, "\"state\":\"pending\""));
	free(b);
}

/* An approval given while the request is held is its answer. */
static void test_approval_during_hold_is_the_answer(void **st)
{
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, approve_later, NULL), 0);
	char *b = status("/opsmgr/v1/status?wait=10");
	void *rc;
	pthread_join(th, &rc);
	assert_int_equal((intptr_t)rc, 0);
	assert_non_null(strstr(b, "\"state\":\"approved\""));
	free(b);
}

/* Stage 7 of the wizard ends approved (the agent is approved now). */
static void test_wizard_stage7_approved(void **st)
{
	char state[600];
	snprintf(state, sizeof(state), "%s/wizard-state", g_lab.dir);
	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[] = { bin, "--answers", g_lab.answers, "--state-dir",
			       state, "--non-interactive", NULL };
	char *out = NULL;
	int rc = run_capture(argv, 120, &out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "is approved by the management server"));
	free(out);
	free(bin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold_without_change_stays_pending),
		cmocka_unit_test(test_approval_during_hold_is_the_answer),
		cmocka_unit_test(test_wizard_stage7_approved),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
