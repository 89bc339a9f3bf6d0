/*
 * state.h - the resumable progress of one enrollment: which stages are done,
 * the pending CA request, and the files produced so far.
 *
 * Stored as <state_dir>/state (a small line format of its own, "key=value"
 * with percent-escaping, a header line and an "end" line so a damaged or
 * truncated file is recognised).  Written with fs_write_atomic (temp file,
 * fsync, rename) mode 0600 inside a 0700 directory.  A corrupt file is
 * reported and moved aside to state.corrupt-<time>, never silently reset.
 * Passwords are never part of the state.
 *
 * Only wizard/ calls state_save (after every step).
 * Ownership: struct state owns its strings; state_release() frees.
 */
#ifndef OPSMGR_STATE_H
#define OPSMGR_STATE_H

#include <stdbool.h>
#include <time.h>
#include "core/config.h"
#include "core/diag.h"

#define STATE_FILE_NAME "state"
#define STATE_VERSION 1

enum stage_status {
	STAGE_ST_NONE = 0,   /* not run */
	STAGE_ST_DONE,       /* passed */
	STAGE_ST_WARN,       /* passed with confirmed warnings */
	STAGE_ST_FAILED,     /* last run failed */
	STAGE_ST_WAITING,    /* waiting on someone else (pending CA / approval) */
	STAGE_ST_SKIPPED     /* not applicable (e.g. stage 5 for role=server) */
};

enum request_phase {
	REQ_NONE = 0,
	REQ_KEY_WRITTEN,     /* key + CSR on disk, nothing sent */
	REQ_SUBMITTING,      /* POST in flight: the CA may have it */
	REQ_PENDING,         /* CA holds it: request_id valid */
	REQ_ISSUED,          /* certificate on disk */
	REQ_DENIED           /* CA denied: request_id + disposition */
};

/* A renewal of the certificate in use (wizard/renew.h), from its start to
 * stage 7 done with the new certificate. */
enum renewal_phase {
	RENEWAL_NONE = 0,    /* no renewal in progress */
	RENEWAL_DUE,         /* begun: the next stage 2 archives the request
				in the state and makes a new key */
	RENEWAL_RUNNING      /* the new key is made: stages 2-7 finish it */
};

struct state {
	int version;
	enum role role;
	enum stage_status stage[STAGE_COUNT];   /* index STAGE_FIRST..STAGE_LAST */
	/*
	 * What each stage was last completed with (stage_inputs.h): the
	 * canonical "key=value" lines of its inputs and their SHA-256.  NULL
	 * when not recorded (never completed, or a state written before
	 * inputs were recorded: such a stage counts as current).  Stage 2
	 * records them also when its key and CSR are made, so a request in
	 * flight knows the answers it was made with.  No secrets: passwords
	 * are no stage's input.
	 */
	char *inputs[STAGE_COUNT];
	char *digest[STAGE_COUNT];
	char *fqdn;

	/* stage 1 */
	char *root_sha256;        /* hex of the trusted root */
	char *root_path;          /* PEM of the root in the trust store */
	/* SHA-256 of the root the CA's web server was confirmed to chain to
	 * when stage 1 bootstrapped its trust (no ca.ca_file, the server's
	 * certificate from the CA itself): while it equals root_sha256, every
	 * connection to the CA trusts that root alone (ca_http_options). */
	char *ca_web_root;

	/* stage 2 */
	enum request_phase req_phase;
	long request_id;          /* 0 = none */
	char *request_ca_url;     /* the CA the request went to */
	char *request_template;
	char *disposition;        /* last disposition text from the CA */
	char *key_path;
	char *csr_path;
	char *cert_path;
	char *chain_path;
	char *cert_sha256;        /* SHA-256 of the issued certificate (DER) */
	time_t submitted_at;

	/* stage 4 */
	char *pfx_path;
	char *pfx_sha256;         /* SHA-256 of the PFX file written */
	char *pfx_password;       /* where its password came from: "typed"
				     (not kept: check asks for
				     --password-file) or "file" */
	/* stage 5 */
	char *agent_config_path;
	/* stage 6 */
	char *serial_hex;
	char *thumbprint;
	/* stage 7 */
	/* The last answer the management server gave about this agent
	 * ("pending" | "approved" | "rejected"; NULL: it never answered) and
	 * when (approval_at, "YYYY-MM-DD HH:MM:SS UTC").  It is a record of
	 * that answer, not the stage's status: a later check that fails
	 * (server stopped, TLS refused) leaves both as they were and only
	 * stage[STAGE_APPROVAL] says failed; screens and the summary show
	 * them as "the server's last answer, at <time>", never as the result
	 * of the current check. */
	char *approval;
	char *approval_at;
	/* What the summary prints (wizard/summary.c reads the state only).
	 * Stage 5 sets the management server, port and group it configured
	 * when it completes (role server: stage 7 sets what it checked);
	 * stage 6 the serial in registry byte order and the .reg file it
	 * wrote (NULL when none). */
	char *mgmt_server;
	char *mgmt_port;
	char *mgmt_group;
	char *serial_reversed;
	char *reg_file;
	/* Stage 6, Windows target: the bundle folder and its zip
	 * (windows/bundle.h); NULL when none was written. */
	char *bundle_dir;
	char *bundle_zip;
	char *bundle_files;   /* the names in the folder, blank separated */
	/* The renewal in progress ("renewal=" line, absent when none) and the
	 * serial (as printed, upper hex) of the certificate it replaces: set
	 * when it begins, kept after it ends (the Windows bundle tells
	 * install.cmd which certificate to remove). */
	enum renewal_phase renewal;
	char *previous_serial;

	time_t updated;
};

void state_init(struct state *s);
void state_release(struct state *s);

/*
 * Prepare the state directory: create it (and parents) 0700 when missing;
 * refuse it unless it passes privdir_check (core/privdir.h: it and every
 * directory on the way to it private), with the message naming the
 * offending path at "wizard.state_dir".  Returns 0 / -1.
 */
int state_dir_prepare(const char *dir, struct diag_list *dl);

/*
 * Load <dir>/state into s.  Missing file: s stays fresh, returns 0.
 * Corrupt file: moved aside, a DIAG_STATE warning names both paths, s is
 * fresh, returns 1.  I/O error: returns -1.
 */
int state_load(struct state *s, const char *dir, struct diag_list *dl);

/* Parse a state file image (used by state_load and the fuzzer). 0 / -1. */
int state_parse(struct state *s, const char *buf, size_t len, char *err,
		size_t errlen);
/* Serialise into a malloc'd NUL-terminated buffer; caller frees. */
char *state_format(const struct state *s);

/* Atomically write <dir>/state.  Returns 0 / -1 (+ diagnostic). */
int state_save(struct state *s, const char *dir, struct diag_list *dl);

/* Move <dir>/state aside to <dir>/state.old-<time> ("start over"). */
int state_move_aside(const char *dir, const char *why, char *newpath,
		     size_t newpath_len, struct diag_list *dl);

/* Whether a stage with status st needs no further run: done, done with
 * confirmed warnings, or skipped (the one definition of "finished"). */
bool stage_status_finished(enum stage_status st);

const char *request_phase_name(enum request_phase p);
const char *renewal_phase_name(enum renewal_phase p);
const char *stage_status_name(enum stage_status st);

/* Replace a string member (frees old, copies v; NULL allowed). */
void state_set_str(char **member, const char *v);

#endif
