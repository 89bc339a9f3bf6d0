/*
 * faultproxy.c - the fault-injecting HTTPS proxy of faultproxy.h: an
 * accept thread on 127.0.0.1, one detached thread per connection doing
 * non-blocking OpenSSL I/O in 100 ms slices (so faultproxy_stop() ends
 * every connection promptly, even one stalled on purpose), and either a
 * byte relay to the upstream HTTPS server or the configured fault.
 */
#include "faultproxy.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define SLICE_MS 100
#define HEAD_MAX (64 * 1024)
#define IO_TIMEOUT_MS 30000
#define RELAY_IDLE_MS 60000
#define HUGE_DEFAULT (100u * 1024u * 1024u)

struct faultproxy {
	int lfd;
	int port;
	int upstream_port;
	pthread_t acceptor;
	atomic_int stopping;
	SSL_CTX *sctx, *alt_ctx;
	SSL_CTX *cctx;              /* upstream client context (under mu) */
	char *upstream_ca;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int active;                 /* connection threads alive */
	struct fp_setting cur;
	char *match;                /* owned copy of cur.match */
	int conns, faults, passed;
	size_t huge_sent;
};

struct conn {
	struct faultproxy *p;
	int fd;
};

const char *fp_fault_name(enum fp_fault f)
{
	switch (f) {
	case FP_NONE: return "none";
	case FP_SLOW_FIRST_BYTE: return "slow first byte";
	case FP_STALL_BODY: return "stalled body";
	case FP_RESET: return "connection reset";
	case FP_STATUS: return "HTTP error status";
	case FP_TRUNCATED: return "truncated body";
	case FP_GARBAGE: return "garbage HTML";
	case FP_HUGE: return "huge body";
	case FP_HUGE_UNSIZED: return "huge body without length";
	case FP_TLS_ALERT: return "TLS handshake failure";
	case FP_WRONG_NAME: return "certificate for another name";
	case FP_SILENT: return "no answer";
	}
	return "?";
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int stopping(struct faultproxy *p)
{
	return atomic_load(&p->stopping);
}

/* Wait for ev on fd for up to ms, in slices that watch the stop flag.
 * 1 ready, 0 timed out, -1 stopping or poll error. */
static int wait_fd(struct faultproxy *p, int fd, short ev, int ms)
{
	long long end = now_ms() + ms;
	for (;;) {
		if (stopping(p))
			return -1;
		long long left = end - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd pfd = { fd, ev, 0 };
		int r = poll(&pfd, 1, left < SLICE_MS ? (int)left : SLICE_MS);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* Retry an SSL call that wants I/O.  0 go on, -1 give up. */
static int ssl_wait(struct faultproxy *p, SSL *s, int fd, int rc, int ms)
{
	switch (SSL_get_error(s, rc)) {
	case SSL_ERROR_WANT_READ:
		return wait_fd(p, fd, POLLIN, ms) == 1 ? 0 : -1;
	case SSL_ERROR_WANT_WRITE:
		return wait_fd(p, fd, POLLOUT, ms) == 1 ? 0 : -1;
	default:
		return -1;
	}
}

static int ssl_handshake(struct faultproxy *p, SSL *s, int fd, int server)
{
	long long end = now_ms() + 10000;
	for (;;) {
		ERR_clear_error();
		int rc = server ? SSL_accept(s) : SSL_connect(s);
		if (rc == 1)
			return 0;
		long long left = end - now_ms();
		if (left <= 0 || ssl_wait(p, s, fd, rc, (int)left) < 0)
			return -1;
	}
}

/* > 0 bytes, 0 clean close, -1 error/stop, -2 timed out. */
static int ssl_read_some(struct faultproxy *p, SSL *s, int fd, void *buf,
			 int n, int ms)
{
	long long end = now_ms() + ms;
	for (;;) {
		ERR_clear_error();
		int rc = SSL_read(s, buf, n);
		if (rc > 0)
			return rc;
		int e = SSL_get_error(s, rc);
		if (e == SSL_ERROR_ZERO_RETURN)
			return 0;
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			return -1;
		long long left = end - now_ms();
		if (left <= 0)
			return -2;
		int w = wait_fd(p, fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
				(int)left);
		if (w < 0)
			return -1;
		if (w == 0)
			return -2;
	}
}

static int ssl_write_all(struct faultproxy *p, SSL *s, int fd,
			 const void *buf, size_t n)
{
	const char *b = buf;
	while (n > 0) {
		int chunk = n > 16384 ? 16384 : (int)n;
		ERR_clear_error();
		int rc = SSL_write(s, b, chunk);
		if (rc > 0) {
			b += rc;
			n -= (size_t)rc;
			continue;
		}
		if (ssl_wait(p, s, fd, rc, IO_TIMEOUT_MS) < 0)
			return -1;
	}
	return 0;
}

/* Send close_notify, then read until the client closes (so it sees our
 * whole answer instead of a reset caused by its unread request body). */
static void close_gently(struct faultproxy *p, SSL *s, int fd)
{
	char junk[4096];
	ERR_clear_error();
	SSL_shutdown(s);
	long long end = now_ms() + 3000;
	while (now_ms() < end) {
		int r = ssl_read_some(p, s, fd, junk, sizeof(junk),
				      (int)(end - now_ms()));
		if (r <= 0)
			break;
	}
}

/* Read until the end of the request head.  Returns bytes read (head and
 * whatever body came with it) or -1. */
static int read_head(struct faultproxy *p, SSL *s, int fd, char *buf,
		     int cap)
{
	int len = 0;
	while (len < cap - 1) {
		int r = ssl_read_some(p, s, fd, buf + len, cap - 1 - len, 10000);
		if (r <= 0)
			return -1;
		len += r;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return len;
	}
	return -1;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int connect_upstream(struct faultproxy *p, SSL_CTX *cctx, SSL **out)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)p->upstream_port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    set_nonblock(fd) < 0) {
		close(fd);
		return -1;
	}
	SSL *s = SSL_new(cctx);
	if (!s) {
		close(fd);
		return -1;
	}
	SSL_set_fd(s, fd);
	X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s), "127.0.0.1");
	if (ssl_handshake(p, s, fd, 0) < 0) {
		SSL_free(s);
		close(fd);
		return -1;
	}
	*out = s;
	return fd;
}

