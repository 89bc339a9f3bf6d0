/*
 * certsrv_pages.h - what an AD CS web-enrollment page says
 * (certsrv-protocol.md): the pure classifiers of certfnsh.asp, certnew.cer
 * and certcarc.asp answers and of a 401's WWW-Authenticate value.  No
 * network; the fuzz target and test_certsrv_pages.c call them directly.
 * Every function fills caller-owned buffers; nothing here allocates.
 */
#ifndef OPSMGR_CERTSRV_PAGES_H
#define OPSMGR_CERTSRV_PAGES_H

#include <stddef.h>

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
 * Whether body starts (after white space) with PEM certificate or PKCS#7
 * armour, or - unless content_type (may be NULL) names HTML - looks like a
 * DER SEQUENCE.
 */
int certsrv_looks_like_cert(const char *content_type, const char *body,
			    size_t len);

#endif
