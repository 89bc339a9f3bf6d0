/*
 * test_flow.c - the flow without a lab.  The role rule: a resumed state
 * keeps the role it was saved with whatever the answers say now (stage 5
 * does not apply to a management server, so it is skipped, never run), a
 * new state takes the role of the configuration, and "start over" keeps
 * the flow's role in the fresh state.  What a stage was made from: a
 * stage completed by flow_run_stage has its inputs recorded (and saved), a
 * skipped one has none, and flow_next_stage is the first stage that is
 * not done or stale.  A renewal: begun only with a certificate in use and
 * an issued request, it records the serial it replaces and makes stage 2
 * (and so everything after it) run again, a second begin leaves it be, and
 * the flow ends it when the last stage is done again.  Stage 5 runs for
 * real against a socket listening on loopback in this process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/agentconf.h"
#include "core/config_schema.h"
#include "core/stage_inputs.h"
#include "core/stage_table.h"
#include "flow.h"
#include "lab_harness.h"
#include "run_capture.h"

static char *g_dir;

static int setup(void **st)
{
	char xdg[600];
	g_dir = test_mkdtemp("flow");
	assert_non_null(g_dir);
	snprintf(xdg, sizeof(xdg), "%s/xdg", g_dir);
	setenv("OPSMGR_ENROLL_SYSTEM_CONFIG", "", 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	return 0;
}

static int teardown(void **st)
{
	test_rm_rf(g_dir);
	free(g_dir);
	g_dir = NULL;
	return 0;
}

/* Open the flow on <dir>/state with answers saying role, then more. */
static void open_with(struct flow *f, const char *role, const char *more)
{
	char answers[600], text[1200], sd[600];
	struct diag_list dl;
	snprintf(answers, sizeof(answers), "%s/answers-%s.ini", g_dir, role);
	snprintf(text, sizeof(text), "[wizard]\nrole = %s\n%s", role, more);
	assert_int_equal(test_write_file(answers, text), 0);
	snprintf(sd, sizeof(sd), "%s/state", g_dir);
	struct flow_opts o = { .answers_path = answers, .state_dir = sd };
	diag_list_init(&dl);
	if (flow_open(f, &o, &dl) < 0)
		fail_msg("flow_open: %s", dl.n ? dl.items[0].message : "?");
	diag_list_release(&dl);
}

static void open_as(struct flow *f, const char *role)
{
	open_with(f, role, "");
}

/* The flow runs as role: configuration and state agree, and stage 5
 * applies to an agent only. */
static void assert_opened(const struct flow *f, bool resumed, enum role role)
{
	assert_int_equal(f->resumed, resumed);
	assert_int_equal(f->cfg.role, role);
	assert_int_equal(f->st.role, role);
	assert_int_equal(flow_stage_applies(f, STAGE_AGENT), role == ROLE_AGENT);
}

static void test_resume_keeps_saved_role(void **st)
{
	struct flow f;

	open_as(&f, "server");
	assert_opened(&f, false, ROLE_SERVER);
	assert_int_equal(flow_run_stage(&f, STAGE_AGENT, NULL, NULL), ST_OK);
	assert_int_equal(f.st.stage[STAGE_AGENT], STAGE_ST_SKIPPED);
	flow_close(&f);

	open_as(&f, "agent");
	assert_opened(&f, true, ROLE_SERVER);
	assert_int_equal(flow_next_stage(&f), STAGE_FIRST);

	/* a fresh state is the flow's role's, not the answers' */
	struct diag_list dl;
	diag_list_init(&dl);
	assert_int_equal(flow_start_over(&f, &dl), 0);
	diag_list_release(&dl);
	assert_opened(&f, false, ROLE_SERVER);
	assert_int_equal(f.st.stage[STAGE_AGENT], STAGE_ST_NONE);
	flow_close(&f);
}

/* Without saved progress the configuration's role is the state's. */
static void test_new_state_takes_configured_role(void **st)
{
	struct flow f;
	open_as(&f, "agent");
	assert_opened(&f, false, ROLE_AGENT);
	flow_close(&f);
}

/* A loopback socket that listens (connections wait in its backlog):
 * stage 5's TCP check passes against it.  Returns the fd; *port. */
