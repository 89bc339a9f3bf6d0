/*
 * netprobe.c - DNS and TCP probes with timeouts and cancellation, and the
 * cancellable sleep used by back-off loops (netprobe.h).
 *
 * getaddrinfo() cannot be interrupted, so it runs on a detached helper
 * thread that signals a pipe; the caller waits on the pipe with poll() in
 * 100 ms slices and may give up (timeout, cancel) while the thread keeps
 * the job alive until it finishes (reference counted, freed by whoever is
 * last).  TCP connects are non-blocking with poll() on POLLOUT.
 */
#include "sys/netprobe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/validate.h"

long long netprobe_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The deadline timeout_ms from now; none (LLONG_MAX) when it is <= 0. */
static long long deadline(int timeout_ms)
{
	return timeout_ms > 0 ? netprobe_now_ms() + timeout_ms : LLONG_MAX;
}

enum np_wait netprobe_wait(int fd, short events, long long end,
			   const struct hooks *h)
{
	for (;;) {
		if (hooks_cancelled(h))
			return NPW_CANCELLED;
		long long left = end - netprobe_now_ms();
		if (left <= 0)
			return NPW_TIMEOUT;
		int slice = left < NETPROBE_SLICE_MS ? (int)left
						      : NETPROBE_SLICE_MS;
		struct pollfd pfd = { .fd = fd, .events = events };
		int r = poll(&pfd, 1, slice);
		if (r > 0)
			return NPW_READY;
		if (r < 0 && errno != EINTR)
			return NPW_ERROR;
	}
}

int netprobe_sleep(int ms, const struct hooks *h)
{
	long long end = netprobe_now_ms() + (ms > 0 ? ms : 0);
	return netprobe_wait(-1, 0, end, h) == NPW_CANCELLED;
}

/* "refused", ... */
static const char *np_result_name(enum np_result r)
{
	switch (r) {
	case NP_OK: return "ok";
	case NP_NOT_FOUND: return "name not found";
	case NP_DNS_FAIL: return "DNS failure";
	case NP_REFUSED: return "refused";
	case NP_TIMEOUT: return "timed out";
	case NP_UNREACHABLE: return "unreachable";
	case NP_CANCELLED: return "cancelled";
	case NP_ERROR: return "error";
	}
	return "error";
}

/* ---- DNS on a helper thread --------------------------------------------- */

struct resolve_job {
	pthread_mutex_t mu;
	int refs;
	int done;
	int pipefd[2];
	char *host;
	char port[16];
	int gai_rc;
	int sys_errno;
	struct addrinfo *res;
};

