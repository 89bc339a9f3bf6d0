/*
 * installcmd_steps.c - the seven steps of install.cmd as batch templates
 * (installcmd_int.h says how placeholders are written).  Every command's
 * outcome is tested on the line after it (`if errorlevel 1`, never
 * %ERRORLEVEL% inside the block that ran it); a failure says what failed,
 * the fix, and leaves through `goto fail` with its own exit code.
 *
 * Microsoft's documented syntax (learn.microsoft.com/windows-server/
 * administration/windows-commands/...):
 *   certutil [-f] -addstore <store> <infile>; certutil [-f] [-csp <provider>]
 *     -importpfx [<store>] <pfxfile> [AT_KEYEXCHANGE]: without -p certutil
 *     asks for the password itself; certutil -store <store> <certID> and
 *     -delstore <store> <certID> take a serial number as certID (certutil);
 *   reg import <file>, reg query <key> /v <value> (reg-import, reg-query);
 *   sc query|stop|start <service> (sc-query, sc-stop, sc-start);
 *   wevtutil qe <log> /q:<XPath> /c:<n> /rd:true|false /f:text (wevtutil),
 *     with TimeCreated[timediff(@SystemTime) <= ms] from "Consuming events"
 *     (learn.microsoft.com/windows/win32/wes/consuming-events);
 *   msiexec /i <package> /qn /l*v <logfile> PROPERTY=value (msiexec).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/events.h"
#include "windows/installcmd_int.h"
#include "windows/msicmd.h"

/* Step 1: elevation, a 64-bit prompt, every bundle file present. */
void ic_step_elevation(struct ic_gen *g)
{
	const struct installcmd_in *in = g->in;
	ic_say(g, "[1/7] checking that install.cmd runs as Administrator");
	ic_emit(g, "if defined PROCESSOR_ARCHITEW6432 (");
	ic_say(g, "  this is a 32-bit command prompt on 64-bit Windows: it "
		  "would write the 32-bit registry.");
	ic_say(g, "  fix: start install.cmd from Explorer (right-click, \"Run "
		  "as administrator\").");
	ic_fail(g, "E_WOW64");
	ic_emit(g, ")");
	ic_emit(g, "net session >nul 2>&1");
	ic_emit(g, "if errorlevel 1 (");
	ic_say(g, "  install.cmd is not running as Administrator.");
	ic_say(g, "  fix: right-click install.cmd and choose \"Run as "
		  "administrator\" (or start cmd with Ctrl+Shift+Enter and "
		  "run it there).");
	ic_fail(g, "E_NOT_ELEVATED");
	ic_emit(g, ")");
	ic_say(g, "  running as Administrator: yes");
	char t[320];
	const char *fixed[] = { INSTALLCMD_ROOT_NAME, in->pfx_name,
				INSTALLCMD_REG_NAME };
	for (size_t i = 0; i < 3 + in->n_intermediates; i++) {
		const char *f = i < 3 ? fixed[i] : in->intermediates[i - 3];
		snprintf(t, sizeof(t), "if not exist \"%s\" (set \"MISSING=%s\" "
			 "& goto missing)", f, f);
		ic_emit(g, t);
	}
	ic_emit(g, "goto trust");
	ic_emit(g, ":missing");
	ic_say(g, "  \"{MISSING}\" is not beside install.cmd.");
	ic_say(g, "  fix: extract the whole zip into one folder and run "
		  "install.cmd from there.");
	ic_fail(g, "E_MISSING_FILE");
}

/* Step 2: the root into LocalMachine\Root, intermediates into \CA. */
void ic_step_trust(struct ic_gen *g)
{
	const struct installcmd_in *in = g->in;
	ic_emit(g, ":trust");
	ic_say(g, "[2/7] adding root.cer to LocalMachine\\Root (Trusted Root "
		  "Certification Authorities)");
	ic_emit(g, "certutil -f -addstore Root \"" INSTALLCMD_ROOT_NAME "\" >>"
		   IC_LOG " 2>&1");
	ic_emit(g, "if errorlevel 1 (");
	ic_say(g, "  certutil could not add root.cer to LocalMachine\\Root: "
		  "its output is in install.log.");
	ic_fail(g, "E_ROOT");
	ic_emit(g, ")");
	char t[320];
	for (size_t i = 0; i < in->n_intermediates; i++) {
		const char *f = in->intermediates[i];
		snprintf(t, sizeof(t), "[2/7] adding %s to LocalMachine\\CA "
			 "(Intermediate Certification Authorities)", f);
		ic_say(g, t);
		snprintf(t, sizeof(t), "certutil -f -addstore CA \"%s\" >>"
			 IC_LOG " 2>&1", f);
		ic_emit(g, t);
		ic_emit(g, "if errorlevel 1 (");
		snprintf(t, sizeof(t), "  certutil could not add %s to "
			 "LocalMachine\\CA: its output is in install.log.", f);
		ic_say(g, t);
		ic_fail(g, "E_CA");
		ic_emit(g, ")");
	}
}

