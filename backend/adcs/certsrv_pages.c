/*
 * certsrv_pages.c - the page classifiers of certsrv_pages.h: what the CA
 * answered (issued, pending with its ID, denied with the disposition,
 * unknown template, ...) read from the language-independent markers of a
 * certsrv page (element IDs, links, the numeric disposition, HRESULTs;
 * the list is in certsrv_pages.h), with the server's own words kept.
 *
 * The classifiers never read past len, never allocate, and treat NUL bytes
 * like any other byte: they are fuzz targets.
 */
#include "adcs/certsrv_pages.h"
#include "adcs/certsrv_html.h"
#include "adcs/hresult.h"
#include "core/text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* element IDs                                                          */

enum id_role { ID_NONE, ID_REFUSAL, ID_PENDING, ID_ERROR };

/* The IDs that decide, as certsrv's pages name them (Windows Server's
 * certrsdn.asp, certrspn.asp, certrser.asp and their localized copies);
 * a '*' lets digits follow. */
static const struct {
	const char *id;
	enum id_role role;
} ID_ROLES[] = {
	{"locDenied", ID_REFUSAL},        {"locIssRev", ID_REFUSAL},
	{"locDispDenied", ID_REFUSAL},    {"locDispRevoked", ID_REFUSAL},
	{"locInfoReqID", ID_PENDING},     {"locInfoNewReq", ID_PENDING},
	{"locInfoChkPnd", ID_PENDING},    {"locPendInfo*", ID_PENDING},
	{"locDispPending", ID_PENDING},   {"locReqFailed", ID_ERROR},
	{"locChkPndFailed", ID_ERROR},    {"locCreateFailed", ID_ERROR},
	{"locDispMsgLabel", ID_ERROR},    {"locResultLabel", ID_ERROR},
	{"locLastStatLabel", ID_ERROR},
};

/* What the IDs of a page say; positions point at the ID attribute. */
struct facts {
	const char *title_at;       /* locPageTitle */
	const char *dispmsg_at;     /* locDispMsg, locInfoReqIDandReason */
	const char *dispmsg_label;  /* locDispMsgLabel (advanced info) */
	const char *displabel_at;   /* locDispLabel (numeric disposition) */
	const char *result_at;      /* locResultLabel (the failure's text) */
	const char *reqid_at;       /* the first ID containing "ReqID" */
	int refusal, pending, error;
	int status_ok;              /* an S_OK "0x0" status is shown */
};

static int is_ident(int c)
{
	return isalnum(c) || c == '_';
}

/* Whether the ID value v[0..n) is pattern (case-insensitive; a trailing
 * '*' matches any digits). */
