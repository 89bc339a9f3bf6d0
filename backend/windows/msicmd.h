/*
 * msicmd.h - the Windows silent agent install command (stage 5, Windows
 * target): the `msiexec /i MOMAgent.msi /qn ...` line with the property
 * names from Microsoft's "install the Windows agent manually" doc
 * (opsmgr-facts.md), and the install.cmd batch file around it.
 *
 * Quoting (msiexec + cmd.exe): MANAGEMENT_GROUP is always double-quoted;
 * any other value is quoted when it is empty or holds a blank or one of
 * cmd.exe's special characters ( & | < > ^ ( ) , ; = " % ).  Inside quotes
 * an embedded '"' is doubled ("" is msiexec's escape) and, in a batch file,
 * '%' is doubled (%% is cmd.exe's escape there).  Values with CR, LF or
 * other control characters cannot be written and are refused.
 *
 * Ownership: every char * returned is malloc'd; the caller frees it.  NULL
 * means a value was refused or out of memory.
 */
#ifndef OPSMGR_MSICMD_H
#define OPSMGR_MSICMD_H

#include <stdbool.h>

#define MSICMD_MSI_NAME "MOMAgent.msi"

/* One property value quoted for the line; `always` forces quotes. */
char *msicmd_quote(const char *value, bool always, bool batch);

/*
 * The msiexec command line (no line end).  batch=true escapes for a .cmd
 * file, false for typing at a cmd.exe prompt.
 */
char *msicmd_line(const char *mgmt_group, const char *server, int port,
		  bool batch);

/* The whole install.cmd text, CRLF line ends. */
char *msicmd_file_text(const char *mgmt_group, const char *server, int port);

#endif
