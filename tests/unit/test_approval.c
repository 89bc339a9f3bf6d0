/*
 * test_approval.c - stage 7 without the lab (approval.c): the JSON answer
 * parsers on good input and garbage (exact-length buffers, so ASan sees
 * any over-read), the back-off schedule, the administrator's command, the
 * command source with a script that answers pending (75) twice and then
 * approved, a time-out that ends ST_PENDING with the state kept, a
 * cancellation in the middle of a wait, a failing command with its output,
 * source = none, and the server role's list and approve commands; control
 * characters in the lab's answers stored escaped; agent names that are
 * not DNS names refused before the approve command (issue 18 items 2,
 * 11).
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
#include <sys/stat.h>
#include <unistd.h>

#include "stages/approval.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/fsutil.h"
#include "certgen.h"
#include "lab_harness.h"
#include "unit_util.h"
#include "sys/netprobe.h"
#include "stages/stages.h"
#include "stages/approval_int.h"
#include "core/state.h"

/* ---- parsers ---------------------------------------------------------------- */

/* Parse from an exact-length heap copy (no NUL after it). */
static int status_of(const char *text, enum approval_state *st, char **agent,
		     char **serial)
{
	size_t n = strlen(text);
	char *b = malloc(n ? n : 1);
	memcpy(b, text, n);
	int r = approval_parse_status(b, n, st, agent, serial);
	free(b);
	return r;
}

static void test_parse_status(void **state)
{
	enum approval_state st;
	char *agent = NULL, *serial = NULL;
	assert_int_equal(status_of("{\"agent\":\"pc1.contoso.com\",\"serial\":"
				   "\"0A1B\",\"state\":\"pending\"}\n",
				   &st, &agent, &serial), 0);
	assert_int_equal(st, APPR_PENDING);
	assert_string_equal(agent, "pc1.contoso.com");
	assert_string_equal(serial, "0A1B");
	free(agent);
	free(serial);

	assert_int_equal(status_of(" { \"state\" : \"approved\" , \"extra\": "
				   "[1, {\"a\": null}, true], \"agent\": "
				   "\"x\\u0041\\\"y\" } ",
				   &st, &agent, &serial), 0);
	assert_int_equal(st, APPR_APPROVED);
	assert_string_equal(agent, "xA\"y");
	assert_null(serial);
	free(agent);

	/* A decoded control character is stored visible, never raw: an
	 * answer clearing the screen (ESC [2J) or forging a line. */
	assert_int_equal(status_of("{\"state\":\"pending\",\"agent\":"
				   "\"a\\u001b[2J\\nb\\u0007\",\"serial\":"
				   "\"\\u009b1\xc2\x9b\xff\"}",
				   &st, &agent, &serial), 0);
	assert_string_equal(agent, "a\\x1b[2J\\x0ab\\x07");
	assert_string_equal(serial, "?1\\xc2\\x9b\\xff");
	free(agent);
	free(serial);

	assert_int_equal(status_of("{\"state\":\"rejected\"}", &st, NULL,
				   NULL), 0);
	assert_int_equal(st, APPR_REJECTED);

	static const char *const bad[] = {
		"", "{", "{\"state\":", "{\"state\":\"pending\"",
		"{\"state\":\"pend", "{\"state\":\"maybe\"}", "[]", "null",
		"{\"state\":\"pending\",}", "{\"state\" \"pending\"}",
		"{\"agent\":\"a\"}", "<html>500</html>", "{\"state\":7}",
		"{\"a\":\"\\q\",\"state\":\"pending\"}",
		"{\"a\":\"\\u12\",\"state\":\"pending\"}",
		"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]"
		"]]]]]]]]]]]]]]]]]]]]]]]]]]],\"state\":\"pending\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		agent = serial = NULL;
		if (status_of(bad[i], &st, &agent, &serial) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_null(agent);
		assert_null(serial);
	}
	/* Every prefix of a good answer is handled without over-read. */
	const char *good = "{\"agent\":\"pc\",\"serial\":\"01\",\"state\":"
			   "\"approved\"}";
	for (size_t n = 0; n < strlen(good); n++) {
		char *b = malloc(n ? n : 1);
		memcpy(b, good, n);
		assert_int_equal(approval_parse_status(b, n, &st, NULL, NULL),
				 -1);
		free(b);
	}
	assert_int_equal(approval_parse_status(NULL, 0, &st, NULL, NULL), -1);
}

static void test_parse_agents(void **state)
{
	const char *t = "{\"agents\":[{\"agent\":\"a.contoso.com\",\"serial\":"
			"\"01\",\"state\":\"pending\"},{\"agent\":\"b.contoso"
			".com\",\"serial\":\"02\",\"state\":\"approved\"}]}\n";
	size_t n = strlen(t);
	char *b = malloc(n);
	memcpy(b, t, n);
	struct approval_agents a;
	assert_int_equal(approval_parse_agents(b, n, &a), 0);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.items[0].name, "a.contoso.com");
	assert_string_equal(a.items[0].state, "pending");
	assert_string_equal(a.items[1].name, "b.contoso.com");
	assert_string_equal(a.items[1].serial, "02");
	approval_agents_release(&a);
	for (size_t i = 0; i < n - 2; i++)
		assert_int_equal(approval_parse_agents(b, i, &a), -1);
	free(b);

	assert_int_equal(approval_parse_agents("[]", 2, &a), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(approval_parse_agents("{\"agents\":[]}", 13, &a), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(approval_parse_agents("[{\"fqdn\":\"c\"}]", 14, &a), 0);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.items[0].name, "c");
	approval_agents_release(&a);
	/* the list's names are stored escaped too */
	static const char esc[] = "[{\"agent\":\"x\\u001b[2J.lab.test\","
				  "\"state\":\"pending\"}]";
	assert_int_equal(approval_parse_agents(esc, sizeof(esc) - 1, &a), 0);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.items[0].name, "x\\x1b[2J.lab.test");
	assert_null(strchr(a.items[0].name, 0x1b));
	approval_agents_release(&a);
	assert_int_equal(approval_parse_agents("{\"other\":1}", 11, &a), -1);
	assert_int_equal(approval_parse_agents("[{\"agent\":1},", 13, &a), -1);
	assert_int_equal(a.n, 0);
	assert_null(a.items);
}

