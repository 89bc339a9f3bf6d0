/*
 * lab_http.c - libmicrohttpd glue for the lab's two HTTPS listeners on
 * 127.0.0.1 (ephemeral ports): the CA pages and the management server.
 * MHD parses HTTP (malformed requests get its 400), TLS is GnuTLS inside
 * MHD, a thread per connection with a connection timeout keeps a slow
 * client from blocking others, and a per-address connection limit keeps
 * one client holding idle connections (an address may hold at most
 * PER_IP_LIMIT of the CONN_LIMIT) from starving the rest; bodies above
 * LAB_BODY_CAP get 413, form
 * bodies go through MHD's post processor, Basic credentials through MHD's
 * helpers.  A CA answer marked chunked goes out with
 * Transfer-Encoding: chunked (a callback response of unknown size, in
 * pieces of at most CHUNK_MAX), one marked close with Connection: close;
 * a 401 carries one WWW-Authenticate header per scheme of --challenge, in
 * its order (IIS: Negotiate, NTLM, Basic).  The management listener
 * asks for a client certificate and verifies it against the lab root during the handshake (a GnuTLS
 * per-session verify function, installed when MHD announces the
 * connection); refusals are logged with the reason, like the Operations
 * Manager events 20000/21007.  Each request is handed to the socket-free
 * lab_ca_handle / lab_ms_handle (the peer's CN, serial and certificate
 * SHA-256 with it).  Method and URL reach the log only through lab_log,
 * which escapes them.
 */
#include "lab.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <openssl/crypto.h>

#define CONN_TIMEOUT_S 15u
#define CONN_LIMIT 500u
/* Above what one address needs (test_load_lab: 200 agents polling at
 * once from 127.0.0.1), well below CONN_LIMIT. */
#define PER_IP_LIMIT 256u
#define DISCARD_CAP (16u * 1024u * 1024u)

struct listener {
	struct lab_ctx *c;
	int ms;                   /* management server */
};

struct lab_server {
	struct MHD_Daemon *ca, *ms;
	struct listener lca, lms;
};

struct conn_state {
	struct MHD_PostProcessor *pp;
	struct lab_kvs form;
	size_t body;
	int too_big;
	int queued;
};

/* The verify function has no user pointer of its own: one lab per process. */
static struct lab_ctx *g_ms_ctx;

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	struct lab_ctx *c = cls;
	char buf[512];
	size_t n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	/* libmicrohttpd 0.9.75 says this even when the logger is first */
	if (!strncmp(buf, "MHD_OPTION_EXTERNAL_LOGGER is not the first", 43))
		return;
	lab_log(c, "http: %s", buf);
}

/* Subject CN, serial and SHA-256 of the first peer certificate
 * (malloc'd). */
static int peer_identity(gnutls_session_t s, char **cn, char **serial,
			 char **sha)
{
	unsigned n = 0;
	const gnutls_datum_t *certs = gnutls_certificate_get_peers(s, &n);
	const unsigned char *p;
	X509 *x;

	*cn = *serial = *sha = NULL;
	if (!certs || !n)
		return -1;
	p = certs[0].data;
	x = d2i_X509(NULL, &p, (long)certs[0].size);
	if (!x)
		return -1;
	*cn = lab_name_cn(X509_get_subject_name(x));
	*serial = lab_serial_hex(x);
	*sha = lab_cert_sha256(x);
	X509_free(x);
	if (!*cn || !*serial || !*sha) {
		free(*cn);
		free(*serial);
		free(*sha);
		*cn = *serial = *sha = NULL;
		return -1;
	}
	return 0;
}

struct peer {
	char *cn, *serial, *sha;
	unsigned status;   /* gnutls_certificate_status_t bits of a refusal */
	bool sent;         /* it presented a certificate */
};

static void peer_release(struct peer *p)
{
	free(p->cn);
	free(p->serial);
	free(p->sha);
	memset(p, 0, sizeof(*p));
}

/* 0 when the peer presented a certificate chaining to the lab root;
 * otherwise -1 with the reason in why. */
static int check_peer(gnutls_session_t s, char *why, size_t whylen,
		      struct peer *pe)
{
	gnutls_typed_vdata_st vd;
	unsigned status = 0, n = 0;
	int rc;

