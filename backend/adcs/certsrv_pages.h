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

#include "adcs/certsrv_kind.h"

/*
 * What a certsrv page says.  The classifiers below are pure (no network,
 * no allocation): they read at most len bytes of page, tolerate embedded
 * NULs and truncation, and fill fixed-size buffers, so a fuzzer can call
 * them on anything.
 *
 * They decide on language-independent markers only; the words of a page
 * in any language (English included) never decide.  The markers, in the
 * order they are weighed:
 *  - content type application/pkix-cert (or application/x-x509-*), or a
 *    body that is a PEM/DER certificate: CERTSRV_CERT (retrieve);
 *  - a link certnew.cer?ReqID=<digits> (href="certnew.cer?ReqID=N&amp;..."
 *    or location="certnew.cer?ReqID=N&"+...): CERTSRV_ISSUED, N the ID;
 *  - element IDs (the ID= attribute of any tag, case-insensitive, quoted
 *    or not; "*" = any digits may follow):
 *      refusal:  locDenied, locIssRev, locDispDenied, locDispRevoked
 *      pending:  locInfoReqID, locInfoNewReq, locInfoChkPnd, locPendInfo*,
 *                locDispPending
 *      error:    locReqFailed, locChkPndFailed, locCreateFailed,
 *                locDispMsgLabel, locResultLabel, locLastStatLabel
 *      request ID: the first number in the text of an element whose ID
 *                contains "ReqID" (locInfoReqID, locReqIdLabel1,
 *                locInfoReqIDandReason, ...), else a form field
 *                Name=ReqID Value=N, else script "nReqId = N";
 *      disposition (the CA's own words, in its language): the text inside
 *                the quotes ("", “”, „“, «», 「」) of the element
 *                locDispMsg or locInfoReqIDandReason, else the <DD> after
 *                the <DT ID=locDispMsgLabel> of the advanced-info page,
 *                else the <DD> after <DT ID=locResultLabel> when it names
 *                a failure HRESULT (an error page without a message);
 *      title:    the element locPageTitle, else <title>;
 *  - the numeric disposition of the advanced-info page: the number that
 *    starts the <DD> after <DT ID=locDispLabel> (certsrv's CR_DISP_*:
 *    2 denied, 5 under submission, 6 revoked; 0, 1 incomplete/error);
 *  - HRESULTs: a "0x8......." code or its symbolic name, looked up in the
 *    table of hresult.h (the disposition first, then the whole page); it
 *    refines a refusal (unknown template, unreadable request, denied) and
 *    decides an error page (no such request, CA error);
 *  - pages without the IDs above (the lab's pages before they spoke
 *    other languages): an advanced-info layout (locDispMsgLabel) whose
 *    status rows show only S_OK ("0x0"), with a disposition message and
 *    no disposition number, is a request still held (PENDING); a page
 *    with locPageTitle and no refusal, error, disposition or HRESULT is
 *    PENDING when it names a request ID as above, or else when a number
 *    N is the first in the text of the elements with a loc* ID after the
 *    title (ID N); such a page with an HRESULT is a CA error.
 * A submission's answer with the issued link is ISSUED whatever else it
 * shows; a retrieval's only when no refusal or pending marker decided.
 * What decided is recorded in markers (CERTSRV_MARK_*).  English wording
 * ("Certificate Pending", "Taken Under Submission", "Denied by", ...) is
 * looked at only afterwards: CERTSRV_MARK_ENGLISH says it agreed.  When
 * nothing matches, excerpt holds the server's own words.
 */
struct hresult_info;

#define CERTSRV_TEXT_MAX 400

enum {
	CERTSRV_MARK_LINK = 1,      /* the certnew.cer?ReqID=N link */
	CERTSRV_MARK_ID = 2,        /* an element ID listed above */
	CERTSRV_MARK_DISPCODE = 4,  /* the advanced page's numeric disposition */
	CERTSRV_MARK_HRESULT = 8,   /* an HRESULT code or symbolic name */
	CERTSRV_MARK_CONTENT = 16,  /* content type or certificate bytes */
	CERTSRV_MARK_STATUS = 32,   /* S_OK status rows, no disposition number */
	CERTSRV_MARK_NUMBER = 64,   /* a request number after the title */
	CERTSRV_MARK_ENGLISH = 128  /* English wording agrees (never decides) */
};

struct certsrv_answer {
	enum certsrv_kind kind;
	long request_id;                      /* 0 when the page had none */
	char title[CERTSRV_TEXT_MAX];         /* page title text, or "" */
	char disposition[CERTSRV_TEXT_MAX];   /* the CA's disposition message,
						 in the page's language */
	char excerpt[CERTSRV_TEXT_MAX];       /* cleaned visible text */
	long disp_code;                       /* CR_DISP_* shown, -1 = none */
	unsigned long hresult;                /* first failure HRESULT the page
						 shows (known or not), 0 = none */
	const struct hresult_info *hr;        /* its entry in hresult.h (static
						 data, never freed), or NULL */
	unsigned markers;                     /* CERTSRV_MARK_*: what decided */
};

/* Answer page of POST certfnsh.asp (Mode=newreq or Mode=chkpnd). */
void certsrv_classify_submit(const char *page, size_t len,
			     struct certsrv_answer *a);
/*
 * Answer of GET certnew.cer?ReqID=N: CERTSRV_CERT when content_type is
 * application/pkix-cert (or the body is a PEM/DER certificate), otherwise
 * the advanced-info page: pending (disposition 5), denied (2, 6), no such
 * request (CERTSRV_E_PROPERTY_EMPTY & co., the table's on_retrieve) or CA
 * error.  content_type may be NULL.
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
