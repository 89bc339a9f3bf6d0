/*
 * lab_kv.c - the small containers the socket-free handlers use: a capped
 * list of key/value fields (query arguments, form fields; values may
 * arrive in pieces from MHD's post processor) and the response a handler
 * fills in.
 */
#include "lab.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int lab_kvs_add(struct lab_kvs *k, const char *key, const char *data,
		size_t len, int append)
{
	struct lab_kv *last = k->n ? &k->v[k->n - 1] : NULL;
	struct lab_kv *nk;
	char *nv;

	if (!key)
		return -1;
	if (k->total + len > LAB_BODY_CAP)
		return -1;
	if (append && last && !strcmp(last->key, key)) {
		if (last->vlen + len > LAB_FIELD_CAP)
			return -1;
		nv = realloc(last->val, last->vlen + len + 1);
		if (!nv)
			return -1;
		memcpy(nv + last->vlen, data, len);
		last->vlen += len;
		nv[last->vlen] = '\0';
		last->val = nv;
		k->total += len;
		return 0;
	}
	if (k->n >= LAB_MAX_FIELDS || len > LAB_FIELD_CAP)
		return -1;
	nk = realloc(k->v, (k->n + 1) * sizeof(*k->v));
	if (!nk)
		return -1;
	k->v = nk;
	last = &k->v[k->n];
	last->key = strdup(key);
	last->val = malloc(len + 1);
	if (!last->key || !last->val) {
		free(last->key);
		free(last->val);
		return -1;
	}
	if (len)
		memcpy(last->val, data, len);
	last->val[len] = '\0';
	last->vlen = len;
	k->n++;
	k->total += len + strlen(key);
	return 0;
}

const char *lab_kvs_get(const struct lab_kvs *k, const char *key)
{
	if (!k)
		return NULL;
	for (size_t i = 0; i < k->n; i++)
		if (!strcasecmp(k->v[i].key, key))
			return k->v[i].val;
	return NULL;
}

/* Decode s[0..n) into out (room for n bytes); returns the length. */
static size_t url_decode(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < n &&
			   (hi = text_hex_digit((unsigned char)s[i + 1])) >= 0 &&
			   (lo = text_hex_digit((unsigned char)s[i + 2])) >= 0) {
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	return o;
}

int lab_kvs_parse_urlencoded(struct lab_kvs *k, const char *text,
			     size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *pair = text + i;
		const char *amp = memchr(pair, '&', len - i);
		size_t plen = amp ? (size_t)(amp - pair) : len - i;
		const char *eq = memchr(pair, '=', plen);
		size_t klen = eq ? (size_t)(eq - pair) : plen;
		size_t vlen = eq ? plen - klen - 1 : 0;
		char *key = malloc(klen + 1), *val = malloc(vlen + 1);
		size_t kd, vd;
		int rc = 0;

		if (!key || !val) {
			free(key);
			free(val);
			return -1;
		}
		kd = url_decode(pair, klen, key);
		key[kd] = '\0';
		vd = eq ? url_decode(eq + 1, vlen, val) : 0;
		val[vd] = '\0';
		if (plen && kd == strlen(key))
			rc = lab_kvs_add(k, key, val, vd, 0);
		free(key);
		free(val);
		if (rc)
			return -1;
		i += plen + 1;
	}
	return 0;
}

void lab_kvs_release(struct lab_kvs *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].key);
		free(k->v[i].val);
	}
	free(k->v);
	memset(k, 0, sizeof(*k));
}

void lab_resp_release(struct lab_resp *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

int lab_resp_take(struct lab_resp *r, unsigned status, const char *ctype,
		  unsigned char *body, size_t len)
{
	free(r->body);
	r->status = status;
	r->ctype = ctype;
	r->body = body;
	r->len = body ? len : 0;
	if (!body) {
		r->status = 500;
		r->ctype = "text/plain";
		return -1;
	}
	return 0;
}

int lab_resp_text(struct lab_resp *r, unsigned status, const char *ctype,
		  const char *text)
{
	char *b = strdup(text);

	return lab_resp_take(r, status, ctype, (unsigned char *)b,
			     b ? strlen(b) : 0);
}
