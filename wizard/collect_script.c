/*
 * collect_script.c - the collect-script command (collect_script.h).
 */
#include "collect_script.h"

#include <stdlib.h>
#include <string.h>

#include "windows/collectcmd.h"

int collect_script_run(const char *server, int port, FILE *out, FILE *err)
{
	struct collectcmd_in in = { .server = server, .port = port };
	const char *field = NULL;
	char why[256];
	char *text = collectcmd_text(&in, &field, why, sizeof(why));
	if (!text) {
		const char *opt = !field ? "collect-script"
			: !strcmp(field, "agent.port") ? "--port" : "--server";
		fprintf(err, "opsmgr-enroll: %s: %s\n", opt, why);
		return 2;
	}
	int rc = fputs(text, out) < 0 || fflush(out) != 0 ? 1 : 0;
	if (rc)
		fprintf(err, "opsmgr-enroll: cannot write collect.cmd to the "
			"output\n");
	free(text);
	return rc;
}