/*
 * Relay between client and upstream until either side closes.  The head
 * already read from the client goes first.  hold_ms > 0 keeps upstream's
 * answer from the client for that long.
 */
static void relay(struct faultproxy *p, SSL_CTX *cctx, SSL *cs, int cfd,
		  const char *head, int headlen, int hold_ms)
{
	SSL *us = NULL;
	int ufd = connect_upstream(p, cctx, &us);
	char buf[16384];
	if (ufd < 0)
		return;
	pthread_mutex_lock(&p->mu);
	p->passed++;
	pthread_mutex_unlock(&p->mu);
	/*
	 * One request per connection: "Connection: close" added to the
	 * forwarded request makes upstream answer with it and close, so a
	 * client that keeps connections alive (http.c reuses them) opens a
	 * new one for its next request, which is then decided on its own.
	 */
	const char *eol = memmem(head, (size_t)headlen, "\r\n", 2);
	if (eol) {
		size_t line = (size_t)(eol - head) + 2;
		if (ssl_write_all(p, us, ufd, head, line) < 0 ||
		    ssl_write_all(p, us, ufd, "Connection: close\r\n", 19) < 0 ||
		    ssl_write_all(p, us, ufd, head + line, (size_t)headlen - line) < 0)
			goto out;
	} else if (ssl_write_all(p, us, ufd, head, (size_t)headlen) < 0) {
		goto out;
	}
	long long hold_until = now_ms() + (hold_ms > 0 ? hold_ms : 0);
	long long idle_until = now_ms() + RELAY_IDLE_MS;
	while (!stopping(p) && now_ms() < idle_until) {
		int holding = now_ms() < hold_until;
		struct pollfd pf[2] = { { cfd, POLLIN, 0 }, { ufd, POLLIN, 0 } };
		int nfd = holding ? 1 : 2;
		int ready_c = SSL_pending(cs) > 0;
		int ready_u = !holding && SSL_pending(us) > 0;
		if (!ready_c && !ready_u) {
			int r = poll(pf, (nfds_t)nfd, SLICE_MS);
			if (r < 0 && errno != EINTR)
				break;
			ready_c = pf[0].revents != 0;
			ready_u = nfd == 2 && pf[1].revents != 0;
		}
		if (ready_c) {
			ERR_clear_error();
			int r = SSL_read(cs, buf, sizeof(buf));
			if (r > 0) {
				idle_until = now_ms() + RELAY_IDLE_MS;
				if (ssl_write_all(p, us, ufd, buf, (size_t)r) < 0)
					break;
			} else {
				int e = SSL_get_error(cs, r);
				if (e != SSL_ERROR_WANT_READ &&
				    e != SSL_ERROR_WANT_WRITE)
					break;   /* client gone */
			}
		}
		if (ready_u) {
			ERR_clear_error();
			int r = SSL_read(us, buf, sizeof(buf));
			if (r > 0) {
				idle_until = now_ms() + RELAY_IDLE_MS;
				if (ssl_write_all(p, cs, cfd, buf, (size_t)r) < 0)
					break;
			} else {
				int e = SSL_get_error(us, r);
				if (e != SSL_ERROR_WANT_READ &&
				    e != SSL_ERROR_WANT_WRITE) {
					close_gently(p, cs, cfd);
					break;   /* upstream finished */
				}
			}
		}
	}
out:
	SSL_free(us);
	close(ufd);
}