static void job_free(struct resolve_job *j)
{
	if (j->res)
		freeaddrinfo(j->res);
	if (j->pipefd[0] >= 0)
		close(j->pipefd[0]);
	if (j->pipefd[1] >= 0)
		close(j->pipefd[1]);
	free(j->host);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

/* Drop one reference; frees the job when it was the last. */
static void job_unref(struct resolve_job *j)
{
	pthread_mutex_lock(&j->mu);
	int last = --j->refs == 0;
	pthread_mutex_unlock(&j->mu);
	if (last)
		job_free(j);
}

static void job_lookup(struct resolve_job *j)
{
	const struct addrinfo hints = { .ai_family = AF_UNSPEC,
					.ai_socktype = SOCK_STREAM,
					.ai_protocol = IPPROTO_TCP,
					.ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(j->host, j->port, &hints, &res);
	int e = errno;
	pthread_mutex_lock(&j->mu);
	j->gai_rc = rc;
	j->sys_errno = e;
	j->res = rc == 0 ? res : NULL;
	j->done = 1;
	pthread_mutex_unlock(&j->mu);
}

static void *resolve_thread(void *arg)
{
	struct resolve_job *j = arg;
	job_lookup(j);
	ssize_t w;
	do
		w = write(j->pipefd[1], "x", 1);
	while (w < 0 && errno == EINTR);
	job_unref(j);
	return NULL;
}

static enum np_result map_gai(int rc, int sys_errno, const char *host,
			      char *err, size_t errlen)
{
	switch (rc) {
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
	case EAI_ADDRFAMILY:
#endif
		snprintf(err, errlen, "'%s' does not resolve: %s", host,
			 gai_strerror(rc));
		return NP_NOT_FOUND;
	case EAI_AGAIN:
	case EAI_FAIL:
		snprintf(err, errlen,
			 "DNS lookup of '%s' failed: %s (no DNS server gave "
			 "an answer)", host, gai_strerror(rc));
		return NP_DNS_FAIL;
	case EAI_SYSTEM:
		snprintf(err, errlen, "DNS lookup of '%s' failed: %s", host,
			 strerror(sys_errno));
		return NP_ERROR;
	default:
		snprintf(err, errlen, "DNS lookup of '%s' failed: %s", host,
			 gai_strerror(rc));
		return NP_ERROR;
	}
}

static void collect(const struct addrinfo *res, struct netprobe_addrs *out)
{
	for (const struct addrinfo *ai = res;
	     ai && out->n < NETPROBE_MAX_ADDRS; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(struct sockaddr_storage))
			continue;
		char text[INET6_ADDRSTRLEN] = "";
		const void *addr =
			ai->ai_family == AF_INET
				? (const void *)&((const struct sockaddr_in *)
							  ai->ai_addr)->sin_addr
				: (const void *)&((const struct sockaddr_in6 *)
							  ai->ai_addr)->sin6_addr;
		if (!inet_ntop(ai->ai_family, addr, text, sizeof(text)))
			continue;
		int dup = 0;
		for (size_t i = 0; i < out->n; i++)
			if (strcmp(out->text[i], text) == 0)
				dup = 1;
		if (dup)
			continue;
		memcpy(&out->sa[out->n], ai->ai_addr, ai->ai_addrlen);
		out->salen[out->n] = ai->ai_addrlen;
		snprintf(out->text[out->n], sizeof(out->text[out->n]), "%s",
			 text);
		out->n++;
	}
}

enum np_result netprobe_resolve(const char *host, int port, int timeout_ms,
				const struct hooks *h,
				struct netprobe_addrs *out, char *err,
				size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	if (!host || !*host) {
		snprintf(err, errlen, "no host name to resolve");
		return NP_NOT_FOUND;
	}
	if (hooks_cancelled(h)) {
		snprintf(err, errlen, "DNS lookup of '%s' cancelled", host);
		return NP_CANCELLED;
	}
	struct resolve_job *j = calloc(1, sizeof(*j));
	if (!j) {
		snprintf(err, errlen, "out of memory");
		return NP_ERROR;
	}
	j->pipefd[0] = j->pipefd[1] = -1;
	pthread_mutex_init(&j->mu, NULL);
	j->host = strdup(host);
	struct verdict v;
	snprintf(j->port, sizeof(j->port), "%d",
		 rule_port(port, &v) == SEV_PASS ? port : 0);
	if (!j->host || pipe2(j->pipefd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "cannot start the DNS lookup: %s",
			 strerror(errno));
		job_free(j);
		return NP_ERROR;
	}
	j->refs = 2;
	pthread_attr_t attr;
	pthread_t tid;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int prc = pthread_create(&tid, &attr, resolve_thread, j);
	pthread_attr_destroy(&attr);
	if (prc != 0) {
		/* No thread: resolve here (bounded by the resolver's own
		 * timeouts) rather than not at all. */
		j->refs = 1;
		job_lookup(j);
	}

	long long end = deadline(timeout_ms);
	enum np_result r = NP_OK;
	for (;;) {
		pthread_mutex_lock(&j->mu);
		int done = j->done;
		pthread_mutex_unlock(&j->mu);
		if (done)
			break;
		enum np_wait w = netprobe_wait(j->pipefd[0], POLLIN, end, h);
		if (w == NPW_CANCELLED) {
			snprintf(err, errlen, "DNS lookup of '%s' cancelled",
				 host);
			r = NP_CANCELLED;
			break;
		}
		if (w == NPW_TIMEOUT) {
			snprintf(err, errlen,
				 "DNS lookup of '%s' timed out after %d ms",
				 host, timeout_ms);
			r = NP_TIMEOUT;
			break;
		}
	}
	if (r == NP_OK) {
		pthread_mutex_lock(&j->mu);
		if (j->gai_rc != 0) {
			r = map_gai(j->gai_rc, j->sys_errno, host, err, errlen);
		} else {
			collect(j->res, out);
			if (out->n == 0) {
				snprintf(err, errlen,
					 "'%s' resolves to no IPv4 or IPv6 "
					 "address", host);
				r = NP_NOT_FOUND;
			}
		}
		pthread_mutex_unlock(&j->mu);
	}
	job_unref(j);
	return r;
}

char *netprobe_addrs_text(const struct netprobe_addrs *a)
{
	size_t cap = 1;
	for (size_t i = 0; i < a->n; i++)
		cap += strlen(a->text[i]) + 2;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < a->n; i++) {
		if (i)
			strcat(s, ", ");
		strcat(s, a->text[i]);
	}
	return s;
}

