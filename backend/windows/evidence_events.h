/*
 * evidence_events.h - reading the Operations Manager events of the
 * evidence: `wevtutil qe "Operations Manager" /c:N /rd:true /f:xml`
 * prints one <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
 * element after the other, without a root element or an XML declaration
 * (with /e:Events they are wrapped in <Events>; both are read).  Each
 * event's System/Provider@Name, System/EventID, System/Level,
 * System/TimeCreated@SystemTime and its EventData/Data texts (joined by
 * "; ") are kept.  Parsed with libxml2, no network, no entity expansion.
 *
 * Owner: backend/windows/evidence_events.c.  events_parse fills a
 * caller-owned struct ev_list; ev_list_release frees what it holds.
 */
#ifndef OPSMGR_EVIDENCE_EVENTS_H
#define OPSMGR_EVIDENCE_EVENTS_H

#include <stddef.h>

struct ev_item {
	int id;                /* EventID */
	int level;             /* 1 critical .. 4 information; 0 unknown */
	char *time;            /* SystemTime as written, or NULL */
	char *source;          /* Provider Name, or NULL */
	char *data;            /* EventData texts joined, or NULL */
};

struct ev_list {
	struct ev_item *e;
	size_t n, cap;
};

void ev_list_init(struct ev_list *l);
void ev_list_release(struct ev_list *l);

/*
 * Parse the bytes of the XML (UTF-8 or UTF-16LE with BOM).  Returns 0 (no
 * event at all is 0 with l->n 0); -1 with "line N: <libxml2's message>"
 * or "event N: what" in err for XML that does not parse (truncated, not
 * XML) or an <Event> without a numeric EventID.
 */
int events_parse(const unsigned char *buf, size_t len, struct ev_list *l,
		 char *err, size_t errlen);

#endif