static void send_status(struct faultproxy *p, SSL *s, int fd, int status)
{
	char page[1024], resp[1600];
	const char *reason = status == 503 ? "Service Unavailable"
			   : status == 500 ? "Internal Server Error"
			   : status == 502 ? "Bad Gateway" : "Error";
	int n = snprintf(page, sizeof(page),
			 "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\">\r\n"
			 "<html><head><title>%s</title></head><body>"
			 "<h1>%s</h1><hr><p>HTTP Error %d. The service is "
			 "unavailable.</p></body></html>\r\n",
			 reason, reason, status);
	int m = snprintf(resp, sizeof(resp),
			 "HTTP/1.1 %d %s\r\nContent-Type: text/html\r\n"
			 "Server: Microsoft-IIS/10.0\r\nContent-Length: %d\r\n"
			 "Connection: close\r\n\r\n%s",
			 status, reason, n, page);
	if (ssl_write_all(p, s, fd, resp, (size_t)m) == 0)
		close_gently(p, s, fd);
}

static void send_garbage(struct faultproxy *p, SSL *s, int fd)
{
	static const char body[] =
		"<html><head><title>\x01\x02 Welcome</title><body><div "
		"class=\"<<<\">&#xZZZZ; &bogus; <script>var x = '</div>"
		"\xff\xfe\xc3\x28 nothing to see \0 here <tr><td>Request "
		"Id is</td></tr></table></body></html>";
	char head[256];
	int m = snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 sizeof(body) - 1);
	if (ssl_write_all(p, s, fd, head, (size_t)m) == 0 &&
	    ssl_write_all(p, s, fd, body, sizeof(body) - 1) == 0)
		close_gently(p, s, fd);
}

static void filler(char *buf, size_t n)
{
	static const char pat[] = "<p>certsrv filler 0123456789</p>\r\n";
	for (size_t i = 0; i < n; i++)
		buf[i] = pat[i % (sizeof(pat) - 1)];
}

/* Say nothing more until the client gives up (or 2 minutes pass). */
static void wait_for_close(struct faultproxy *p, SSL *s, int fd)
{
	long long end = now_ms() + 120000;
	char junk[4096];
	while (now_ms() < end) {
		int r = ssl_read_some(p, s, fd, junk, sizeof(junk),
				      (int)(end - now_ms()));
		if (r == 0 || r == -1)
			break;
	}
}