/* ---- TCP connect ---------------------------------------------------------- */

static enum np_result map_errno(int e)
{
	switch (e) {
	case 0: return NP_OK;
	case ECONNREFUSED: return NP_REFUSED;
	case ETIMEDOUT: return NP_TIMEOUT;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
	case EADDRNOTAVAIL:
	case EAFNOSUPPORT:
		return NP_UNREACHABLE;
	default: return NP_ERROR;
	}
}

static enum np_result connect_one(const struct sockaddr *sa, socklen_t salen,
				  long long end, const struct hooks *h,
				  int *fd_out, int *err_out)
{
	*err_out = 0;
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
					       SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0) {
		*err_out = errno;
		return map_errno(errno);
	}
	int rc;
	do
		rc = connect(fd, sa, salen);
	while (rc < 0 && errno == EINTR);
	if (rc < 0 && errno != EINPROGRESS) {
		*err_out = errno;
		close(fd);
		return map_errno(*err_out);
	}
	if (rc < 0) {
		enum np_wait w = netprobe_wait(fd, POLLOUT, end, h);
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (w == NPW_READY &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl))
			soerr = errno;
		if (w != NPW_READY || soerr) {
			*err_out = w == NPW_TIMEOUT ? ETIMEDOUT
				   : w == NPW_ERROR ? errno : soerr;
			close(fd);
			return w == NPW_CANCELLED ? NP_CANCELLED
			       : w == NPW_TIMEOUT ? NP_TIMEOUT
			       : w == NPW_ERROR ? NP_ERROR : map_errno(soerr);
		}
	}
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return NP_OK;
}

enum np_result netprobe_connect(const struct netprobe_addrs *a,
				int timeout_ms, const struct hooks *h,
				int *fd_out, size_t *which, char *err,
				size_t errlen)
{
	if (fd_out)
		*fd_out = -1;
	if (err && errlen)
		err[0] = '\0';
	if (!a || a->n == 0) {
		snprintf(err, errlen, "no address to connect to");
		return NP_ERROR;
	}
	long long end = deadline(timeout_ms);
	enum np_result r = NP_ERROR;
	size_t used = 0;
	for (size_t i = 0; i < a->n; i++) {
		int e = 0;
		r = connect_one((const struct sockaddr *)&a->sa[i], a->salen[i],
				end, h, fd_out, &e);
		if (r == NP_OK) {
			if (which)
				*which = i;
			return NP_OK;
		}
		if (r == NP_CANCELLED) {
			snprintf(err, errlen, "connection to %s cancelled",
				 a->text[i]);
			return r;
		}
		char one[160];
		if (r == NP_TIMEOUT)
			snprintf(one, sizeof(one), "%s: timed out after %d ms",
				 a->text[i], timeout_ms);
		else
			snprintf(one, sizeof(one), "%s: %s (%s)", a->text[i],
				 np_result_name(r), strerror(e));
		if (err && used < errlen) {
			int n = snprintf(err + used, errlen - used, "%s%s",
					 used ? "; " : "", one);
			if (n > 0)
				used += (size_t)n;
		}
		if (netprobe_now_ms() >= end)
			break;
	}
	return r;
}