static void test_backoff(void **state)
{
	/* interval 5: 5, 10, 20, 40, 60, 60 ... */
	int d = 0;
	const int want[] = { 5, 10, 20, 40, 60, 60 };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		d = approval_next_delay(d, 5, 10000);
		assert_int_equal(d, want[i]);
	}
	/* Never longer than what is left. */
	assert_int_equal(approval_next_delay(40, 5, 7), 7);
	assert_int_equal(approval_next_delay(0, 5, 2), 2);
	/* An interval above the cap is honoured, not cut. */
	assert_int_equal(approval_next_delay(0, 120, 10000), 120);
	assert_int_equal(approval_next_delay(120, 120, 10000), 120);
	assert_int_equal(approval_next_delay(0, 0, 100), 1);
}

static void test_admin_command(void **state)
{
	char *s = approval_admin_command("pc1.contoso.com");
	assert_string_equal(s, "Get-SCOMPendingManagement | Where-Object "
			       "{$_.AgentName -eq 'pc1.contoso.com'} | "
			       "Approve-SCOMPendingManagement");
	free(s);
	s = approval_admin_command("o'brien");
	assert_non_null(strstr(s, "'o''brien'"));
	free(s);
}

/* ---- the stage with the command source ------------------------------------- */

struct fixture {
	char *dir;
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->dir = test_mkdtemp("approval-test-");
	config_init(&f->cfg);
	state_init(&f->st);
	ctx_init(&f->c, &f->cfg, &f->st, f->dir);
	diag_list_init(&f->dl);
	config_set_str(&f->cfg.fqdn, "pc1.contoso.com");
	f->cfg.approval_source = APPROVAL_COMMAND;
	f->cfg.approval_interval = 1;
	f->cfg.approval_timeout = 60;
	*state = f;
	return 0;
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

static char *script(const struct fixture *f, const char *name,
		    const char *body)
{
	char *p = fs_join(f->dir, name);
	char err[FS_ERRLEN];
	assert_int_equal(fs_write_atomic(p, body, strlen(body), 0700, err,
					 sizeof(err)), 0);
	return p;
}

/* Number of lines in the counter file the scripts append to. */
static int count_lines(const struct fixture *f, const char *name)
{
	char *p = fs_join(f->dir, name);
	unsigned char *b = NULL;
	size_t n = 0;
	char err[FS_ERRLEN];
	int lines = 0;
	if (fs_read_file(p, 65536, &b, &n, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < n; i++)
			lines += b[i] == '\n';
		free(b);
	}
	free(p);
	return lines;
}

struct progress {
	int calls;
	int saw_next;
	int repeats;        /* same text again (the wait's heartbeat) */
	double last_frac;
	int frac_grew;
	char last[256];
};

static void on_progress(void *ud, const char *what, double frac)
{
	struct progress *p = ud;
	p->calls++;
	if (strcmp(what, p->last) == 0) {
		p->repeats++;
		if (frac > p->last_frac)
			p->frac_grew = 1;
	}
	p->last_frac = frac;
	if (strstr(what, "next attempt in"))
		p->saw_next = 1;
	snprintf(p->last, sizeof(p->last), "%s", what);
}

static void test_command_pending_then_approved(void **state)
{
	struct fixture *f = *state;
	char *counter = fs_join(f->dir, "count");
	char body[1024];
	snprintf(body, sizeof(body),
		 "#!/bin/sh\n"
		 "echo x >> '%s'\n"
		 "n=$(wc -l < '%s')\n"
		 "test \"$OPSMGR_AGENT_FQDN\" = pc1.contoso.com || exit 3\n"
		 "if [ \"$n\" -lt 3 ]; then echo pending; exit 75; fi\n"
		 "echo approved\n",
		 counter, counter);
	char *s = script(f, "check.sh", body);
	config_set_str(&f->cfg.approval_command, s);
	struct progress pr = { 0 };
	struct hooks h = { .progress = on_progress, .ud = &pr };
	assert_int_equal(stage_approval_run(&f->c, &h, &f->dl), ST_OK);
	assert_int_equal(count_lines(f, "count"), 3);
	assert_string_equal(f->st.approval, "approved");
	const struct approval_result *v = f->c.out[STAGE_APPROVAL];
	assert_non_null(v);
	assert_int_equal(v->attempt, 3);
	assert_int_equal(v->state, APPR_APPROVED);
	assert_true(v->elapsed_s >= 2.9);   /* waits of 1 s then 2 s */
	assert_true(pr.saw_next);
	assert_true(pr.repeats >= 1);
	assert_true(pr.frac_grew);
	assert_non_null(strstr(pr.last, "attempt 3: approved"));
	const struct diag *d = diag_find(&f->dl, DIAG_APPROVAL_STATE);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_PASS);
	/* No server configured: the probes are skipped, not failed. */
	d = diag_find(&f->dl, DIAG_APPROVAL_DNS);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_SKIP);
	d = diag_find(&f->dl, DIAG_APPROVAL_ADMIN_HINT);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "{$_.AgentName -eq "
					   "'pc1.contoso.com'}"));
	assert_true(diag_worst(&f->dl) < SEV_WARN);
	free(s);
	free(counter);
}

