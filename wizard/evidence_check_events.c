/*
 * evidence_check_events.c - `check --evidence`'s events (evidence_check.h):
 * one approval/event row per event id of core/events.h found in
 * events.xml, with how often, the newest time, its meaning and cause, and
 * the evidence's own check that confirms it (a FAIL naming the same event)
 * or rules it out (only PASSes naming it); the fix is the table's.  Ids the
 * table does not know are counted in one info row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/events.h"
#include "evidence_check_int.h"

/* The verdict of the checks before the events on event id: "confirmed by
 * stage/id", "ruled out: stage/id pass(es)" or "". */
static void decided_by(const struct diag_list *dl, size_t upto, int id,
		       char *out, size_t cap)
{
	const struct diag *fail = NULL, *pass = NULL;
	for (size_t i = 0; i < upto; i++) {
		const struct diag *d = &dl->items[i];
		if (d->event != id)
			continue;
		if (d->sev == SEV_FAIL && !fail)
			fail = d;
		else if (d->sev == SEV_PASS && !pass)
			pass = d;
	}
	out[0] = '\0';
	if (fail)
		snprintf(out, cap, "; confirmed by %s/%s", stage_id(fail->stage),
			 diag_check_id(fail->check));
	else if (pass)
		snprintf(out, cap, "; ruled out by %s/%s, which passes",
			 stage_id(pass->stage), diag_check_id(pass->check));
}

static enum diag_severity severity_of(int id, int level, const char *decided)
{
	if (id == OM_EVENT_CERT_LOADED || level == 4 || level == 0)
		return SEV_INFO;
	if (strstr(decided, "ruled out") || level == 3)
		return SEV_WARN;
	return SEV_FAIL;
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
		char decided[160];
		decided_by(r->dl, before, e->id, decided, sizeof(decided));
		struct diag *d = diag_add(
			r->dl, DIAG_EVIDENCE_EVENT, severity_of(e->id, level, decided),
			NULL, ev->fix, "event %d (%s) %zu time%s, last at %s: %s; likely cause: %s%s",
			e->id, e->source ? e->source : ev->source, count,
			count == 1 ? "" : "s", last ? last : "an unknown time",
			ev->meaning, ev->cause, decided);
		if (d)
			d->event = e->id;
	}
	if (unknown)
		diag_add(r->dl, DIAG_EVIDENCE_EVENT, SEV_INFO, NULL, NULL,
			 "%zu other event id%s in the log this tool does not interpret: %s",
			 unknown, unknown == 1 ? "" : "s", unknown_ids);
	if (!l->n)
		diag_add(r->dl, DIAG_EVIDENCE_EVENT, SEV_INFO, NULL, NULL,
			 "the Operations Manager log holds no event");
}