	memset(pe, 0, sizeof(*pe));
	if (!gnutls_certificate_get_peers(s, &n) || !n) {
		snprintf(why, whylen, "the client sent no certificate");
		return -1;
	}
	pe->sent = true;
	peer_identity(s, &pe->cn, &pe->serial, &pe->sha);
	/* chain to the lab root, and usable for Client Authentication (an
	 * agent certificate without it fails against a real management
	 * server too) */
	memset(&vd, 0, sizeof(vd));
	vd.type = GNUTLS_DT_KEY_PURPOSE_OID;
	vd.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT;
	rc = gnutls_certificate_verify_peers(s, &vd, 1, &status);
	if (rc < 0) {
		snprintf(why, whylen, "its certificate could not be checked: "
			 "%s", gnutls_strerror(rc));
		return -1;
	}
	pe->status = status;
	if (status) {
		gnutls_datum_t out = { NULL, 0 };

		if (gnutls_certificate_verification_status_print(
			    status, GNUTLS_CRT_X509, &out, 0) == 0 && out.data)
			snprintf(why, whylen, "%s", (const char *)out.data);
		else
			snprintf(why, whylen, "verification status 0x%x",
				 status);
		gnutls_free(out.data);
		for (size_t n = strlen(why); n && why[n - 1] == ' '; n--)
			why[n - 1] = '\0';
		return -1;
	}
	if (!pe->cn || !*pe->cn) {
		snprintf(why, whylen, "its certificate has no subject CN");
		return -1;
	}
	return 0;
}

/* The TLS alert a refusal sends (RFC 8446 6.2), so the client hears the
 * cause as a real server's TLS stack would tell it: expired, not for
 * client authentication, unknown issuer, revoked, none sent. */
static gnutls_alert_description_t refusal_alert(const struct peer *pe)
{
	unsigned status = pe->status;

	if (!pe->sent)
		return GNUTLS_A_CERTIFICATE_REQUIRED;
	if (status & (GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED))
		return GNUTLS_A_CERTIFICATE_EXPIRED;
	if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
		return GNUTLS_A_UNSUPPORTED_CERTIFICATE;
	if (status & GNUTLS_CERT_REVOKED)
		return GNUTLS_A_CERTIFICATE_REVOKED;
	if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA))
		return GNUTLS_A_UNKNOWN_CA;
	return GNUTLS_A_BAD_CERTIFICATE;
}

/* Tell the client why (the alert), then close gently: stop writing and
 * read what it still sends until it closes too, at most LINGER_MS.  A
 * close with its request unread would send a reset, and the client's TCP
 * stack drops what it has not read yet on a reset: the alert with it. */
#define LINGER_MS 1000
static void send_refusal(gnutls_session_t s, const struct peer *pe)
{
	int fd = gnutls_transport_get_int(s);
	struct stat st;
	char sink[4096];

	(void)gnutls_alert_send(s, GNUTLS_AL_FATAL, refusal_alert(pe));
	if (fd < 0 || fstat(fd, &st) || !S_ISSOCK(st.st_mode) ||
	    shutdown(fd, SHUT_WR))
		return;
	for (int waited = 0; waited < LINGER_MS; waited += 50) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 50) < 0 && errno != EINTR)
			return;
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return;
	}
}

static int verify_during_handshake(gnutls_session_t s)
{
	char why[512];
	struct peer pe;
	int rc = check_peer(s, why, sizeof(why), &pe);

	/* logged before the client hears it, so the log is written once
	 * the client knows */
	if (rc && g_ms_ctx)
		lab_log(g_ms_ctx, "ms: refused a TLS connection from '%s' "
			"(like events 20000/21007: no mutually authenticated "
			"connection could be established): %s",
			pe.cn && *pe.cn ? pe.cn : "(no certificate)", why);
	if (rc)
		send_refusal(s, &pe);
	peer_release(&pe);
	return rc ? -1 : 0;
}