static void test_command_timeout(void **state)
{
	struct fixture *f = *state;
	char *s = script(f, "pending.sh", "#!/bin/sh\nexit 75\n");
	config_set_str(&f->cfg.approval_command, s);
	f->cfg.approval_timeout = 2;
	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_PENDING);
	const struct diag *d = diag_find(&f->dl, DIAG_APPROVAL_TIMEOUT);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_WARN);
	assert_int_equal(d->event, 21016);
	assert_string_equal(d->field, "approval.timeout");
	assert_non_null(f->st.approval);
	assert_string_equal(f->st.approval, "pending");
	const struct approval_result *v = f->c.out[STAGE_APPROVAL];
	/* Attempts at 0, 1 and 2 s (the last one at the deadline). */
	assert_int_equal(v->attempt, 3);
	assert_non_null(diag_find(&f->dl, DIAG_APPROVAL_ADMIN_HINT));
	free(s);

	/* timeout = 0: one attempt, then pending at once. */
	diag_list_release(&f->dl);
	f->cfg.approval_timeout = 0;
	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_PENDING);
	v = f->c.out[STAGE_APPROVAL];
	assert_int_equal(v->attempt, 1);
}

struct cancel_at {
	long long at;
	long long first_true;
};

static int cancel_after(void *ud)
{
	struct cancel_at *c = ud;
	if (netprobe_now_ms() < c->at)
		return 0;
	if (!c->first_true)
		c->first_true = netprobe_now_ms();
	return 1;
}

