/*
 * evidence_events.c - the events.xml reader of the evidence
 * (evidence_events.h), on libxml2's tree parser.
 */
#include "evidence_events.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "evidence_text.h"

#define EV_MAX_TEXT 4096   /* per event's joined data */

void ev_list_init(struct ev_list *l)
{
	memset(l, 0, sizeof(*l));
}

void ev_list_release(struct ev_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->e[i].time);
		free(l->e[i].source);
		free(l->e[i].data);
	}
	free(l->e);
	ev_list_init(l);
}

static bool named(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (named(c, name))
			return c;
	return NULL;
}

static char *text_of(const xmlNode *n)
{
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
	char *s = t ? strdup((const char *)t) : NULL;
	xmlFree(t);
	return s;
}

static char *attr_of(const xmlNode *n, const char *name)
{
	xmlChar *t = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
	char *s = t ? strdup((const char *)t) : NULL;
	xmlFree(t);
	return s;
}

/* A whole decimal number in s (blanks around allowed), else -1. */
static int number(const char *s)
{
	char *end;
	if (!s)
		return -1;
	long v = strtol(s, &end, 10);
	while (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')
		end++;
	return end == s || *end || v < 0 || v > 65535 ? -1 : (int)v;
}

/* EventData/Data (and UserData's leaves) joined by "; ", capped. */
static char *data_of(const xmlNode *ev)
{
	const xmlNode *d = child(ev, "EventData");
	char buf[EV_MAX_TEXT];
	size_t o = 0;
	buf[0] = '\0';
	for (const xmlNode *c = d ? d->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		char *t = text_of(c);
		if (t && *t)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
					      o ? "; " : "", t);
		free(t);
		if (o >= sizeof(buf) - 1)
			break;
	}
	return o ? strdup(buf) : NULL;
}

static int add_event(struct ev_list *l, const xmlNode *ev, size_t nth,
		     char *err, size_t errlen)
{
	const xmlNode *sys = child(ev, "System");
	char *idt = text_of(child(sys, "EventID"));
	int id = number(idt);
	free(idt);
	if (id < 0) {
		snprintf(err, errlen, "event %zu: no numeric System/EventID", nth);
		return -1;
	}
	if (evidence_grow(&l->e, l->n, &l->cap, sizeof(*l->e)) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct ev_item *e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	e->id = id;
	char *lv = text_of(child(sys, "Level"));
	e->level = number(lv) < 0 ? 0 : number(lv);
	free(lv);
	e->time = attr_of(child(sys, "TimeCreated"), "SystemTime");
	e->source = attr_of(child(sys, "Provider"), "Name");
	e->data = data_of(ev);
	return 0;
}

/* The text without a BOM's worth of XML declaration, wrapped in <Events>
 * when wevtutil wrote bare <Event> elements. */
static char *wrapped(const char *text, size_t *len)
{
	const char *s = text;
	while (*s == ' ' || *s == '\r' || *s == '\n' || *s == '\t')
		s++;
	if (!strncmp(s, "<?xml", 5)) {
		const char *e = strstr(s, "?>");
		s = e ? e + 2 : s + strlen(s);
	}
	size_t n = strlen(s);
	char *out = malloc(n + 20);
	if (!out)
		return NULL;
	*len = (size_t)sprintf(out, "<Events>%s</Events>", s);
	return out;
}

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int events_parse(const unsigned char *buf, size_t len, struct ev_list *l,
		 char *err, size_t errlen)
{
	char *text = evidence_decode(buf, len, err, errlen);
	if (!text)
		return -1;
	size_t n = 0;
	char *xml = wrapped(text, &n);
	free(text);
	if (!xml) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	xmlSetGenericErrorFunc(NULL, quiet);
	xmlResetLastError();
	xmlDoc *doc = xmlReadMemory(xml, (int)n, "events.xml", "UTF-8",
				    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	free(xml);
	if (!doc) {
		const xmlError *x = xmlGetLastError();
		snprintf(err, errlen, "line %d: %s", x ? x->line : 0,
			 x && x->message ? x->message : "not XML\n");
		size_t m = strlen(err);   /* libxml2 ends its message with \n */
		if (m && err[m - 1] == '\n')
			err[m - 1] = '\0';
		return -1;
	}
	const xmlNode *root = xmlDocGetRootElement(doc);
	/* wrapped around an <Events> of its own: go one level down */
	if (root && child(root, "Events") && !child(root, "Event"))
		root = child(root, "Events");
	int r = 0;
	size_t nth = 0;
	for (const xmlNode *c = root ? root->children : NULL; c && !r; c = c->next)
		if (named(c, "Event"))
			r = add_event(l, c, ++nth, err, errlen);
	xmlFreeDoc(doc);
	return r;
}
