/*
 * lab_ca.c - the lab CA's web-enrollment endpoints, socket-free: given a
 * parsed request (method, path, query, form fields, Basic credentials)
 * fill in the response the way AD CS answers (certsrv-protocol.md):
 *   /certsrv/                 home page (401 without valid credentials)
 *   certcarc.asp              var nRenewals=0;
 *   certrqxt.asp              the template list
 *   certnew.cer / certnew.p7b CA certificate, issued certificates, chains
 *   certfnsh.asp              Mode=newreq (submit) and Mode=chkpnd
 *   certcrl.crl               a real CRL (no credentials needed: it is the
 *                             CRL distribution point of issued certificates;
 *                             signed again only when revocations change,
 *                             lab_crl.c)
 * Templates: OpsMgr (issue), OpsMgrManual (pending), WebServer (issue,
 * serverAuth only), anything else denied like AD CS.  The pages speak the
 * lab's --language (lab_lang.c).  Like IIS, a path may have '/' doubled
 * ("//certsrv//certfnsh.asp"), and answers come chunked, with
 * Connection: close or with a length depending on the page (iis_framing).
 */
#include "lab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#define CT_HTML "text/html"
#define CT_CERT "application/pkix-cert"
#define CT_P7B "application/x-pkcs7-certificates"
#define CT_CRL "application/pkix-crl"

/* certsrv's numeric dispositions (certcli.h) the advanced page shows */
#define CR_DISP_DENIED 2
#define CR_DISP_UNDER_SUBMISSION 5

/* Room for a disposition message or a LastStatus line. */
#define DISP_MAX 512

enum tmpl_kind { T_NONE, T_UNKNOWN, T_OPSMGR, T_MANUAL, T_WEBSERVER };

static void html(struct lab_resp *r, unsigned status, char *page)
{
	lab_resp_take(r, status, CT_HTML, (unsigned char *)page,
		      page ? strlen(page) : 0);
}

static const struct lab_texts *texts(const struct lab_ctx *c)
{
	return lab_texts_of(c->lang);
}

static void advanced(const struct lab_ctx *c, struct lab_resp *r,
		     long disp_code, const char *disp, const char *st)
{
	html(r, 200, lab_page_advanced(texts(c), disp_code, disp, st));
}

/* The advanced-info page of one result (disposition and LastStatus). */
static void advanced_hr(const struct lab_ctx *c, struct lab_resp *r,
			enum lab_hr hr)
{
	char st[DISP_MAX];

	lab_hr_status(texts(c), hr, st, sizeof(st));
	advanced(c, r, -1, st, st);
}

static void server_error(const struct lab_ctx *c, struct lab_resp *r,
			 const char *what, const char *err)
{
	char msg[768];

	lab_log(c, "ca: %s: %s", what, err);
	snprintf(msg, sizeof(msg), "%s: %s", what, err);
	html(r, 500, lab_page_advanced(texts(c), -1, msg, "The lab could not "
				       "complete the operation; see lab.log."));
}

static int auth_ok(const struct lab_ctx *c, const struct lab_http_req *q)
{
	const char *u = q->user, *s;
	size_t ul, pl;

	if (!u || !q->pass || !c->password)
		return 0;
	s = strrchr(u, '\\');
	if (s)
		u = s + 1;
	ul = strcspn(u, "@");
	if (ul != strlen(LAB_USER) || strncasecmp(u, LAB_USER, ul))
		return 0;
	pl = strlen(q->pass);
	if (pl != strlen(c->password))
		return 0;
	return CRYPTO_memcmp(q->pass, c->password, pl) == 0;
}

static int renewal_ok(const struct lab_http_req *q)
{
	const char *r = lab_kvs_get(q->query, "Renewal");

	return !r || !strcmp(r, "0");
}

static int want_b64(const struct lab_http_req *q)
{
	const char *e = lab_kvs_get(q->query, "Enc");

	return e && !strcasecmp(e, "b64");
}

/* Send DER as DER or CRLF PEM with label. */
static void send_der(struct lab_resp *r, const char *ctype, const char *label,
		     unsigned char *der, size_t len, int b64)
{
	if (b64) {
		size_t n = 0;
		char *pem = lab_pem_crlf(label, der, len, &n);

		OPENSSL_free(der);
		lab_resp_take(r, 200, ctype, (unsigned char *)pem, n);
		return;
	}
	{
		unsigned char *copy = malloc(len ? len : 1);

		if (copy)
			memcpy(copy, der, len);
		OPENSSL_free(der);
		lab_resp_take(r, 200, ctype, copy, len);
	}
}