static void test_cancel_mid_wait(void **state)
{
	struct fixture *f = *state;
	char *s = script(f, "pending.sh", "#!/bin/sh\nexit 75\n");
	config_set_str(&f->cfg.approval_command, s);
	f->cfg.approval_interval = 30;
	f->cfg.approval_timeout = 600;
	struct cancel_at ca = { netprobe_now_ms() + 700, 0 };
	struct hooks h = { .cancelled = cancel_after, .ud = &ca };
	assert_int_equal(stage_approval_run(&f->c, &h, &f->dl), ST_CANCELLED);
	long long back = netprobe_now_ms();
	assert_true(ca.first_true > 0);
	/* Back promptly after the cancel was first seen (a 30 s wait was
	 * in progress). */
	assert_true(back - ca.at < 1000);
	assert_non_null(diag_find(&f->dl, DIAG_CANCELLED));
	assert_string_equal(f->st.approval, "pending");
	const struct approval_result *v = f->c.out[STAGE_APPROVAL];
	assert_int_equal(v->attempt, 1);
	free(s);
}

/* The lab source on a loopback port nobody listens on. */
static void use_closed_lab_port(struct fixture *f)
{
	int port = 0;
	int lfd = test_listen_loopback(&port);
	assert_true(lfd >= 0);
	close(lfd);
	f->cfg.approval_source = APPROVAL_LAB;
	config_set_str(&f->cfg.agent_server, "localhost");
	f->cfg.agent_port = port;
}

/* Approved, then checked again while the server cannot be reached: the
 * stage fails and nothing else; the state keeps the server's last answer
 * with the time it was given, not a new status. */
static void test_failed_recheck_keeps_last_answer(void **state)
{
	struct fixture *f = *state;
	char *s = script(f, "ok.sh", "#!/bin/sh\necho approved\n");
	config_set_str(&f->cfg.approval_command, s);
	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_OK);
	assert_string_equal(f->st.approval, "approved");
	assert_non_null(f->st.approval_at);
	assert_non_null(strstr(f->st.approval_at, " UTC"));
	char *at = strdup(f->st.approval_at);

	use_closed_lab_port(f);
	diag_list_release(&f->dl);
	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct approval_result *v = f->c.out[STAGE_APPROVAL];
	assert_non_null(v);
	assert_int_equal(v->state, APPR_UNKNOWN);
	assert_int_equal(diag_find(&f->dl, DIAG_APPROVAL_TCP)->sev, SEV_FAIL);
	assert_null(diag_find(&f->dl, DIAG_APPROVAL_STATE));
	assert_string_equal(f->st.approval, "approved");
	assert_string_equal(f->st.approval_at, at);
	free(at);
	free(s);
}

static void test_command_error_and_rejected(void **state)
{
	struct fixture *f = *state;
	char *s = script(f, "broken.sh",
			 "#!/bin/sh\necho 'cannot reach SCOM SDK' >&2\n"
			 "exit 2\n");
	config_set_str(&f->cfg.approval_command, s);
	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = diag_find(&f->dl, DIAG_APPROVAL_COMMAND);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_FAIL);
	assert_string_equal(d->field, "approval.command");
	assert_non_null(strstr(d->message, "status 2"));
	assert_non_null(strstr(d->message, "cannot reach SCOM SDK"));
	assert_null(f->st.approval);
	free(s);

	diag_list_release(&f->dl);
	config_set_str(&f->cfg.approval_command, "");
	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_FAIL);
	assert_non_null(diag_find_field(&f->dl, "approval.command", SEV_FAIL));
}

