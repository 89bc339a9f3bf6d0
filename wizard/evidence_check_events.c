/*
 * evidence_check_events.c - `check --evidence`'s events (evidence_check.h):
 * one approval/event row per event id of core/events.h found in
 * events.xml, with how often, the newest time, its meaning and cause, and
 * the verdict of the events table's evidence checks on its causes (each
 * cause's `evidence` check among the rows made before the events): a
 * failure confirms that cause and names it, passes rule causes out; the
 * fix is the table's.  Ids the table does not know are counted in one
 * info row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/events.h"
#include "core/strbuf.h"
#include "evidence_check_int.h"

enum cause_state { CAUSE_OPEN, CAUSE_RULED_OUT, CAUSE_CONFIRMED };

/* What the evidence says of cause k, judged on the first `upto` rows:
 * confirmed when its evidence check failed (with the cause's finding in
 * the message, when it has one), ruled out when the check passed, open
 * when the evidence cannot tell, the check did not run (skipped, a
 * warning, a missing file) or failed for something else (another cause's
 * finding: that cause is the one confirmed). */
static enum cause_state cause_state(const struct diag_list *dl, size_t upto,
				    const struct om_cause *k)
{
	int check = k->evidence ? diag_check_ref(k->evidence) : -1;
	enum diag_severity worst = SEV_PASS;
	bool seen = false, found = false;
	if (check < 0)
		return CAUSE_OPEN;
	for (size_t i = 0; i < upto; i++) {
		const struct diag *d = &dl->items[i];
		if ((int)d->check != check)
			continue;
		if (!seen || d->sev > worst)
			worst = d->sev;
		seen = true;
		if (d->sev == SEV_FAIL && (!k->finding || strstr(d->message, k->finding)))
			found = true;
	}
	if (found)
		return CAUSE_CONFIRMED;
	return seen && worst == SEV_PASS ? CAUSE_RULED_OUT : CAUSE_OPEN;
}

/* Was cause k's evidence check named by an earlier cause in state want? */
static bool named_before(const struct om_event *ev, const enum cause_state *st,
			 int k, enum cause_state want)
{
	for (int j = 0; j < k; j++)
		if (st[j] == want && !strcmp(ev->causes[j].evidence,
					     ev->causes[k].evidence))
			return true;
	return false;
}

/* "a, b": the distinct evidence checks of the causes in state want. */
static size_t put_checks(struct strbuf *b, const struct om_event *ev,
			 const enum cause_state *st, int n,
			 enum cause_state want)
{
	size_t shown = 0;
	for (int k = 0; k < n; k++) {
		if (st[k] != want || named_before(ev, st, k, want))
			continue;
		strbuf_printf(b, "%s%s", shown++ ? ", " : "", ev->causes[k].evidence);
	}
	return shown;
}

/* "; confirmed by c: cause[; or cause]" for each distinct check that
 * confirmed causes (one check that cannot tell its causes apart confirms
 * them as alternatives). */
static void put_confirmed(struct strbuf *b, const struct om_event *ev,
			  const enum cause_state *st, int n)
{
	for (int k = 0, shown = 0; k < n; k++) {
		if (st[k] != CAUSE_CONFIRMED ||
		    named_before(ev, st, k, CAUSE_CONFIRMED))
			continue;
		strbuf_printf(b, "; %sconfirmed by %s: %s", shown++ ? "also " : "",
			      ev->causes[k].evidence, ev->causes[k].what);
		for (int j = k + 1; j < n; j++)
			if (st[j] == CAUSE_CONFIRMED &&
			    !strcmp(ev->causes[j].evidence, ev->causes[k].evidence))
				strbuf_printf(b, ", or %s", ev->causes[j].what);
	}
}

/*
 * The verdict on ev's causes, appended to the row's message:
 *   "; confirmed by serial/key_provider: <cause>" (each confirmed cause),
 *   "; ruled out: <checks> pass" when every cause is ruled out,
 *   "; not confirmed: <checks> pass; still possible: <open causes>",
 *   nothing when the evidence decides none of its causes.
 */
