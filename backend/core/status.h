/*
 * status.h - the result every stage entry point returns, next to its
 * diagnostics.  Exit codes of the runner derive from it (product.md s.4).
 */
#ifndef OPSMGR_STATUS_H
#define OPSMGR_STATUS_H

enum status {
	ST_OK = 0,           /* stage done (diagnostics may hold warnings) */
	ST_FAIL = 1,         /* a check failed; diagnostics say which */
	ST_PENDING = 2,      /* waiting on someone else: CA or approval */
	ST_CANCELLED = 3,    /* hooks said cancel */
	ST_NEED_CONFIRM = 4  /* needs the operator's yes (trust, warnings) */
};

#define EXIT_OK 0
#define EXIT_USAGE 2
#define EXIT_STAGE_BASE 10      /* 10 + stage number */
#define EXIT_WAITING 75

const char *status_name(enum status s);

#endif