static void test_source_none_and_probe(void **state)
{
	struct fixture *f = *state;
	int port = 0;
	int lfd = test_listen_loopback(&port);
	assert_true(lfd >= 0);
	f->cfg.approval_source = APPROVAL_NONE;
	config_set_str(&f->cfg.agent_server, "localhost");
	f->cfg.agent_port = port;
	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_OK);
	assert_int_equal(diag_find(&f->dl, DIAG_APPROVAL_DNS)->sev, SEV_PASS);
	assert_int_equal(diag_find(&f->dl, DIAG_APPROVAL_TCP)->sev, SEV_PASS);
	assert_null(f->st.approval);

	/* The single-attempt probe for check mode, on a closed port:
	 * 21006 named, 21016 following. */
	close(lfd);
	diag_list_release(&f->dl);
	assert_int_equal(approval_probe(&f->c, NULL, &f->dl), APPR_UNKNOWN);
	const struct diag *d = diag_find(&f->dl, DIAG_APPROVAL_TCP);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_FAIL);
	assert_int_equal(d->event, 21006);
	assert_non_null(strstr(d->message, "21016"));

	/* The stage fails at once instead of waiting. */
	diag_list_release(&f->dl);
	f->cfg.approval_source = APPROVAL_LAB;
	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_FAIL);
	assert_int_equal(f->c.out[STAGE_APPROVAL] ?
			 ((struct approval_result *)f->c.out[STAGE_APPROVAL])
				 ->attempt : 0, 1);
}

/* The server role's stage 7, non-interactive, with list.sh (list_body) as
 * list_command and approve.sh (approve_body) followed by args as
 * approve_command; it must pass: its result. */
static const struct approval_result *server_run(struct fixture *f,
						const char *list_body,
						const char *approve_body,
						const char *args)
{
	f->cfg.role = ROLE_SERVER;
	f->c.interactive = false;
	char *list = script(f, "list.sh", list_body);
	char *appr = script(f, "approve.sh", approve_body);
	config_set_str(&f->cfg.approval_list_command, list);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "%s %s", appr, args);
	config_set_str(&f->cfg.approval_approve_command, cmd);
	free(list);
	free(appr);
	assert_int_equal(stage_approval_run(&f->c, NULL, &f->dl), ST_OK);
	return f->c.out[STAGE_APPROVAL];
}

static void test_server_role_commands(void **state)
{
	struct fixture *f = *state;
	char *log = fs_join(f->dir, "approved");
	char body[1024];
	snprintf(body, sizeof(body),
		 "#!/bin/sh\n[ \"$1\" = --agent=b.contoso.com ] || exit 4\n"
		 "echo \"$1\" >> '%s'\n", log);
	const struct approval_result *v = server_run(
		f, "#!/bin/sh\necho a.contoso.com\necho\n"
		   "echo '  b.contoso.com  '\n", body, "--agent={agent}");
	assert_int_equal(v->agents.n, 2);
	assert_string_equal(v->agents.items[0].name, "a.contoso.com");
	assert_string_equal(v->agents.items[1].name, "b.contoso.com");
	const struct diag *d = diag_find(&f->dl, DIAG_APPROVAL_AGENTS);
	assert_non_null(strstr(d->message, "2 agents wait for approval: "
					   "a.contoso.com, b.contoso.com"));
	/* Non-interactive: nobody approved. */
	assert_int_equal(count_lines(f, "approved"), 0);
	int said = 0;
	for (size_t i = 0; i < f->dl.n; i++)
		if (strstr(f->dl.items[i].message, "no agent was approved"))
			said = 1;
	assert_true(said);

	/* The screen's pick: approve one. */
	diag_list_release(&f->dl);
	assert_int_equal(approval_approve(&f->c, NULL, "b.contoso.com",
					  &f->dl), 0);
	assert_int_equal(count_lines(f, "approved"), 1);
	assert_int_equal(approval_approve(&f->c, NULL, "a.contoso.com",
					  &f->dl), -1);
	d = diag_find_field(&f->dl, "approval.approve_command", SEV_FAIL);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "status 4"));
	assert_int_equal(approval_approve(&f->c, NULL, "bad name", &f->dl),
			 -1);
	free(log);
}

