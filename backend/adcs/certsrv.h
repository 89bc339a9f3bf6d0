/*
 * certsrv.h - the AD CS web-enrollment client (certsrv-protocol.md): CA
 * chain download, request submission, pending retrieval.  What the pages
 * say is read by the classifiers of certsrv_pages.h (included here).
 * Who frees what is stated per function.
 */
#ifndef OPSMGR_CERTSRV_H
#define OPSMGR_CERTSRV_H

#include <stddef.h>
#include "core/diag.h"
#include "core/hooks.h"
#include "sys/http.h"
#include "adcs/certsrv_pages.h"

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
