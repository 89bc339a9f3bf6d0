/*
 * test_lab_languages.c - the real client against the lab in all four
 * languages (opsmgr-enroll-lab --language en|de|fr|zh, with IIS's
 * habits: --challenge negotiate,ntlm,basic, chunked and Connection: close
 * answers): every request outcome - issued, pending with its ID, still
 * pending, denied with the reason, unknown template, bad request, unknown
 * request ID, 401 - is classified the same in every language, by
 * certsrv_client (the kind and request ID of each answer) and by stage 2
 * (status, state, the diagnostic's check and field), and the server's own
 * words in its language (lab_lang.c's texts) are what the answer and the
 * diagnostic show.  Also: the German, French and Chinese pages hold none
 * of the English phrases clients used to match (so no English can decide
 * on them), '//' in paths works like on IIS, and the framing of the
 * answers (chunked, Connection: close, several WWW-Authenticate headers
 * with Negotiate first) is what the lab says it sends, and a language or
 * scheme list the lab does not know is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "adcs/ca_http.h"
#include "adcs/certsrv.h"
#include "core/config.h"
#include "core/config_load.h"
#include "core/ctx.h"
#include "core/diag.h"
#include "core/fsutil.h"
#include "core/secret.h"
#include "core/state.h"
#include "lab_harness.h"
#include "lab_lang.h"
#include "stages/request.h"
#include "stages/stages.h"
#include "sys/http.h"

static struct lab LABS[LAB_LANG_COUNT];

/* ------------------------------------------------------------------ */
/* a stage-2 world on disk (config from the lab's answers file)        */

struct env {
	char *base, *dir;
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
	const struct lab *lab;
};

static int save_cp(struct ctx *c, struct diag_list *dl)
{
	return state_save(c->st, c->state_dir, dl);
}

static void env_load(struct env *e)
{
	struct diag_list tmp;

	diag_list_init(&tmp);
	config_init(&e->cfg);
	assert_int_equal(config_load_file(&e->cfg, e->lab->answers, true, &tmp),
			 0);
	assert_int_equal(state_dir_prepare(e->dir, &tmp), 0);
	state_init(&e->st);
	assert_true(state_load(&e->st, e->dir, &tmp) >= 0);
	ctx_init(&e->c, &e->cfg, &e->st, e->dir);
	e->c.checkpoint = save_cp;
	diag_list_init(&e->dl);
	diag_list_release(&tmp);
}

static void env_open(struct env *e, const struct lab *l)
{
	memset(e, 0, sizeof(*e));
	e->lab = l;
	e->base = test_mkdtemp("langs-");
	assert_non_null(e->base);
	e->dir = fs_join(e->base, "state");
	env_load(e);
}

static void env_close(struct env *e)
{
	ctx_release(&e->c);
	state_release(&e->st);
	config_release(&e->cfg);
	diag_list_release(&e->dl);
}

/* What a restart sees: the state from disk, the answers file again. */
static void env_restart(struct env *e)
{
	env_close(e);
	env_load(e);
}

static void env_free(struct env *e)
{
	env_close(e);
	test_rm_rf(e->base);
	free(e->base);
	free(e->dir);
}

static enum status env_run(struct env *e)
{
	struct diag_list tmp;
	enum status s;

	diag_list_clear(&e->dl);
	s = stage_request_run(&e->c, NULL, &e->dl);
	diag_list_init(&tmp);
	assert_int_equal(state_save(&e->st, e->dir, &tmp), 0);
	diag_list_release(&tmp);
	if (getenv("TEST_VERBOSE"))
		diag_print_text(stderr, &e->dl, SEV_PASS);
	return s;
}

static const struct diag *find_fail(struct env *e, enum diag_check c)
{
	for (size_t i = 0; i < e->dl.n; i++)
		if (e->dl.items[i].check == c && e->dl.items[i].sev == SEV_FAIL)
			return &e->dl.items[i];
	diag_print_text(stderr, &e->dl, SEV_PASS);
	fail_msg("expected a failed '%s' diagnostic", diag_check_id(c));
	return NULL;
}

/* text without its closing full stop ('.' or the ideographic one), which
 * a reader may leave off a quoted sentence; into buf. */
static const char *sentence(const char *text, char *buf, size_t cap)
{
	size_t n;

	snprintf(buf, cap, "%s", text);
	n = strlen(buf);
	if (n && buf[n - 1] == '.')
		buf[--n] = '\0';
	else if (n >= 3 && !strcmp(buf + n - 3, "\xe3\x80\x82"))
		buf[n -= 3] = '\0';
	return buf;
}