/* Approve 'b.contoso.com', which fails: the FAIL at field, under check,
 * whose message holds text. */
static const struct diag *approve_fails(struct fixture *f, const char *field,
					enum diag_check check, const char *text)
{
	diag_list_release(&f->dl);
	assert_int_equal(approval_approve(&f->c, NULL, "b.contoso.com",
					  &f->dl), -1);
	const struct diag *d = diag_find_field(&f->dl, field, SEV_FAIL);
	assert_non_null(d);
	assert_int_equal(d->check, check);
	assert_non_null(strstr(d->message, text));
	return d;
}

/* The lab's approve request when it cannot go out: no way to approve
 * without the lab source; no certificate yet; a closed port (21006). */
static void test_approve_at_lab_failures(void **state)
{
	struct fixture *f = *state;
	approve_fails(f, "approval.approve_command", DIAG_APPROVAL_AGENTS,
		      "no way to approve 'b.contoso.com'");

	use_closed_lab_port(f);
	approve_fails(f, "agent.config", DIAG_APPROVAL_TLS,
		      "cannot prepare the TLS");

	struct certgen_opts o;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	certgen_opts_leaf(&o, "pc1.contoso.com");
	assert_int_equal(certgen_make(&o, &cert, &key), 0);
	char *cp = NULL, *kp = NULL;
	assert_true(asprintf(&cp, "%s/pc1.crt", f->dir) > 0);
	assert_true(asprintf(&kp, "%s/pc1.key", f->dir) > 0);
	assert_int_equal(certgen_write_pem(cp, &cert, 1), 0);
	assert_int_equal(certgen_write_key(kp, key), 0);
	state_set_str(&f->st.cert_path, cp);
	state_set_str(&f->st.key_path, kp);
	state_set_str(&f->st.root_path, cp);
	const struct diag *d = approve_fails(f, "agent.port", DIAG_APPROVAL_TLS,
					     "21016");
	assert_int_equal(d->event, 21006);
	X509_free(cert);
	EVP_PKEY_free(key);
	free(cp);
	free(kp);
}

/* ---- agent names (issue 18 item 2) ----------------------------------------- */

/* The text of file name in f->dir ("" when there is none); caller frees. */
static char *read_text(const struct fixture *f, const char *name)
{
	char *p = fs_join(f->dir, name);
	unsigned char *b = NULL;
	size_t n = 0;
	char err[FS_ERRLEN];
	char *s = NULL;
	if (fs_read_file(p, 65536, &b, &n, err, sizeof(err)) == 0) {
		s = calloc(1, n + 1);
		memcpy(s, b, n);
		free(b);
	}
	free(p);
	return s ? s : strdup("");
}

/* The refusal of a name: a diagnostic at field, severity sev, naming the
 * value escaped; nothing from the name raw in any message. */
static void assert_refused(const struct fixture *f, const char *field,
			   enum diag_severity sev, const char *shown)
{
	int found = 0;
	for (size_t i = 0; i < f->dl.n; i++) {
		const struct diag *d = &f->dl.items[i];
		for (const char *p = d->message; *p; p++)
			assert_true((unsigned char)*p >= 0x20);
		if (d->check == DIAG_APPROVAL_AGENTS && d->sev == sev &&
		    (field ? d->field && strcmp(d->field, field) == 0
			   : !d->field) &&
		    strstr(d->message, "refused") && strstr(d->message, shown))
			found = 1;
	}
	if (!found)
		diag_print_text(stderr, &f->dl, 0);
	assert_true(found);
}

