/*
 * collect_script.h - `opsmgr-enroll collect-script [--server HOST --port N]`
 * (issue 17): prints collect.cmd (windows/collectcmd.h) to out, to be
 * saved as collect.cmd and run as Administrator on a Windows computer.
 * Nothing to free.
 */
#ifndef OPSMGR_COLLECT_SCRIPT_H
#define OPSMGR_COLLECT_SCRIPT_H

#include <stdio.h>

/* server NULL and port 0: the script tests the agent's configured server.
 * Returns the exit status: 0, or 2 with a message on err when a value is
 * refused (the option it came from named). */
int collect_script_run(const char *server, int port, FILE *out, FILE *err);

#endif
