/*
 * test_netprobe.c - the DNS and TCP probes (netprobe.c) on loopback only:
 * "localhost" resolves (every address listed), a name under the reserved
 * .invalid TLD does not, a listening socket connects, a closed port is
 * "refused" with event 21006 in its diagnostic, cancellation is honoured
 * promptly, the cancellable sleep really waits without being a no-op, and
 * the one wait they share (netprobe_wait) tells ready from timed out from
 * cancelled.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sys/netprobe.h"

/* A TCP socket bound to 127.0.0.1 on an ephemeral port; *port gets it. */
static int bound_socket(int *port, int do_listen)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t sl = sizeof(sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	if (do_listen)
		assert_int_equal(listen(fd, 4), 0);
	return fd;
}

/* A port that nothing listens on: bind, note the port, close. */
static int closed_port(void)
{
	int port = 0;
	int fd = bound_socket(&port, 0);
	close(fd);
	return port;
}

static void test_resolve_localhost(void **state)
{
	(void)state;
	struct netprobe_addrs a;
	char err[256];
	assert_int_equal(netprobe_resolve("localhost", 80, 5000, NULL, &a, err,
					  sizeof(err)),
			 NP_OK);
	assert_true(a.n >= 1);
	int has_v4 = 0;
	for (size_t i = 0; i < a.n; i++)
		if (strcmp(a.text[i], "127.0.0.1") == 0)
			has_v4 = 1;
	assert_true(has_v4);
	char *t = netprobe_addrs_text(&a);
	assert_non_null(strstr(t, "127.0.0.1"));
	free(t);

	/* Address literals resolve to themselves. */
	assert_int_equal(netprobe_resolve("127.0.0.1", 5723, 5000, NULL, &a,
					  err, sizeof(err)),
			 NP_OK);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.text[0], "127.0.0.1");
}

static void test_resolve_invalid(void **state)
{
	(void)state;
	struct netprobe_addrs a;
	char err[256];
	enum np_result r = netprobe_resolve("no-such-host.invalid", 5723, 5000,
					    NULL, &a, err, sizeof(err));
	assert_true(r == NP_NOT_FOUND || r == NP_DNS_FAIL || r == NP_TIMEOUT);
	assert_int_equal(a.n, 0);
	assert_non_null(strstr(err, "no-such-host.invalid"));
}

static void test_connect_listening(void **state)
{
	(void)state;
	int port = 0;
	int lfd = bound_socket(&port, 1);
	struct netprobe_addrs a;
	char err[256];
	assert_int_equal(netprobe_resolve("127.0.0.1", port, 5000, NULL, &a,
					  err, sizeof(err)),
			 NP_OK);
	int fd = -1;
	size_t which = 99;
	assert_int_equal(netprobe_connect(&a, 5000, NULL, &fd, &which, err,
					  sizeof(err)),
			 NP_OK);
	assert_true(fd >= 0);
	assert_int_equal(which, 0);
	close(fd);
	close(lfd);
}

static void test_connect_refused(void **state)
{
	(void)state;
	int port = closed_port();
	struct netprobe_addrs a;
	char err[512];
	assert_int_equal(netprobe_resolve("127.0.0.1", port, 5000, NULL, &a,
					  err, sizeof(err)),
			 NP_OK);
	int fd = 123;
	assert_int_equal(netprobe_connect(&a, 5000, NULL, &fd, NULL, err,
					  sizeof(err)),
			 NP_REFUSED);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(err, "refused"));
}

static void test_check_diagnostics(void **state)
{
	(void)state;
	struct diag_list dl;
	diag_list_init(&dl);
	int port = 0;
	int lfd = bound_socket(&port, 1);
	assert_int_equal(netprobe_check("localhost", port, 5000, NULL, &dl,
					DIAG_AGENT_DNS, DIAG_AGENT_TCP,
					"agent.server", "agent.port", 0, NULL),
			 NP_OK);
	const struct diag *d = diag_find(&dl, DIAG_AGENT_DNS);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_PASS);
	assert_non_null(strstr(d->message, "127.0.0.1"));
	d = diag_find(&dl, DIAG_AGENT_TCP);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_PASS);
	close(lfd);
	diag_list_release(&dl);

	/* Closed port: TCP fails as refused, event 21006, then 21016. */
	port = closed_port();
	assert_int_equal(netprobe_check("127.0.0.1", port, 5000, NULL, &dl,
					DIAG_APPROVAL_DNS, DIAG_APPROVAL_TCP,
					"agent.server", "agent.port", 21016,
					NULL),
			 NP_REFUSED);
	d = diag_find(&dl, DIAG_APPROVAL_TCP);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_FAIL);
	assert_int_equal(d->event, 21006);
	assert_string_equal(d->field, "agent.port");
	assert_non_null(strstr(d->message, "refused"));
	assert_non_null(strstr(d->message, "21016"));
	assert_non_null(d->fix);
	diag_list_release(&dl);

	/* Unknown name: DNS fails at the server field. */
	assert_int_not_equal(netprobe_check("ms.invalid", 5723, 5000, NULL,
					    &dl, DIAG_AGENT_DNS,
					    DIAG_AGENT_TCP, "agent.server",
					    "agent.port", 0, NULL),
			     NP_OK);
	d = diag_find(&dl, DIAG_AGENT_DNS);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_FAIL);
	assert_int_equal(d->event, 21006);
	assert_string_equal(d->field, "agent.server");
	assert_null(diag_find(&dl, DIAG_AGENT_TCP));
	diag_list_release(&dl);
}