/* The diagnostic (message or fix) quotes words (their full stop aside);
 * on failure both are printed with the language. */
static void diag_shows(const struct diag *d, const char *text,
		       const char *lang)
{
	char buf[512];
	const char *words = sentence(text, buf, sizeof(buf));

	if ((d->message && strstr(d->message, words)) ||
	    (d->fix && strstr(d->fix, words)))
		return;
	fail_msg("[%s] the diagnostic does not show the server's words "
		 "\"%s\":\n  message: %s\n  fix: %s", lang, words,
		 d->message ? d->message : "", d->fix ? d->fix : "");
}

static void lab_act(const struct lab *l, const char *cmd, long id)
{
	char sid[32];
	const char *args[] = { cmd, "--dir", l->dir, sid, NULL };

	snprintf(sid, sizeof(sid), "%ld", id);
	assert_int_equal(lab_cmd(args, NULL), 0);
}

/* Whether `opsmgr-enroll-lab list` has "request <id> <state> ". */
static int lab_has(const struct lab *l, long id, const char *state)
{
	const char *args[] = { "list", "--dir", l->dir, NULL };
	char *out = NULL, line[96];
	int found;

	assert_int_equal(lab_cmd(args, &out), 0);
	snprintf(line, sizeof(line), "request %ld %s ", id, state);
	found = out && strstr(out, line) != NULL;
	free(out);
	return found;
}

/* ------------------------------------------------------------------ */
/* certsrv_client: what each answer is classified as                   */

/* One answer as the client read it. */
struct seen {
	const char *what;            /* the outcome */
	enum certsrv_kind kind;
	long id;
	unsigned markers;            /* CERTSRV_MARK_*: what decided */
	char words[3 * CERTSRV_TEXT_MAX + 8];  /* title | disposition | excerpt */
};

struct client {
	struct env e;
	struct http_opts o;
	const struct lab_texts *t;
};

static void client_open(struct client *k, enum lab_lang lang)
{
	struct diag_list dl;

	env_open(&k->e, &LABS[lang]);
	k->t = lab_texts_of(lang);
	assert_int_equal(secret_set(&k->e.c.ca_password, LABS[lang].password,
				    strlen(LABS[lang].password)), 0);
	diag_list_init(&dl);
	assert_int_equal(ca_http_options(&k->e.c, CA_WITH_CREDENTIALS, &k->o,
					 &dl), 0);
	diag_list_release(&dl);
}

static void record(struct seen *s, const char *what, enum http_err e,
		   struct certsrv_result *res)
{
	if (e != HTTP_OK)
		fail_msg("%s: transport failure: %s", what, res->err);
	s->what = what;
	s->kind = res->ans.kind;
	s->id = res->ans.request_id;
	s->markers = res->ans.markers;
	snprintf(s->words, sizeof(s->words), "%s | %s | %s", res->ans.title,
		 res->ans.disposition, res->ans.excerpt);
	certsrv_result_release(res);
}

/* A CSR of the lab's own making is not needed: stage 2's is on disk. */
static char *stage_csr(struct env *e)
{
	unsigned char *b = NULL;
	size_t n = 0;
	char err[FS_ERRLEN];

	assert_non_null(e->st.csr_path);
	assert_int_equal(fs_read_file(e->st.csr_path, 1u << 20, &b, &n, err,
				      sizeof(err)), 0);
	return (char *)b;
}

enum { S_ISSUED, S_PENDING, S_CHKPND, S_RETR_PENDING, S_CHKPND_DENIED,
       S_RETR_DENIED, S_TEMPLATE, S_BAD, S_NO_SUCH, S_401, S_COUNT };

/* The kind every language must give, and whether it carries a request ID. */
static const struct {
	enum certsrv_kind kind;
	int has_id;
} EXPECT[S_COUNT] = {
	[S_ISSUED] = { CERTSRV_ISSUED, 1 },
	[S_PENDING] = { CERTSRV_PENDING, 1 },
	[S_CHKPND] = { CERTSRV_PENDING, 1 },
	[S_RETR_PENDING] = { CERTSRV_PENDING, 0 },
	[S_CHKPND_DENIED] = { CERTSRV_DENIED, 0 },
	[S_RETR_DENIED] = { CERTSRV_DENIED, 0 },
	[S_TEMPLATE] = { CERTSRV_UNKNOWN_TEMPLATE, 0 },
	[S_BAD] = { CERTSRV_BAD_REQUEST, 0 },
	[S_NO_SUCH] = { CERTSRV_NO_SUCH_REQUEST, 0 },
	[S_401] = { CERTSRV_AUTH, 0 },
};