static X509 *load_issued(const struct lab_ctx *c, long id, char *err,
			 size_t errlen)
{
	char *p = lab_request_file(c, id, "pem");
	char *buf = NULL;
	size_t len = 0;
	BIO *b;
	X509 *x = NULL;

	if (!p || !(buf = lab_read_text(p, &len, err, errlen))) {
		free(p);
		return NULL;
	}
	b = BIO_new_mem_buf(buf, (int)len);
	if (b)
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!x)
		snprintf(err, errlen, "'%s' holds no certificate", p);
	free(buf);
	free(p);
	return x;
}

/* Copy of request id from the state (under the lock).  1 found, 0 not,
 * -1 error (err). */
static int lookup(const struct lab_ctx *c, long id, struct lab_request *out,
		  char *err, size_t errlen)
{
	struct lab_state st;
	struct lab_request *r;
	int fd = lab_state_open(c->dir, &st, err, errlen), rc;

	if (fd < 0)
		return -1;
	lab_state_unlock(fd);
	r = lab_state_find_req(&st, id);
	rc = r ? 1 : 0;
	if (r)
		*out = *r;
	lab_state_release(&st);
	return rc;
}

/*
 * The stored request a page asks about (id from lab_parse_id): 1 with *rq,
 * or 0 with the answer already in r (bad ID, unreadable state, unknown).
 */
static int request_for_page(const struct lab_ctx *c, long id,
			    struct lab_request *rq, struct lab_resp *r)
{
	char err[512];
	int found;

	if (id < 0) {
		advanced_hr(c, r, LAB_HR_BAD_PARAMETER);
		return 0;
	}
	found = lookup(c, id, rq, err, sizeof(err));
	if (found < 0)
		server_error(c, r, "cannot read the lab state", err);
	else if (!found)
		advanced_hr(c, r, LAB_HR_PROPERTY_EMPTY);
	return found > 0;
}

static void do_certnew(const struct lab_ctx *c, const struct lab_http_req *q,
		       struct lab_resp *r, int p7b)
{
	const char *rid = lab_kvs_get(q->query, "ReqID");
	struct lab_request rq;
	char err[512];
	X509 *x = NULL;
	unsigned char *der = NULL;
	size_t len = 0;
	long id;
	int n;

	if (rid && !strcasecmp(rid, "CACert")) {
		if (!renewal_ok(q)) {
			advanced_hr(c, r, LAB_HR_BAD_PARAMETER);
			return;
		}
		if (p7b) {
			if (lab_make_p7b(c, NULL, &der, &len)) {
				server_error(c, r, "cannot make the chain",
					     "PKCS#7 encoding failed");
				return;
			}
			send_der(r, CT_P7B, "CERTIFICATE", der, len,
				 want_b64(q));
			return;
		}
		n = i2d_X509(c->root, &der);
		if (n <= 0) {
			server_error(c, r, "cannot encode the root", "i2d");
			return;
		}
		send_der(r, CT_CERT, "CERTIFICATE", der, (size_t)n,
			 want_b64(q));
		return;
	}
	id = lab_parse_id(rid);
	if (!request_for_page(c, id, &rq, r))
		return;
	if (rq.state != REQ_ISSUED && rq.state != REQ_REVOKED) {
		char disp[DISP_MAX], st[DISP_MAX];

		lab_disposition(texts(c), &rq, disp, sizeof(disp));
		lab_last_status(texts(c), &rq, st, sizeof(st));
		advanced(c, r, rq.state == REQ_PENDING ? CR_DISP_UNDER_SUBMISSION
						       : CR_DISP_DENIED, disp, st);
		return;
	}
	x = load_issued(c, id, err, sizeof(err));
	if (!x) {
		server_error(c, r, "cannot read an issued certificate", err);
		return;
	}
	if (p7b) {
		if (lab_make_p7b(c, x, &der, &len)) {
			X509_free(x);
			server_error(c, r, "cannot make the chain", "PKCS#7");
			return;
		}
		X509_free(x);
		send_der(r, CT_P7B, "CERTIFICATE", der, len, want_b64(q));
		return;
	}
	n = i2d_X509(x, &der);
	X509_free(x);
	if (n <= 0) {
		server_error(c, r, "cannot encode a certificate", "i2d");
		return;
	}
	send_der(r, CT_CERT, "CERTIFICATE", der, (size_t)n, want_b64(q));
}

