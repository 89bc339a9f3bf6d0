/*
 * log.h - the log file in the state directory (<state_dir>/opsmgr-enroll.log,
 * 0600, appended).  Secrets registered with log_redact_add() are replaced
 * by "********" in every line before it is written; Authorization headers
 * are never passed here.  Logging is best effort: failures are ignored.
 *
 * Owner: backend/core/log.c.  Ownership: nothing returned is allocated;
 * log_redact_add() keeps a copy of the secret, wiped and freed by
 * log_close().
 */
#ifndef OPSMGR_LOG_H
#define OPSMGR_LOG_H

int log_open(const char *state_dir);      /* 0 / -1 */
void log_close(void);
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Register a secret to redact (copied; wiped at log_close). */
void log_redact_add(const char *secret);
/* Redact registered secrets in s (in place, same length or shorter). */
void log_redact(char *s);

#endif