/*
 * Pending agents name themselves (their certificate's CN).  The list
 * command answers with a CN `-oProxyCommand=x;$(id)`, an option
 * `--reference=/etc/shadow` and a name with ESC: each is shown as refused
 * (with the reason, escaped) and never offered; the valid name reaches the
 * approve command as its argv and as OPSMGR_AGENT_FQDN.  A refused name
 * given to approval_approve does not reach the command.
 */
static void test_server_role_refuses_bad_names(void **state)
{
	struct fixture *f = *state;
	char *rec = fs_join(f->dir, "record");
	char body[1024];
	snprintf(body, sizeof(body),
		 "#!/bin/sh\nfor a in \"$@\"; do echo \"argv: $a\"; done >> '%s'\n"
		 "echo \"env: $OPSMGR_AGENT_FQDN\" >> '%s'\n", rec, rec);
	const struct approval_result *v = server_run(
		f, "#!/bin/sh\n"
		   "echo '-oProxyCommand=x;$(id)'\n"
		   "echo '--reference=/etc/shadow'\n"
		   "printf 'esc\\033[2J.contoso.com\\n'\n"
		   "echo good.contoso.com\n", body, "{agent}");
	assert_int_equal(v->agents.n, 1);
	assert_string_equal(v->agents.items[0].name, "good.contoso.com");
	assert_refused(f, "approval.list_command", SEV_WARN,
		       "'-oProxyCommand=x;$(id)'");
	assert_refused(f, "approval.list_command", SEV_WARN,
		       "'--reference=/etc/shadow'");
	assert_refused(f, "approval.list_command", SEV_WARN,
		       "'esc\\x1b[2J.contoso.com'");
	const struct diag *d = NULL;
	for (size_t i = 0; i < f->dl.n; i++)
		if (strstr(f->dl.items[i].message, "waits for approval"))
			d = &f->dl.items[i];
	assert_non_null(d);
	assert_non_null(strstr(d->message, ": good.contoso.com"));

	/* the screen's pick of the valid one: argv and environment */
	diag_list_release(&f->dl);
	assert_int_equal(approval_approve(&f->c, NULL, "good.contoso.com",
					  &f->dl), 0);
	char *got = read_text(f, "record");
	assert_string_equal(got, "argv: good.contoso.com\n"
				 "env: good.contoso.com\n");
	free(got);

	/* a refused name never reaches the command */
	diag_list_release(&f->dl);
	assert_int_equal(approval_approve(&f->c, NULL,
					  "-oProxyCommand=x;$(id)", &f->dl),
			 -1);
	assert_refused(f, NULL, SEV_FAIL, "'-oProxyCommand=x;$(id)'");
	got = read_text(f, "record");
	assert_string_equal(got, "argv: good.contoso.com\n"
				 "env: good.contoso.com\n");
	free(got);
	free(rec);
}

/* `touch {agent}` with the agent `--reference=/etc/shadow`: refused
 * before the command runs, so touch never reads it as an option. */
static void test_approve_refuses_option(void **state)
{
	struct fixture *f = *state;
	f->cfg.role = ROLE_SERVER;
	char *marker = fs_join(f->dir, "touched");
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "touch {agent} %s", marker);
	config_set_str(&f->cfg.approval_approve_command, cmd);
	assert_int_equal(approval_approve(&f->c, NULL,
					  "--reference=/etc/shadow", &f->dl),
			 -1);
	assert_refused(f, NULL, SEV_FAIL, "'--reference=/etc/shadow'");
	assert_int_equal(access(marker, F_OK), -1);
	static const char *const bad[] = {
		"", "-x.contoso.com", "a.contoso.com ; id", "a..contoso.com",
		"a.contoso.com\n", "a.-contoso.com", "10.0.0.1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		diag_list_release(&f->dl);
		assert_int_equal(approval_approve(&f->c, NULL, bad[i], &f->dl),
				 -1);
		assert_int_equal(access(marker, F_OK), -1);
	}
	/* a valid name is the argument it should be */
	diag_list_release(&f->dl);
	snprintf(cmd, sizeof(cmd), "touch %s/{agent}", f->dir);
	config_set_str(&f->cfg.approval_approve_command, cmd);
	assert_int_equal(approval_approve(&f->c, NULL, "a.contoso.com",
					  &f->dl), 0);
	char *made = fs_join(f->dir, "a.contoso.com");
	assert_int_equal(access(made, F_OK), 0);
	free(made);
	free(marker);
}