static void do_crl(const struct lab_ctx *c, const struct lab_http_req *q,
		   struct lab_resp *r)
{
	const char *type = lab_kvs_get(q->query, "Type");
	struct lab_state st;
	unsigned char *der = NULL;
	size_t len = 0;
	char err[512];
	int fd;

	if (!renewal_ok(q) || (type && strcasecmp(type, "base"))) {
		advanced_hr(c, r, LAB_HR_PROPERTY_EMPTY);
		return;
	}
	fd = lab_state_open(c->dir, &st, err, sizeof(err));
	if (fd < 0) {
		server_error(c, r, "cannot read the lab state", err);
		return;
	}
	lab_state_unlock(fd);
	if (lab_crl_der(c, &st, &der, &len, err, sizeof(err))) {
		lab_state_release(&st);
		server_error(c, r, "cannot make the CRL", err);
		return;
	}
	lab_state_release(&st);
	if (want_b64(q)) {
		size_t n = 0;
		char *pem = lab_pem_crlf("X509 CRL", der, len, &n);

		free(der);
		lab_resp_take(r, 200, CT_CRL, (unsigned char *)pem, n);
		return;
	}
	lab_resp_take(r, 200, CT_CRL, der, len);
}

/* Template named in CertAttrib ("CertificateTemplate:NAME" line). */
static enum tmpl_kind template_of(const char *attrib, char *name, size_t cap)
{
	const char *p = attrib;
	static const char key[] = "CertificateTemplate:";

	lab_sanitise(name, cap, "", 1);
	while (p && *p) {
		size_t linelen = strcspn(p, "\r\n");

		if (linelen >= sizeof(key) - 1 &&
		    !strncasecmp(p, key, sizeof(key) - 1)) {
			char v[LAB_TEMPLATE_MAX + 1];
			const char *s = p + sizeof(key) - 1;
			size_t n = linelen - (sizeof(key) - 1);

			while (n && (*s == ' ' || *s == '\t')) {
				s++;
				n--;
			}
			while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
				n--;
			if (n > LAB_TEMPLATE_MAX)
				n = LAB_TEMPLATE_MAX;
			memcpy(v, s, n);
			v[n] = '\0';
			lab_sanitise(name, cap, v, 1);
			if (!n)
				return T_NONE;
			if (!strcasecmp(v, "OpsMgr"))
				return T_OPSMGR;
			if (!strcasecmp(v, "OpsMgrManual"))
				return T_MANUAL;
			if (!strcasecmp(v, "WebServer"))
				return T_WEBSERVER;
			return T_UNKNOWN;
		}
		p += linelen;
		while (*p == '\r' || *p == '\n')
			p++;
	}
	return T_NONE;
}

/* requests/N.csr of a pending request, requests/N.pem of an issued one. */
static int write_request_file(const struct lab_ctx *c, long id,
			      enum lab_pem kind, const void *obj, char *err,
			      size_t errlen)
{
	char *p = lab_request_file(c, id, kind == LAB_PEM_CSR ? "csr" : "pem");
	int rc;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = lab_write_pem(p, kind, obj, err, errlen);
	free(p);
	return rc;
}

/* The answer page of certfnsh.asp for a request in its state (chkpnd: to
 * Mode=chkpnd). */
static void request_page(const struct lab_ctx *c, const struct lab_request *rq,
			 int chkpnd, struct lab_resp *r)
{
	const struct lab_texts *t = texts(c);
	char disp[DISP_MAX], st[DISP_MAX];

	switch (rq->state) {
	case REQ_ISSUED:
	case REQ_REVOKED:
		html(r, 200, lab_page_issued(t, rq->id));
		break;
	case REQ_PENDING:
		html(r, 200, lab_page_pending(t, rq->id, chkpnd));
		break;
	case REQ_DENIED:
		lab_disposition(t, rq, disp, sizeof(disp));
		lab_last_status(t, rq, st, sizeof(st));
		html(r, 200, lab_page_denied(t, rq->id, t->denied_title, disp,
					     st));
		break;
	}
}

/* The error page of a CSR the CA cannot use; why is lab_parse_csr's
 * (English) reason, whose symbolic name tells which. */