/* ---- diagnostics ------------------------------------------------------- */

static const char *then_text(int then_event, char *buf, size_t len)
{
	if (!then_event)
		return "";
	snprintf(buf, len, ", then event %d: no channel, no failover",
		 then_event);
	return buf;
}

enum np_result netprobe_check(const char *host, int port, int timeout_ms,
			      const struct hooks *h, struct diag_list *dl,
			      enum diag_check dns_check,
			      enum diag_check tcp_check,
			      const char *host_field, const char *port_field,
			      int then_event, int *fd_out)
{
	struct netprobe_addrs addrs;
	char err[1024];
	char then[96];
	if (fd_out)
		*fd_out = -1;

	hooks_progress(h, "resolving the management server", -1);
	enum np_result r = netprobe_resolve(host, port, timeout_ms, h, &addrs,
					    err, sizeof(err));
	if (r == NP_CANCELLED) {
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, host_field, NULL,
			 "cancelled during the DNS lookup of '%s'", host);
		return r;
	}
	if (r != NP_OK) {
		diag_add(dl, dns_check, SEV_FAIL, host_field,
			 "check the spelling of the management server's "
			 "FQDN, or add it to DNS or /etc/hosts",
			 "%s: the agent cannot find its management server "
			 "(event %d%s)",
			 err, diag_check_event(dns_check),
			 then_text(then_event, then, sizeof(then)));
		return r;
	}
	char *list = netprobe_addrs_text(&addrs);
	diag_add(dl, dns_check, SEV_PASS, host_field, NULL,
		 "'%s' resolves to %s", host, list ? list : "?");
	free(list);

	hooks_progress(h, "connecting to the management server", -1);
	size_t which = 0;
	r = netprobe_connect(&addrs, timeout_ms, h, fd_out, &which, err,
			     sizeof(err));
	if (r == NP_CANCELLED) {
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, port_field, NULL,
			 "cancelled while connecting to '%s' port %d", host,
			 port);
		return r;
	}
	if (r == NP_OK) {
		diag_add(dl, tcp_check, SEV_PASS, port_field, NULL,
			 "TCP connection to '%s' port %d (%s) succeeded", host,
			 port, addrs.text[which]);
		return r;
	}
	const char *why, *fix;
	switch (r) {
	case NP_REFUSED:
		why = "refused: nothing listens on that port";
		fix = "check the port (5723 unless changed) and that the "
		      "management server's Health Service is running";
		break;
	case NP_TIMEOUT:
		why = "timed out: a firewall may be dropping the packets";
		fix = "open the port in the firewalls between this computer "
		      "and the management server";
		break;
	case NP_UNREACHABLE:
		why = "unreachable: there is no route to the server";
		fix = "check the network configuration (route, gateway) and "
		      "the server's address";
		break;
	default:
		why = "failed";
		fix = "check the server's address and port";
		break;
	}
	diag_add(dl, tcp_check, SEV_FAIL, port_field, fix,
		 "connection to '%s' port %d %s (%s); the agent logs event "
		 "%d (cannot connect to the management server)%s",
		 host, port, why, err, diag_check_event(tcp_check),
		 then_text(then_event, then, sizeof(then)));
	return r;
}
