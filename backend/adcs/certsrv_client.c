/*
 * certsrv_client.c - the AD CS web-enrollment client (certsrv.h, protocol
 * in shared/docs/certsrv-protocol.md): submission to certfnsh.asp,
 * retrieval from certnew.cer, the chkpnd alternative, an issued request's
 * chain and the CA chain download.  What a page says is decided by the
 * classifiers of certsrv_pages.c.
 */
#include "adcs/certsrv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The schemes a 401 offers: CERTSRV_SCHEME_* bits, and as text into names. */
static unsigned offered_schemes(const struct http_response *r, char *names,
				size_t nameslen)
{
	return certsrv_classify_401(r->www_authenticate,
			     r->www_authenticate ? strlen(r->www_authenticate) : 0,
			     names, nameslen);
}

char *certsrv_url(const char *base_url, const char *path)
{
	size_t bl = strlen(base_url);
	while (bl && base_url[bl - 1] == '/')
		bl--;
	size_t pl = strlen(path);
	char *u = malloc(bl + 1 + pl + 1);
	if (!u)
		return NULL;
	memcpy(u, base_url, bl);
	u[bl] = '/';
	memcpy(u + bl + 1, path, pl + 1);
	return u;
}

void certsrv_result_release(struct certsrv_result *r)
{
	if (!r)
		return;
	free(r->cert);
	memset(r, 0, sizeof(*r));
}

enum page_mode { PAGE_SUBMIT, PAGE_RETRIEVE };

static enum http_err page_call(const struct http_opts *o, const char *url,
			       const char *post, enum page_mode mode,
			       const struct hooks *h, struct certsrv_result *res)
{
	struct http_response r;
	enum http_err e;

	memset(res, 0, sizeof(*res));   /* ans.kind = CERTSRV_UNEXPECTED */
	res->ans.disp_code = -1;        /* no disposition number shown */
	if (!url) {
		snprintf(res->err, sizeof(res->err), "out of memory");
		return HTTP_E_OTHER;
	}
	e = post ? http_post_form(o, url, post, h, &r, res->err, sizeof(res->err))
		 : http_get(o, url, h, &r, res->err, sizeof(res->err));
	if (e != HTTP_OK)
		return e;
	res->http_status = r.status;
	const char *body = (const char *)r.body;
	if (r.status == 401) {
		res->ans.kind = CERTSRV_AUTH;
		res->schemes = offered_schemes(&r, res->scheme_names,
					       sizeof(res->scheme_names));
		certsrv_page_text(body, r.body_len, res->ans.excerpt,
				  sizeof(res->ans.excerpt));
	} else if (r.status != 200) {
		int n = snprintf(res->ans.excerpt, sizeof(res->ans.excerpt),
				 "HTTP %ld: ", r.status);
		res->ans.kind = CERTSRV_UNEXPECTED;
		if (certsrv_page_text(body, r.body_len, res->ans.excerpt + n,
				      sizeof(res->ans.excerpt) - (size_t)n) == 0)
			res->ans.excerpt[n - 2] = '\0';
	} else if (mode == PAGE_SUBMIT) {
		certsrv_classify_submit(body, r.body_len, &res->ans);
	} else {
		certsrv_classify_retrieve(r.content_type, body, r.body_len,
					  &res->ans);
		if (res->ans.kind == CERTSRV_CERT) {
			res->cert = r.body;
			res->cert_len = r.body_len;
			r.body = NULL;
		}
	}
	http_response_release(&r);
	return HTTP_OK;
}

enum http_err certsrv_submit(const struct http_opts *o, const char *base_url,
			     const char *csr_pem, const char *template_name,
			     const struct hooks *h, struct certsrv_result *res)
{
	if (strpbrk(template_name, "\r\n")) {
		memset(res, 0, sizeof(*res));
		snprintf(res->err, sizeof(res->err),
			 "the template name contains a line break");
		return HTTP_E_URL;
	}
	size_t al = strlen(template_name) + 32;
	char *attrib = malloc(al);
	char *e_csr = http_urlencode(csr_pem);
	char *e_attr = NULL, *body = NULL, *url = certsrv_url(base_url, "certfnsh.asp");
	enum http_err e = HTTP_E_OTHER;
	if (attrib) {
		snprintf(attrib, al, "CertificateTemplate:%s", template_name);
		e_attr = http_urlencode(attrib);
	}
	if (e_csr && e_attr) {
		size_t bl = strlen(e_csr) + strlen(e_attr) + 256;
		body = malloc(bl);
		if (body)
			snprintf(body, bl,
				 "Mode=newreq&CertRequest=%s&CertAttrib=%s"
				 "&FriendlyType=Saved-Request%%20Certificate"
				 "&ThumbPrint=&TargetStoreFlags=0&SaveCert=yes",
				 e_csr, e_attr);
	}
	if (body && url) {
		e = page_call(o, url, body, PAGE_SUBMIT, h, res);
	} else {
		memset(res, 0, sizeof(*res));
		snprintf(res->err, sizeof(res->err), "out of memory");
	}
	free(attrib);
	free(e_csr);
	free(e_attr);
	free(body);
	free(url);
	return e;
}

