/*
 * installcmd_int.h - private to installcmd.c (the inputs, the template
 * renderer) and installcmd_steps.c (the seven steps as batch text).
 *
 * Templates are batch lines with placeholders:
 *   {NAME}   a value from the answers, read back from its variable; must
 *            stand inside double quotes (checked): !NAME! when delayed
 *            expansion is on, %NAME% otherwise (see installcmd.c why);
 *   {$NAME}  a numeric variable of the script (RC, SECS...): %NAME%;
 *   {#KEY}   a literal from the generator (hex, numbers, exit codes).
 * emit() writes a line as it is (cmd syntax); say() writes fixed text
 * through cmdquote_echo twice: to the console and to install.log.
 */
#ifndef OPSMGR_INSTALLCMD_INT_H
#define OPSMGR_INSTALLCMD_INT_H

#include <stdbool.h>

#include "core/strbuf.h"
#include "windows/installcmd.h"

#define IC_LOG "\"" INSTALLCMD_LOG_NAME "\""
#define IC_TMP "\"install.tmp\""
#define IC_LIT_MAX 32
/* The key storage provider Operations Manager reads (opsmgr-facts.md). */
#define IC_SCHANNEL "Microsoft RSA SChannel Cryptographic Provider"

struct ic_lit {
	const char *key;
	char val[96];
};

struct ic_gen {
	struct strbuf b;
	const struct installcmd_in *in;
	bool delayed;            /* values are read as !NAME! */
	struct ic_lit lit[IC_LIT_MAX];
	int n_lit;
	const char *bad;         /* first template that could not be written */
};

void ic_emit(struct ic_gen *g, const char *tmpl);
void ic_say(struct ic_gen *g, const char *tmpl);
/* say() of a fixed text with no placeholders (the events table). */
void ic_say_plain(struct ic_gen *g, const char *prefix, const char *text);
/* `set "RC=<code>"` and `goto fail`, inside the current block. */
void ic_fail(struct ic_gen *g, const char *code_key);

/* The seven steps (installcmd_steps.c). */
void ic_step_elevation(struct ic_gen *g);
void ic_step_trust(struct ic_gen *g);
void ic_step_pfx(struct ic_gen *g);
void ic_step_agent(struct ic_gen *g);
void ic_step_registry(struct ic_gen *g);
void ic_step_service(struct ic_gen *g);
void ic_step_verify(struct ic_gen *g);

#endif
