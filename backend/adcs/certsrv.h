/*
 * certsrv.h - the AD CS web-enrollment client (certsrv-protocol.md): CA
 * chain download, request submission, pending retrieval, and the pure page
 * classifiers behind them (fuzzable, no network).
 *
 * Owner: backend/adcs/certsrv.c.  Ownership of results is stated per function.
 */
#ifndef OPSMGR_CERTSRV_H
#define OPSMGR_CERTSRV_H

#include <stddef.h>
#include "core/diag.h"
#include "core/hooks.h"
#include "sys/http.h"

/*
 * Download the CA certificate chain: certcarc.asp -> nRenewals (missing ->
 * 0 with an info diagnostic) -> certnew.p7b?ReqID=CACert&Renewal=N&Enc=b64
 * (falls back to Enc=bin).  base_url is ".../certsrv/" (trailing slash
 * optional).  On success *data (malloc'd, caller frees) holds the PKCS#7 as
 * served (base64 in CERTIFICATE armour, or DER).  Failures are DIAG_TRUST_SOURCE
 * diagnostics at field "trust.source"/"ca.url" naming the server's answer.
 * Returns 0 / -1.
 */
int certsrv_fetch_ca_chain(const struct http_opts *o, const char *base_url,
			   const struct hooks *h, unsigned char **data,
			   size_t *len, struct diag_list *dl);

/* --- declarations below are added by the owner of certsrv.c ----------- */

/*
 * What a certsrv page says.  The classifiers below are pure (no network,
 * no allocation): they read at most len bytes of page, tolerate embedded
 * NULs and truncation, and fill fixed-size buffers, so a fuzzer can call
 * them on anything.  Structural markers (locPageTitle, certnew.cer?ReqID=N,
 * "Request Id is N", the disposition message) are preferred over English
 * prose; when nothing matches, excerpt holds the server's own words.
 */
enum certsrv_kind {
	CERTSRV_UNEXPECTED = 0,    /* none of the below: see excerpt */
	CERTSRV_ISSUED,            /* submit: issued at once (request_id) */
	CERTSRV_PENDING,           /* held for a CA manager (request_id) */
	CERTSRV_DENIED,            /* denied: disposition, maybe request_id */
	CERTSRV_UNKNOWN_TEMPLATE,  /* CERTSRV_E_UNSUPPORTED_CERT_TYPE */
	CERTSRV_BAD_REQUEST,       /* "Error Parsing Request" */
	CERTSRV_NO_SUCH_REQUEST,   /* retrieve: the CA has no such request ID */
	CERTSRV_CA_ERROR,          /* the CA reported another error: disposition */
	CERTSRV_CERT,              /* retrieve: the body is a certificate */
	CERTSRV_AUTH               /* HTTP 401: schemes offered */
};

#define CERTSRV_TEXT_MAX 400

struct certsrv_answer {
	enum certsrv_kind kind;
	long request_id;                      /* 0 when the page had none */
	char title[CERTSRV_TEXT_MAX];         /* page title text, or "" */
	char disposition[CERTSRV_TEXT_MAX];   /* the CA's disposition message */
	char excerpt[CERTSRV_TEXT_MAX];       /* cleaned visible text */
};

/* Answer page of POST certfnsh.asp (Mode=newreq or Mode=chkpnd). */
void certsrv_classify_submit(const char *page, size_t len,
			     struct certsrv_answer *a);
/*
 * Answer of GET certnew.cer?ReqID=N: CERTSRV_CERT when content_type is
 * application/pkix-cert (or the body is a PEM/DER certificate), otherwise
 * the advanced-info page: pending ("Taken Under Submission"), denied, no
 * such request ("The requested property value is empty"), or CA error.
 * content_type may be NULL.
 */
void certsrv_classify_retrieve(const char *content_type, const char *body,
			       size_t len, struct certsrv_answer *a);

enum {
	CERTSRV_SCHEME_BASIC = 1,
	CERTSRV_SCHEME_NTLM = 2,
	CERTSRV_SCHEME_NEGOTIATE = 4,
	CERTSRV_SCHEME_DIGEST = 8,
	CERTSRV_SCHEME_OTHER = 16
};
/*
 * Schemes offered by a 401's WWW-Authenticate value(s) (may be NULL), as a
 * bit set, and as text ("Basic, NTLM" or "none") into names.
 */
unsigned certsrv_classify_401(const char *www_authenticate, size_t len,
			      char *names, size_t nameslen);

/* "var nRenewals=N;" of certcarc.asp: N, or -1 when missing/garbled. */
long certsrv_parse_renewals(const char *page, size_t len);

/*
 * Visible text of an HTML page: title first, then the body with tags,
 * comments, scripts and styles removed, entities decoded, white space
 * collapsed, control bytes dropped; cut at outlen-1 on a UTF-8 boundary.
 * Returns the length written.
 */
size_t certsrv_page_text(const char *page, size_t len, char *out,
			 size_t outlen);

const char *certsrv_kind_name(enum certsrv_kind k);

/*
 * Network operations.  Each returns HTTP_OK when the CA answered (then
 * res->ans says what it said; 401 is kind CERTSRV_AUTH with res->schemes),
 * otherwise the transport failure with res->err.
 * Ownership: res->cert (CERTSRV_CERT only) is malloc'd; release with
 * certsrv_result_release().
 */
struct certsrv_result {
	long http_status;
	struct certsrv_answer ans;
	unsigned schemes;                 /* 401: CERTSRV_SCHEME_* bits */
	char scheme_names[128];
	unsigned char *cert;              /* CERTSRV_CERT: the body as served */
	size_t cert_len;
	char err[1024];                   /* transport failure message */
};
void certsrv_result_release(struct certsrv_result *r);

/* POST certfnsh.asp Mode=newreq with the PEM CSR and template name. */
enum http_err certsrv_submit(const struct http_opts *o, const char *base_url,
			     const char *csr_pem, const char *template_name,
			     const struct hooks *h, struct certsrv_result *res);
/* GET certnew.cer?ReqID=N&Enc=b64. */
enum http_err certsrv_retrieve(const struct http_opts *o,
			       const char *base_url, long request_id,
			       const struct hooks *h,
			       struct certsrv_result *res);
/* POST certfnsh.asp Mode=chkpnd&ReqID=N (the alternative pending check). */
enum http_err certsrv_check_pending(const struct http_opts *o,
				    const char *base_url, long request_id,
				    const struct hooks *h,
				    struct certsrv_result *res);
/*
 * GET certnew.p7b?ReqID=N&Enc=b64 (issued request's chain).  On HTTP_OK
 * *data (malloc'd, caller frees) holds the PKCS#7 as served.
 */
enum http_err certsrv_fetch_chain(const struct http_opts *o,
				  const char *base_url, long request_id,
				  const struct hooks *h, unsigned char **data,
				  size_t *len, char *err, size_t errlen);

/* base_url + path with exactly one '/' between; malloc'd, caller frees. */
char *certsrv_url(const char *base_url, const char *path);

#endif