enum http_err certsrv_retrieve(const struct http_opts *o,
			       const char *base_url, long request_id,
			       const struct hooks *h, struct certsrv_result *res)
{
	char path[96];
	snprintf(path, sizeof(path), "certnew.cer?ReqID=%ld&Enc=b64", request_id);
	char *url = certsrv_url(base_url, path);
	enum http_err e = page_call(o, url, NULL, PAGE_RETRIEVE, h, res);
	free(url);
	return e;
}

enum http_err certsrv_check_pending(const struct http_opts *o,
				    const char *base_url, long request_id,
				    const struct hooks *h,
				    struct certsrv_result *res)
{
	char body[128];
	snprintf(body, sizeof(body),
		 "Mode=chkpnd&ReqID=%ld&SaveCert=yes&TargetStoreFlags=0",
		 request_id);
	char *url = certsrv_url(base_url, "certfnsh.asp");
	enum http_err e = page_call(o, url, body, PAGE_SUBMIT, h, res);
	free(url);
	return e;
}

/* GET url; accept it as PKCS#7/certificate data when it looks like one. */
static enum http_err get_p7(const struct http_opts *o, const char *url,
			    const struct hooks *h, unsigned char **data,
			    size_t *len, char *why, size_t whylen, char *err,
			    size_t errlen)
{
	struct http_response r;
	enum http_err e = http_get(o, url, h, &r, err, errlen);
	why[0] = '\0';
	if (e != HTTP_OK) {
		snprintf(why, whylen, "%s", err);   /* name the transport failure */
		return e;
	}
	const char *body = (const char *)r.body;
	if (r.status == 200 && r.body_len > 0 &&
	    certsrv_looks_like_cert(r.content_type, body, r.body_len)) {
		*data = r.body;
		*len = r.body_len;
		r.body = NULL;
		http_response_release(&r);
		return HTTP_OK;
	}
	char text[CERTSRV_TEXT_MAX];
	certsrv_page_text(body, r.body_len, text, sizeof(text));
	if (r.status == 401) {
		char names[128];
		offered_schemes(&r, names, sizeof(names));
		snprintf(why, whylen,
			 "HTTP 401: the CA refused the credentials (it offers: %s)",
			 names);
	} else {
		snprintf(why, whylen, "HTTP %ld, %s%s%s", r.status,
			 r.content_type ? r.content_type : "no content type",
			 text[0] ? ": " : "", text);
	}
	http_response_release(&r);
	return HTTP_E_PROTOCOL;
}

enum http_err certsrv_fetch_chain(const struct http_opts *o,
				  const char *base_url, long request_id,
				  const struct hooks *h, unsigned char **data,
				  size_t *len, char *err, size_t errlen)
{
	char path[96], why[CERTSRV_TEXT_MAX + 128];
	enum http_err e = HTTP_E_OTHER;
	static const char *const encs[] = {"b64", "bin"};
	*data = NULL;
	*len = 0;
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "certnew.p7b?ReqID=%ld&Enc=%s",
			 request_id, encs[i]);
		char *url = certsrv_url(base_url, path);
		if (!url) {
			snprintf(err, errlen, "out of memory");
			return HTTP_E_OTHER;
		}
		e = get_p7(o, url, h, data, len, why, sizeof(why), err, errlen);
		if (e == HTTP_E_PROTOCOL)
			snprintf(err, errlen,
				 "'%s' did not answer with a certificate chain: %s",
				 url, why);
		free(url);
		if (e == HTTP_OK || e != HTTP_E_PROTOCOL)
			return e;
	}
	return e;
}

/* A transport failure of the CA chain download: cancelled, or a
 * DIAG_TRUST_SOURCE diagnostic "<what>: <err>" with fix.  Returns -1. */
static int ca_chain_failure(struct diag_list *dl, enum http_err e,
			    const char *err, const char *what, const char *fix)
{
	if (e == HTTP_E_CANCELLED)
		diag_add(dl, DIAG_CANCELLED, SEV_FAIL, NULL, NULL, "%s", err);
	else
		diag_add(dl, DIAG_TRUST_SOURCE, SEV_FAIL, "ca.url", fix,
			 "%s: %s", what, err);
	return -1;
}

/* A 401 of the CA chain download, at the field to correct: the user
 * when none was sent, else the password (the wizard's fields; their
 * settings ca.user and ca.password_file in an answers file). */
