/*
 * answers_write.h - an answers file from a configuration: what the
 * operator typed and loaded, written so that the next computer runs
 * `opsmgr-enroll --answers FILE --non-interactive` without questions.
 *
 * The text goes through the configuration schema (config_schema.h): one
 * "key = value" line per key whose value differs from the default or was
 * set by an explicit file (explicit_keys), sections and keys in the
 * table's order, each value as config_key_get_text prints it, quoted where
 * the loader (config_scan.c, iniparser 4.1) would otherwise read it
 * differently; a value no INI line can hold (both quote characters, a
 * control character, a line over INI_LINE_MAX) is refused by name.
 *
 * Never a password: each password_file is a commented placeholder with a
 * note ("; password_file = /path/to/file  ; first line: the password").
 * What differs per computer is commented out with a note: computer.fqdn
 * always, and every path or name that contains this computer's FQDN or its
 * host name (export.pfx = /out/agent01.pfx).  With a state, the root that
 * stage 1 trusted pins trust.sha256 when the configuration has no pin, so
 * the next computer trusts exactly it without a question.
 *
 * Files are written with fs_write_atomic / fs_write_new, mode 0600, and
 * never replace an existing file unless told to.
 *
 * Ownership: answers_text returns malloc'd text the caller frees; the
 * other functions write into the caller's buffers.  Nothing here holds a
 * secret.
 */
#ifndef OPSMGR_ANSWERS_WRITE_H
#define OPSMGR_ANSWERS_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/config.h"
#include "core/state.h"

/* What an INI line can hold; 0 with the line's value text (quoted when
 * needed) in out, or -1 with the reason in why ("holds both ' and \""). */
int answers_ini_value(const char *value, char *out, size_t n, char *why,
		      size_t whylen);

/*
 * The answers file for cfg (st may be NULL: no pin from the state, the
 * FQDN from cfg only), its header dated `now`.  NULL with err when a value
 * cannot be written ("cannot write 'agent.install_command': ...") or
 * memory ran out.
 */
char *answers_text(const struct config *cfg, const struct state *st,
		   time_t now, char *err, size_t errlen);

/*
 * Write answers_text to path (0600, atomically).  An existing path is
 * replaced only with overwrite; otherwise it is an error naming it.
 * 0 / -1 with err.
 */
int answers_write(const char *path, const struct config *cfg,
		  const struct state *st, bool overwrite, char *err,
		  size_t errlen);

/*
 * Write the answers into dir as answers-<fqdn>.ini (answers.ini when no
 * FQDN is known), or answers-<fqdn>-N.ini (N = 2, 3, ...) when that name is
 * taken by other answers; a file holding the same answers (apart from the
 * header's date) is left as it is.  The path to saved.  Returns 0 written,
 * 1 already saved there, -1 with err.
 */
int answers_save_in(const char *dir, const struct config *cfg,
		    const struct state *st, char *saved, size_t savedlen,
		    char *err, size_t errlen);

#endif
