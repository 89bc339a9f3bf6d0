/*
 * approval_json.c - the tolerant reader of the lab's small JSON answers
 * (approval.h): the status of this agent and the list of agents waiting
 * for approval.  Every string is stored escaped (text.h).  Never reads
 * past the given length, never recurses deeper than JSON_MAX_DEPTH, never
 * crashes on any input (fuzz_approval_json).
 */
#include "stages/approval_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"

#define JSON_MAX_DEPTH 32

struct jcur {
	const char *p, *end;
};

static void j_ws(struct jcur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

/* Parse a string at c->p ('"' expected).  out (may be NULL) gets a
 * malloc'd copy with escapes decoded (non-ASCII \u as '?'), then made
 * safe to store and show (text_escape_dup: a decoded \u001b or a raw
 * invalid byte becomes a visible \xHH).  0 / -1. */
static int j_string(struct jcur *c, char **out)
{
	if (c->p >= c->end || *c->p != '"')
		return -1;
	c->p++;
	size_t cap = 16, n = 0;
	char *s = out ? malloc(cap) : NULL;
	if (out && !s)
		return -1;
	while (c->p < c->end && *c->p != '"') {
		char ch = *c->p++;
		if ((unsigned char)ch < 0x20)
			goto bad;
		if (ch == '\\') {
			if (c->p >= c->end)
				goto bad;
			char e = *c->p++;
			switch (e) {
			case '"': case '\\': case '/': ch = e; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'n': ch = '\n'; break;
			case 'r': ch = '\r'; break;
			case 't': ch = '\t'; break;
			case 'u': {
				if (c->end - c->p < 4)
					goto bad;
				int v = 0;
				for (int i = 0; i < 4; i++) {
					int hv = text_hex_digit(c->p[i]);
					if (hv < 0)
						goto bad;
					v = v * 16 + hv;
				}
				c->p += 4;
				ch = (v > 0 && v < 0x80) ? (char)v : '?';
				break;
			}
			default:
				goto bad;
			}
		}
		if (s) {
			if (n + 2 > cap) {
				char *ns = realloc(s, cap * 2);
				if (!ns)
					goto bad;
				s = ns;
				cap *= 2;
			}
			s[n++] = ch;
		}
	}
	if (c->p >= c->end)
		goto bad;
	c->p++;
	if (s) {
		s[n] = '\0';
		*out = text_escape_dup(s);
		free(s);
		if (!*out)
			return -1;
	}
	return 0;
bad:
	free(s);
	return -1;
}

static int j_skip(struct jcur *c, int depth);

/* After a member or element: ',' -> 1 (another follows), the closing
 * character -> 0 (consumed), anything else -> -1. */
static int j_after_item(struct jcur *c, char close)
{
	j_ws(c);
	if (c->p < c->end && *c->p == ',') {
		c->p++;
		return 1;
	}
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return 0;
	}
	return -1;
}

/* Walk a container at c->p (blanks before it skipped): its opening
 * character, then items, each read by item() and followed by ',' or the
 * closing character.  0 / -1 (also when nested too deep). */
typedef int (*j_item_fn)(struct jcur *c, void *ud, int depth);
static int j_items(struct jcur *c, int depth, char open, char close,
		   j_item_fn item, void *ud)
{
	if (depth > JSON_MAX_DEPTH)
		return -1;
	j_ws(c);
	if (c->p >= c->end || *c->p != open)
		return -1;
	c->p++;
	j_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return 0;
	}
	for (;;) {
		j_ws(c);
		if (item(c, ud, depth) != 0)
			return -1;
		int r = j_after_item(c, close);
		if (r <= 0)
			return r;
	}
}

/* Walk an array, handing each element to fn (NULL: skip it).  0 / -1. */
typedef int (*j_elem_fn)(struct jcur *c, void *ud, int depth);
struct j_arr {
	j_elem_fn fn;
	void *ud;
};

static int arr_item(struct jcur *c, void *ud, int depth)
{
	const struct j_arr *a = ud;
	return a->fn ? a->fn(c, a->ud, depth + 1) : j_skip(c, depth + 1);
}

static int j_array(struct jcur *c, int depth, j_elem_fn fn, void *ud)
{
	struct j_arr a = { fn, ud };
	return j_items(c, depth, '[', ']', arr_item, &a);
}

/* Iterate an object at c->p; for each key calls fn(key, c, ud) positioned
 * at the value, which must consume it (or return 1 to have it skipped). */
typedef int (*j_member_fn)(const char *key, struct jcur *c, void *ud,
			   int depth);
struct j_obj {
	j_member_fn fn;
	void *ud;
};

static int obj_item(struct jcur *c, void *ud, int depth)
{
	const struct j_obj *o = ud;
	char *key = NULL;
	if (j_string(c, &key) != 0)
		return -1;
	j_ws(c);
	if (c->p >= c->end || *c->p != ':') {
		free(key);
		return -1;
	}
	c->p++;
	j_ws(c);
	int r = o->fn ? o->fn(key, c, o->ud, depth) : 1;
	free(key);
	if (r < 0)
		return -1;
	if (r > 0 && j_skip(c, depth + 1) != 0)
		return -1;
	return 0;
}

static int j_object(struct jcur *c, int depth, j_member_fn fn, void *ud)
{
	struct j_obj o = { fn, ud };
	return j_items(c, depth, '{', '}', obj_item, &o);
}