/* Every outcome through certsrv_client against the lab of lang. */
static void client_outcomes(enum lab_lang lang, struct seen s[S_COUNT],
			    long *pending_id)
{
	struct client k;
	struct certsrv_result res;
	const char *url = LABS[lang].ca_url;
	char *csr;
	struct http_opts bad;
	struct secret wrong;

	client_open(&k, lang);
	/* stage 2 makes the key and CSR (and is issued: OpsMgr) */
	assert_int_equal(env_run(&k.e), ST_OK);
	csr = stage_csr(&k.e);

	record(&s[S_ISSUED], "submit OpsMgr",
	       certsrv_submit(&k.o, url, csr, "OpsMgr", NULL, &res), &res);
	record(&s[S_PENDING], "submit OpsMgrManual",
	       certsrv_submit(&k.o, url, csr, "OpsMgrManual", NULL, &res),
	       &res);
	*pending_id = s[S_PENDING].id;
	record(&s[S_CHKPND], "chkpnd of the pending request",
	       certsrv_check_pending(&k.o, url, *pending_id, NULL, &res), &res);
	record(&s[S_RETR_PENDING], "certnew.cer of the pending request",
	       certsrv_retrieve(&k.o, url, *pending_id, NULL, &res), &res);
	if (*pending_id > 0)
		lab_act(&LABS[lang], "deny", *pending_id);
	record(&s[S_CHKPND_DENIED], "chkpnd of the denied request",
	       certsrv_check_pending(&k.o, url, *pending_id, NULL, &res), &res);
	record(&s[S_RETR_DENIED], "certnew.cer of the denied request",
	       certsrv_retrieve(&k.o, url, *pending_id, NULL, &res), &res);
	record(&s[S_TEMPLATE], "submit NoSuchTemplate",
	       certsrv_submit(&k.o, url, csr, "NoSuchTemplate", NULL, &res),
	       &res);
	record(&s[S_BAD], "submit a request that is no CSR",
	       certsrv_submit(&k.o, url, "-----BEGIN CERTIFICATE REQUEST-----\n"
			      "bm90IGEgQ1NS\n-----END CERTIFICATE REQUEST-----\n",
			      "OpsMgr", NULL, &res), &res);
	record(&s[S_NO_SUCH], "certnew.cer of request 987654",
	       certsrv_retrieve(&k.o, url, 987654, NULL, &res), &res);

	memset(&wrong, 0, sizeof(wrong));
	assert_int_equal(secret_set(&wrong, "not-the-password", 16), 0);
	bad = k.o;
	bad.password = &wrong;
	assert_int_equal(certsrv_submit(&bad, url, csr, "OpsMgr", NULL, &res),
			 HTTP_OK);
	assert_int_equal(res.http_status, 401);
	/* IIS offers Negotiate first, then NTLM, then Basic */
	assert_int_equal(res.schemes, CERTSRV_SCHEME_NEGOTIATE |
			 CERTSRV_SCHEME_NTLM | CERTSRV_SCHEME_BASIC);
	assert_string_equal(res.scheme_names, "Negotiate, NTLM, Basic");
	record(&s[S_401], "wrong password", HTTP_OK, &res);
	secret_wipe(&wrong);
	free(csr);
	env_free(&k.e);
}

/* The server's words each answer must show, in lang. */
static const char *words_for(const struct lab_texts *t, int i)
{
	switch (i) {
	case S_ISSUED: return t->issued_title;
	case S_PENDING: return t->pending_title;
	case S_CHKPND: return t->pending_title;
	case S_RETR_PENDING: return t->disp_pending;
	case S_CHKPND_DENIED: return t->disp_denied_by;
	case S_RETR_DENIED: return t->disp_denied_by;
	case S_TEMPLATE: return t->reason[LAB_HR_UNSUPPORTED_TEMPLATE];
	case S_BAD: return t->disp_parse;
	case S_NO_SUCH: return t->reason[LAB_HR_PROPERTY_EMPTY];
	default: return t->unauth_title;
	}
}