static enum cause_state verdict(const struct diag_list *dl, size_t upto,
				const struct om_event *ev, struct strbuf *b)
{
	enum cause_state st[OM_EVENT_CAUSES];
	int n = 0, confirmed = 0, ruled_out = 0;
	for (; n < OM_EVENT_CAUSES && ev->causes[n].what; n++) {
		st[n] = cause_state(dl, upto, &ev->causes[n]);
		confirmed += st[n] == CAUSE_CONFIRMED;
		ruled_out += st[n] == CAUSE_RULED_OUT;
	}
	if (confirmed) {
		put_confirmed(b, ev, st, n);
		return CAUSE_CONFIRMED;
	}
	if (!ruled_out)
		return CAUSE_OPEN;
	strbuf_puts(b, ruled_out == n ? "; ruled out: " : "; not confirmed: ");
	size_t checks = put_checks(b, ev, st, n, CAUSE_RULED_OUT);
	strbuf_puts(b, checks > 1 ? " pass" : " passes");
	if (ruled_out == n)
		return CAUSE_RULED_OUT;
	strbuf_puts(b, "; still possible: ");
	for (int k = 0, shown = 0; k < n; k++)
		if (st[k] == CAUSE_OPEN)
			strbuf_printf(b, "%s%s", shown++ ? "; or " : "",
				      ev->causes[k].what);
	return CAUSE_OPEN;
}

static enum diag_severity severity_of(int id, int level, enum cause_state v)
{
	if (id == OM_EVENT_CERT_LOADED || level == 4 || level == 0)
		return SEV_INFO;
	if (v == CAUSE_RULED_OUT || level == 3)
		return SEV_WARN;
	return SEV_FAIL;
}

/* One row for event ev, found `count` times, the newest at `last`. */
static void event_row(struct ev_run *r, size_t upto, const struct ev_item *e,
		      const struct om_event *ev, size_t count, const char *last,
		      int level)
{
	struct strbuf b = STRBUF_INIT;
	enum cause_state v = verdict(r->dl, upto, ev, &b);
	char *decided = strbuf_take(&b);
	struct diag *d = diag_add(
		r->dl, DIAG_EVIDENCE_EVENT, severity_of(e->id, level, v), NULL,
		ev->fix, "event %d (%s) %zu time%s, last at %s: %s; likely cause: %s%s",
		e->id, e->source ? e->source : ev->source, count,
		count == 1 ? "" : "s", last ? last : "an unknown time",
		ev->meaning, ev->cause, decided ? decided : "");
	if (d)
		d->event = e->id;
	free(decided);
}

void ev_check_events(struct ev_run *r)
{
	if (!r->events_ok)
		return;   /* the file's own FAIL says why */
	const struct ev_list *l = &r->events;
	size_t before = r->dl->n, unknown = 0;
	char unknown_ids[256] = "";
	for (size_t i = 0; i < l->n; i++) {
		const struct ev_item *e = &l->e[i];
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = l->e[j].id == e->id;
		if (seen)
			continue;
		const struct om_event *ev = om_event_find(e->id);
		if (!ev) {
			size_t o = strlen(unknown_ids);
			if (o + 8 < sizeof(unknown_ids))
				snprintf(unknown_ids + o, sizeof(unknown_ids) - o,
					 "%s%d", o ? ", " : "", e->id);
			unknown++;
			continue;
		}
		size_t count = 0;
		const char *last = NULL;
		int level = e->level;
		for (size_t j = i; j < l->n; j++) {
			if (l->e[j].id != e->id)
				continue;
			count++;
			if (l->e[j].time && (!last || strcmp(l->e[j].time, last) > 0))
				last = l->e[j].time;
			if (l->e[j].level && (!level || l->e[j].level < level))
				level = l->e[j].level;
		}
		event_row(r, before, e, ev, count, last, level);
	}
	if (unknown)
		diag_add(r->dl, DIAG_EVIDENCE_EVENT, SEV_INFO, NULL, NULL,
			 "%zu other event id%s in the log this tool does not interpret: %s",
			 unknown, unknown == 1 ? "" : "s", unknown_ids);
	if (!l->n)
		diag_add(r->dl, DIAG_EVIDENCE_EVENT, SEV_INFO, NULL, NULL,
			 "the Operations Manager log holds no event");
}
