/*
 * duration.c - durations (duration.h): parsing "30d"/"12h"/"10m"/"45s"
 * with a specific refusal for every bad text, and showing a length of time
 * in its largest whole unit.
 */
#include "core/duration.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SHOW_MAX 40   /* longest text quoted in a message */

static const struct unit {
	char letter;
	long long seconds;
	const char *name;     /* singular; the plural adds "s" */
} UNITS[] = {
	{ 'd', 86400, "day" },
	{ 'h', 3600, "hour" },
	{ 'm', 60, "minute" },
	{ 's', 1, "second" },
};
#define NUNITS (sizeof(UNITS) / sizeof(UNITS[0]))

static const struct unit *unit_of(char c)
{
	for (size_t i = 0; i < NUNITS; i++)
		if (UNITS[i].letter == c)
			return &UNITS[i];
	return NULL;
}

static int refuse(struct verdict *v, const char *text, const char *why)
{
	verdict_set(v, SEV_FAIL,
		    "write a whole number and one unit (" DURATION_UNITS
		    "), e.g. '30d', '12h' or '10m'",
		    "'%.*s%s' %s", SHOW_MAX, text,
		    strlen(text) > SHOW_MAX ? "..." : "", why);
	return -1;
}

/* The digits at the start of text as a number of units; false when they
 * pass limit (the caller's maximum for that unit). */
static bool digits_value(const char *text, size_t ndig, long long limit,
			 long long *out)
{
	long long n = 0;

	for (size_t i = 0; i < ndig; i++) {
		n = n * 10 + (text[i] - '0');
		if (n > limit)
			return false;
	}
	*out = n;
	return true;
}

int duration_parse(const char *text, long long *seconds, struct verdict *v)
{
	const struct unit *u;
	size_t ndig = 0, len;
	long long n;

	if (!text || !*text)
		return refuse(v, "", "is empty: a duration is needed");
	len = strlen(text);
	while (text[ndig] >= '0' && text[ndig] <= '9')
		ndig++;
	if (ndig == 0)
		return refuse(v, text, text[0] == '-' ?
			      "is negative: a duration is more than zero" :
			      "does not start with a number");
	if (ndig == len)
		return refuse(v, text, "has no unit (" DURATION_UNITS
			      "): a bare number could mean seconds or days");
	u = unit_of(text[ndig]);
	if (!u || ndig + 1 != len)
		return refuse(v, text, text[ndig] == '.' || text[ndig] == ',' ?
			      "is not a whole number" :
			      "has an unknown unit or trailing text (units: "
			      DURATION_UNITS ")");
	if (!digits_value(text, ndig, DURATION_MAX_S / u->seconds, &n))
		return refuse(v, text, "is too long: at most 36500d "
			      "(100 years)");
	if (n == 0)
		return refuse(v, text, "is zero: a duration is more than zero");
	*seconds = n * u->seconds;
	verdict_pass(v);
	return 0;
}

const char *duration_text(long long seconds, char *buf, size_t n)
{
	const struct unit *u = &UNITS[NUNITS - 1];
	long long s = seconds >= 0 ? seconds
		    : seconds < -LLONG_MAX ? LLONG_MAX : -seconds, count;

	for (size_t i = 0; i < NUNITS; i++)
		if (s >= UNITS[i].seconds) {
			u = &UNITS[i];
			break;
		}
	count = s / u->seconds;
	snprintf(buf, n, "%lld %s%s", count, u->name, count == 1 ? "" : "s");
	return buf;
}
