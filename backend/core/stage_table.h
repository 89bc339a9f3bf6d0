/*
 * stage_table.h - the one table of stage facts.  Every other place (the
 * flow, the runner, the screens, help, the summary, `check`, the command
 * line) reads a stage's number, id, title, entry point, inputs, what
 * redoing it invalidates, which roles it applies to, its exit code and its
 * help page from here; nothing else spells them.
 *
 * STAGE_TABLE(X) has one row per stage, in the product's order: the row's
 * position is the stage number (1..7) and `enum stage` is generated from
 * it.  A row is
 *
 *   X(NAME, "id", "Title", "rail name", entry, roles, uses, invalidates,
 *     output, help, keys, access)
 *
 *   NAME        STAGE_<NAME> in enum stage
 *   "id"        the public id (check --json "stage", state and log lines)
 *   "Title"     what the screens, the runner and the summary call it;
 *               sentence case: messages name the stage as "stage 1 (trust
 *               root)" (stage_ref), the title with a lower-case initial
 *   "rail name" its (short) name on the screens' stage rail
 *   entry       the backend entry point (backend/stages/, stages.h)
 *   roles       STAGE_ROLE(AGENT) | STAGE_ROLE(SERVER): the roles it
 *               applies to (a stage that does not apply is skipped)
 *   uses        STAGE_BIT(...) of the earlier stages whose outputs (state
 *               fields, files) it reads
 *   invalidates STAGE_BIT(...) of the later stages whose results depend
 *               on what it made: a new certificate (2) must be verified,
 *               exported and imported again; a new root (1) changes the
 *               chain check, the Windows bundle's root.cer (6) and the
 *               management server's handshake; a new
 *               PFX (4) must be imported again (6) and the approval
 *               re-checked; a new agent configuration (5) needs the serial
 *               imported again.  Each later stage's recorded inputs hold
 *               the output identity of every stage that invalidates it
 *               (stage_inputs.h), so it turns stale exactly when that
 *               output changes.
 *   output      STAGE_OUTPUT(member, "what") names the struct state member
 *               that identifies what the stage made (the root's SHA-256,
 *               the certificate's SHA-256, the PFX file's SHA-256, the
 *               thumbprint imported) and what to call it in messages;
 *               STAGE_NO_OUTPUT: the stage is identified by the digest of
 *               its own inputs.  Expanded only in stage_inputs.c (which
 *               defines both macros with struct state in view).
 *   help        the name of its plain-words help page (stage_help.c)
 *   keys        STAGE_KEYS("section.key", ...): the configuration keys
 *               that shape what it makes, read directly or through ctx
 *               (ctx_fqdn: computer.fqdn, ctx_trust_store: trust.store).
 *               They are its recorded inputs: a change makes it stale.
 *   access      STAGE_KEYS(...) or STAGE_NO_KEYS: the keys it reads only
 *               to reach a server or to be confirmed (credentials, the
 *               trust the CA connection uses, timeouts, "accept",
 *               "overwrite"); changing them makes nothing stale.  Both
 *               lists together are every key the stage reads.
 *               wizard.state_dir is no stage's input: it chooses which
 *               state is resumed.
 *
 * `uses` and `invalidates` differ on purpose: request reads stage 1's root
 * only to talk TLS to the CA (a new root does not make the certificate
 * stale).
 *
 * The exit code of a failed stage is EXIT_STAGE_BASE + its number
 * (status.h, product.md section 4).
 *
 * Ownership: everything returned points into static data.
 */
#ifndef OPSMGR_STAGE_TABLE_H
#define OPSMGR_STAGE_TABLE_H

#include <stdbool.h>