static void send_partial(struct faultproxy *p, SSL *s, int fd, int stall)
{
	char head[256], body[1000];
	size_t announce = stall ? 5000 : 4000;
	size_t give = stall ? 200 : sizeof(body);
	filler(body, sizeof(body));
	int m = snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
			 "Content-Length: %zu\r\n\r\n", announce);
	if (ssl_write_all(p, s, fd, head, (size_t)m) < 0 ||
	    ssl_write_all(p, s, fd, body, give) < 0)
		return;
	if (!stall) {
		close_gently(p, s, fd);
		return;
	}
	wait_for_close(p, s, fd);
}

static char huge_chunk[65536];
static pthread_once_t huge_once = PTHREAD_ONCE_INIT;

static void huge_init(void)
{
	filler(huge_chunk, sizeof(huge_chunk));
}

static void send_huge(struct faultproxy *p, SSL *s, int fd, size_t total,
		      int sized)
{
	char head[256];
	const char *chunk = huge_chunk;
	const size_t chunk_len = sizeof(huge_chunk);
	int m = sized
		? snprintf(head, sizeof(head),
			   "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
			   "Content-Length: %zu\r\n\r\n", total)
		: snprintf(head, sizeof(head),
			   "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
			   "Connection: close\r\n\r\n");
	pthread_once(&huge_once, huge_init);
	if (ssl_write_all(p, s, fd, head, (size_t)m) < 0)
		return;
	size_t sent = 0;
	while (sent < total && !stopping(p)) {
		size_t n = total - sent < chunk_len ? total - sent : chunk_len;
		if (ssl_write_all(p, s, fd, chunk, n) < 0)
			break;
		sent += n;
		pthread_mutex_lock(&p->mu);
		p->huge_sent += n;
		pthread_mutex_unlock(&p->mu);
	}
	if (sent == total)
		close_gently(p, s, fd);
}

static void tls_alert(struct faultproxy *p, int fd)
{
	/* TLS 1.2 record: alert, fatal (2), handshake_failure (40) */
	static const unsigned char alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02,
					       0x02, 0x28 };
	char hello[4096];
	if (wait_fd(p, fd, POLLIN, 5000) == 1 &&
	    recv(fd, hello, sizeof(hello), 0) > 0)
		(void)send(fd, alert, sizeof(alert), MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	wait_fd(p, fd, POLLIN, 1000);
}