static int listen_loopback(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* The answers of an agent whose stage 5 can complete here. */
static void open_agent(struct flow *f, int port)
{
	char more[800];
	snprintf(more, sizeof(more),
		 "[agent]\nmanagement_group = LAB\nserver = localhost\n"
		 "port = %d\nconfig = %s/agent.ini\n", port, g_dir);
	open_with(f, "agent", more);
}

static void set_key(struct flow *f, const char *key, const char *text)
{
	assert_int_equal(config_key_set_text(&f->cfg, config_key_find(key),
					     text, NULL), 0);
}

/* Stage 5 completed through the flow: its inputs (its own keys, the
 * port among them) and their digest are in the state, saved with it; a
 * changed port makes it stale and the next stage. */
static void test_completed_stage_records_inputs(void **st)
{
	int port, lfd = listen_loopback(&port);
	struct flow f;
	char want[64], buf[64];
	open_agent(&f, port);
	assert_null(f.st.inputs[STAGE_AGENT]);
	assert_int_equal(flow_run_stage(&f, STAGE_AGENT, NULL, NULL), ST_OK);
	assert_true(stage_status_finished(f.st.stage[STAGE_AGENT]));
	assert_non_null(f.st.inputs[STAGE_AGENT]);
	snprintf(want, sizeof(want), "\nagent.port=%d\n", port);
	assert_non_null(strstr(f.st.inputs[STAGE_AGENT], want));
	assert_int_equal(strlen(f.st.digest[STAGE_AGENT]), 64);
	assert_false(stage_is_stale(&f.ctx, STAGE_AGENT));
	/* nothing else ran: the first stage is next */
	assert_int_equal(flow_next_stage(&f), STAGE_FIRST);
	flow_close(&f);

	open_agent(&f, port);   /* resumed: recorded as saved */
	assert_true(f.resumed);
	snprintf(want, sizeof(want), "%d", port);
	assert_string_equal(stage_input_recorded(&f.st, STAGE_AGENT,
						 "agent.port", buf, sizeof(buf)),
			    want);
	assert_false(stage_is_stale(&f.ctx, STAGE_AGENT));
	set_key(&f, "agent.port", port == 5723 ? "5724" : "5723");
	assert_true(stage_is_stale(&f.ctx, STAGE_AGENT));
	flow_close(&f);
	close(lfd);
}

/* A stage that does not apply to the role is skipped with nothing
 * recorded, even when it had inputs before. */
static void test_skipped_stage_has_no_inputs(void **st)
{
	struct flow f;
	open_as(&f, "server");
	assert_int_equal(stage_inputs_record(&f.ctx, STAGE_AGENT), 0);
	assert_non_null(f.st.inputs[STAGE_AGENT]);
	assert_int_equal(flow_run_stage(&f, STAGE_AGENT, NULL, NULL), ST_OK);
	assert_int_equal(f.st.stage[STAGE_AGENT], STAGE_ST_SKIPPED);
	assert_null(f.st.inputs[STAGE_AGENT]);
	assert_null(f.st.digest[STAGE_AGENT]);
	assert_false(stage_is_stale(&f.ctx, STAGE_AGENT));
	flow_close(&f);
}

/* Every stage done and recorded: nothing is next.  A changed answer makes
 * its stage next (and not an earlier one); a stage not done before it
 * comes first; a later stale stage is next once the earlier ones hold. */
static void test_next_stage_is_first_stale(void **st)
{
	struct flow f;
	open_agent(&f, 5723);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		f.st.stage[s] = STAGE_ST_DONE;
		assert_int_equal(stage_inputs_record(&f.ctx, (enum stage)s), 0);
	}
	assert_int_equal(flow_next_stage(&f), STAGE_COUNT);

	set_key(&f, "export.compat", "legacy");
	assert_int_equal(flow_next_stage(&f), STAGE_EXPORT);
	f.st.stage[STAGE_VERIFY] = STAGE_ST_NONE;
	assert_int_equal(flow_next_stage(&f), STAGE_VERIFY);
	f.st.stage[STAGE_VERIFY] = STAGE_ST_DONE;
	set_key(&f, "export.compat", "modern");
	assert_int_equal(flow_next_stage(&f), STAGE_COUNT);

	/* an access key (a timeout) changes nothing; an input does */
	set_key(&f, "agent.command_timeout", "77");
	assert_int_equal(flow_next_stage(&f), STAGE_COUNT);
	set_key(&f, "agent.port", "5724");
	assert_int_equal(flow_next_stage(&f), STAGE_AGENT);
	/* stage 5 redone with the new port: its dependants are next */
	assert_int_equal(stage_inputs_record(&f.ctx, STAGE_AGENT), 0);
	assert_int_equal(flow_next_stage(&f), STAGE_SERIAL);
	flow_close(&f);
}