/* The language-independent code each refusal must carry as well. */
static const char *code_for(int i)
{
	switch (i) {
	case S_CHKPND_DENIED:
	case S_RETR_DENIED: return "0x80094014";
	case S_TEMPLATE: return "0x80094800";
	case S_BAD: return "0x8009310b";
	case S_NO_SUCH: return "0x80094004";
	default: return NULL;
	}
}

static void client_in(enum lab_lang lang)
{
	const struct lab_texts *t = lab_texts_of(lang);
	struct seen s[S_COUNT];
	char problems[4096] = "";
	size_t n = 0;
	long pid = 0;

	memset(s, 0, sizeof(s));
	client_outcomes(lang, s, &pid);
	assert_true(pid > 0);
	for (int i = 0; i < S_COUNT; i++) {
		char buf[512];
		const char *w = sentence(words_for(t, i), buf, sizeof(buf));
		const char *code = code_for(i);
		int id_ok = !EXPECT[i].has_id || s[i].id > 0;

		/* an ID read off a page about request pid is pid */
		if ((i == S_CHKPND || i == S_CHKPND_DENIED) && s[i].id)
			id_ok = s[i].id == pid;
		if (s[i].kind != EXPECT[i].kind || !id_ok)
			n += (size_t)snprintf(problems + n, sizeof(problems) - n,
				"  %s: classified '%s' (request ID %ld), "
				"expected '%s'%s\n", s[i].what,
				certsrv_kind_name(s[i].kind), s[i].id,
				certsrv_kind_name(EXPECT[i].kind),
				EXPECT[i].has_id ? " with its request ID" : "");
		else if (lang != LAB_LANG_EN &&
			 (s[i].markers & CERTSRV_MARK_ENGLISH))
			n += (size_t)snprintf(problems + n, sizeof(problems) - n,
				"  %s: English wording agreed on a page with "
				"none\n", s[i].what);
		else if (!strstr(s[i].words, w) ||
			 (code && !strstr(s[i].words, code)))
			n += (size_t)snprintf(problems + n, sizeof(problems) - n,
				"  %s: the answer does not show \"%s\"%s%s: "
				"%s\n", s[i].what, w, code ? " and " : "",
				code ? code : "", s[i].words);
		if (n >= sizeof(problems) - 1)
			break;
	}
	if (n)
		fail_msg("[%s] the client read the lab's pages differently:\n%s",
			 t->code, problems);
	assert_true(lab_has(&LABS[lang], pid, "denied"));
}

static void test_client_en(void **state) { (void)state; client_in(LAB_LANG_EN); }
static void test_client_de(void **state) { (void)state; client_in(LAB_LANG_DE); }
static void test_client_fr(void **state) { (void)state; client_in(LAB_LANG_FR); }
static void test_client_zh(void **state) { (void)state; client_in(LAB_LANG_ZH); }

/* ------------------------------------------------------------------ */
/* stage 2: the same status, state and diagnostics in every language   */