static void bad_csr(const struct lab_ctx *c, struct lab_resp *r,
		    const char *why)
{
	const struct lab_texts *t = texts(c);
	int sig = strstr(why, "TRUST_E_CERT_SIGNATURE") != NULL;
	char disp[DISP_MAX], st[DISP_MAX];

	lab_csr_disposition(t, sig, disp, sizeof(disp));
	lab_hr_status(t, sig ? LAB_HR_BAD_SIGNATURE : LAB_HR_ASN1_BADTAG, st,
		      sizeof(st));
	html(r, 200, lab_page_denied(t, 0, t->error_title, disp, st));
}

static void hold_submission(const struct lab_ctx *c)
{
	for (long i = 0; i < (long)c->delay_submit * 10; i++) {
		struct timespec ts = { 0, 100000000L };

		if (c->stopping && *c->stopping)
			return;
		nanosleep(&ts, NULL);
	}
}

/*
 * Mode=newreq.  The certificate (serial random, no request ID in it) is
 * signed before the state lock is taken; under the lock the request gets
 * its ID, its files (the CSR of a pending request, the certificate of an
 * issued one) and its state record.
 */
static void do_newreq(const struct lab_ctx *c, const struct lab_http_req *q,
		      struct lab_resp *r)
{
	const char *csr = lab_kvs_get(q->form, "CertRequest");
	const char *attrib = lab_kvs_get(q->form, "CertAttrib");
	struct lab_request rec;
	struct lab_state st;
	enum tmpl_kind kind;
	char err[512], disp[512];
	X509_REQ *req;
	X509 *x = NULL;
	char *cn;
	int fd;

	if (c->delay_submit > 0)
		hold_submission(c);
	req = lab_parse_csr(csr, csr ? strlen(csr) : 0, disp, sizeof(disp));
	if (!req) {
		bad_csr(c, r, disp);
		return;
	}
	memset(&rec, 0, sizeof(rec));
	kind = template_of(attrib, rec.templ, sizeof(rec.templ));
	cn = lab_name_cn(X509_REQ_get_subject_name(req));
	lab_sanitise(rec.cn, sizeof(rec.cn), cn ? cn : "", 0);
	free(cn);
	snprintf(rec.serial, sizeof(rec.serial), "-");
	rec.submitted = (long long)time(NULL);
	switch (kind) {
	case T_OPSMGR:
	case T_WEBSERVER: {
		char *cdp = lab_cdp_url(c->ca_port), *hex;

		x = lab_issue(c, req, kind == T_WEBSERVER ?
			      LAB_PROFILE_WEBSERVER : LAB_PROFILE_OPSMGR, cdp,
			      err, sizeof(err));
		free(cdp);
		hex = x ? lab_serial_hex(x) : NULL;
		if (!hex) {
			X509_free(x);
			X509_REQ_free(req);
			server_error(c, r, "cannot issue the certificate",
				     x ? "out of memory" : err);
			return;
		}
		snprintf(rec.serial, sizeof(rec.serial), "%s", hex);
		free(hex);
		rec.state = REQ_ISSUED;
		break;
	}
	case T_MANUAL:
		rec.state = REQ_PENDING;
		break;
	case T_NONE:
		rec.state = REQ_DENIED;
		rec.deny = DENY_NO_TEMPLATE;
		break;
	case T_UNKNOWN:
		rec.state = REQ_DENIED;
		rec.deny = DENY_TEMPLATE;
		break;
	}

	fd = lab_state_open(c->dir, &st, err, sizeof(err));
	if (fd < 0) {
		X509_REQ_free(req);
		X509_free(x);
		server_error(c, r, "cannot read the lab state", err);
		return;
	}
	rec.id = st.next_id++;
	if ((rec.state == REQ_PENDING &&
	     write_request_file(c, rec.id, LAB_PEM_CSR, req, err, sizeof(err))) ||
	    (x && write_request_file(c, rec.id, LAB_PEM_CERT, x, err,
				     sizeof(err))))
		goto fail;
	if (!lab_state_add_req(&st, &rec)) {
		snprintf(err, sizeof(err), "out of memory");
		goto fail;
	}
	if (lab_state_save(c->dir, &st, err, sizeof(err)))
		goto fail;
	lab_state_unlock(fd);
	lab_state_release(&st);
	X509_REQ_free(req);
	X509_free(x);
	lab_log(c, "ca: request %ld for '%s' template '%s': %s", rec.id,
		rec.cn, rec.templ, lab_req_state_name(rec.state));
	request_page(c, &rec, 0, r);
	return;
fail:
	lab_state_unlock(fd);
	lab_state_release(&st);
	X509_REQ_free(req);
	X509_free(x);
	server_error(c, r, "cannot record the request", err);
}

