/*
 * certsrv_kind.h - what an AD CS web-enrollment answer says, as one enum:
 * the kinds the page classifiers (certsrv_pages.h) decide and the HRESULT
 * table (hresult.h) maps each code to.  A header of its own so that both
 * can name it without including each other.
 */
#ifndef OPSMGR_CERTSRV_KIND_H
#define OPSMGR_CERTSRV_KIND_H

enum certsrv_kind {
	CERTSRV_UNEXPECTED = 0,    /* none of the below: see excerpt */
	CERTSRV_ISSUED,            /* submit: issued at once (request_id) */
	CERTSRV_PENDING,           /* held for a CA manager (request_id) */
	CERTSRV_DENIED,            /* denied: disposition, maybe request_id */
	CERTSRV_UNKNOWN_TEMPLATE,  /* CERTSRV_E_UNSUPPORTED_CERT_TYPE & co. */
	CERTSRV_BAD_REQUEST,       /* the CA could not read the CSR */
	CERTSRV_NO_SUCH_REQUEST,   /* retrieve: the CA has no such request ID */
	CERTSRV_CA_ERROR,          /* the CA reported another error: disposition */
	CERTSRV_CERT,              /* retrieve: the body is a certificate */
	CERTSRV_AUTH               /* HTTP 401: schemes offered */
};

#endif