#define STAGE_TABLE(X)                                                     \
	X(TRUST, "trust", "Trust root", "Trust root", stage_trust_run,     \
	  STAGE_ROLE(AGENT) | STAGE_ROLE(SERVER),                          \
	  0u,                                                              \
	  STAGE_BIT(VERIFY) | STAGE_BIT(SERIAL) | STAGE_BIT(APPROVAL),     \
	  STAGE_OUTPUT(root_sha256, "trusted root"),                       \
	  stage_help_trust,                                                \
	  STAGE_KEYS("trust.source", "trust.file", "trust.url",            \
		     "trust.store", "trust.sha256", "ca.url"),             \
	  STAGE_KEYS("trust.accept", "ca.auth", "ca.user",                 \
		     "ca.password_file", "ca.client_cert",                 \
		     "ca.client_key", "ca.ca_file", "ca.timeout",          \
		     "ca.allow_insecure_http"))                            \
	X(REQUEST, "request", "Request", "Request", stage_request_run,     \
	  STAGE_ROLE(AGENT) | STAGE_ROLE(SERVER),                          \
	  STAGE_BIT(TRUST),                                                \
	  STAGE_BIT(VERIFY) | STAGE_BIT(EXPORT) | STAGE_BIT(SERIAL) |      \
		  STAGE_BIT(APPROVAL),                                     \
	  STAGE_OUTPUT(cert_sha256, "certificate"),                        \
	  stage_help_request,                                              \
	  STAGE_KEYS("computer.fqdn", "ca.url", "ca.template",             \
		     "key.bits"),                                          \
	  STAGE_KEYS("trust.store", "ca.auth", "ca.user",                  \
		     "ca.password_file", "ca.client_cert",                 \
		     "ca.client_key", "ca.ca_file", "ca.timeout",          \
		     "ca.allow_insecure_http"))                            \
	X(VERIFY, "verify", "Verify", "Verify", stage_verify_run,          \
	  STAGE_ROLE(AGENT) | STAGE_ROLE(SERVER),                          \
	  STAGE_BIT(TRUST) | STAGE_BIT(REQUEST),                           \
	  0u,                                                              \
	  STAGE_NO_OUTPUT,                                                 \
	  stage_help_verify,                                               \
	  STAGE_KEYS("computer.fqdn", "trust.store"),                      \
	  STAGE_NO_KEYS)                                                   \
	X(EXPORT, "export", "Export", "Export", stage_export_run,          \
	  STAGE_ROLE(AGENT) | STAGE_ROLE(SERVER),                          \
	  STAGE_BIT(REQUEST),                                              \
	  STAGE_BIT(SERIAL) | STAGE_BIT(APPROVAL),                         \
	  STAGE_OUTPUT(pfx_sha256, "PFX"),                                 \
	  stage_help_export,                                               \
	  STAGE_KEYS("computer.fqdn", "export.pfx",                        \
		     "export.compat", "export.friendly_name",              \
		     "export.include_chain"),                              \
	  STAGE_KEYS("export.password_file", "export.overwrite"))          \
	X(AGENT, "agent", "Install agent", "Install agent",                \
	  stage_agent_run,                                                 \
	  STAGE_ROLE(AGENT),                                               \
	  0u,                                                              \
	  STAGE_BIT(SERIAL) | STAGE_BIT(APPROVAL),                         \
	  STAGE_NO_OUTPUT,                                                 \
	  stage_help_agent,                                                \
	  STAGE_KEYS("wizard.role", "agent.management_group",              \
		     "agent.server", "agent.port", "agent.config",         \
		     "agent.install_command", "agent.target",              \
		     "agent.msi_command_file"),                            \
	  STAGE_KEYS("agent.command_timeout"))                             \
	X(SERIAL, "serial", "Import serial", "Import serial",              \
	  stage_serial_run,                                                \
	  STAGE_ROLE(AGENT) | STAGE_ROLE(SERVER),                          \
	  STAGE_BIT(TRUST) | STAGE_BIT(REQUEST) | STAGE_BIT(AGENT),        \
	  STAGE_BIT(APPROVAL),                                             \
	  STAGE_OUTPUT(thumbprint, "imported certificate"),                \
	  stage_help_serial,                                               \
	  STAGE_KEYS("wizard.role", "computer.fqdn",                       \
		     "agent.config", "agent.management_group",             \
		     "agent.target", "agent.reg_file",                     \
		     "agent.restart_command", "agent.bundle_dir"),         \
	  STAGE_KEYS("agent.command_timeout", "agent.push_command"))       \
	X(APPROVAL, "approval", "Await approval", "Await approval",        \
	  stage_approval_run,                                              \
	  STAGE_ROLE(AGENT) | STAGE_ROLE(SERVER),                          \
	  STAGE_BIT(TRUST) | STAGE_BIT(REQUEST) | STAGE_BIT(AGENT) |       \
		  STAGE_BIT(SERIAL),                                       \
	  0u,                                                              \
	  STAGE_NO_OUTPUT,                                                 \
	  stage_help_approval,                                             \
	  STAGE_KEYS("wizard.role", "computer.fqdn",                       \
		     "agent.config", "agent.server", "agent.port",         \
		     "approval.source"),                                   \
	  STAGE_KEYS("trust.store", "agent.command_timeout",               \
		     "approval.command", "approval.list_command",          \
		     "approval.interval", "approval.timeout"))