static void stage_in(enum lab_lang lang)
{
	const struct lab_texts *t = lab_texts_of(lang);
	const struct lab *l = &LABS[lang];
	const struct diag *d;
	struct env e;
	long id;

	/* issued */
	env_open(&e, l);
	assert_int_equal(env_run(&e), ST_OK);
	assert_int_equal(e.st.req_phase, REQ_ISSUED);
	assert_true(lab_has(l, e.st.request_id, "issued"));
	env_free(&e);

	/* pending with its ID, still pending, then denied with the reason */
	env_open(&e, l);
	config_set_str(&e.cfg.ca_template, "OpsMgrManual");
	assert_int_equal(env_run(&e), ST_PENDING);
	id = e.st.request_id;
	assert_true(id > 0);
	assert_true(lab_has(l, id, "pending"));
	assert_non_null(diag_find(&e.dl, DIAG_REQ_PENDING));
	env_restart(&e);
	config_set_str(&e.cfg.ca_template, "OpsMgrManual");
	assert_int_equal(env_run(&e), ST_PENDING);
	assert_int_equal(e.st.request_id, id);
	d = diag_find(&e.dl, DIAG_REQ_PENDING);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "still pending"));
	lab_act(l, "deny", id);
	env_restart(&e);
	config_set_str(&e.cfg.ca_template, "OpsMgrManual");
	assert_int_equal(env_run(&e), ST_FAIL);
	assert_int_equal(e.st.req_phase, REQ_DENIED);
	assert_int_equal(e.st.request_id, id);
	d = find_fail(&e, DIAG_REQ_DENIED);
	diag_shows(d, t->disp_denied_by, t->code);
	diag_shows(d, t->reason[LAB_HR_ADMIN_DENIED], t->code);
	assert_non_null(strstr(e.st.disposition, t->disp_denied_by));
	env_free(&e);

	/* unknown template, at ca.template, in the server's words */
	env_open(&e, l);
	config_set_str(&e.cfg.ca_template, "NoSuchTemplate");
	assert_int_equal(env_run(&e), ST_FAIL);
	d = find_fail(&e, DIAG_REQ_TEMPLATE);
	assert_string_equal(d->field, "ca.template");
	diag_shows(d, t->reason[LAB_HR_UNSUPPORTED_TEMPLATE], t->code);
	diag_shows(d, "0x80094800", t->code);
	assert_int_equal(e.st.req_phase, REQ_DENIED);

	env_free(&e);

	/* an unknown request ID (a pending request's ID made 987654) */
	env_open(&e, l);
	config_set_str(&e.cfg.ca_template, "OpsMgrManual");
	assert_int_equal(env_run(&e), ST_PENDING);
	e.st.request_id = 987654;
	{
		struct diag_list tmp;

		diag_list_init(&tmp);
		assert_int_equal(state_save(&e.st, e.dir, &tmp), 0);
		diag_list_release(&tmp);
	}
	env_restart(&e);
	config_set_str(&e.cfg.ca_template, "OpsMgrManual");
	assert_int_equal(env_run(&e), ST_FAIL);
	d = find_fail(&e, DIAG_REQ_RETRIEVE);
	diag_shows(d, "987654", t->code);
	diag_shows(d, t->reason[LAB_HR_PROPERTY_EMPTY], t->code);
	assert_int_equal(e.st.req_phase, REQ_KEY_WRITTEN);
	env_free(&e);

	/* 401: the password, with what the server offers and says */
	env_open(&e, l);
	assert_int_equal(secret_set(&e.c.ca_password, "not-the-password", 16),
			 0);
	assert_int_equal(env_run(&e), ST_FAIL);
	d = find_fail(&e, DIAG_REQ_PASSWORD);
	assert_string_equal(d->field, "ca.password");
	assert_non_null(strstr(d->message, "401"));
	assert_non_null(strstr(d->message, "Negotiate, NTLM, Basic"));
	assert_null(strstr(d->message, "not-the-password"));
	assert_int_equal(e.st.req_phase, REQ_KEY_WRITTEN);
	env_free(&e);
}

/* The 401's diagnostic quotes IIS's page in the server's language (what
 * certsrv_client reads off it is checked in client_in). */
static void test_stage_401_words(void **state)
{
	char problems[4096] = "", buf[512];
	size_t n = 0;

	(void)state;
	for (int lang = 0; lang < LAB_LANG_COUNT; lang++) {
		const struct lab_texts *t = lab_texts_of((enum lab_lang)lang);
		const char *w = sentence(t->unauth_title, buf, sizeof(buf));
		const struct diag *d;
		struct env e;

		env_open(&e, &LABS[lang]);
		assert_int_equal(secret_set(&e.c.ca_password,
					    "not-the-password", 16), 0);
		assert_int_equal(env_run(&e), ST_FAIL);
		d = find_fail(&e, DIAG_REQ_PASSWORD);
		if (!strstr(d->message, w) && !(d->fix && strstr(d->fix, w)))
			n += (size_t)snprintf(problems + n,
				sizeof(problems) - n, "  [%s] \"%s\" not in: "
				"%s\n", t->code, w, d->message);
		env_free(&e);
	}
	if (n)
		fail_msg("the 401 diagnostic does not quote the server's "
			 "page:\n%s", problems);
}

static void test_stage_en(void **state) { (void)state; stage_in(LAB_LANG_EN); }
static void test_stage_de(void **state) { (void)state; stage_in(LAB_LANG_DE); }
static void test_stage_fr(void **state) { (void)state; stage_in(LAB_LANG_FR); }
static void test_stage_zh(void **state) { (void)state; stage_in(LAB_LANG_ZH); }

/* ------------------------------------------------------------------ */
/* the raw pages: no English in the others, framing, '//'              */

struct raw {
	long status;
	char *body;
	char *headers;
	size_t hlen;
};

struct buf {
	char *p;
	size_t n;
};