static int j_skip(struct jcur *c, int depth)
{
	if (depth > JSON_MAX_DEPTH)
		return -1;
	j_ws(c);
	if (c->p >= c->end)
		return -1;
	char ch = *c->p;
	if (ch == '"')
		return j_string(c, NULL);
	if (ch == '{')
		return j_object(c, depth, NULL, NULL);
	if (ch == '[')
		return j_array(c, depth, NULL, NULL);
	const char *s = c->p;
	while (c->p < c->end && (isalnum((unsigned char)*c->p) ||
				 *c->p == '-' || *c->p == '+' || *c->p == '.'))
		c->p++;
	return c->p > s ? 0 : -1;
}

struct agent_fields {
	char *agent, *serial, *state;
};

static int take_string_or_skip(struct jcur *c, char **dst, int depth)
{
	if (c->p < c->end && *c->p == '"') {
		char *v = NULL;
		if (j_string(c, &v) != 0)
			return -1;
		free(*dst);
		*dst = v;
		return 0;
	}
	if (c->p < c->end && *c->p == 'n')   /* null */
		return 1;
	return j_skip(c, depth + 1) == 0 ? 0 : -1;
}

static int agent_member(const char *key, struct jcur *c, void *ud, int depth)
{
	struct agent_fields *f = ud;
	if (strcmp(key, "agent") == 0 || strcmp(key, "fqdn") == 0 ||
	    strcmp(key, "name") == 0)
		return take_string_or_skip(c, &f->agent, depth);
	if (strcmp(key, "serial") == 0)
		return take_string_or_skip(c, &f->serial, depth);
	if (strcmp(key, "state") == 0)
		return take_string_or_skip(c, &f->state, depth);
	return 1;
}

static void fields_free(struct agent_fields *f)
{
	free(f->agent);
	free(f->serial);
	free(f->state);
	memset(f, 0, sizeof(*f));
}

static enum approval_state state_from_text(const char *s)
{
	if (!s)
		return APPR_UNKNOWN;
	if (strcasecmp(s, "pending") == 0)
		return APPR_PENDING;
	if (strcasecmp(s, "approved") == 0)
		return APPR_APPROVED;
	if (strcasecmp(s, "rejected") == 0 || strcasecmp(s, "denied") == 0)
		return APPR_REJECTED;
	return APPR_UNKNOWN;
}

int approval_parse_status(const char *body, size_t len,
			  enum approval_state *state, char **agent,
			  char **serial)
{
	if (agent)
		*agent = NULL;
	if (serial)
		*serial = NULL;
	*state = APPR_UNKNOWN;
	if (!body)
		return -1;
	struct jcur c = { body, body + len };
	struct agent_fields f = { 0 };
	j_ws(&c);
	if (j_object(&c, 0, agent_member, &f) != 0) {
		fields_free(&f);
		return -1;
	}
	enum approval_state st = state_from_text(f.state);
	if (st == APPR_UNKNOWN) {
		fields_free(&f);
		return -1;
	}
	*state = st;
	if (agent) {
		*agent = f.agent;
		f.agent = NULL;
	}
	if (serial) {
		*serial = f.serial;
		f.serial = NULL;
	}
	fields_free(&f);
	return 0;
}

void approval_agents_release(struct approval_agents *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->items[i].name);
		free(a->items[i].serial);
		free(a->items[i].state);
	}
	free(a->items);
	a->items = NULL;
	a->n = 0;
}

int approval_agents_push(struct approval_agents *a, char *name, char *serial,
			 char *state)
{
	struct approval_agent *ni =
		realloc(a->items, (a->n + 1) * sizeof(*ni));
	if (!ni)
		return -1;
	a->items = ni;
	a->items[a->n].name = name;
	a->items[a->n].serial = serial;
	a->items[a->n].state = state;
	a->n++;
	return 0;
}

/* One element of "agents": an agent object, kept when it names an agent. */
static int agent_elem(struct jcur *c, void *ud, int depth)
{
	struct approval_agents *out = ud;
	struct agent_fields f = { 0 };
	if (j_object(c, depth, agent_member, &f) != 0) {
		fields_free(&f);
		return -1;
	}
	if (f.agent && *f.agent) {
		if (approval_agents_push(out, f.agent, f.serial, f.state)) {
			fields_free(&f);
			return -1;
		}
	} else {
		fields_free(&f);
	}
	return 0;
}

static int agents_array(struct jcur *c, struct approval_agents *out,
			int depth)
{
	return j_array(c, depth, agent_elem, out);
}

struct agents_ud {
	struct approval_agents *out;
	int found;
};

static int agents_member(const char *key, struct jcur *c, void *ud, int depth)
{
	struct agents_ud *a = ud;
	if (strcmp(key, "agents") == 0 && c->p < c->end && *c->p == '[') {
		a->found = 1;
		return agents_array(c, a->out, depth) == 0 ? 0 : -1;
	}
	return 1;
}

int approval_parse_agents(const char *body, size_t len,
			  struct approval_agents *out)
{
	out->items = NULL;
	out->n = 0;
	if (!body)
		return -1;
	struct jcur c = { body, body + len };
	j_ws(&c);
	int r;
	if (c.p < c.end && *c.p == '[') {
		r = agents_array(&c, out, 0);
	} else {
		struct agents_ud ud = { out, 0 };
		r = j_object(&c, 0, agents_member, &ud);
		if (r == 0 && !ud.found)
			r = -1;
	}
	if (r != 0)
		approval_agents_release(out);
	return r;
}