static int always(void *ud)
{
	(void)ud;
	return 1;
}

struct later {
	long long at;
	int calls;
};

static int cancel_later(void *ud)
{
	struct later *l = ud;
	l->calls++;
	return netprobe_now_ms() >= l->at;
}

static void test_cancel(void **state)
{
	(void)state;
	struct hooks h = { .cancelled = always };
	struct netprobe_addrs a;
	char err[256];
	assert_int_equal(netprobe_resolve("localhost", 1, 5000, &h, &a, err,
					  sizeof(err)),
			 NP_CANCELLED);
	assert_int_equal(netprobe_resolve("127.0.0.1", 1, 5000, NULL, &a, err,
					  sizeof(err)),
			 NP_OK);
	int port = 0;
	int lfd = bound_socket(&port, 1);
	assert_int_equal(netprobe_resolve("127.0.0.1", port, 5000, NULL, &a,
					  err, sizeof(err)),
			 NP_OK);
	/* Loopback connects at once; cancel wins only when asked first. */
	enum np_result r = netprobe_connect(&a, 5000, &h, NULL, NULL, err,
					    sizeof(err));
	assert_true(r == NP_OK || r == NP_CANCELLED);
	close(lfd);

	struct diag_list dl;
	diag_list_init(&dl);
	assert_int_equal(netprobe_check("localhost", 5723, 5000, &h, &dl,
					DIAG_AGENT_DNS, DIAG_AGENT_TCP,
					"agent.server", "agent.port", 0, NULL),
			 NP_CANCELLED);
	assert_non_null(diag_find(&dl, DIAG_CANCELLED));
	diag_list_release(&dl);
}

static void test_sleep(void **state)
{
	(void)state;
	long long t0 = netprobe_now_ms();
	assert_int_equal(netprobe_sleep(250, NULL), 0);
	assert_true(netprobe_now_ms() - t0 >= 250);

	/* Cancelled 300 ms into a 10 s sleep: back well before the end,
	 * and the cancel poll ran in slices, not in a busy loop. */
	struct later l = { netprobe_now_ms() + 300, 0 };
	struct hooks h = { .cancelled = cancel_later, .ud = &l };
	t0 = netprobe_now_ms();
	assert_int_equal(netprobe_sleep(10000, &h), 1);
	long long took = netprobe_now_ms() - t0;
	assert_true(took >= 300);
	assert_true(took < 5000);
	assert_true(l.calls < 50);
}

static void test_wait(void **state)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	/* Nothing to read: times out at the deadline, not before. */
	long long t0 = netprobe_now_ms();
	assert_int_equal(netprobe_wait(p[0], POLLIN, t0 + 150, NULL),
			 NPW_TIMEOUT);
	assert_true(netprobe_now_ms() - t0 >= 150);
	/* A deadline already past: no wait at all. */
	assert_int_equal(netprobe_wait(p[0], POLLIN, t0, NULL), NPW_TIMEOUT);
	/* Data there: ready at once, even with an hour to go. */
	assert_int_equal(write(p[1], "x", 1), 1);
	t0 = netprobe_now_ms();
	assert_int_equal(netprobe_wait(p[0], POLLIN, t0 + 3600000, NULL),
			 NPW_READY);
	assert_true(netprobe_now_ms() - t0 < 1000);
	/* Cancelled 200 ms in: back soon after, polled in slices. */
	char c;
	assert_int_equal(read(p[0], &c, 1), 1);
	struct later l = { netprobe_now_ms() + 200, 0 };
	struct hooks h = { .cancelled = cancel_later, .ud = &l };
	t0 = netprobe_now_ms();
	assert_int_equal(netprobe_wait(p[0], POLLIN, t0 + 10000, &h),
			 NPW_CANCELLED);
	long long took = netprobe_now_ms() - t0;
	assert_true(took >= 200);
	assert_true(took < 5000);
	assert_true(l.calls < 50);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_localhost),
		cmocka_unit_test(test_resolve_invalid),
		cmocka_unit_test(test_connect_listening),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_check_diagnostics),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_sleep),
		cmocka_unit_test(test_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
