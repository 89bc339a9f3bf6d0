/*
 * msicmd.h - the Windows silent agent install command (stage 5, Windows
 * target): the `msiexec /i MOMAgent.msi /qn ...` line with the property
 * names from Microsoft's "install the Windows agent manually" doc
 * (opsmgr-facts.md), and the install.cmd batch file around it.
 *
 * Quoting and refusal: windows/cmdquote.h (MANAGEMENT_GROUP always
 * double-quoted, any other value when it needs it; '%' doubled in a batch
 * file; a '"', a control character or a non-ASCII byte refused).
 *
 * Ownership: every char * returned is malloc'd; the caller frees it.  NULL
 * means a value was refused or out of memory.
 */
#ifndef OPSMGR_MSICMD_H
#define OPSMGR_MSICMD_H

#include <stdbool.h>

#define MSICMD_MSI_NAME "MOMAgent.msi"

/*
 * The properties after "msiexec /i <package> /qn": names and order from
 * Microsoft's doc, the three values given as they go on the line (already
 * quoted, or variable references in install.cmd: installcmd.c).
 */
char *msicmd_props(const char *mg_arg, const char *server_arg,
		   const char *port_arg);

/*
 * The msiexec command line (no line end).  batch=true escapes for a .cmd
 * file, false for typing at a cmd.exe prompt.
 */
char *msicmd_line(const char *mgmt_group, const char *server, int port,
		  bool batch);

/* The whole install.cmd text, CRLF line ends. */
char *msicmd_file_text(const char *mgmt_group, const char *server, int port);

#endif
