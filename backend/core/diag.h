/*
 * diag.h - diagnostics: the one way every backend operation reports what it
 * found.  A diagnostic is {stage, check, field, severity, message, fix,
 * event}.  Screens show them inline next to `field`, the runner prints them,
 * `check --json` serialises them.
 *
 * One X-macro table (DIAG_CHECKS) lists every check with its stage, its
 * public ID (the "id" of the JSON report) and the Operations Manager event a
 * failure of it leads to (0 = none).  Add new checks there, nowhere else.
 * An event is named only where a failure of that check really produces
 * that event on the agent or the management server (opsmgr-facts.md,
 * "Events"): a check that only reports a missing or invalid answer (a
 * configuration problem: a value, a source, a name, a pin) has 0.
 *
 * Ownership: a struct diag_list owns its items and their strings.
 * diag_list_release() frees them; the list itself is usually on the stack.
 */
#ifndef OPSMGR_DIAG_H
#define OPSMGR_DIAG_H

#include <stddef.h>
#include <stdio.h>

#include "core/stage_table.h"   /* enum stage, stage_id(), stage_title() */

/*
 * X(ENUM_SUFFIX, stage, "public id", event)
 * The public id is unique within a stage (check --json uses stage + id).
 */
#define DIAG_CHECKS(X)                                                   \
	/* general */                                                    \
	X(CONFIG, STAGE_NONE, "config", 0)                               \
	X(STATE, STAGE_NONE, "state", 0)                                 \
	X(USAGE, STAGE_NONE, "usage", 0)                                 \
	X(CANCELLED, STAGE_NONE, "cancelled", 0)                         \
	X(IO, STAGE_NONE, "io", 0)                                       \
	X(INTERNAL, STAGE_NONE, "internal", 0)                           \
	X(STALE, STAGE_NONE, "stale", 0) /* item's stage: the stale one */ \
	X(RENEW, STAGE_NONE, "renew", 0)                                 \
	X(EVIDENCE_FILE, STAGE_NONE, "evidence_file", 0) /* check --evidence */ \
	/* stage 1: trust root */                                        \
	X(TRUST_SOURCE, STAGE_TRUST, "source", 0)                        \
	X(TRUST_PARSE, STAGE_TRUST, "parse", 0)                          \
	X(TRUST_ROOT, STAGE_TRUST, "root", 0)                            \
	X(TRUST_CA_FLAG, STAGE_TRUST, "ca_flag", 0)                      \
	X(TRUST_VALIDITY, STAGE_TRUST, "validity", 0)                    \
	X(TRUST_SIGNATURE_HASH, STAGE_TRUST, "signature_hash", 0)       \
	X(TRUST_PIN, STAGE_TRUST, "pin", 0)                              \
	X(TRUST_CONFIRM, STAGE_TRUST, "confirm", 0)                      \
	X(TRUST_STORE, STAGE_TRUST, "store", 20072)                      \
	X(EVIDENCE_ROOT_STORE, STAGE_TRUST, "root_store", 20072)         \
	/* stage 2: request */                                           \
	X(REQ_FQDN, STAGE_REQUEST, "fqdn", 0)                            \
	X(REQ_FQDN_RESOLVE, STAGE_REQUEST, "fqdn_resolve", 0)            \
	X(REQ_CA_URL, STAGE_REQUEST, "ca_url", 0)                        \
	X(REQ_TEMPLATE, STAGE_REQUEST, "template", 0)                    \
	X(REQ_KEY_SIZE, STAGE_REQUEST, "key_size", 0)                    \
	X(REQ_AUTH, STAGE_REQUEST, "auth", 0)                            \
	X(REQ_PASSWORD, STAGE_REQUEST, "password", 0)                    \
	X(REQ_TLS, STAGE_REQUEST, "tls", 0)                              \
	X(REQ_TIMEOUT, STAGE_REQUEST, "timeout", 0)                      \
	X(REQ_KEYGEN, STAGE_REQUEST, "keygen", 0)                        \
	X(REQ_CSR, STAGE_REQUEST, "csr", 0)                              \
	X(REQ_SUBMIT, STAGE_REQUEST, "submit", 0)                        \
	X(REQ_PENDING, STAGE_REQUEST, "pending", 0)                      \
	X(REQ_DENIED, STAGE_REQUEST, "denied", 0)                        \
	X(REQ_RETRIEVE, STAGE_REQUEST, "retrieve", 0)                    \
	X(REQ_CERT_MATCH, STAGE_REQUEST, "cert_match", 20068)            \
	X(REQ_CHANGED, STAGE_REQUEST, "changed", 0)                      \
	X(REQ_ARCHIVE, STAGE_REQUEST, "archive", 0)                      \
	X(REQ_OFFLINE, STAGE_REQUEST, "offline", 0)                      \
	/* stage 3: verify (ids fixed by product.md section 4) */        \
	X(VERIFY_PARSE, STAGE_VERIFY, "parse", 21007)                    \
	X(VERIFY_KEY_MATCH, STAGE_VERIFY, "key_match", 20068)            \
	X(VERIFY_SUBJECT_NAME, STAGE_VERIFY, "subject_name", 20052)      \
	X(VERIFY_SAN, STAGE_VERIFY, "san", 20052)                        \
	X(VERIFY_EKU, STAGE_VERIFY, "eku", 20050)                        \
	X(VERIFY_KEY_USAGE, STAGE_VERIFY, "key_usage", 20049)            \
	X(VERIFY_KEY_TYPE, STAGE_VERIFY, "key_type", 20069)              \
	X(VERIFY_VALIDITY, STAGE_VERIFY, "validity", 20051)              \
	X(VERIFY_EXPIRY, STAGE_VERIFY, "expiry", 21020)                  \
	X(VERIFY_CHAIN, STAGE_VERIFY, "chain", 20072)                    \
	X(VERIFY_SIGNATURE_HASH, STAGE_VERIFY, "signature_hash", 0)     \
	X(VERIFY_REVOCATION, STAGE_VERIFY, "revocation", 20067)          \
	/* stage 4: export */                                            \
	X(EXPORT_PATH, STAGE_EXPORT, "pfx_path", 0)                      \
	X(EXPORT_PASSWORD, STAGE_EXPORT, "password", 0)                  \
	X(EXPORT_COMPAT, STAGE_EXPORT, "compat", 0)                      \
	X(EXPORT_FRIENDLY_NAME, STAGE_EXPORT, "friendly_name", 0)        \
	X(EXPORT_OVERWRITE, STAGE_EXPORT, "overwrite", 0)                \
	X(EXPORT_WRITE, STAGE_EXPORT, "write", 0)                        \
	X(EXPORT_REREAD, STAGE_EXPORT, "reread", 20068)                  \
	/* stage 5: install agent */                                     \
	X(AGENT_MGMT_GROUP, STAGE_AGENT, "management_group", 0)          \
	X(AGENT_SERVER, STAGE_AGENT, "server", 0)                        \
	X(AGENT_PORT, STAGE_AGENT, "port", 0)                            \
	X(AGENT_DNS, STAGE_AGENT, "dns", 21006)                          \
	X(AGENT_TCP, STAGE_AGENT, "tcp", 21006)                          \
	X(AGENT_CONFIG, STAGE_AGENT, "config", 0)                        \
	X(AGENT_INSTALL, STAGE_AGENT, "install_command", 0)              \
	X(AGENT_MSI, STAGE_AGENT, "msi_command", 0)                      \
	X(AGENT_SKIPPED, STAGE_AGENT, "skipped", 0)                      \
	X(EVIDENCE_SERVICE, STAGE_AGENT, "service", 0)                   \
	/* stage 6: import serial */                                     \
	X(SERIAL_AGENT_CONFIGURED, STAGE_SERIAL, "agent_configured", 0)  \
	X(SERIAL_INSTALL, STAGE_SERIAL, "install", 21021)                \
	X(SERIAL_KEY_PERMS, STAGE_SERIAL, "key_permissions", 20068)      \
	X(SERIAL_RECORD, STAGE_SERIAL, "record", 21022)                  \
	X(SERIAL_REG_FILE, STAGE_SERIAL, "reg_file", 0)                  \
	X(SERIAL_RESTART, STAGE_SERIAL, "restart_command", 0)            \
	X(SERIAL_BUNDLE, STAGE_SERIAL, "bundle", 0)                      \
	X(SERIAL_PUSH, STAGE_SERIAL, "push_command", 0)                  \
	X(SERIAL_MATCH, STAGE_SERIAL, "serial_match", 20066)             \
	X(SERIAL_EXPIRY, STAGE_SERIAL, "expiry", 20051)                  \
	X(EVIDENCE_REG_SERIAL, STAGE_SERIAL, "registry_serial", 21022)   \
	X(EVIDENCE_CERT_FOUND, STAGE_SERIAL, "cert_in_store", 20066)     \
	X(EVIDENCE_HASH, STAGE_SERIAL, "cert_hash", 0)                   \
	X(EVIDENCE_PRIVATE_KEY, STAGE_SERIAL, "private_key", 20068)      \
	X(EVIDENCE_KEY_PROVIDER, STAGE_SERIAL, "key_provider", 20069)    \
	/* stage 7: await approval */                                    \
	X(APPROVAL_DNS, STAGE_APPROVAL, "dns", 21006)                    \
	X(APPROVAL_TCP, STAGE_APPROVAL, "tcp", 21006)                    \
	X(APPROVAL_TLS, STAGE_APPROVAL, "tls", 21007)                    \
	X(APPROVAL_STATE, STAGE_APPROVAL, "state", 20070)                \
	X(APPROVAL_COMMAND, STAGE_APPROVAL, "command", 0)                \
	X(APPROVAL_TIMEOUT, STAGE_APPROVAL, "timeout", 21016)            \
	X(EVIDENCE_EVENT, STAGE_APPROVAL, "event", 0)                    \
	X(APPROVAL_ADMIN_HINT, STAGE_APPROVAL, "admin_command", 0)       \
	X(APPROVAL_AGENTS, STAGE_APPROVAL, "agents", 0)