static void reset_now(int fd)
{
	struct linger l = { 1, 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

static void count_fault(struct faultproxy *p)
{
	pthread_mutex_lock(&p->mu);
	p->faults++;
	pthread_mutex_unlock(&p->mu);
}

static void *conn_main(void *arg)
{
	struct conn *cn = arg;
	struct faultproxy *p = cn->p;
	int fd = cn->fd;
	struct fp_setting set;
	char match[256] = "";
	char *head = NULL;
	SSL *s = NULL;
	sigset_t ss;

	free(cn);
	sigemptyset(&ss);
	sigaddset(&ss, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);

	pthread_mutex_lock(&p->mu);
	set = p->cur;
	if (p->match)
		snprintf(match, sizeof(match), "%s", p->match);
	p->conns++;
	SSL_CTX *cctx = p->cctx;   /* the upstream identity of this moment */
	SSL_CTX_up_ref(cctx);
	pthread_mutex_unlock(&p->mu);

	if (set.fault == FP_TLS_ALERT) {
		count_fault(p);
		tls_alert(p, fd);
		goto out;
	}
	int alt = set.fault == FP_WRONG_NAME && p->alt_ctx;
	s = SSL_new(alt ? p->alt_ctx : p->sctx);
	if (!s)
		goto out;
	SSL_set_fd(s, fd);
	if (alt)
		count_fault(p);
	if (ssl_handshake(p, s, fd, 1) < 0)
		goto out;
	head = malloc(HEAD_MAX);
	if (!head)
		goto out;
	int len = read_head(p, s, fd, head, HEAD_MAX);
	if (len < 0)
		goto out;
	char *eol = strstr(head, "\r\n");
	int hit = set.fault != FP_NONE && set.fault != FP_WRONG_NAME &&
		  (!match[0] ||
		   (eol && memmem(head, (size_t)(eol - head), match,
				  strlen(match))));
	if (!hit) {
		relay(p, cctx, s, fd, head, len, 0);
		goto out;
	}
	count_fault(p);
	switch (set.fault) {
	case FP_SLOW_FIRST_BYTE:
		relay(p, cctx, s, fd, head, len,
		      set.delay_ms > 0 ? set.delay_ms : 10000);
		break;
	case FP_STALL_BODY:
		send_partial(p, s, fd, 1);
		break;
	case FP_SILENT:
		wait_for_close(p, s, fd);
		break;
	case FP_RESET:
		SSL_free(s);
		s = NULL;
		reset_now(fd);
		break;
	case FP_STATUS:
		send_status(p, s, fd, set.status > 0 ? set.status : 500);
		break;
	case FP_TRUNCATED:
		send_partial(p, s, fd, 0);
		break;
	case FP_GARBAGE:
		send_garbage(p, s, fd);
		break;
	case FP_HUGE:
	case FP_HUGE_UNSIZED:
		send_huge(p, s, fd, set.bytes ? set.bytes : HUGE_DEFAULT,
			  set.fault == FP_HUGE);
		break;
	default:
		relay(p, cctx, s, fd, head, len, 0);
		break;
	}
out:
	free(head);
	SSL_free(s);
	SSL_CTX_free(cctx);
	close(fd);
	pthread_mutex_lock(&p->mu);
	p->active--;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void *accept_main(void *arg)
{
	struct faultproxy *p = arg;
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	while (!stopping(p)) {
		struct pollfd pfd = { p->lfd, POLLIN, 0 };
		if (poll(&pfd, 1, SLICE_MS) <= 0)
			continue;
		int fd = accept4(p->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		struct conn *cn = malloc(sizeof(*cn));
		pthread_t t;
		pthread_attr_t at;
		if (!cn) {
			close(fd);
			continue;
		}
		cn->p = p;
		cn->fd = fd;
		pthread_mutex_lock(&p->mu);
		p->active++;
		pthread_mutex_unlock(&p->mu);
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, conn_main, cn) != 0) {
			free(cn);
			close(fd);
			pthread_mutex_lock(&p->mu);
			p->active--;
			pthread_mutex_unlock(&p->mu);
		}
		pthread_attr_destroy(&at);
	}
	return NULL;
}

static SSL_CTX *server_ctx(const char *cert, const char *key,
			   const char *client_ca)
{
	SSL_CTX *c = SSL_CTX_new(TLS_server_method());
	if (!c)
		return NULL;
	if (SSL_CTX_use_certificate_chain_file(c, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(c) != 1) {
		fprintf(stderr, "faultproxy: cannot use '%s' / '%s'\n", cert, key);
		ERR_print_errors_fp(stderr);
		SSL_CTX_free(c);
		return NULL;
	}
	if (client_ca) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(client_ca);
		if (!names ||
		    SSL_CTX_load_verify_locations(c, client_ca, NULL) != 1) {
			fprintf(stderr, "faultproxy: cannot load '%s'\n", client_ca);
			sk_X509_NAME_pop_free(names, X509_NAME_free);
			SSL_CTX_free(c);
			return NULL;
		}
		SSL_CTX_set_client_CA_list(c, names);
		SSL_CTX_set_verify(c, SSL_VERIFY_PEER |
				   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	return c;
}

static SSL_CTX *client_ctx(const char *ca, const char *cert, const char *key)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());
	if (!c)
		return NULL;
	if (ca) {
		if (SSL_CTX_load_verify_locations(c, ca, NULL) != 1) {
			fprintf(stderr, "faultproxy: cannot load '%s'\n", ca);
			SSL_CTX_free(c);
			return NULL;
		}
		SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	}
	if (cert && key &&
	    (SSL_CTX_use_certificate_chain_file(c, cert) != 1 ||
	     SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) != 1)) {
		fprintf(stderr, "faultproxy: cannot use '%s' / '%s' upstream\n",
			cert, key);
		SSL_CTX_free(c);
		return NULL;
	}
	return c;
}

int faultproxy_set_upstream_identity(struct faultproxy *p, const char *cert,
				     const char *key)
{
	SSL_CTX *c = client_ctx(p->upstream_ca, cert, key);
	if (!c)
		return -1;
	pthread_mutex_lock(&p->mu);
	SSL_CTX *old = p->cctx;
	p->cctx = c;
	pthread_mutex_unlock(&p->mu);
	SSL_CTX_free(old);   /* connections using it hold their own reference */
	return 0;
}

struct faultproxy *faultproxy_start(const struct faultproxy_opts *o)
{
	struct faultproxy *p = calloc(1, sizeof(*p));
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	if (!p)
		return NULL;
	p->lfd = -1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->upstream_port = o->upstream_port;
	p->sctx = server_ctx(o->cert, o->key, o->client_ca);
	if (!p->sctx)
		goto fail;
	if (o->alt_cert && o->alt_key) {
		p->alt_ctx = server_ctx(o->alt_cert, o->alt_key, o->client_ca);
		if (!p->alt_ctx)
			goto fail;
	}
	if (o->upstream_ca) {
		p->upstream_ca = strdup(o->upstream_ca);
		if (!p->upstream_ca)
			goto fail;
	}
	p->cctx = client_ctx(p->upstream_ca, NULL, NULL);
	if (!p->cctx)
		goto fail;
	p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->lfd < 0)
		goto fail;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(p->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(p->lfd, 128) < 0 ||
	    getsockname(p->lfd, (struct sockaddr *)&a, &al) < 0) {
		perror("faultproxy: listen");
		goto fail;
	}
	p->port = ntohs(a.sin_port);
	if (pthread_create(&p->acceptor, NULL, accept_main, p) != 0)
		goto fail;
	return p;
fail:
	if (p->lfd >= 0)
		close(p->lfd);
	SSL_CTX_free(p->sctx);
	SSL_CTX_free(p->alt_ctx);
	SSL_CTX_free(p->cctx);
	free(p->upstream_ca);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
	return NULL;
}

