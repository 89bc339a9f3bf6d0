/*
 * msicmd.c - builds the silent MOMAgent.msi command line and install.cmd
 * (msicmd.h).  Pure string work, no I/O.
 */
#include "windows/msicmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "windows/cmdquote.h"

char *msicmd_props(const char *mg_arg, const char *server_arg,
		   const char *port_arg)
{
	char *props = NULL;
	if (asprintf(&props,
		     "USE_SETTINGS_FROM_AD=0 "
		     "USE_MANUALLY_SPECIFIED_SETTINGS=1 "
		     "MANAGEMENT_GROUP=%s "
		     "MANAGEMENT_SERVER_DNS=%s "
		     "SECURE_PORT=%s "
		     "ACTIONS_USE_COMPUTER_ACCOUNT=1 "
		     "AcceptEndUserLicenseAgreement=1",
		     mg_arg, server_arg, port_arg) < 0)
		props = NULL;
	return props;
}

char *msicmd_line(const char *mgmt_group, const char *server, int port,
		  bool batch)
{
	struct verdict v;
	if (!mgmt_group || !server || rule_port(port, &v) == SEV_FAIL)
		return NULL;
	char *mg = cmdquote_arg(mgmt_group, true, batch);
	char *srv = cmdquote_arg(server, false, batch);
	char port_text[16];
	snprintf(port_text, sizeof(port_text), "%d", port);
	char *props = mg && srv ? msicmd_props(mg, srv, port_text) : NULL;
	char *line = NULL;
	if (props && asprintf(&line, "msiexec /i " MSICMD_MSI_NAME " /qn %s",
			      props) < 0)
		line = NULL;
	free(props);
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