static size_t sink(char *p, size_t sz, size_t nm, void *ud)
{
	struct buf *b = ud;
	size_t add = sz * nm;
	char *nb = realloc(b->p, b->n + add + 1);

	if (!nb)
		return 0;
	memcpy(nb + b->n, p, add);
	b->n += add;
	nb[b->n] = '\0';
	b->p = nb;
	return add;
}

static void raw_free(struct raw *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

/* GET or POST (form) https://127.0.0.1:PORT<path> with the lab's
 * credentials (password NULL: none). */
static void raw_fetch(const struct lab *l, const char *path, const char *form,
		      const char *password, struct raw *r)
{
	CURL *h = curl_easy_init();
	struct buf body = { NULL, 0 }, hdr = { NULL, 0 };
	char url[1024], up[512];

	memset(r, 0, sizeof(*r));
	assert_non_null(h);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", l->ca_port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, l->root_pem);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);   /* keep a '//' */
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &hdr);
	if (password) {
		snprintf(up, sizeof(up), "%s:%s", l->user, password);
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERPWD, up);
	}
	if (form)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
	assert_int_equal(curl_easy_perform(h), CURLE_OK);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(h);
	r->body = body.p ? body.p : strdup("");
	r->headers = hdr.p ? hdr.p : strdup("");
	r->hlen = hdr.n;
}

/* A POST body submitting csr (URL-encoded here) with template. */
static char *newreq_form(const char *csr, const char *tmpl)
{
	char attrib[128], *e_csr = http_urlencode(csr), *e_attr, *f = NULL;

	snprintf(attrib, sizeof(attrib), "CertificateTemplate:%s", tmpl);
	e_attr = http_urlencode(attrib);
	assert_non_null(e_csr);
	assert_non_null(e_attr);
	assert_true(asprintf(&f, "Mode=newreq&CertRequest=%s&CertAttrib=%s",
			     e_csr, e_attr) > 0);
	free(e_csr);
	free(e_attr);
	return f;
}

/* The body of one fetch (malloc'd). */
static char *page_of(const struct lab *l, const char *path, const char *form,
		     const char *password)
{
	struct raw r;
	char *body;

	raw_fetch(l, path, form, password, &r);
	body = r.body;
	r.body = NULL;
	raw_free(&r);
	return body;
}

/* The answer page to submitting csr with template (malloc'd). */
static char *submit_page(const struct lab *l, const char *csr,
			 const char *tmpl)
{
	char *form = newreq_form(csr, tmpl);
	char *page = page_of(l, "/certsrv/certfnsh.asp", form, l->password);

	free(form);
	return page;
}

/* Phrases the English pages have and clients matched on. */
static const char *const ENGLISH[] = {
	"Request Id", "Taken Under Submission", "Pending", "Issued",
	"disposition message", "Disposition message", "Denied by", "denied",
	"property value is empty", "Error Parsing", "not supported",
	"Unauthorized", "credentials", "Certificate Services", "not found",
};

/* The first English phrase in page, or NULL. */
static const char *english_in(const char *page)
{
	for (size_t i = 0; i < sizeof(ENGLISH) / sizeof(ENGLISH[0]); i++)
		if (strstr(page, ENGLISH[i]))
			return ENGLISH[i];
	return NULL;
}

/* Every page an outcome answers with, in lang; the English phrases are
 * checked to be absent (lang != en) or present (en: the check works). */