/* ---- why the server refused us (approval_cause.c) ----------------------- */

/* A refused exchange's row: message "refused", fix "check the trust". */
static struct diag *refusal_row(struct diag_list *dl)
{
	diag_list_init(dl);
	return diag_add(dl, DIAG_APPROVAL_TLS, SEV_FAIL, NULL,
			"check the trust", "refused");
}

/* A refusal our own checks of the certificate cannot explain keeps the
 * fix, labelled "likely"; one whose cause the server's alert named
 * (refused false) keeps it as stated; an expired certificate is named as
 * the cause, with its own fix. */
static void test_tls_cause_guess_is_labelled(void **state)
{
	struct fixture *f = *state;
	struct certgen_opts o;
	X509 *root;
	EVP_PKEY *rkey;
	certgen_opts_ca(&o, "Cause Test Root");
	assert_int_equal(certgen_make(&o, &root, &rkey), 0);
	char store[600], hashed[700], cert[600], key[600];
	snprintf(store, sizeof(store), "%s/trust", f->dir);
	assert_int_equal(mkdir(store, 0700), 0);
	snprintf(hashed, sizeof(hashed), "%s/%08lx.0", store,
		 X509_NAME_hash_ex(X509_get_subject_name(root), NULL, NULL,
				   NULL));
	assert_int_equal(certgen_write_pem(hashed, &root, 1), 0);
	config_set_str(&f->cfg.trust_store, store);
	snprintf(cert, sizeof(cert), "%s/agent.pem", f->dir);
	snprintf(key, sizeof(key), "%s/agent.key", f->dir);
	certgen_opts_leaf(&o, "pc1.contoso.com");
	o.issuer = root;
	o.issuer_key = rkey;
	o.key_slot = 3;
	assert_int_equal(certgen_make_files(&o, cert, key), 0);
	struct approval_target t = { .server = "ms.contoso.com", .port = 5723,
				     .cert = cert, .key = key,
				     .fqdn = "pc1.contoso.com" };
	struct diag_list dl;

	struct diag *d = refusal_row(&dl);
	approval_tls_cause(&f->c, &t, d, true);
	assert_int_equal(strncmp(d->fix, "likely (", 8), 0);
	assert_non_null(strstr(d->fix, "check the trust"));
	assert_string_equal(d->message, "refused");
	diag_list_release(&dl);

	d = refusal_row(&dl);
	approval_tls_cause(&f->c, &t, d, false);
	assert_string_equal(d->fix, "check the trust");
	diag_list_release(&dl);

	o.not_before = -20L * 86400;
	o.not_after = -3600;
	assert_int_equal(certgen_make_files(&o, cert, key), 0);
	d = refusal_row(&dl);
	approval_tls_cause(&f->c, &t, d, true);
	assert_non_null(strstr(d->message, "the cause is ours"));
	assert_non_null(strstr(d->message, "fails verify/validity"));
	assert_null(strstr(d->fix, "likely"));
	assert_null(strstr(d->fix, "check the trust"));
	diag_list_release(&dl);
	X509_free(root);
	EVP_PKEY_free(rkey);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_status),
		cmocka_unit_test_setup_teardown(test_approve_at_lab_failures,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_failed_recheck_keeps_last_answer, setup, teardown),
		cmocka_unit_test(test_parse_agents),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_admin_command),
		cmocka_unit_test_setup_teardown(
			test_command_pending_then_approved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_timeout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cancel_mid_wait, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_command_error_and_rejected,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_none_and_probe,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_role_commands,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_server_role_refuses_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_cause_guess_is_labelled,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_approve_refuses_option,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