static void notify_conn(void *cls, struct MHD_Connection *conn,
			void **socket_context,
			enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *ci;

	if (toe != MHD_CONNECTION_NOTIFY_STARTED)
		return;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci && ci->tls_session)
		gnutls_session_set_verify_function(
			(gnutls_session_t)ci->tls_session,
			verify_during_handshake);
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind,
				   const char *key, const char *value)
{
	struct lab_kvs *k = cls;

	if (key)
		lab_kvs_add(k, key, value ? value : "",
			    value ? strlen(value) : 0, 0);
	return MHD_YES;
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind,
				 const char *key, const char *filename,
				 const char *content_type,
				 const char *transfer_encoding,
				 const char *data, uint64_t off, size_t size)
{
	struct conn_state *cs = cls;

	if (lab_kvs_add(&cs->form, key, data ? data : "", data ? size : 0,
			off > 0)) {
		cs->too_big = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

/* A body sent chunked: handed to MHD a piece at a time. */
struct chunked_body {
	unsigned char *data;
	size_t len;
};

/* At most this much per chunk, so even a short page comes in several. */
#define CHUNK_MAX 1024u

static ssize_t chunked_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct chunked_body *b = cls;
	size_t n;

	if (pos >= b->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	n = b->len - (size_t)pos;
	if (n > max)
		n = max;
	if (n > CHUNK_MAX)
		n = CHUNK_MAX;
	memcpy(buf, b->data + pos, n);
	return (ssize_t)n;
}

static void chunked_free(void *cls)
{
	struct chunked_body *b = cls;

	free(b->data);
	free(b);
}

/* r's body as an MHD response: with a length, or chunked (the body taken
 * from r either way); NULL when out of memory. */
static struct MHD_Response *make_response(struct lab_resp *r)
{
	struct MHD_Response *resp;
	struct chunked_body *b;

	if (!r->chunked) {
		resp = MHD_create_response_from_buffer(r->len, r->body,
						       MHD_RESPMEM_MUST_FREE);
		if (resp)
			r->body = NULL;
		return resp;
	}
	b = malloc(sizeof(*b));
	if (!b)
		return NULL;
	b->data = r->body;
	b->len = r->len;
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, CHUNK_MAX,
						 chunked_read, b, chunked_free);
	if (!resp) {
		free(b);
		return NULL;
	}
	r->body = NULL;
	return resp;
}

/* The WWW-Authenticate headers of a 401, one per scheme, in the order
 * configured (c->challenge; none configured: Basic). */
static void add_challenges(const struct lab_ctx *c, struct MHD_Response *resp)
{
	static const enum lab_scheme basic_only[] = { LAB_SCHEME_BASIC };
	const enum lab_scheme *list = c && c->nchallenge ? c->challenge
							  : basic_only;
	int n = c && c->nchallenge ? c->nchallenge : 1;

	for (int i = 0; i < n; i++)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					list[i] == LAB_SCHEME_NEGOTIATE
						? "Negotiate"
					: list[i] == LAB_SCHEME_NTLM
						? "NTLM"
						: "Basic realm=\"" LAB_REALM "\"");
}

static enum MHD_Result queue(struct MHD_Connection *conn,
			     const struct lab_ctx *c, struct conn_state *cs,
			     struct lab_resp *r)
{
	struct MHD_Response *resp = make_response(r);
	enum MHD_Result ret;

	if (!resp) {
		lab_resp_release(r);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_SERVER,
				"Microsoft-IIS/10.0");
	if (r->close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION,
					"close");
	if (r->status == 401 && r->auth_challenge)
		add_challenges(c, resp);
	ret = MHD_queue_response(conn, r->status, resp);
	MHD_destroy_response(resp);
	cs->queued = 1;
	return ret;
}

static enum MHD_Result too_large(struct MHD_Connection *conn,
				 struct conn_state *cs)
{
	struct lab_resp r;

	memset(&r, 0, sizeof(r));
	lab_resp_text(&r, 413, "text/html",
		      "<html><head><title>413 Request Entity Too Large</title>"
		      "</head><body><h2>413 - Request Entity Too Large</h2>"
		      "</body></html>\r\n");
	r.close = 1;
	return queue(conn, NULL, cs, &r);
}

