/*
 * diag.c - the diagnostics list, the check table look-ups and the text and
 * JSON renderers (see diag.h).
 */
#include "core/diag.h"
#include "core/text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	enum stage stage;
	const char *id;
	int event;
} CHECKS[] = {
#define X(name, stage, id, event) { stage, id, event },
	DIAG_CHECKS(X)
#undef X
};

static const char *const SEV_NAMES[] = { "pass", "skip", "info", "warn",
					 "fail" };

void diag_list_init(struct diag_list *l)
{
	l->items = NULL;
	l->n = l->cap = 0;
}

void diag_list_release(struct diag_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].field);
		free(l->items[i].message);
		free(l->items[i].fix);
	}
	free(l->items);
	diag_list_init(l);
}

void diag_list_clear(struct diag_list *l)
{
	diag_list_release(l);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static struct diag *diag_addv(struct diag_list *l, enum diag_check check,
			      enum diag_severity sev, const char *field,
			      const char *fix, const char *fmt, va_list ap)
{
	if ((unsigned)check >= DIAG_CHECK_COUNT)
		check = DIAG_INTERNAL;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		struct diag *ni = realloc(l->items, ncap * sizeof(*ni));
		if (!ni)
			return NULL;
		l->items = ni;
		l->cap = ncap;
	}
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		return NULL;
	struct diag *d = &l->items[l->n++];
	d->check = check;
	d->stage = CHECKS[check].stage;
	d->sev = sev;
	d->field = dup_or_null(field);
	d->message = msg;
	d->fix = dup_or_null(fix);
	d->event = (sev == SEV_FAIL || sev == SEV_WARN) ? CHECKS[check].event : 0;
	return d;
}

struct diag *diag_add(struct diag_list *l, enum diag_check check,
		      enum diag_severity sev, const char *field,
		      const char *fix, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = diag_addv(l, check, sev, field, fix, fmt, ap);
	va_end(ap);
	return d;
}

void diag_set_fix(struct diag *d, const char *fmt, ...)
{
	if (!d)
		return;
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	free(d->fix);
	d->fix = s;
}

struct diag *diag_add_rerun(struct diag_list *l, enum diag_check check,
			    enum diag_severity sev, const char *field,
			    enum stage s, const char *then, const char *fmt,
			    ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = diag_addv(l, check, sev, field, NULL, fmt, ap);
	va_end(ap);
	diag_set_fix(d, "run %s%s", stage_ref(s), then);
	return d;
}

void diag_list_append(struct diag_list *dst, const struct diag_list *src)
{
	/* dst may be src: count first, and read the source item before
	 * diag_add() can move the array */
	size_t n = src->n;
	for (size_t i = 0; i < n; i++) {
		const struct diag s = src->items[i];
		struct diag *d = diag_add(dst, s.check, s.sev, s.field, s.fix,
					  "%s", s.message);
		if (d) {
			d->stage = s.stage;
			d->event = s.event;
		}
	}
}

const char *diag_errno_text(int e, char *buf, size_t len)
{
	snprintf(buf, len, "%s", strerror(e));
	if (buf[0] && buf[1] && !isupper((unsigned char)buf[1]))
		buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

const char *diag_check_id(enum diag_check c)
{
	return (unsigned)c < DIAG_CHECK_COUNT ? CHECKS[c].id : "internal";
}

enum stage diag_check_stage(enum diag_check c)
{
	return (unsigned)c < DIAG_CHECK_COUNT ? CHECKS[c].stage : STAGE_NONE;
}

int diag_check_event(enum diag_check c)
{
	return (unsigned)c < DIAG_CHECK_COUNT ? CHECKS[c].event : 0;
}

const char *diag_severity_name(enum diag_severity s)
{
	return (unsigned)s <= SEV_FAIL ? SEV_NAMES[s] : "fail";
}

int diag_check_lookup(enum stage s, const char *id)
{
	for (int i = 0; i < DIAG_CHECK_COUNT; i++)
		if (CHECKS[i].stage == s && strcmp(CHECKS[i].id, id) == 0)
			return i;
	return -1;
}

enum diag_severity diag_worst(const struct diag_list *l)
{
	enum diag_severity w = SEV_PASS;
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].sev > w)
			w = l->items[i].sev;
	return w;
}

enum diag_severity diag_worst_stage(const struct diag_list *l, enum stage s)
{
	enum diag_severity w = SEV_PASS;
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].stage == s && l->items[i].sev > w)
			w = l->items[i].sev;
	return w;
}

size_t diag_count(const struct diag_list *l, enum diag_severity s)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->items[i].sev == s;
	return n;
}

const struct diag *diag_find_field(const struct diag_list *l, const char *field,
				   enum diag_severity min)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct diag *d = &l->items[i];
		if (d->field && field && strcmp(d->field, field) == 0 &&
		    d->sev >= min)
			return d;
	}
	return NULL;
}

const struct diag *diag_find(const struct diag_list *l, enum diag_check c)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].check == c)
			return &l->items[i];
	return NULL;
}

void diag_print_text(FILE *out, const struct diag_list *l, int min_sev)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct diag *d = &l->items[i];
		if ((int)d->sev < min_sev)
			continue;
		char tag[8];
		snprintf(tag, sizeof(tag), "%s", diag_severity_name(d->sev));
		for (char *p = tag; *p; p++)
			*p = (char)(*p - ('a' - 'A'));
		fprintf(out, "%-4s %s/%s: %s\n", tag, stage_id(d->stage),
			diag_check_id(d->check), d->message);
		if (d->field)
			fprintf(out, "     field: %s\n", d->field);
		if (d->fix && d->sev >= SEV_WARN)
			fprintf(out, "     fix: %s\n", d->fix);
		if (d->event)
			fprintf(out, "     event: %d\n", d->event);
	}
}

void json_write_string(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(out, "\\u%04x", *p);
			} else if (*p >= 0x80) {
				size_t n = text_utf8_seq(p, 4);
				if (n == 0) {
					fputs("\\ufffd", out);
				} else {
					fwrite(p, 1, n, out);
					p += n - 1;
				}
			} else {
				fputc(*p, out);
			}
		}
	}
	fputc('"', out);
}

int diag_write_json(FILE *out, const struct diag_list *l)
{
	fprintf(out, "{\"version\": 1, \"ok\": %s, \"checks\": [",
		diag_worst(l) == SEV_FAIL ? "false" : "true");
	for (size_t i = 0; i < l->n; i++) {
		const struct diag *d = &l->items[i];
		fputs(i ? ",\n  " : "\n  ", out);
		fputs("{\"stage\": ", out);
		json_write_string(out, stage_id(d->stage));
		fputs(", \"id\": ", out);
		json_write_string(out, diag_check_id(d->check));
		fputs(", \"status\": ", out);
		json_write_string(out, d->sev == SEV_INFO ? "pass" :
				  diag_severity_name(d->sev));
		fputs(", \"message\": ", out);
		json_write_string(out, d->message);
		fputs(", \"fix\": ", out);
		json_write_string(out, d->fix ? d->fix : "");
		if (d->field) {
			fputs(", \"field\": ", out);
			json_write_string(out, d->field);
		}
		if (d->event)
			fprintf(out, ", \"event\": %d}", d->event);
		else
			fputs(", \"event\": null}", out);
	}
	fputs(l->n ? "\n]}\n" : "]}\n", out);
	return ferror(out) ? -1 : 0;
}