static void do_chkpnd(const struct lab_ctx *c, const struct lab_http_req *q,
		      struct lab_resp *r)
{
	long id = lab_parse_id(lab_kvs_get(q->form, "ReqID"));
	struct lab_request rq;

	if (!request_for_page(c, id, &rq, r))
		return;
	request_page(c, &rq, 1, r);
}

/*
 * How IIS sends each answer, so clients meet all three framings: ASP
 * pages that build their answer as they go (certfnsh.asp, certcarc.asp)
 * chunked, error pages (advanced info, 404, 500) with Connection: close,
 * everything else (home, certrqxt.asp, certificates, CRLs, 401 - which
 * keeps the connection for the authentication handshake) with a length.
 */
static void iis_framing(const char *name, struct lab_resp *r)
{
	static const char *const chunked[] = { "certfnsh.asp", "certcarc.asp" };
	int html_page = r->ctype && !strcmp(r->ctype, CT_HTML);

	if (r->status == 401)
		return;
	if (r->status >= 400 || (html_page && !strcasecmp(name, "certnew.cer")) ||
	    (html_page && !strcasecmp(name, "certnew.p7b")) ||
	    (html_page && !strcasecmp(name, "certcrl.crl"))) {
		r->close = 1;
		return;
	}
	for (size_t i = 0; i < sizeof(chunked) / sizeof(chunked[0]); i++)
		if (!strcasecmp(name, chunked[i]))
			r->chunked = 1;
}

/* path with every run of '/' made one (IIS takes "//certsrv//x.asp"),
 * into buf; NULL when it does not fit. */
static const char *one_slash(const char *path, char *buf, size_t cap)
{
	size_t n = 0;

	for (const char *p = path; *p; p++) {
		if (*p == '/' && n && buf[n - 1] == '/')
			continue;
		if (n + 1 >= cap)
			return NULL;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	return buf;
}

static void route(const struct lab_ctx *c, const struct lab_http_req *q,
		  const char *name, struct lab_resp *r)
{
	const struct lab_texts *t = texts(c);
	int get = q->method && (!strcmp(q->method, "GET") ||
				!strcmp(q->method, "HEAD"));
	int post = q->method && !strcmp(q->method, "POST");

	if (!strcasecmp(name, "certcrl.crl") && get) {
		do_crl(c, q, r);
		return;
	}
	if (!auth_ok(c, q)) {
		html(r, 401, lab_page_unauthorized(t));
		r->auth_challenge = 1;
		return;
	}
	if (!get && !post) {
		lab_resp_text(r, 405, CT_HTML, "<html><body><h2>405 - HTTP verb "
			      "used to access this page is not allowed."
			      "</h2></body></html>\r\n");
		return;
	}
	if (!*name || !strcasecmp(name, "default.asp"))
		html(r, 200, lab_page_home(t));
	else if (!strcasecmp(name, "certcarc.asp"))
		html(r, 200, lab_page_certcarc(t, 0));
	else if (!strcasecmp(name, "certrqxt.asp"))
		html(r, 200, lab_page_certrqxt(t));
	else if (!strcasecmp(name, "certnew.cer"))
		do_certnew(c, q, r, 0);
	else if (!strcasecmp(name, "certnew.p7b"))
		do_certnew(c, q, r, 1);
	else if (!strcasecmp(name, "certfnsh.asp")) {
		const char *mode = lab_kvs_get(q->form, "Mode");

		if (post && mode && !strcasecmp(mode, "newreq"))
			do_newreq(c, q, r);
		else if (post && mode && !strcasecmp(mode, "chkpnd"))
			do_chkpnd(c, q, r);
		else
			advanced_hr(c, r, LAB_HR_BAD_PARAMETER);
	} else {
		html(r, 404, lab_page_not_found(t));
	}
}

void lab_ca_handle(const struct lab_ctx *c, const struct lab_http_req *q,
		   struct lab_resp *r)
{
	char buf[1024];
	const char *path = one_slash(q->path ? q->path : "", buf, sizeof(buf));
	const char *name = "";

	memset(r, 0, sizeof(*r));
	if (!path || strncasecmp(path, "/certsrv", 8) ||
	    (path[8] != '\0' && path[8] != '/')) {
		html(r, 404, lab_page_not_found(texts(c)));
	} else {
		name = path[8] ? path + 9 : "";
		route(c, q, name, r);
	}
	iis_framing(name, r);
}