int faultproxy_port(const struct faultproxy *p)
{
	return p->port;
}

void faultproxy_set(struct faultproxy *p, const struct fp_setting *s)
{
	pthread_mutex_lock(&p->mu);
	free(p->match);
	p->cur = *s;
	p->match = s->match ? strdup(s->match) : NULL;
	p->cur.match = NULL;
	pthread_mutex_unlock(&p->mu);
}

void faultproxy_heal(struct faultproxy *p)
{
	struct fp_setting s;
	memset(&s, 0, sizeof(s));
	faultproxy_set(p, &s);
}

static int get_count(struct faultproxy *p, const int *field)
{
	pthread_mutex_lock(&p->mu);
	int v = *field;
	pthread_mutex_unlock(&p->mu);
	return v;
}

int faultproxy_connections(struct faultproxy *p)
{
	return get_count(p, &p->conns);
}

int faultproxy_faults(struct faultproxy *p)
{
	return get_count(p, &p->faults);
}

int faultproxy_passed(struct faultproxy *p)
{
	return get_count(p, &p->passed);
}

size_t faultproxy_huge_sent(struct faultproxy *p)
{
	pthread_mutex_lock(&p->mu);
	size_t v = p->huge_sent;
	pthread_mutex_unlock(&p->mu);
	return v;
}

void faultproxy_stop(struct faultproxy *p)
{
	if (!p)
		return;
	atomic_store(&p->stopping, 1);
	pthread_join(p->acceptor, NULL);
	pthread_mutex_lock(&p->mu);
	while (p->active > 0)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	close(p->lfd);
	SSL_CTX_free(p->sctx);
	SSL_CTX_free(p->alt_ctx);
	SSL_CTX_free(p->cctx);
	free(p->upstream_ca);
	free(p->match);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}