enum diag_check {
#define X(name, stage, id, event) DIAG_##name,
	DIAG_CHECKS(X)
#undef X
	DIAG_CHECK_COUNT
};

enum diag_severity {
	SEV_PASS = 0,
	SEV_SKIP,
	SEV_INFO,
	SEV_WARN,
	SEV_FAIL
};

struct diag {
	enum diag_check check;
	enum stage stage;       /* from the table unless overridden */
	enum diag_severity sev;
	char *field;            /* "section.key" of the config it concerns, or NULL */
	char *message;          /* specific, lowercase start, never just "error" */
	char *fix;              /* what to do about it, or NULL */
	int event;              /* Operations Manager event id, 0 = none */
};

struct diag_list {
	struct diag *items;
	size_t n, cap;
};

void diag_list_init(struct diag_list *l);
void diag_list_release(struct diag_list *l);   /* frees items, list reusable */
void diag_list_clear(struct diag_list *l);     /* same as release */

/*
 * Append a diagnostic.  `field` and `fix` may be NULL; fmt is the message.
 * Returns the new item (owned by the list) or NULL when out of memory; the
 * item's event is the table's default and may be changed by the caller.
 */
struct diag *diag_add(struct diag_list *l, enum diag_check check,
		      enum diag_severity sev, const char *field,
		      const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Replace the fix of an item with a formatted one. */
void diag_set_fix(struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* diag_add whose fix is to run a stage: "run <stage_ref(s)><then>", e.g.
 * "run stage 6 (import serial) again" for (STAGE_SERIAL, " again"). */
struct diag *diag_add_rerun(struct diag_list *l, enum diag_check check,
			    enum diag_severity sev, const char *field,
			    enum stage s, const char *then, const char *fmt,
			    ...)
	__attribute__((format(printf, 7, 8)));
/* Append every item of src to dst (copies). */
void diag_list_append(struct diag_list *dst, const struct diag_list *src);
/* strerror(e) as a clause inside a message, written into buf: its initial
 * lowered ("no such file or directory") unless the word is an acronym. */
const char *diag_errno_text(int e, char *buf, size_t len);

/* Table look-ups. */
const char *diag_check_id(enum diag_check c);
enum stage diag_check_stage(enum diag_check c);
int diag_check_event(enum diag_check c);
const char *diag_severity_name(enum diag_severity s);   /* "pass".."fail" */
int diag_check_lookup(enum stage s, const char *id); /* -1 when unknown */
/* The check a "stage/id" reference names (core/events.h's causes), -1 when
 * none. */
int diag_check_ref(const char *ref);

/* Worst severity in the list (SEV_PASS for an empty list). */
enum diag_severity diag_worst(const struct diag_list *l);
enum diag_severity diag_worst_stage(const struct diag_list *l, enum stage s);
size_t diag_count(const struct diag_list *l, enum diag_severity s);
/* First item concerning `field` with severity >= min, or NULL. */
const struct diag *diag_find_field(const struct diag_list *l, const char *field,
				   enum diag_severity min);
const struct diag *diag_find(const struct diag_list *l, enum diag_check c);

/*
 * Renderers.  Text: one line per item "STATUS stage/id: message" plus
 * indented "fix:" and "event:" lines (an event of core/events.h: the fix
 * ends "; 'opsmgr-enroll explain N' for the causes"), message, field and fix through
 * text_fputs (core/text.h: control characters shown as \xHH).  JSON:
 * product.md section 4, the object {"version":1,"ok":BOOL,"checks":[...]},
 * ok = no item is a fail, one row per stage + id (items of the same check
 * joined, diag.c says how), an info item's status "info".
 */
void diag_print_text(FILE *out, const struct diag_list *l, int min_sev);
int diag_write_json(FILE *out, const struct diag_list *l);
/* Append a JSON string literal (with quotes) for s to out. */
void json_write_string(FILE *out, const char *s);

#endif
