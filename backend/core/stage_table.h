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
 *     help, keys)
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
 *   invalidates STAGE_BIT(...) of the later stages whose results are stale
 *               when it is redone after it had completed: a new
 *               certificate (2) must be verified, exported and imported
 *               again; a new root (1) changes the chain check; a new agent
 *               configuration (5) needs the serial imported again
 *   help        the name of its plain-words help page (stage_help.c)
 *   keys        STAGE_KEYS("section.key", ...): every configuration key it
 *               reads, directly or through ctx (ctx_fqdn: computer.fqdn,
 *               ctx_trust_store: trust.store, the passwords: their
 *               password_file).  wizard.state_dir is no stage's input: it
 *               chooses which state is resumed.
 *
 * `uses` and `invalidates` differ on purpose: request reads stage 1's root
 * only to talk TLS to the CA (a new root does not make the certificate
 * stale), and approval reads the root for the server's TLS handshake
 * while a new root today only sends verify back (flow.c's behaviour).
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
	  STAGE_BIT(VERIFY),                                               \
	  stage_help_trust,                                                \
	  STAGE_KEYS("trust.source", "trust.file", "trust.url",            \
		     "trust.store", "trust.sha256", "trust.accept",         \
		     "ca.url", "ca.auth", "ca.user", "ca.password_file",    \
		     "ca.client_cert", "ca.client_key", "ca.ca_file",       \
		     "ca.timeout", "ca.allow_insecure_http"))               \
	X(REQUEST, "request", "Request", "Request", stage_request_run,     \
	  STAGE_ROLE(AGENT) | STAGE_ROLE(SERVER),                          \
	  STAGE_BIT(TRUST),                                                \
	  STAGE_BIT(VERIFY) | STAGE_BIT(EXPORT) | STAGE_BIT(SERIAL) |      \
		  STAGE_BIT(APPROVAL),                                     \
	  stage_help_request,                                              \
	  STAGE_KEYS("computer.fqdn", "trust.store", "ca.url",             \
		     "ca.template", "ca.auth", "ca.user",                   \
		     "ca.password_file", "ca.client_cert", "ca.client_key", \
		     "ca.ca_file", "ca.timeout", "ca.allow_insecure_http",  \
		     "key.bits"))                                           \
	X(VERIFY, "verify", "Verify", "Verify", stage_verify_run,          \
	  STAGE_ROLE(AGENT) | STAGE_ROLE(SERVER),                          \
	  STAGE_BIT(TRUST) | STAGE_BIT(REQUEST),                           \
	  0u,                                                              \
	  stage_help_verify,                                               \
	  STAGE_KEYS("computer.fqdn", "trust.store"))                      \
	X(EXPORT, "export", "Export", "Export", stage_export_run,          \
	  STAGE_ROLE(AGENT) | STAGE_ROLE(SERVER),                          \
	  STAGE_BIT(REQUEST),                                              \
	  0u,                                                              \
	  stage_help_export,                                               \
	  STAGE_KEYS("computer.fqdn", "export.pfx",                        \
		     "export.password_file", "export.compat",               \
		     "export.friendly_name", "export.overwrite",            \
		     "export.include_chain"))                               \
	X(AGENT, "agent", "Install agent", "Install agent",                \
	  stage_agent_run,                                                 \
	  STAGE_ROLE(AGENT),                                               \
	  0u,                                                              \
	  STAGE_BIT(SERIAL) | STAGE_BIT(APPROVAL),                         \
	  stage_help_agent,                                                \
	  STAGE_KEYS("wizard.role", "agent.management_group",              \
		     "agent.server", "agent.port", "agent.config",          \
		     "agent.install_command", "agent.command_timeout",      \
		     "agent.target", "agent.msi_command_file"))             \
	X(SERIAL, "serial", "Import serial", "Import serial",              \
	  stage_serial_run,                                                \
	  STAGE_ROLE(AGENT) | STAGE_ROLE(SERVER),                          \
	  STAGE_BIT(REQUEST) | STAGE_BIT(AGENT),                           \
	  STAGE_BIT(APPROVAL),                                             \
	  stage_help_serial,                                               \
	  STAGE_KEYS("wizard.role", "computer.fqdn", "agent.config",       \
		     "agent.management_group", "agent.target",              \
		     "agent.reg_file", "agent.restart_command",             \
		     "agent.command_timeout"))                              \
	X(APPROVAL, "approval", "Await approval", "Await approval",        \
	  stage_approval_run,                                              \
	  STAGE_ROLE(AGENT) | STAGE_ROLE(SERVER),                          \
	  STAGE_BIT(TRUST) | STAGE_BIT(REQUEST) | STAGE_BIT(AGENT) |       \
		  STAGE_BIT(SERIAL),                                       \
	  0u,                                                              \
	  stage_help_approval,                                             \
	  STAGE_KEYS("wizard.role", "computer.fqdn", "trust.store",        \
		     "agent.config", "agent.server", "agent.port",          \
		     "agent.command_timeout", "approval.source",            \
		     "approval.command", "approval.list_command",            \
		     "approval.interval", "approval.timeout"))

/* Helpers for the table's columns (expanded where the table is). */
#define STAGE_BIT(name) (1u << STAGE_##name)
#define STAGE_ROLE(name) (1u << ROLE_##name)
#define STAGE_KEYS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Stages, numbered as the product numbers them (1..7). */
enum stage {
	STAGE_NONE = 0,
#define X(name, id, title, rail, entry, roles, uses, inval, help, keys) \
	STAGE_##name,
	STAGE_TABLE(X)
#undef X
	STAGE_COUNT,                       /* array size: 0 + the stages */
	STAGE_FIRST = STAGE_NONE + 1,
	STAGE_LAST = STAGE_COUNT - 1       /* also how many stages there are */
};

/* The help pages: one per stage (the table's help column) and the two
 * screens around the stages.  Plain text, paragraphs split by "\n\n". */
#define X(name, id, title, rail, entry, roles, uses, inval, help, keys) \
	extern const char help[];
STAGE_TABLE(X)
#undef X
extern const char stage_help_welcome[];
extern const char stage_help_summary[];

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
/* NULL-terminated "section.key" list (never NULL itself). */
const char *const *stage_input_keys(enum stage s);
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