static bool said(const struct diag_list *dl, const char *text)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].check == DIAG_RENEW &&
		    strstr(dl->items[i].message, text))
			return true;
	return false;
}

/* The agent configuration of g_dir naming a certificate with serial. */
static void write_agent_ini(const char *serial)
{
	char path[600], cert[600];
	struct agentconf a;
	struct diag_list dl;
	snprintf(path, sizeof(path), "%s/agent.ini", g_dir);
	snprintf(cert, sizeof(cert), "%s/agent-cert.pem", g_dir);
	agentconf_init(&a);
	diag_list_init(&dl);
	a.cert_path = strdup(cert);
	a.serial_hex = strdup(serial);
	assert_int_equal(agentconf_write(path, &a, &dl), 0);
	agentconf_release(&a);
	diag_list_release(&dl);
}

static void test_begin_renewal(void **st)
{
	struct flow f;
	struct diag_list dl;
	diag_list_init(&dl);
	open_agent(&f, 5723);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		f.st.stage[s] = STAGE_ST_DONE;
		assert_int_equal(stage_inputs_record(&f.ctx, (enum stage)s), 0);
	}
	f.st.req_phase = REQ_ISSUED;
	/* no agent configuration: nothing to renew, nothing changed */
	assert_int_equal(flow_begin_renewal(&f, &dl), -1);
	assert_true(said(&dl, "nothing to renew"));
	assert_int_equal(f.st.renewal, RENEWAL_NONE);
	diag_list_release(&dl);
	/* a request in the middle: not now */
	write_agent_ini("0A0B0C");
	f.st.req_phase = REQ_PENDING;
	assert_int_equal(flow_begin_renewal(&f, &dl), -1);
	assert_true(said(&dl, "the request in the state is pending"));
	assert_int_equal(f.st.renewal, RENEWAL_NONE);
	assert_int_equal(flow_next_stage(&f), STAGE_COUNT);
	diag_list_release(&dl);

	f.st.req_phase = REQ_ISSUED;
	assert_int_equal(flow_begin_renewal(&f, &dl), 0);
	assert_int_equal(dl.n, 0);
	assert_int_equal(f.st.renewal, RENEWAL_DUE);
	assert_string_equal(f.st.previous_serial, "0A0B0C");
	assert_int_equal(flow_next_stage(&f), STAGE_REQUEST);
	assert_true(stage_is_stale(&f.ctx, STAGE_VERIFY));
	assert_true(stage_is_stale(&f.ctx, STAGE_APPROVAL));
	assert_false(stage_is_stale(&f.ctx, STAGE_AGENT));
	/* begun already: left as it is */
	write_agent_ini("0D0E");
	f.st.renewal = RENEWAL_RUNNING;
	assert_int_equal(flow_begin_renewal(&f, &dl), 0);
	assert_int_equal(f.st.renewal, RENEWAL_RUNNING);
	assert_string_equal(f.st.previous_serial, "0A0B0C");
	flow_close(&f);
}

/* The flow ends a renewal when a stage leaves nothing to run, and only
 * then; the end is saved with the stage. */
static void test_renewal_ends_when_all_done(void **st)
{
	int port, lfd = listen_loopback(&port);
	struct flow f;
	open_agent(&f, port);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		f.st.stage[s] = STAGE_ST_DONE;
		assert_int_equal(stage_inputs_record(&f.ctx, (enum stage)s), 0);
	}
	f.st.renewal = RENEWAL_RUNNING;
	state_set_str(&f.st.previous_serial, "0A0B0C");
	f.st.stage[STAGE_SERIAL] = STAGE_ST_NONE;
	assert_int_equal(flow_run_stage(&f, STAGE_AGENT, NULL, NULL), ST_OK);
	assert_int_equal(f.st.renewal, RENEWAL_RUNNING);   /* 6 still to run */
	f.st.stage[STAGE_SERIAL] = STAGE_ST_DONE;
	assert_int_equal(flow_run_stage(&f, STAGE_AGENT, NULL, NULL), ST_OK);
	assert_int_equal(flow_next_stage(&f), STAGE_COUNT);
	assert_int_equal(f.st.renewal, RENEWAL_NONE);
	flow_close(&f);
	open_agent(&f, port);
	assert_int_equal(f.st.renewal, RENEWAL_NONE);
	assert_string_equal(f.st.previous_serial, "0A0B0C");   /* kept */
	flow_close(&f);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resume_keeps_saved_role,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_new_state_takes_configured_role, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_completed_stage_records_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_skipped_stage_has_no_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_next_stage_is_first_stale,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_begin_renewal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_renewal_ends_when_all_done,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
