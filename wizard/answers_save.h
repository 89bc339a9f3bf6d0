/*
 * answers_save.h - `opsmgr-enroll save-answers FILE`: the answers the
 * enrollment in a state directory was made with (the files given, then
 * what its stages recorded: stage_inputs_adopt), written as an answers
 * file for the next computer (core/answers_write.h: no passwords, the
 * per-computer values commented out, the trusted root pinned).
 */
#ifndef OPSMGR_ANSWERS_SAVE_H
#define OPSMGR_ANSWERS_SAVE_H

#include <stdbool.h>
#include <stdio.h>
#include "flow.h"

/*
 * Write the answers of the state directory o names (--state-dir, else the
 * configuration's [wizard] state_dir, else the default) to path, replacing
 * an existing file only with overwrite.  The state file is only read.
 * Says where on out, problems on err.  Returns the exit status: 0 written,
 * 2 the configuration or state cannot be read, nothing to save or path
 * exists, 1 the file cannot be written.
 */
int answers_save_run(const struct flow_opts *o, const char *path,
		     bool overwrite, FILE *out, FILE *err);

#endif