static void pages_in(enum lab_lang lang)
{
	const struct lab *l = &LABS[lang];
	const struct lab_texts *t = lab_texts_of(lang);
	struct env e;
	char *csr, form[128], path[128];
	long id;
	char *pages[9];
	static const char *const what[9] = {
		"issued", "pending", "chkpnd", "certnew.cer pending", "denied",
		"unknown template", "bad request", "no such request", "401",
	};

	env_open(&e, l);
	assert_int_equal(env_run(&e), ST_OK);
	csr = stage_csr(&e);
	env_free(&e);

	pages[0] = submit_page(l, csr, "OpsMgr");
	pages[1] = submit_page(l, csr, "OpsMgrManual");
	assert_non_null(strstr(pages[1], "Name=ReqID Value=\""));
	id = strtol(strstr(pages[1], "Name=ReqID Value=\"") + 18, NULL, 10);
	assert_true(id > 0);
	snprintf(form, sizeof(form), "Mode=chkpnd&ReqID=%ld", id);
	pages[2] = page_of(l, "/certsrv/certfnsh.asp", form, l->password);
	snprintf(path, sizeof(path), "/certsrv/certnew.cer?ReqID=%ld&Enc=b64",
		 id);
	pages[3] = page_of(l, path, NULL, l->password);
	lab_act(l, "deny", id);
	pages[4] = page_of(l, "/certsrv/certfnsh.asp", form, l->password);
	pages[5] = submit_page(l, csr, "NoSuchTemplate");
	pages[6] = submit_page(l, "not a CSR", "OpsMgr");
	pages[7] = page_of(l, "/certsrv/certnew.cer?ReqID=987654&Enc=b64",
			   NULL, l->password);
	pages[8] = page_of(l, "/certsrv/", NULL, "not-the-password");
	assert_non_null(strstr(pages[8], "<h2>401 - "));

	/* the words of the language, and the markers of every language */
	assert_non_null(strstr(pages[0], t->issued_title));
	assert_non_null(strstr(pages[0], "certnew.cer?ReqID="));
	assert_non_null(strstr(pages[1], t->pending_title));
	assert_non_null(strstr(pages[1], "ID=locPendInfo"));
	assert_non_null(strstr(pages[2], t->pending_chk));
	assert_non_null(strstr(pages[3], t->disp_pending));
	assert_non_null(strstr(pages[4], "ID=locDenied"));
	assert_non_null(strstr(pages[4], "CERTSRV_E_ADMIN_DENIED_REQUEST"));
	assert_non_null(strstr(pages[5], "CERTSRV_E_UNSUPPORTED_CERT_TYPE"));
	assert_non_null(strstr(pages[6], "CRYPT_E_ASN1_BADTAG"));
	assert_non_null(strstr(pages[7], "CERTSRV_E_PROPERTY_EMPTY"));
	assert_non_null(strstr(pages[8], t->unauth_title));
	for (int i = 0; i < 9; i++) {
		const char *en = english_in(pages[i]);

		/* English pages have them (the list finds what it should);
		 * the others none */
		if (lang == LAB_LANG_EN && !en)
			fail_msg("[en] the %s page has none of the English "
				 "phrases", what[i]);
		if (lang != LAB_LANG_EN && en)
			fail_msg("[%s] the %s page has the English \"%s\"",
				 t->code, what[i], en);
		free(pages[i]);
	}
	free(csr);
}

static void test_pages_en(void **state) { (void)state; pages_in(LAB_LANG_EN); }
static void test_pages_de(void **state) { (void)state; pages_in(LAB_LANG_DE); }
static void test_pages_fr(void **state) { (void)state; pages_in(LAB_LANG_FR); }
static void test_pages_zh(void **state) { (void)state; pages_in(LAB_LANG_ZH); }

/* Header line name: value present in the raw headers (case as sent). */
static int has_header(const struct raw *r, const char *line)
{
	return strstr(r->headers, line) != NULL;
}

static void test_framing_and_challenges(void **state)
{
	const struct lab *l = &LABS[LAB_LANG_DE];
	struct raw r;
	const char *neg, *ntlm, *basic;

	(void)state;
	/* certfnsh.asp / certcarc.asp: chunked */
	raw_fetch(l, "/certsrv/certcarc.asp", NULL, l->password, &r);
	assert_int_equal(r.status, 200);
	assert_true(has_header(&r, "Transfer-Encoding: chunked"));
	assert_false(has_header(&r, "Content-Length:"));
	assert_non_null(strstr(r.body, "var nRenewals=0;"));
	raw_free(&r);
	/* an advanced-info error page: Connection: close */
	raw_fetch(l, "/certsrv/certnew.cer?ReqID=987654&Enc=b64", NULL,
		  l->password, &r);
	assert_true(has_header(&r, "Connection: close"));
	raw_free(&r);
	/* 404: closes too, in the language */
	raw_fetch(l, "/certsrv/nosuch.asp", NULL, l->password, &r);
	assert_int_equal(r.status, 404);
	assert_true(has_header(&r, "Connection: close"));
	assert_non_null(strstr(r.body, lab_texts_of(LAB_LANG_DE)->notfound_title));
	raw_free(&r);
	/* the home page and the CA certificate: a length */
	raw_fetch(l, "/certsrv/", NULL, l->password, &r);
	assert_true(has_header(&r, "Content-Length:"));
	assert_false(has_header(&r, "Connection: close"));
	raw_free(&r);
	/* 401: an HTML body and Negotiate, NTLM, Basic in that order */
	raw_fetch(l, "/certsrv/certcarc.asp", NULL, NULL, &r);
	assert_int_equal(r.status, 401);
	neg = strstr(r.headers, "WWW-Authenticate: Negotiate\r\n");
	ntlm = strstr(r.headers, "WWW-Authenticate: NTLM\r\n");
	basic = strstr(r.headers, "WWW-Authenticate: Basic realm=");
	assert_non_null(neg);
	assert_non_null(ntlm);
	assert_non_null(basic);
	assert_true(neg < ntlm && ntlm < basic);
	assert_non_null(strstr(r.body, "<h2>401 - "));
	raw_free(&r);
}

