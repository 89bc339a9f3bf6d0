/*
 * duration.h - the one rule for durations typed by people: `renew
 * --before`, the lab's `--validity`, and the one way a length of time is
 * shown ("3 days", "5 hours", "12 minutes").
 *
 * Syntax: a whole number followed by exactly one unit, no space:
 *   s  seconds    m  minutes    h  hours    d  days
 * ("45s", "10m", "12h", "30d").  A bare number is refused: "30" could mean
 * seconds or days, so the message asks for a unit.  Zero, a negative
 * value, a fraction, white space, an unknown unit and anything above
 * DURATION_MAX_S (100 years) are refused with a message naming the text.
 *
 * Owner: backend/core/duration.c.  No allocation.
 */
#ifndef OPSMGR_DURATION_H
#define OPSMGR_DURATION_H

#include <stddef.h>

#include "core/validate.h"   /* struct verdict */

#define DURATION_MAX_S (100LL * 365 * 86400)   /* 100 years */
#define DURATION_UNITS "s, m, h or d"

/*
 * Parse text into *seconds.  0 with v passed, or -1 with v a SEV_FAIL
 * verdict ("'30' has no unit", "'0m' is zero", ...) and *seconds left
 * alone.  The caller puts the option or field name in front.
 */
int duration_parse(const char *text, long long *seconds, struct verdict *v);

/*
 * A length of time as people read it, in its largest whole unit:
 * "3 days" (at least a day), "5 hours", "12 minutes", "40 seconds"
 * ("1 day", "1 hour", ...; negative values as their absolute value).
 * Rounds down.  Returns buf.
 */
const char *duration_text(long long seconds, char *buf, size_t n);

#endif
