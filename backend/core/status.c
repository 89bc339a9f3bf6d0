/*
 * status.c - names of stage statuses (status.h).
 */
#include "core/status.h"

const char *status_name(enum status s)
{
	switch (s) {
	case ST_OK: return "ok";
	case ST_FAIL: return "failed";
	case ST_PENDING: return "pending";
	case ST_CANCELLED: return "cancelled";
	case ST_NEED_CONFIRM: return "needs confirmation";
	}
	return "unknown";
}
