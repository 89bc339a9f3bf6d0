/*
 * fuzz_lab_handlers.c - libFuzzer target: the lab's socket-free request
 * handlers (lab_ca_handle for /certsrv/..., lab_ms_handle for
 * /opsmgr/v1/...) driven with what a hostile client can put in a request
 * once libmicrohttpd has split it: method, path, query and form fields
 * (any bytes, NULs included), Basic credentials, and for the management
 * server the verified peer's CN and serial.
 *
 * Input: up to 4 requests separated by a line "--"; each is lines of
 *   CA | MS          which handler (default CA)
 *   M <method>       P <path>
 *   Q <key>=<value>  F <key>=<value>      query / form field
 *   q <query string> f <form body>        raw, through the lab's own
 *                                         lab_kvs_parse_urlencoded
 *   U <user>         W <pass>   ("W*" = the lab's real password)
 *   C <peer cn>      S <peer serial>
 *   A                the peer's certificate is the lab administrator's
 *                    (its SHA-256; any other peer has none of it)
 *   L <code>         the CA's --language from here on (en de fr zh;
 *                    every input starts in English)
 * with %XX escapes in every value (the raw q/f lines excepted).  Each input starts from an empty lab
 * state in one lab directory made once; after every request the state
 * must still load and the response must be well formed.
 * Seeds: tests/fuzz/corpus/fuzz_lab_handlers.  Owner: faults.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "core/text.h"

#define MAX_REQ 4
#define VAL_MAX 8192

static struct lab_ctx C;

/* %XX-decode s[0..n) into out (cap bytes); returns the decoded length,
 * out NUL-terminated after it. */
static size_t decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < n &&
		    (h = text_hex_digit((unsigned char)s[i + 1])) >= 0 &&
		    (l = text_hex_digit((unsigned char)s[i + 2])) >= 0) {
			out[o++] = (char)(h * 16 + l);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return o;
}

struct one {
	int ms;
	char method[32], path[512], user[256], pass[256], cn[300], serial[128];
	int have_user, have_pass, have_cn, have_serial, real_pass, admin;
	struct lab_kvs query, form;
};

static void add_field(struct lab_kvs *k, const char *s, size_t n)
{
	static char key[256], val[VAL_MAX];
	const char *eq = memchr(s, '=', n);
	size_t kn = eq ? (size_t)(eq - s) : n;
	decode(s, kn, key, sizeof(key));
	size_t vn = eq ? decode(eq + 1, n - kn - 1, val, sizeof(val)) : 0;
	lab_kvs_add(k, key, val, vn, 0);   /* over the caps: dropped, as MHD does */
}

static void line(struct one *q, const char *s, size_t n)
{
	if (n >= 2 && (!memcmp(s, "CA", 2) || !memcmp(s, "MS", 2)) &&
	    (n == 2 || s[2] == '\r')) {
		q->ms = s[0] == 'M';
		return;
	}
	if (n < 2 || s[1] != ' ') {
		if (n >= 2 && s[0] == 'W' && s[1] == '*')
			q->real_pass = 1;
		if ((n == 1 || (n == 2 && s[1] == '\r')) && s[0] == 'A')
			q->admin = 1;
		return;
	}
	const char *v = s + 2;
	size_t vn = n - 2;
	switch (s[0]) {
	case 'M': decode(v, vn, q->method, sizeof(q->method)); break;
	case 'P': decode(v, vn, q->path, sizeof(q->path)); break;
	case 'Q': add_field(&q->query, v, vn); break;
	case 'F': add_field(&q->form, v, vn); break;
	case 'q': lab_kvs_parse_urlencoded(&q->query, v, vn); break;
	case 'f': lab_kvs_parse_urlencoded(&q->form, v, vn); break;
	case 'U': decode(v, vn, q->user, sizeof(q->user)); q->have_user = 1; break;
	case 'W': decode(v, vn, q->pass, sizeof(q->pass)); q->have_pass = 1; break;
	case 'C': decode(v, vn, q->cn, sizeof(q->cn)); q->have_cn = 1; break;
	case 'S': decode(v, vn, q->serial, sizeof(q->serial)); q->have_serial = 1; break;
	case 'L': {
		char code[8];
		decode(v, vn, code, sizeof(code));
		lab_lang_parse(code, &C.lang);   /* unknown: unchanged */
		break;
	}
	default: break;
	}
}

static void reset_dir(void)
{
	char *p = lab_path(&C, "state");
	unlink(p);
	free(p);
	p = lab_path(&C, "lab.log");
	unlink(p);
	free(p);
	char *rq = lab_path(&C, "requests");
	DIR *d = opendir(rq);
	if (d) {
		struct dirent *e;
		char f[1024];
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(f, sizeof(f), "%s/%s", rq, e->d_name);
			unlink(f);
		}
		closedir(d);
	}
	free(rq);
}

static void run_one(struct one *q)
{
	struct lab_http_req h;
	struct lab_resp r;
	struct lab_state st;
	char err[512];

	/* A newreq without CertRequest once made lab_parse_csr compute
	 * NULL + 0 (fixed; the input is kept in
	 * tests/fuzz/regressions/fuzz_lab_handlers/ and replayed). */
	memset(&h, 0, sizeof(h));
	h.method = q->method[0] ? q->method : "GET";
	h.path = q->path;
	h.query = &q->query;
	h.form = &q->form;
	h.user = q->have_user ? q->user : NULL;
	h.pass = q->real_pass ? C.password : q->have_pass ? q->pass : NULL;
	h.peer_cn = q->have_cn ? q->cn : NULL;
	h.peer_serial = q->have_serial ? q->serial : NULL;
	h.peer_sha256 = q->admin ? C.admin_sha256 : NULL;
	memset(&r, 0, sizeof(r));
	if (q->ms)
		lab_ms_handle(&C, &h, &r);
	else
		lab_ca_handle(&C, &h, &r);
	if (r.status < 100 || r.status > 599 || !r.ctype ||
	    (r.len && !r.body))
		abort();   /* every request gets a well-formed answer */
	lab_resp_release(&r);
	if (lab_state_load(C.dir, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "state unreadable after a request: %s\n", err);
		abort();
	}
	lab_state_release(&st);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512];
	char tmpl[] = "/tmp/fuzz-lab-XXXXXX";

	(void)argc;
	(void)argv;
	memset(&C, 0, sizeof(C));
	C.auto_approve = 0;
	C.delay_submit = 0;
	C.ca_port = 4443;
	C.ms_port = 4444;
	if (!mkdtemp(tmpl))
		abort();
	C.dir = strdup(tmpl);
	if (!C.dir || lab_pki_init(&C, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "lab_pki_init: %s\n", err);
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;
	int nreq = 0;
	struct one *q = calloc(1, sizeof(*q));

	if (!q)
		return 0;
	reset_dir();
	C.lang = LAB_LANG_EN;
	while (s < end && nreq < MAX_REQ) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (n == 2 && !memcmp(s, "--", 2)) {
			run_one(q);
			lab_kvs_release(&q->query);
			lab_kvs_release(&q->form);
			memset(q, 0, sizeof(*q));
			nreq++;
		} else {
			line(q, s, n);
		}
		s += n + (nl ? 1 : 0);
	}
	if (nreq < MAX_REQ)
		run_one(q);
	lab_kvs_release(&q->query);
	lab_kvs_release(&q->form);
	free(q);
	return 0;
}
