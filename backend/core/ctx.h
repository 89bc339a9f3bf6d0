/*
 * ctx.h - what a stage run sees: the configuration, the saved state, the
 * secrets typed or read for this run, the operator's confirmations, and a
 * place for each stage to leave results a screen wants to show.
 *
 * Ownership: ctx does not own cfg or st (the wizard does).  It owns the
 * secrets, state_dir, the paths below, and out[i] (freed with out_free[i]
 * by ctx_release).  A stage that stores a new out[i] first calls
 * ctx_set_out(), which frees the previous one.
 */
#ifndef OPSMGR_CTX_H
#define OPSMGR_CTX_H

#include <stdbool.h>
#include "core/config.h"
#include "core/diag.h"
#include "core/secret.h"
#include "core/state.h"

enum request_action {
	REQ_ACT_AUTO = 0,      /* submit, or check the pending request again */
	REQ_ACT_SAVE_CSR,      /* offline: write the CSR to offline_csr_path */
	REQ_ACT_IMPORT_CERT    /* offline: import import_cert_path */
};

struct ctx {
	struct config *cfg;
	struct state *st;
	char *state_dir;            /* resolved, owned */

	struct secret ca_password;  /* typed or from [ca] password_file */
	struct secret pfx_password; /* typed or from [export] password_file */
	bool pfx_password_typed;    /* pfx_password was typed (stage 4 records
				       it: state's pfx_password) */

	bool interactive;           /* a person is there to confirm */
	bool confirm_trust;         /* operator said yes to the root shown */
	bool confirm_warnings;      /* operator accepted WARN lines */
	bool confirm_overwrite;     /* operator allowed overwriting the PFX */
	bool skip_revocation;       /* verify: do not fetch CRLs */
	bool confirm_abandon;       /* request: leave a request the CA holds
				       (pending, or maybe sent) whose answers
				       changed, and make a new one; its ID is
				       kept in the archive */
	bool request_new_key;       /* request: a new key even where the
				       change (template, CA) allows the same */

	enum request_action request_action;
	char *offline_csr_path;
	char *import_cert_path;

	/*
	 * Called by stages at points where progress must survive a kill
	 * (e.g. right before a CSR is sent).  Set by wizard/: saves st.
	 * Returns 0 / -1.  May be NULL (tests): then nothing is saved.
	 */
	int (*checkpoint)(struct ctx *c, struct diag_list *dl);
	void *checkpoint_ud;

	char *trust_store_buf;      /* owned: default trust store path */

	void *out[STAGE_COUNT];
	void (*out_free[STAGE_COUNT])(void *);
};

void ctx_init(struct ctx *c, struct config *cfg, struct state *st,
	      const char *state_dir);
void ctx_release(struct ctx *c);
void ctx_set_out(struct ctx *c, enum stage s, void *out, void (*fr)(void *));
int ctx_checkpoint(struct ctx *c, struct diag_list *dl);

/* <state_dir>/<name>, malloc'd; caller frees. */
char *ctx_path(const struct ctx *c, const char *name);
/* The trust store directory: cfg->trust_store or <state_dir>/trust. */
const char *ctx_trust_store(struct ctx *c);
/* The FQDN in use: cfg->fqdn, else st->fqdn, else NULL. */
const char *ctx_fqdn(const struct ctx *c);

enum ctx_secret {
	CTX_CA_PASSWORD,   /* ca_password, [ca] password_file */
	CTX_PFX_PASSWORD   /* pfx_password, [export] password_file */
};

/*
 * Load one password from the file the configuration names for it, unless
 * it is already set or no file is named (0).  The file's owner and mode
 * follow secret_file_rule: readable by others is a SEV_WARN at its field
 * ("ca.password_file" / "export.password_file"), writable by others or
 * another user's is refused there (SEV_FAIL, -1), as is a file that cannot
 * be read.  A password read is registered with log_redact_add.  0 / -1.
 */
int ctx_load_secret(struct ctx *c, enum ctx_secret which,
		    struct diag_list *dl);
/* Both of them (ctx_load_secret for each).  0 / -1. */
int ctx_load_secrets(struct ctx *c, struct diag_list *dl);

/*
 * A password the operator typed: stored in ctx (replacing and wiping any
 * earlier value) and registered with log_redact_add, like one read from
 * its file.  The caller wipes its own copy of text.  0 / -1 (out of
 * memory, or text NULL).
 */
int ctx_set_typed_password(struct ctx *c, enum ctx_secret which,
			   const char *text);

#endif