/* Step 3: the PFX into LocalMachine\My, key in the SChannel CSP as
 * AT_KEYEXCHANGE; certutil asks for the password (no -p: nothing on a
 * command line, and its output is not redirected so its prompt shows). */
void ic_step_pfx(struct ic_gen *g)
{
	ic_say(g, "[3/7] importing {#PFX} into LocalMachine\\My, its key in "
		  "the " IC_SCHANNEL " as AT_KEYEXCHANGE");
	ic_say(g, "  certutil asks for the PFX password now: type it and press "
		  "Enter (it is not shown, nothing writes it down).");
	ic_emit(g, "certutil -f -csp \"" IC_SCHANNEL "\" -importpfx My \"{#PFX}\" "
		   "AT_KEYEXCHANGE");
	ic_emit(g, "if errorlevel 1 (");
	ic_say(g, "  certutil could not import {#PFX}: usually a mistyped "
		  "password; run install.cmd again.");
	ic_say(g, "  Windows Server 2016 and older read only a PFX written "
		  "with export.compat = legacy.");
	ic_fail(g, "E_PFX");
	ic_emit(g, ")");
	ic_emit(g, ">>" IC_LOG " echo   certutil -importpfx: done");
}

static void agent_install(struct ic_gen *g)
{
	ic_emit(g, "if not exist \"" MSICMD_MSI_NAME "\" (");
	ic_say(g, "  the agent is not installed and MOMAgent.msi is not beside "
		  "install.cmd.");
	ic_say(g, "  fix: copy MOMAgent.msi from the Operations Manager media "
		  "(agent\\AMD64) here, then run install.cmd again.");
	ic_fail(g, "E_NO_AGENT");
	ic_emit(g, ")");
	ic_say(g, "  installing the agent: management group \"{MG}\", server "
		  "\"{SERVER}\", port {#PORT} (log: " INSTALLCMD_MSI_LOG_NAME ")");
	/* the values written into the line ({=NAME}: installcmd.c says why);
	 * the package and its log relative to the bundle folder, the current
	 * directory since pushd "%~dp0" (no variable: Wine rescans it) */
	char *props = msicmd_props("\"{=MG}\"", "\"{=SERVER}\"", "{#PORT}");
	char *line = NULL;
	if (!props || asprintf(&line, "msiexec /i \"" MSICMD_MSI_NAME
			       "\" /qn /l*v \"" INSTALLCMD_MSI_LOG_NAME
			       "\" %s", props) < 0) {
		line = NULL;
		g->bad = "msiexec";
	} else {
		ic_emit(g, line);
	}
	free(line);
	free(props);
	ic_emit(g, "set \"MSIRC=%ERRORLEVEL%\"");
	ic_emit(g, ">>" IC_LOG " echo   msiexec exit code %MSIRC%");
	ic_emit(g, "if \"%MSIRC%\"==\"3010\" (");
	ic_say(g, "  the agent is installed; Windows needs a restart to finish "
		  "it (msiexec 3010): restart this computer soon.");
	ic_emit(g, "  goto registry");
	ic_emit(g, ")");
	ic_emit(g, "if not \"%MSIRC%\"==\"0\" (");
	ic_say(g, "  msiexec failed with exit code {$MSIRC}: read "
		  INSTALLCMD_MSI_LOG_NAME " (search for \"Return value 3\").");
	ic_fail(g, "E_MSI");
	ic_emit(g, ")");
	ic_say(g, "  the agent is installed.");
	ic_emit(g, "goto registry");
}

/* The installed agent's group and server against the bundle's: a
 * difference is said, not fatal (the certificate still goes in). */
static void agent_compare(struct ic_gen *g)
{
	ic_emit(g, ":agent_installed");
	ic_say(g, "  the agent is installed: comparing its management group "
		  "and server with this bundle's");
	ic_emit(g, "set \"DIFF=\"");
	ic_emit(g, "reg query \"" INSTALLCMD_REG_GROUPS "\\{MG}\\"
		   INSTALLCMD_REG_PARENT "\" >" IC_TMP " 2>&1");
	ic_emit(g, "if errorlevel 1 (");
	ic_say(g, "  WARNING: the agent has no management group \"{MG}\"; "
		  "the groups it has are listed in install.log.");
	ic_emit(g, "  reg query \"" INSTALLCMD_REG_GROUPS "\" >>" IC_LOG " 2>&1");
	ic_say(g, "  fix: add it in Control Panel, Microsoft Monitoring Agent, "
		  "Operations Manager: server \"{SERVER}\", port {#PORT}.");
	ic_emit(g, "  goto registry");
	ic_emit(g, ")");
	ic_emit(g, "set \"CURSRV=\"");
	ic_emit(g, "set \"CURPORT=\"");
	ic_emit(g, "for /f \"usebackq tokens=1,2,*\" %%A in (" IC_TMP ") do (");
	ic_emit(g, "  if /i \"%%A\"==\"" INSTALLCMD_REG_SERVER_VALUE
		   "\" set \"CURSRV=%%C\"");
	ic_emit(g, "  if /i \"%%A\"==\"" INSTALLCMD_REG_PORT_VALUE
		   "\" set \"CURPORT=%%C\"");
	ic_emit(g, ")");
	ic_emit(g, "if /i not \"{CURSRV}\"==\"{SERVER}\" (");
	ic_emit(g, "  set \"DIFF=1\"");
	ic_say(g, "  WARNING: for \"{MG}\" the agent reports to \"{CURSRV}\"; "
		  "this bundle names \"{SERVER}\".");
	ic_emit(g, ")");
	ic_emit(g, "if defined CURPORT if /i not \"{CURPORT}\"==\"{#PORTHEX}\" (");
	ic_emit(g, "  set \"DIFF=1\"");
	ic_say(g, "  WARNING: for \"{MG}\" the agent uses port \"{CURPORT}\"; "
		  "this bundle names port {#PORT} ({#PORTHEX}).");
	ic_emit(g, ")");
	ic_emit(g, "if defined DIFF (");
	ic_say(g, "  fix: if this bundle is right, change it in Control Panel, "
		  "Microsoft Monitoring Agent, Operations Manager.");
	ic_emit(g, ") else (");
	ic_say(g, "  the agent's management group \"{MG}\", server and port "
		  "match this bundle.");
	ic_emit(g, ")");
}

