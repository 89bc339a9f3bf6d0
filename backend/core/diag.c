/*
 * diag.c - the diagnostics list, the check table look-ups and the text and
 * JSON renderers (see diag.h).
 */
#include "core/diag.h"
#include "core/events.h"
#include "core/strbuf.h"
#include "core/text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
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

int diag_check_ref(const char *ref)
{
	char stage[32];
	const char *slash = ref ? strchr(ref, '/') : NULL;
	if (!slash || (size_t)(slash - ref) >= sizeof(stage))
		return -1;
	memcpy(stage, ref, (size_t)(slash - ref));
	stage[slash - ref] = '\0';
	enum stage s = stage_by_id(stage);
	if (strcmp(stage_id(s), stage) != 0)
		return -1;
	return diag_check_lookup(s, slash + 1);
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

/* One "     name: value" line of an item, the value escaped. */
static void print_member(FILE *out, const char *name, const char *value)
{
	fprintf(out, "     %s: ", name);
	text_fputs(value, out);
	fputc('\n', out);
}

/* "event: 20050 (the certificate lacks ...)": its meaning from the one
 * events table (core/events.h), shared with install.cmd. */
static void print_event(FILE *out, int id)
{
	const struct om_event *e = om_event_find(id);
	if (e)
		fprintf(out, "     event: %d (%s)\n", id, e->meaning);
	else
		fprintf(out, "     event: %d\n", id);
}

/* "     fix: <fix>; 'opsmgr-enroll explain N' for the causes": the fix and,
 * for an event of the table, the command that names its causes and the
 * checks that decide them (the event line itself has no room at 80
 * columns).  Shown for a warning or failure only. */
static void print_fix(FILE *out, const struct diag *d)
{
	bool known = d->event && om_event_find(d->event);
	if (d->sev < SEV_WARN || (!d->fix && !known))
		return;
	fputs("     fix: ", out);
	if (d->fix)
		text_fputs(d->fix, out);
	if (known)
		fprintf(out, "%s'opsmgr-enroll explain %d' for the causes",
			d->fix ? "; " : "see ", d->event);
	fputc('\n', out);
}

/* Every message, field and fix may hold text from outside (a certificate,
 * the network, a command's output): printed through text_fputs. */
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
		fprintf(out, "%-4s %s/%s: ", tag, stage_id(d->stage),
			diag_check_id(d->check));
		text_fputs(d->message, out);
		fputc('\n', out);
		if (d->field)
			print_member(out, "field", d->field);
		print_fix(out, d);
		if (d->event)
			print_event(out, d->event);
	}
}

/* RFC 8259: '"', '\\' and every control character U+0000..U+001F escaped;
 * also DEL and the C1 controls U+0080..U+009F (a terminal showing the
 * report may obey them); a byte that is not valid UTF-8 as U+FFFD. */
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
				} else if (n == 2 && *p == 0xC2 && p[1] < 0xA0) {
					fprintf(out, "\\u%04x", p[1]);
					p++;
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

/*
 * check --json has one row per check (stage + id).  A check that produced
 * several items (a pass and a warning about the same thing) is one row:
 * its status the most telling of them (fail, warn, pass, info, skip); its
 * message all their messages joined by "; "; its fix those of the items
 * with that status; its field and event those of the first such item.
 */
static int row_rank(enum diag_severity s)
{
	static const int RANK[] = { [SEV_SKIP] = 0, [SEV_INFO] = 1,
				    [SEV_PASS] = 2, [SEV_WARN] = 3,
				    [SEV_FAIL] = 4 };
	return (unsigned)s <= SEV_FAIL ? RANK[s] : RANK[SEV_FAIL];
}

static bool same_row(const struct diag *a, const struct diag *b)
{
	return a->stage == b->stage &&
	       strcmp(diag_check_id(a->check), diag_check_id(b->check)) == 0;
}

/* Whether an earlier item already made the row of l->items[i]. */
static bool row_written(const struct diag_list *l, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_row(&l->items[j], &l->items[i]))
			return true;
	return false;
}

/* The messages (or the fixes of the items with top's status) of top's
 * row joined by "; ", each once. */
static void write_joined(FILE *out, const struct diag_list *l, size_t first,
			 const struct diag *top, bool fixes)
{
	struct strbuf b = STRBUF_INIT;
	for (size_t j = first; j < l->n; j++) {
		const struct diag *d = &l->items[j];
		const char *t = fixes ? d->fix : d->message;
		if (!same_row(d, top) || (fixes && d->sev != top->sev) ||
		    !t || !*t || (b.n && strstr(b.p, t)))
			continue;
		strbuf_printf(&b, "%s%s", b.n ? "; " : "", t);
	}
	json_write_string(out, b.p && !b.oom ? b.p : "");
	strbuf_release(&b);
}

static void write_row(FILE *out, const struct diag_list *l, size_t first)
{
	const struct diag *top = &l->items[first];
	for (size_t j = first + 1; j < l->n; j++)
		if (same_row(&l->items[j], top) &&
		    row_rank(l->items[j].sev) > row_rank(top->sev))
			top = &l->items[j];
	fputs("{\"stage\": ", out);
	json_write_string(out, stage_id(top->stage));
	fputs(", \"id\": ", out);
	json_write_string(out, diag_check_id(top->check));
	fputs(", \"status\": ", out);
	json_write_string(out, diag_severity_name(top->sev));
	fputs(", \"message\": ", out);
	write_joined(out, l, first, top, false);
	fputs(", \"fix\": ", out);
	write_joined(out, l, first, top, true);
	if (top->field) {
		fputs(", \"field\": ", out);
		json_write_string(out, top->field);
	}
	if (top->event)
		fprintf(out, ", \"event\": %d}", top->event);
	else
		fputs(", \"event\": null}", out);
}

int diag_write_json(FILE *out, const struct diag_list *l)
{
	fprintf(out, "{\"version\": 1, \"ok\": %s, \"checks\": [",
		diag_worst(l) == SEV_FAIL ? "false" : "true");
	size_t rows = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (row_written(l, i))
			continue;
		fputs(rows++ ? ",\n  " : "\n  ", out);
		write_row(out, l, i);
	}
	fputs(rows ? "\n]}\n" : "]}\n", out);
	return ferror(out) ? -1 : 0;
}