static int id_matches(const char *v, size_t n, const char *pattern)
{
	size_t pl = strlen(pattern);
	int digits = pl && pattern[pl - 1] == '*';
	if (digits)
		pl--;
	if (n < pl || strncasecmp(v, pattern, pl) != 0)
		return 0;
	if (n == pl)
		return 1;
	if (!digits)
		return 0;
	for (size_t i = pl; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return 1;
}

static int id_contains(const char *v, size_t n, const char *part)
{
	return find_ci(v, n, part) != NULL;
}

/* Record one ID attribute (value v[0..n) found at at). */
static void note_id(struct facts *f, const char *at, const char *v, size_t n)
{
	for (size_t i = 0; i < sizeof(ID_ROLES) / sizeof(ID_ROLES[0]); i++) {
		if (!id_matches(v, n, ID_ROLES[i].id))
			continue;
		f->refusal |= ID_ROLES[i].role == ID_REFUSAL;
		f->pending |= ID_ROLES[i].role == ID_PENDING;
		f->error |= ID_ROLES[i].role == ID_ERROR;
	}
	if (!f->title_at && id_matches(v, n, "locPageTitle"))
		f->title_at = at;
	if (!f->dispmsg_at && (id_matches(v, n, "locDispMsg") ||
			       id_matches(v, n, "locInfoReqIDandReason")))
		f->dispmsg_at = at;
	if (!f->dispmsg_label && id_matches(v, n, "locDispMsgLabel"))
		f->dispmsg_label = at;
	if (!f->displabel_at && id_matches(v, n, "locDispLabel"))
		f->displabel_at = at;
	if (!f->result_at && id_matches(v, n, "locResultLabel"))
		f->result_at = at;
	if (!f->reqid_at && id_contains(v, n, "ReqID"))
		f->reqid_at = at;
}

/* Every ID= attribute of the page (after white space, value quoted or
 * not). */
static void scan_ids(const char *page, size_t len, struct facts *f)
{
	const char *end = page + len;
	for (const char *p = page; p < end;) {
		const char *m = find_ci(p, (size_t)(end - p), "id=");
		if (!m)
			break;
		p = m + 3;
		if (m == page || !isspace((unsigned char)m[-1]))
			continue;
		const char *v = p;
		if (v < end && (*v == '"' || *v == '\''))
			v++;
		size_t n = 0;
		while (v + n < end && n < 48 && is_ident((unsigned char)v[n]))
			n++;
		if (n)
			note_id(f, m, v, n);
	}
}

/* Whether the page shows an S_OK status: "0x0" (or 0x00000000) as a
 * whole word. */
static int shows_s_ok(const char *page, size_t len)
{
	const char *end = page + len;
	for (const char *p = page; p < end;) {
		const char *m = find_ci(p, (size_t)(end - p), "0x0");
		if (!m)
			return 0;
		p = m + 3;
		if (m > page && is_ident((unsigned char)m[-1]))
			continue;
		const char *q = m + 2;
		while (q < end && *q == '0')
			q++;
		if (q == end || !is_ident((unsigned char)*q))
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* the parts of an element                                             */

/* Where the element whose tag holds at ends (bounded by cap bytes). */
static const char *element_end(const char *at, const char *end, size_t cap)
{
	static const char *const stops[] = {"</P", "<P ", "<P>", "</LocID",
					    "</DD", "<DT", "</TD", "<Table",
					    "<Form", "</Span"};
	const char *stop = (size_t)(end - at) > cap ? at + cap : end;
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		const char *f = find_ci(at, (size_t)(stop - at), stops[i]);
		if (f)
			stop = f;
	}
	return stop;
}

/* Visible text of the element whose ID attribute is at at. */
static void element_text(const char *at, const char *end, char *out,
			 size_t outlen)
{
	const char *gt = memchr(at, '>', (size_t)(end - at));
	out[0] = '\0';
	if (gt)
		text_of(gt + 1, element_end(gt + 1, end, 2000), out, outlen);
}

/* The <DD> value after the <DT> whose ID attribute is at at: [*s, *e). */
static int dd_after(const char *at, const char *end, const char **s,
		    const char **e)
{
	const char *dd = find_ci(at, (size_t)(end - at) > 600 ? 600 : (size_t)(end - at),
				 "<DD");
	const char *gt = dd ? memchr(dd, '>', (size_t)(end - dd)) : NULL;
	if (!gt)
		return 0;
	*s = gt + 1;
	*e = *s;
	const char *a = find_ci(*s, (size_t)(end - *s), "</DD");
	const char *b = find_ci(*s, (size_t)(end - *s), "<DT");
	const char *stop = end;
	if (a && a < stop)
		stop = a;
	if (b && b < stop)
		stop = b;
	if (stop - *s > 1000)
		stop = *s + 1000;
	*e = stop;
	return 1;
}

/* The first number (1..10 digits, > 0) in s. */
static long first_number(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			continue;
		int nd;
		long v = parse_digits(p, p + strlen(p), &nd);
		return (nd <= 10 && v > 0) ? v : 0;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* page features                                                       */

/* Title: the locPageTitle element's text, else <title>. */
static void page_title(const char *page, size_t len, char *out, size_t outlen)
{
	const char *end = page + len;
	const char *m = find_ci(page, len, "ID=locPageTitle");
	if (!m)
		m = find_ci(page, len, "id=\"locPageTitle\"");
	out[0] = '\0';
	if (m) {
		const char *gt = memchr(m, '>', (size_t)(end - m));
		if (gt) {
			const char *s = gt + 1;
			const char *stop = end;
			static const char *const stops[] = {"<!--", "<P", "</P",
							    "<Table", "<Form", "<DIV"};
			for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
				const char *f = find_ci(s, (size_t)(stop - s), stops[i]);
				if (f && f < stop)
					stop = f;
			}
			if (stop - s > 600)
				stop = s + 600;
			text_of(s, stop, out, outlen);
			if (out[0])
				return;
		}
	}
	m = find_ci(page, len, "<title");
	if (m) {
		const char *gt = memchr(m, '>', (size_t)(end - m));
		if (gt) {
			const char *s = gt + 1;
			const char *e = find_ci(s, (size_t)(end - s), "</title");
			if (!e || e - s > 600)
				e = (end - s > 600) ? s + 600 : end;
			text_of(s, e, out, outlen);
		}
	}
}

/* certnew.cer?ReqID=<digits>: the issued link. */
static long issued_link_id(const char *page, size_t len)
{
	const char *p = page, *end = page + len;
	static const char key[] = "certnew.cer?ReqID=";
	while (p < end) {
		const char *f = find_ci(p, (size_t)(end - p), key);
		if (!f)
			return 0;
		const char *d = f + sizeof(key) - 1;
		int nd;
		long v = parse_digits(d, end, &nd);
		if (nd > 0 && nd <= 10 && v > 0)
			return v;
		p = d;
	}
	return 0;
}

/* The page's own words: title, then the text after the title element. */
static void page_excerpt(const char *page, size_t len, const char *title,
			 char *out, size_t outlen)
{
	const char *end = page + len;
	const char *m = find_ci(page, len, "locPageTitle");
	struct tbuf t;
	tb_init(&t, out, outlen);
	if (m && title[0]) {
		tb_put(&t, title, strlen(title));
		tb_put(&t, ":", 1);
		tb_ws(&t);
		const char *gt = memchr(m, '>', (size_t)(end - m));
		const char *s = gt ? gt + 1 : end;
		/* skip the title text itself */
		const char *b = find_ci(s, (size_t)(end - s), "</B>");
		if (b && b - s < 600)
			s = b + 4;
		html_text(s, end, &t);
	} else {
		html_text(page, end, &t);
	}
	/* cut back to a UTF-8 boundary is implicit: tb_put copies whole
	 * sequences only */
}


/* ------------------------------------------------------------------ */
/* the CA's words                                                      */

/* Quotation marks pages use around the disposition message, by language:
 * "..." “...” „...“ «...» 「...」 ＂...＂ */
static const char *const OPEN_Q[] = {"\"", "\xe2\x80\x9c", "\xe2\x80\x9e",
				     "\xc2\xab", "\xe3\x80\x8c", "\xef\xbc\x82"};
static const char *const CLOSE_Q[] = {"\"", "\xe2\x80\x9d", "\xe2\x80\x9c",
				      "\xc2\xbb", "\xe3\x80\x8d", "\xef\xbc\x82"};
#define NQ (sizeof(OPEN_Q) / sizeof(OPEN_Q[0]))

/* s[0..n) into out, cut at outlen - 1 on a UTF-8 boundary. */
static void copy_text(char *out, size_t outlen, const char *s, size_t n)
{
	size_t m = n < outlen - 1 ? n : outlen - 1;
	while (m > 0 && m < n && ((unsigned char)s[m] & 0xc0) == 0x80)
		m--;
	memcpy(out, s, m);
	out[m] = '\0';
}

/* The text between the first opening and the last closing quotation mark
 * of s (to its end when cut short), into out; s itself without quotes. */
static void unquote(const char *s, char *out, size_t outlen)
{
	const char *open = NULL, *close = NULL;
	size_t ol = 0;
	for (size_t i = 0; i < NQ; i++) {
		const char *f = strstr(s, OPEN_Q[i]);
		if (f && (!open || f < open)) {
			open = f;
			ol = strlen(OPEN_Q[i]);
		}
	}
	for (size_t i = 0; open && i < NQ; i++) {
		size_t cl = strlen(CLOSE_Q[i]);
		for (const char *f = strstr(open + ol, CLOSE_Q[i]); f;
		     f = strstr(f + cl, CLOSE_Q[i]))
			if (!close || f > close)
				close = f;
	}
	if (open && close)
		copy_text(out, outlen, open + ol, (size_t)(close - open) - ol);
	else if (open)   /* cut short inside the quotes */
		copy_text(out, outlen, open + ol, strlen(open + ol));
	else
		copy_text(out, outlen, s, strlen(s));
}

/* Trim white space (and a no-break space) at both ends and the full stop
 * AD CS leaves before the closing quote ('.', '。'). */
static void trim(char *s)
{
	size_t n = strlen(s), i = 0;
	for (;;) {
		if (n && (s[n - 1] == ' ' || s[n - 1] == '.'))
			n--;
		else if (n >= 2 && !memcmp(s + n - 2, "\xc2\xa0", 2))
			n -= 2;
		else if (n >= 3 && !memcmp(s + n - 3, "\xe3\x80\x82", 3))
			n -= 3;
		else
			break;
	}
	while (i < n && (s[i] == ' ' || (n - i >= 2 && !memcmp(s + i, "\xc2\xa0", 2))))
		i += s[i] == ' ' ? 1 : 2;
	memmove(s, s + i, n - i);
	s[n - i] = '\0';
}

/* The disposition message: quoted in locDispMsg/locInfoReqIDandReason,
 * or the <DD> after locDispMsgLabel ("" for locDispMsgNone). */
static void disposition(const struct facts *f, const char *end, char *out,
			size_t outlen)
{
	char tmp[1200];
	const char *s, *e;
	out[0] = '\0';
	if (f->dispmsg_at) {
		element_text(f->dispmsg_at, end, tmp, sizeof(tmp));
		unquote(tmp, out, outlen);
	} else if (f->dispmsg_label && dd_after(f->dispmsg_label, end, &s, &e) &&
		   !find_ci(s, (size_t)(e - s), "locDispMsgNone")) {
		text_of(s, e, out, outlen);
	}
	trim(out);
}

/* An error page without a disposition message: the text of its Result
 * row when that names a failure HRESULT (the CA's words for it). */
static void result_words(const struct facts *f, const char *end, char *out,
			 size_t outlen)
{
	const char *s, *e;
	unsigned long failure;
	if (!f->result_at || !dd_after(f->result_at, end, &s, &e))
		return;
	hresult_scan(s, (size_t)(e - s), &failure);
	if (failure) {
		text_of(s, e, out, outlen);
		trim(out);
	}
}

/* The numeric disposition (certsrv prints HEX(nDisposition)) starting the
 * <DD> after locDispLabel, or -1. */
static long disposition_code(const struct facts *f, const char *end)
{
	const char *s, *e;
	if (!f->displabel_at || !dd_after(f->displabel_at, end, &s, &e))
		return -1;
	while (s < e && isspace((unsigned char)*s))
		s++;
	long v = 0;
	int n = 0;
	while (s < e && n < 8 && text_hex_digit((unsigned char)*s) >= 0) {
		v = v * 16 + text_hex_digit((unsigned char)*s++);
		n++;
	}
	if (n == 0 || (s < e && !isspace((unsigned char)*s) && *s != '<' && *s != '-'))
		return -1;
	return v;
}

/* The request ID: the first number of the ReqID element, else a form
 * field Name=ReqID Value=N, else script "nReqId = N"; 0 when none. */
static long request_id(const struct facts *f, const char *page, size_t len)
{
	const char *end = page + len, *m;
	char tmp[600];
	int nd;
	if (f->reqid_at) {
		element_text(f->reqid_at, end, tmp, sizeof(tmp));
		long v = first_number(tmp);
		if (v > 0)
			return v;
	}
	m = find_ci(page, len, "Name=ReqID");
	if (!m)
		m = find_ci(page, len, "Name=\"ReqID\"");
	if (m && (m = find_ci(m, (size_t)(end - m) > 80 ? 80 : (size_t)(end - m),
			      "Value=")) != NULL) {
		m += 6;
		if (m < end && (*m == '"' || *m == '\''))
			m++;
		long v = parse_digits(m, end, &nd);
		if (nd > 0 && nd <= 10 && v > 0)
			return v;
	}
	m = find_ci(page, len, "nReqId");
	if (m) {
		m += 6;
		while (m < end && (*m == ' ' || *m == '\t' || *m == '='))
			m++;
		long v = parse_digits(m, end, &nd);
		if (nd > 0 && nd <= 10 && v > 0)
			return v;
	}
	return 0;
}

/* The first number in the text of the first elements with a loc* ID after
 * the title (pages without certsrv's ID for the request number). */
static long number_after_title(const struct facts *f, const char *end)
{
	char tmp[600];
	const char *p = f->title_at ? element_end(f->title_at, end, 600) : end;
	for (int k = 0; k < 8 && p < end;) {
		const char *m = find_ci(p, (size_t)(end - p), "id=");
		if (!m)
			break;
		p = m + 3;
		if (p < end && (*p == '"' || *p == '\''))
			p++;
		if (!isspace((unsigned char)m[-1]) || !starts_ci(p, end, "loc"))
			continue;
		k++;
		element_text(m, end, tmp, sizeof(tmp));
		long v = first_number(tmp);
		if (v > 0)
			return v;
	}
	return 0;
}

/* English wording's guess: it only confirms (CERTSRV_MARK_ENGLISH). */
static enum certsrv_kind english_guess(const char *page, size_t len)
{
	static const struct {
		const char *words;
		enum certsrv_kind kind;
	} phrases[] = {
		{"Error Parsing Request", CERTSRV_BAD_REQUEST},
		{"template that is not supported", CERTSRV_UNKNOWN_TEMPLATE},
		{"requested property value is empty", CERTSRV_NO_SUCH_REQUEST},
		{"Denied by", CERTSRV_DENIED},
		{"request was denied", CERTSRV_DENIED},
		{"Taken Under Submission", CERTSRV_PENDING},
		{"Certificate Pending", CERTSRV_PENDING},
		{"Certificate Issued", CERTSRV_ISSUED},
	};
	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		if (find_ci(page, len, phrases[i].words))
			return phrases[i].kind;
	return CERTSRV_UNEXPECTED;
}

/* ------------------------------------------------------------------ */
/* the decision                                                        */

static void answer_init(struct certsrv_answer *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = CERTSRV_UNEXPECTED;
	a->disp_code = -1;
}

/* What every answer page has: title, visible text, the CA's disposition
 * message, its numeric disposition, the request ID and the HRESULT. */
static void read_page(const char *page, size_t len, struct certsrv_answer *a,
		      struct facts *f)
{
	const char *end = page + len;
	unsigned long fail_disp, fail_page;
	memset(f, 0, sizeof(*f));
	scan_ids(page, len, f);
	f->status_ok = shows_s_ok(page, len);
	page_title(page, len, a->title, sizeof(a->title));
	page_excerpt(page, len, a->title, a->excerpt, sizeof(a->excerpt));
	disposition(f, end, a->disposition, sizeof(a->disposition));
	if (!a->disposition[0])
		result_words(f, end, a->disposition, sizeof(a->disposition));
	a->disp_code = disposition_code(f, end);
	a->request_id = request_id(f, page, len);
	a->hr = hresult_scan(a->disposition, strlen(a->disposition), &fail_disp);
	if (!a->hr)
		a->hr = hresult_scan(page, len, &fail_page);
	else
		fail_page = 0;
	a->hresult = a->hr ? a->hr->code : fail_disp ? fail_disp : fail_page;
}

/* A refusal refined by its HRESULT: unknown template, unreadable request
 * or denied. */
static enum certsrv_kind refusal(struct certsrv_answer *a)
{
	const struct hresult_info *hr = a->hr;
	if (hr && (hr->kind == CERTSRV_UNKNOWN_TEMPLATE ||
		   hr->kind == CERTSRV_BAD_REQUEST || hr->kind == CERTSRV_DENIED)) {
		a->markers |= CERTSRV_MARK_HRESULT;
		return hr->kind;
	}
	return CERTSRV_DENIED;
}

/* An error page (advanced info) without a known HRESULT. */
static enum certsrv_kind error_page(struct certsrv_answer *a,
				    const struct facts *f)
{
	if (a->hresult) {
		a->markers |= CERTSRV_MARK_HRESULT;
		return CERTSRV_CA_ERROR;
	}
	if (a->disp_code < 0 && f->dispmsg_label && f->status_ok &&
	    a->disposition[0]) {
		/* the CA reports success and holds the request */
		a->markers |= CERTSRV_MARK_STATUS;
		return CERTSRV_PENDING;
	}
	a->markers |= CERTSRV_MARK_ID | (a->disp_code >= 0 ? CERTSRV_MARK_DISPCODE : 0);
	return CERTSRV_CA_ERROR;
}

/* A certsrv page with none of the IDs that decide. */
static enum certsrv_kind bare_page(struct certsrv_answer *a,
				   const struct facts *f, const char *end)
{
	long n;
	if (!f->title_at)
		return CERTSRV_UNEXPECTED;
	if (a->hresult) {
		a->markers |= CERTSRV_MARK_HRESULT;
		return CERTSRV_CA_ERROR;
	}
	if (a->disposition[0])
		return CERTSRV_UNEXPECTED;
	if (a->request_id > 0) {
		a->markers |= CERTSRV_MARK_ID;
		return CERTSRV_PENDING;
	}
	if ((n = number_after_title(f, end)) > 0) {
		a->markers |= CERTSRV_MARK_NUMBER;
		a->request_id = n;
		return CERTSRV_PENDING;
	}
	return CERTSRV_UNEXPECTED;
}

static enum certsrv_kind decide(struct certsrv_answer *a, const struct facts *f,
				const char *page, size_t len, int retrieve)
{
	long issued = issued_link_id(page, len);
	if (issued > 0 && !retrieve) {
		a->markers |= CERTSRV_MARK_LINK;
		a->request_id = issued;
		return CERTSRV_ISSUED;
	}
	if (f->refusal || a->disp_code == 2 || a->disp_code == 6) {
		a->markers |= f->refusal ? CERTSRV_MARK_ID : CERTSRV_MARK_DISPCODE;
		return refusal(a);
	}
	if (f->pending || a->disp_code == 5) {
		a->markers |= f->pending ? CERTSRV_MARK_ID : CERTSRV_MARK_DISPCODE;
		return CERTSRV_PENDING;
	}
	if (issued > 0) {
		a->markers |= CERTSRV_MARK_LINK;
		a->request_id = issued;
		return CERTSRV_ISSUED;
	}
	if (a->hr) {
		a->markers |= CERTSRV_MARK_HRESULT;
		return retrieve ? a->hr->on_retrieve : a->hr->kind;
	}
	if (f->error)
		return error_page(a, f);
	return bare_page(a, f, page + len);
}

static void classify(const char *page, size_t len, struct certsrv_answer *a,
		     int retrieve)
{
	struct facts f;
	read_page(page, len, a, &f);
	a->kind = decide(a, &f, page, len, retrieve);
	if (a->kind != CERTSRV_UNEXPECTED && english_guess(page, len) == a->kind)
		a->markers |= CERTSRV_MARK_ENGLISH;
}

void certsrv_classify_submit(const char *page, size_t len,
			     struct certsrv_answer *a)
{
	answer_init(a);
	if (!page || len == 0) {
		snprintf(a->excerpt, sizeof(a->excerpt), "(empty page)");
		return;
	}
	classify(page, len, a, 0);
}

void certsrv_classify_retrieve(const char *content_type, const char *body,
			       size_t len, struct certsrv_answer *a)
{
	answer_init(a);
	if (!body)
		len = 0;
	int ct_cert = content_type &&
		      (strncasecmp(content_type, "application/pkix-cert", 21) == 0 ||
		       strncasecmp(content_type, "application/x-x509", 18) == 0);
	if (len && (ct_cert || certsrv_looks_like_cert(content_type, body, len))) {
		a->kind = CERTSRV_CERT;
		a->markers = CERTSRV_MARK_CONTENT;
		snprintf(a->title, sizeof(a->title), "certificate");
		return;
	}
	if (len == 0) {
		snprintf(a->excerpt, sizeof(a->excerpt), "(empty answer)");
		return;
	}
	classify(body, len, a, 1);
}

size_t certsrv_page_text(const char *page, size_t len, char *out,
			 size_t outlen)
{
	char title[CERTSRV_TEXT_MAX];
	if (!out || !outlen)
		return 0;
	out[0] = '\0';
	if (!page || !len)
		return 0;
	page_title(page, len, title, sizeof(title));
	page_excerpt(page, len, title, out, outlen);
	return strlen(out);
}