static void refused(const struct http_opts *o, const char *url,
		    const struct http_response *r, struct diag_list *dl)
{
	char names[128];
	bool no_user = !o->user || !*o->user;
	offered_schemes(r, names, sizeof(names));
	diag_add(dl, DIAG_TRUST_SOURCE, SEV_FAIL,
		 no_user ? "ca.user" : "ca.password",
		 no_user ? "give the user name and password for the CA (answers file: ca.user, ca.password_file; ca.auth one of the schemes offered)"
			 : "check the password and the user name ('DOMAIN\\user' or 'user@domain'; answers file: ca.user, ca.password_file, ca.auth)",
		 "the CA %s: HTTP 401, it offers %s ('%s')",
		 no_user ? "wants a user name and password"
			 : "refused the user name and password",
		 names, url);
}

/* The answer of certcarc.asp read: the current renewal (missing -> 0 with
 * an info diagnostic), or -1 with the diagnostic. */
static long renewal_of(const struct http_opts *o, const char *url,
		       const struct http_response *r, struct diag_list *dl)
{
	char text[CERTSRV_TEXT_MAX];
	long renewal;
	if (r->status == 401) {
		refused(o, url, r, dl);
		return -1;
	}
	certsrv_page_text((const char *)r->body, r->body_len, text, sizeof(text));
	if (r->status != 200) {
		diag_add(dl, DIAG_TRUST_SOURCE, SEV_FAIL, "ca.url",
			 "check ca.url: it should be the web-enrollment address, e.g. https://ca.example.com/certsrv/",
			 "'%s' answered HTTP %ld%s%s", url, r->status,
			 text[0] ? ": " : "", text);
		return -1;
	}
	renewal = certsrv_parse_renewals((const char *)r->body, r->body_len);
	if (renewal < 0) {
		diag_add(dl, DIAG_TRUST_SOURCE, SEV_INFO, "ca.url", NULL,
			 "'%s' does not say which CA certificate is current (no nRenewals); using renewal 0%s%s",
			 url, text[0] ? ". The page says: " : "", text);
		renewal = 0;
	}
	return renewal;
}

/* GET certcarc.asp: the current renewal of the CA certificate, or -1 with
 * the diagnostic. */
static long current_renewal(const struct http_opts *o, const char *base_url,
			    const struct hooks *h, struct diag_list *dl)
{
	char err[1024];
	struct http_response r;
	long renewal = -1;
	char *url = certsrv_url(base_url, "certcarc.asp");
	if (!url) {
		diag_add(dl, DIAG_TRUST_SOURCE, SEV_FAIL, "ca.url", NULL,
			 "out of memory");
		return -1;
	}
	enum http_err e = http_get(o, url, h, &r, err, sizeof(err));
	if (e != HTTP_OK) {
		ca_chain_failure(dl, e, err, "cannot download the CA certificate",
			 e == HTTP_E_TLS ? "check ca.ca_file, or fetch the root from a file (trust.source = file) if the CA's web server uses a certificate this computer does not trust yet"
			 : e == HTTP_E_TIMEOUT ? "try again; check that the CA web server is up"
			 : "check ca.url: it should be the web-enrollment address, e.g. https://ca.example.com/certsrv/");
	} else {
		renewal = renewal_of(o, url, &r, dl);
		http_response_release(&r);
	}
	free(url);
	return renewal;
}

int certsrv_fetch_ca_chain(const struct http_opts *o, const char *base_url,
			   const struct hooks *h, unsigned char **data,
			   size_t *len, struct diag_list *dl)
{
	char err[1024], path[96];
	char whys[2][CERTSRV_TEXT_MAX + 128] = {"", ""};
	static const char *const encs[] = {"b64", "bin"};
	*data = NULL;
	*len = 0;

	long renewal = current_renewal(o, base_url, h, dl);
	if (renewal < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path),
			 "certnew.p7b?ReqID=CACert&Renewal=%ld&Enc=%s", renewal,
			 encs[i]);
		char *url = certsrv_url(base_url, path);
		if (!url)
			break;
		enum http_err e = get_p7(o, url, h, data, len, whys[i],
					 sizeof(whys[i]), err, sizeof(err));
		free(url);
		if (e == HTTP_OK)
			return 0;
		if (e != HTTP_E_PROTOCOL)
			return ca_chain_failure(dl, e, err,
						"cannot download the CA chain",
						"try again; check that the CA web server is up");
	}
	diag_add(dl, DIAG_TRUST_SOURCE, SEV_FAIL, "ca.url",
		 "check that ca.url points at the CA's web enrollment (/certsrv/), or get the root as a file from the CA administrator (trust.source = file)",
		 "the CA did not send its certificate chain (renewal %ld): base64: %s; binary: %s",
		 renewal, whys[0], whys[1]);
	return -1;
}
