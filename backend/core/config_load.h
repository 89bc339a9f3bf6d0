/*
 * config_load.h - the layered loader of struct config (config.h): system
 * file < user file < --config < --answers, later files overriding earlier
 * ones key by key, and the cross-field checks after loading.
 *
 * Every value is validated when loaded; a problem becomes a DIAG_CONFIG
 * diagnostic (field "section.key") whose message names the file, section,
 * key and the problem.  Unknown sections and keys give warnings.
 *
 * Owner: backend/core/config_load.c.
 */
#ifndef OPSMGR_CONFIG_LOAD_H
#define OPSMGR_CONFIG_LOAD_H

#include <stdbool.h>
#include "core/config.h"
#include "core/diag.h"

/*
 * Load one INI file on top of c.  required=false: a missing file is silently
 * skipped (system/user layers); required=true: missing file is a failure,
 * and the file is an explicit layer (--config, --answers): the keys it
 * sets are marked in c->explicit_keys.
 * Returns 0 when the file was usable (warnings possible), -1 on failure
 * (diagnostics say why; c keeps what was valid from earlier layers).
 */
int config_load_file(struct config *c, const char *path, bool required,
		     struct diag_list *dl);

/*
 * Load all layers: /etc/opsmgr-enroll/opsmgr-enroll.ini (or
 * $OPSMGR_ENROLL_SYSTEM_CONFIG when set, for tests), the user file
 * ($XDG_CONFIG_HOME/opsmgr-enroll/opsmgr-enroll.ini or ~/.config/...),
 * then config_path and answers_path when non-NULL (both required).
 */
int config_load_layers(struct config *c, const char *config_path,
		       const char *answers_path, struct diag_list *dl);

/* Cross-field validation after loading (e.g. auth=basic needs user). */
int config_validate(const struct config *c, struct diag_list *dl);

/* Resolved defaults that depend on the environment. */
char *config_default_state_dir(void);                  /* malloc'd */

/* True when value can be written to an INI and read back unchanged. */
bool config_value_ok_for_ini(const char *value);

#endif
