/*
 * msicmd.c - builds the silent MOMAgent.msi command line and install.cmd
 * (msicmd.h).  Pure string work, no I/O.
 */
#include "windows/msicmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"

static bool needs_quotes(const char *v)
{
	if (!*v)
		return true;
	return strpbrk(v, " \t&|<>^(),;=\"%") != NULL;
}

char *msicmd_quote(const char *value, bool always, bool batch)
{
	if (!value)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return NULL;
	bool q = always || needs_quotes(value);
	size_t n = strlen(value);
	char *out = malloc(2 * n + 3);
	if (!out)
		return NULL;
	char *o = out;
	if (q)
		*o++ = '"';
	for (const char *p = value; *p; p++) {
		if (*p == '"' && q)
			*o++ = '"';
		if (*p == '%' && batch)
			*o++ = '%';
		*o++ = *p;
	}
	if (q)
		*o++ = '"';
	*o = '\0';
	return out;
}

char *msicmd_line(const char *mgmt_group, const char *server, int port,
		  bool batch)
{
	struct verdict v;
	if (!mgmt_group || !server || rule_port(port, &v) == SEV_FAIL)
		return NULL;
	char *mg = msicmd_quote(mgmt_group, true, batch);
	char *srv = msicmd_quote(server, false, batch);
	char *line = NULL;
	if (mg && srv &&
	    asprintf(&line,
		     "msiexec /i " MSICMD_MSI_NAME " /qn "
		     "USE_SETTINGS_FROM_AD=0 "
		     "USE_MANUALLY_SPECIFIED_SETTINGS=1 "
		     "MANAGEMENT_GROUP=%s "
		     "MANAGEMENT_SERVER_DNS=%s "
		     "SECURE_PORT=%d "
		     "ACTIONS_USE_COMPUTER_ACCOUNT=1 "
		     "AcceptEndUserLicenseAgreement=1",
		     mg, srv, port) < 0)
		line = NULL;
	free(mg);
	free(srv);
	return line;
}

char *msicmd_file_text(const char *mgmt_group, const char *server, int port)
{
	char *line = msicmd_line(mgmt_group, server, port, true);
	if (!line)
		return NULL;
	char *text = NULL;
	if (asprintf(&text,
		     "@echo off\r\n"
		     "rem Silent install of the Operations Manager agent, "
		     "written by opsmgr-enroll.\r\n"
		     "rem Keep this file next to " MSICMD_MSI_NAME
		     " and run it as Administrator.\r\n"
		     "cd /d \"%%~dp0\"\r\n"
		     "%s\r\n"
		     "exit /b %%ERRORLEVEL%%\r\n",
		     line) < 0)
		text = NULL;
	free(line);
	return text;
}