/* Step 4 (agent role): install the agent, or compare the installed one. */
void ic_step_agent(struct ic_gen *g)
{
	if (g->in->server_role) {
		ic_say(g, "[4/7] management server: its Health Service comes "
			  "with the server, no agent to install");
		ic_emit(g, "goto registry");
		return;
	}
	ic_say(g, "[4/7] checking whether the Operations Manager agent is "
		  "installed");
	ic_emit(g, "reg query \"" INSTALLCMD_REG_SETUP "\" /v "
		   INSTALLCMD_REG_SETUP_VALUE " >nul 2>&1");
	ic_emit(g, "if not errorlevel 1 goto agent_installed");
	agent_install(g);
	agent_compare(g);
}

/* Step 5: serial.reg (windows/regfile.h) into the registry. */
void ic_step_registry(struct ic_gen *g)
{
	ic_emit(g, ":registry");
	ic_say(g, "[5/7] importing serial.reg: ChannelCertificateSerialNumber "
		  "(serial bytes reversed) and ChannelCertificateHash");
	ic_emit(g, "reg import \"" INSTALLCMD_REG_NAME "\" >>" IC_LOG " 2>&1");
	ic_emit(g, "if errorlevel 1 (");
	ic_say(g, "  reg could not import serial.reg: its output is in "
		  "install.log.");
	ic_fail(g, "E_REG_IMPORT");
	ic_emit(g, ")");
}

/* Wait for `sc query HealthService` to show state; SECS counts seconds. */
static void wait_state(struct ic_gen *g, const char *label, const char *state,
		       int limit, const char *what)
{
	char t[200];
	snprintf(t, sizeof(t), ":%s", label);
	ic_emit(g, t);
	snprintf(t, sizeof(t), "sc query HealthService | findstr /l /c:\"%s\" >nul",
		 state);
	ic_emit(g, t);
	snprintf(t, sizeof(t), "if not errorlevel 1 goto %s_done", label);
	ic_emit(g, t);
	ic_emit(g, "set /a SECS+=1");
	snprintf(t, sizeof(t), "if %%SECS%% geq %d (", limit);
	ic_emit(g, t);
	snprintf(t, sizeof(t), "  HealthService did not %s within %d seconds; "
		 "its state is in install.log.", what, limit);
	ic_say(g, t);
	ic_emit(g, "  sc query HealthService >>" IC_LOG " 2>&1");
	ic_fail(g, "E_RESTART");
	ic_emit(g, ")");
	ic_emit(g, "ping -n 2 127.0.0.1 >nul");
	snprintf(t, sizeof(t), "goto %s", label);
	ic_emit(g, t);
	snprintf(t, sizeof(t), ":%s_done", label);
	ic_emit(g, t);
}

/* Step 6: restart HealthService; a missing one is MOMCertImport's "install
 * the agent first". */
void ic_step_service(struct ic_gen *g)
{
	ic_say(g, "[6/7] restarting the Microsoft Monitoring Agent service "
		  "(HealthService)");
	ic_emit(g, "sc query HealthService >>" IC_LOG " 2>&1");
	ic_emit(g, "if errorlevel 1 (");
	ic_say(g, "  " INSTALLCMD_MSG_NO_SERVICE ".");
	ic_fail(g, "E_NO_SERVICE");
	ic_emit(g, ")");
	ic_emit(g, "set /a SECS=0");
	ic_emit(g, "sc stop HealthService >>" IC_LOG " 2>&1");
	wait_state(g, "wait_stop", "STOPPED", 120, "stop");
	ic_emit(g, "sc start HealthService >>" IC_LOG " 2>&1");
	ic_emit(g, "if errorlevel 1 (");
	ic_say(g, "  HealthService could not be started: see install.log and "
		  "the System event log.");
	ic_fail(g, "E_RESTART");
	ic_emit(g, ")");
	wait_state(g, "wait_run", "RUNNING", 240, "start");
	ic_say(g, "  HealthService is running again.");
}