static enum MHD_Result dispatch(struct listener *L,
				struct MHD_Connection *conn,
				struct conn_state *cs, const char *url,
				const char *method)
{
	struct lab_http_req q;
	struct lab_kvs query;
	struct lab_resp r;
	struct peer pe;
	char *user = NULL, *pass = NULL;
	enum MHD_Result ret;

	memset(&q, 0, sizeof(q));
	memset(&query, 0, sizeof(query));
	memset(&r, 0, sizeof(r));
	memset(&pe, 0, sizeof(pe));
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg,
				  &query);
	q.method = method;
	q.path = url;
	q.query = &query;
	q.form = &cs->form;
	if (L->ms) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
			conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
		char why[512];

		if (!ci || !ci->tls_session ||
		    check_peer((gnutls_session_t)ci->tls_session, why,
			       sizeof(why), &pe)) {
			lab_log(L->c, "ms: refused %s %s from '%s': %s", method,
				url, pe.cn && *pe.cn ? pe.cn : "(no certificate)",
				ci ? why : "no TLS session");
			peer_release(&pe);
		}
		q.peer_cn = pe.cn;
		q.peer_serial = pe.serial;
		q.peer_sha256 = pe.sha;
		lab_ms_handle(L->c, &q, &r);
	} else {
		user = MHD_basic_auth_get_username_password(conn, &pass);
		q.user = user;
		q.pass = pass;
		lab_ca_handle(L->c, &q, &r);
	}
	ret = queue(conn, L->c, cs, &r);
	lab_resp_release(&r);
	lab_kvs_release(&query);
	if (pass) {
		OPENSSL_cleanse(pass, strlen(pass));
		MHD_free(pass);
	}
	if (user)
		MHD_free(user);
	peer_release(&pe);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct listener *L = cls;
	struct conn_state *cs = *con_cls;

	if (!cs) {
		const char *cl;

		cs = calloc(1, sizeof(*cs));
		if (!cs)
			return MHD_NO;
		*con_cls = cs;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > LAB_BODY_CAP) {
			cs->too_big = 1;
			return too_large(conn, cs);
		}
		if (!strcmp(method, "POST"))
			cs->pp = MHD_create_post_processor(conn, 8192,
							   post_iter, cs);
		return MHD_YES;
	}
	if (*upload_size) {
		/* MHD cannot answer in the middle of a body (chunked uploads
		 * have no Content-Length to refuse up front): over the cap the
		 * rest is discarded and 413 sent at its end; a sender that
		 * goes on past DISCARD_CAP is cut off. */
		cs->body += *upload_size;
		if (cs->body > DISCARD_CAP) {
			lab_log(L->c, "http: cut off a request body of more "
				"than %u bytes to %s", DISCARD_CAP, url);
			return MHD_NO;
		}
		if (cs->body > LAB_BODY_CAP)
			cs->too_big = 1;
		else if (cs->pp && !cs->too_big)
			MHD_post_process(cs->pp, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (cs->queued)
		return MHD_YES;
	if (cs->pp) {
		/* flushes the last field */
		MHD_destroy_post_processor(cs->pp);
		cs->pp = NULL;
	}
	if (cs->too_big)
		return too_large(conn, cs);
	return dispatch(L, conn, cs, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;

	if (!cs)
		return;
	if (cs->pp)
		MHD_destroy_post_processor(cs->pp);
	lab_kvs_release(&cs->form);
	free(cs);
	*con_cls = NULL;
}

static struct MHD_Daemon *start_one(struct listener *L, char *err,
				    size_t errlen)
{
	struct lab_ctx *c = L->c;
	struct sockaddr_in sin;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *di;
	unsigned flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	/* The management server also asks for and checks a client
	 * certificate; the CA's listener gets only the END item. */
	struct MHD_OptionItem client_auth[] = {
		{ MHD_OPTION_HTTPS_MEM_TRUST, 0, c->root_pem },
		{ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)notify_conn, L },
		{ MHD_OPTION_END, 0, NULL }
	};

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = 0;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, L,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, c,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
		MHD_OPTION_HTTPS_MEM_KEY, c->server_key_pem,
		MHD_OPTION_HTTPS_MEM_CERT, c->server_pem,
		MHD_OPTION_ARRAY, L->ms ? client_auth : client_auth + 2,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, L,
		MHD_OPTION_CONNECTION_TIMEOUT, CONN_TIMEOUT_S,
		MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, PER_IP_LIMIT,
		MHD_OPTION_END);
	if (!d) {
		snprintf(err, errlen, "cannot start the %s listener on "
			 "127.0.0.1 (libmicrohttpd refused; see the log)",
			 L->ms ? "management server" : "CA");
		return NULL;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (!di || !di->port) {
		snprintf(err, errlen, "cannot learn the port of the %s "
			 "listener", L->ms ? "management server" : "CA");
		MHD_stop_daemon(d);
		return NULL;
	}
	if (L->ms)
		c->ms_port = di->port;
	else
		c->ca_port = di->port;
	return d;
}

struct lab_server *lab_server_start(struct lab_ctx *c, char *err,
				    size_t errlen)
{
	struct lab_server *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->lca.c = c;
	s->lms.c = c;
	s->lms.ms = 1;
	g_ms_ctx = c;
	s->ca = start_one(&s->lca, err, errlen);
	if (s->ca)
		s->ms = start_one(&s->lms, err, errlen);
	if (!s->ca || !s->ms) {
		lab_server_stop(s);
		return NULL;
	}
	return s;
}

void lab_server_stop(struct lab_server *s)
{
	if (!s)
		return;
	if (s->ca)
		MHD_stop_daemon(s->ca);
	if (s->ms)
		MHD_stop_daemon(s->ms);
	free(s);
}