/* Helpers for the table's columns (expanded where the table is). */
#define STAGE_BIT(name) (1u << STAGE_##name)
#define STAGE_ROLE(name) (1u << ROLE_##name)
#define STAGE_KEYS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define STAGE_NO_KEYS ((const char *const[]){ NULL })

/* Stages, numbered as the product numbers them (1..7). */
enum stage {
	STAGE_NONE = 0,
#define X(name, id, title, rail, entry, roles, uses, inval, output, help, keys, access) \
	STAGE_##name,
	STAGE_TABLE(X)
#undef X
	STAGE_COUNT,                       /* array size: 0 + the stages */
	STAGE_FIRST = STAGE_NONE + 1,
	STAGE_LAST = STAGE_COUNT - 1       /* also how many stages there are */
};

/* The help pages: one per stage (the table's help column) and the
 * screens around the stages (welcome, summary, a Windows computer's
 * evidence).  Plain text, paragraphs split by "\n\n". */
#define X(name, id, title, rail, entry, roles, uses, inval, output, help, keys, access) \
	extern const char help[];
STAGE_TABLE(X)
#undef X
extern const char stage_help_welcome[];
extern const char stage_help_summary[];
extern const char stage_help_evidence[];

/*
 * Look-ups.  Out of range (STAGE_NONE included) gives the "general"
 * answers: id "general", title "General", no help, no keys, 0 masks.
 */
const char *stage_id(enum stage s);        /* "trust", "request", ... */
const char *stage_title(enum stage s);     /* "Trust root", "Request", ... */
const char *stage_rail_name(enum stage s); /* its name on the stage rail */
/*
 * The one way messages name a stage in prose: "stage 1 (trust root)", its
 * number and its title with a lower-case first letter (titles are sentence
 * case).  Use it as "run %s again", stage_ref(STAGE_TRUST).  Out of range:
 * "general".
 */
const char *stage_ref(enum stage s);
const char *stage_help(enum stage s);      /* the help page, or NULL */
/* NULL-terminated "section.key" lists (never NULL themselves): the keys
 * column (its recorded inputs) and the access column. */
const char *const *stage_input_keys(enum stage s);
const char *const *stage_access_keys(enum stage s);
/* Is the key in either list? */
bool stage_reads_key(enum stage s, const char *section_key);
unsigned stage_uses_mask(enum stage s);       /* bit t: uses stage t */
unsigned stage_invalidates_mask(enum stage s);/* bit t: makes t stale */
/* Does stage s apply to the role (enum role, config.h)? */
bool stage_applies_to_role(enum stage s, int role);
/* Exit code of the program when stage s failed: EXIT_STAGE_BASE + s. */
int stage_exit_code(enum stage s);
/* The stage with the public id, or STAGE_NONE. */
enum stage stage_by_id(const char *id);

#endif
