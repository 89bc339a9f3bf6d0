/*
 * serial.h - stage 6, import serial: what MOMCertImport does on Windows,
 * done for the Linux-side agent configuration (agentconf.h).
 *
 *  - refuses when the agent configuration does not exist yet ("install the
 *    agent first", as MOMCertImport refuses without an installed agent);
 *    for role = server (stage 5 skipped: the server's Health Service comes
 *    with the server) the configuration is created here instead;
 *  - installs the certificate (0644) and the key (0600) where the
 *    configuration points ([certificate] certificate / key; when empty,
 *    agent-cert.pem / agent-key.pem next to the configuration file);
 *  - records the serial as printed (upper hex of the DER content bytes, a
 *    leading 00 kept), byte-reversed (the registry's REG_BINARY order) and
 *    the SHA-1 thumbprint;
 *  - [agent] reg_file set: writes the .reg file (regfile.h) there;
 *  - Windows target (cfg->agent_target = windows, or the configuration's
 *    target = windows): writes the Windows bundle (windows/bundle.h) into
 *    [agent] bundle_dir (default: the state directory), whose serial.reg
 *    is the .reg file when reg_file is not set, then runs [agent]
 *    push_command ({zip}, {bundle}, {fqdn} replaced);
 *  - runs [agent] restart_command (argv, no shell, timeout, output lines to
 *    hooks->line, exit status checked);
 *  - reads the configuration back and checks it (serial_check_files).
 *
 * Ownership: struct serial_result owns its strings; serial_result_free()
 * releases it and the struct (suitable for ctx_set_out).
 */
#ifndef OPSMGR_SERIAL_H
#define OPSMGR_SERIAL_H

#include <stdbool.h>

#include "core/ctx.h"
#include "core/diag.h"
#include "core/hooks.h"
#include "core/status.h"

/* What stage 6 did, for its screen (ctx->out[STAGE_SERIAL]). */
struct serial_result {
	char *config_path;      /* agent configuration read and updated */
	char *cert_path;        /* installed certificate */
	char *key_path;         /* installed key (0600) */
	char *serial_hex;       /* as printed, upper hex */
	char *serial_reversed;  /* registry byte order, upper hex */
	char *thumbprint;       /* SHA-1, upper hex */
	char *reg_file;         /* .reg written, or NULL */
	char *bundle_dir;       /* Windows bundle folder, or NULL */
	char *bundle_zip;       /* its zip, or NULL */
	char *bundle_files;     /* "root.cer <fqdn>.pfx ..." in the folder */
	char *bundle_todo;      /* "copy <zip> to <fqdn>, extract, ..." */
	bool restarted;         /* the restart command ran and exited 0 */
};

void serial_result_free(void *r);

/* Where the Windows bundle goes: [agent] bundle_dir, else the state
 * directory (borrowed from c).  And its zip, "<dir>/<fqdn>-opsmgr.zip"
 * (malloc'd; NULL when the FQDN is not known yet).  Stage 5 shows it,
 * stage 6 writes it. */
const char *serial_bundle_dir(const struct ctx *c);
char *serial_bundle_zip(const struct ctx *c);

/*
 * The checks of `check` for stage 6, also run by the stage after writing:
 * the configuration exists and is valid (agent_configured), the recorded
 * serial, reversed serial and thumbprint match the installed certificate
 * (serial_match, event 20066), the installed key is present, belongs to
 * the certificate, is a regular file owned by us with mode 0600 (no group
 * or other bits) (key_permissions).  expect_cert_path (may be NULL): the
 * current certificate; a different installed one is a warning (renewed
 * but not imported).  Every check adds a pass/warn/fail diagnostic.
 * Returns ST_OK when nothing failed, else ST_FAIL.
 */
enum status serial_check_files(const char *config_path,
			       const char *expect_cert_path,
			       struct diag_list *dl);
/* The same for a ctx: agentconf_path() and c->st->cert_path. */
enum status serial_check(struct ctx *c, struct diag_list *dl);

#endif