/* IIS takes '//' in paths; so does the lab, and the client through it. */
static void test_double_slash(void **state)
{
	const struct lab *l = &LABS[LAB_LANG_FR];
	struct client k;
	struct certsrv_result res;
	struct raw r;
	char url[256], *csr;

	(void)state;
	raw_fetch(l, "//certsrv//certcarc.asp", NULL, l->password, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "var nRenewals=0;"));
	raw_free(&r);
	raw_fetch(l, "/certsrv///", NULL, l->password, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, lab_texts_of(LAB_LANG_FR)->welcome));
	raw_free(&r);
	raw_fetch(l, "//other//certcarc.asp", NULL, l->password, &r);
	assert_int_equal(r.status, 404);
	raw_free(&r);

	client_open(&k, LAB_LANG_FR);
	assert_int_equal(env_run(&k.e), ST_OK);
	csr = stage_csr(&k.e);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d//certsrv//",
		 l->ca_port);
	assert_int_equal(certsrv_submit(&k.o, url, csr, "OpsMgr", NULL, &res),
			 HTTP_OK);
	assert_int_equal(res.ans.kind, CERTSRV_ISSUED);
	assert_true(res.ans.request_id > 0);
	certsrv_result_release(&res);
	free(csr);
	env_free(&k.e);
}

/* A language or scheme list the lab does not know: exit 2, said why. */
static void test_bad_arguments(void **state)
{
	static const struct {
		const char *opt, *val, *says;
	} bad[] = {
		{ "--language", "es", "--language needs one of en, de, fr, zh" },
		{ "--language", "", "--language needs one of" },
		{ "--challenge", "kerberos", "--challenge needs a list" },
		{ "--challenge", "ntlm,ntlm", "--challenge needs a list" },
		{ "--challenge", "basic,", "--challenge needs a list" },
	};
	char *dir = test_mkdtemp("langs-args-");

	(void)state;
	assert_non_null(dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = { "--dir", dir, bad[i].opt, bad[i].val,
				       NULL };
		char *out = NULL;

		assert_int_equal(lab_cmd(args, &out), 2);
		assert_non_null(out);
		if (!strstr(out, bad[i].says))
			fail_msg("%s '%s': %s", bad[i].opt, bad[i].val, out);
		free(out);
	}
	test_rm_rf(dir);
	free(dir);
}

/* ------------------------------------------------------------------ */

static int setup(void **state)
{
	static const char *const codes[LAB_LANG_COUNT] = { "en", "de", "fr",
							   "zh" };

	(void)state;
	if (http_global_init() != 0 || curl_global_init(CURL_GLOBAL_DEFAULT))
		return -1;
	for (int i = 0; i < LAB_LANG_COUNT; i++) {
		const char *args[] = { "--language", codes[i], "--challenge",
				       "negotiate,ntlm,basic", NULL };

		if (lab_start(&LABS[i], NULL, args) != 0)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < LAB_LANG_COUNT; i++)
		if (LABS[i].dir)
			lab_stop(&LABS[i]);
	http_global_cleanup();
	curl_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_en),
		cmocka_unit_test(test_client_de),
		cmocka_unit_test(test_client_fr),
		cmocka_unit_test(test_client_zh),
		cmocka_unit_test(test_stage_en),
		cmocka_unit_test(test_stage_de),
		cmocka_unit_test(test_stage_fr),
		cmocka_unit_test(test_stage_zh),
		cmocka_unit_test(test_stage_401_words),
		cmocka_unit_test(test_pages_en),
		cmocka_unit_test(test_pages_de),
		cmocka_unit_test(test_pages_fr),
		cmocka_unit_test(test_pages_zh),
		cmocka_unit_test(test_framing_and_challenges),
		cmocka_unit_test(test_double_slash),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
