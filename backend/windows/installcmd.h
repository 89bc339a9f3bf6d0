/*
 * installcmd.h - the bundle's install.cmd (issue 16): the whole batch file
 * that does the Windows half of the enrollment on the agent (or the
 * management server) with Windows' own tools, seven checked steps, each
 * logged to install.log beside the script, stopping at the first failure
 * with a plain message and its own exit code (enum installcmd_exit):
 *   1 elevation (net session)
 *   2 root -> LocalMachine\Root, intermediates -> LocalMachine\CA (certutil)
 *   3 the PFX -> LocalMachine\My, key in the SChannel CSP as AT_KEYEXCHANGE
 *     (certutil -importpfx; the password is typed at certutil's own prompt)
 *   4 agent role: MOMAgent.msi beside and no agent installed: msiexec with
 *     the management group, server and port; agent installed: compare its
 *     configured group/server (INSTALLCMD_REG_*) with the bundle's
 *   5 reg import serial.reg
 *   6 restart HealthService (missing: "install the agent first")
 *   7 verify: certificate + private key in My, registry read-back, event
 *     20053 within event_wait_s or the first error event (core/events.h)
 * Values from the answers reach the script once, as `set "NAME=value"`
 * lines, by the rule of windows/cmdquote.h.
 *
 * Ownership: installcmd_text() returns a malloc'd string; the caller frees
 * it.  struct installcmd_in only borrows its strings.
 */
#ifndef OPSMGR_INSTALLCMD_H
#define OPSMGR_INSTALLCMD_H

#include <stdbool.h>
#include <stddef.h>

#include "windows/regfile.h"

/* Where an installed Operations Manager agent keeps what step 4 reads.  The
 * stand-in MOMAgent.msi of the Wine test writes the same values (64-bit
 * registry view: an x64 package, Win64 components).  Sources: community
 * agent scripts read the agent's version from ...\3.0\Setup (AgentVersion,
 * Product) and each management group's server and port from ...\3.0\Agent
 * Management Groups\<group>\Parent Health Services\0 (NetworkName, Port);
 * Microsoft's SCOM docs name the same per-group layout under the service's
 * key, HKLM\SYSTEM\CurrentControlSet\Services\HealthService\Parameters
 * \Management Groups\<group> (maximumQueueSizeKb, "upgrade agents"). */
#define INSTALLCMD_REG_OM "HKLM\\" REGFILE_OM_SUBKEY
/* The agent is installed when this key has the value below (REG_SZ). */
#define INSTALLCMD_REG_SETUP INSTALLCMD_REG_OM "\\Setup"
#define INSTALLCMD_REG_SETUP_VALUE "AgentVersion"
/* <INSTALLCMD_REG_GROUPS>\<management group>\<INSTALLCMD_REG_PARENT>:
 * NetworkName (REG_SZ, the management server), Port (REG_DWORD). */
#define INSTALLCMD_REG_GROUPS INSTALLCMD_REG_OM "\\Agent Management Groups"
#define INSTALLCMD_REG_PARENT "Parent Health Services\\0"
#define INSTALLCMD_REG_SERVER_VALUE "NetworkName"
#define INSTALLCMD_REG_PORT_VALUE "Port"
/* What step 5 writes and step 7 reads back (windows/regfile.h). */
#define INSTALLCMD_REG_MACHINE INSTALLCMD_REG_OM "\\Machine Settings"

/* Files beside the script. */
#define INSTALLCMD_LOG_NAME "install.log"
#define INSTALLCMD_MSI_LOG_NAME "MOMAgent-install.log"
#define INSTALLCMD_ROOT_NAME "root.cer"
#define INSTALLCMD_REG_NAME "serial.reg"
/* install.cmd /nopause: no "press a key" at the end (tests, remote runs). */
#define INSTALLCMD_NOPAUSE "/nopause"

/* Step 6's message when the service does not exist (tests look for it). */
#define INSTALLCMD_MSG_NO_SERVICE                                          \
	"the Microsoft Monitoring Agent service (HealthService) does not "  \
	"exist on this computer: install the agent first"

/* The script's exit codes: one per failure, the tens digit is the step. */
enum installcmd_exit {
	INSTALLCMD_EXIT_OK = 0,
	INSTALLCMD_EXIT_NOT_ELEVATED = 10,  /* 1 */
	INSTALLCMD_EXIT_MISSING_FILE = 11,  /* 1: a bundle file is missing */
	INSTALLCMD_EXIT_WOW64 = 12,         /* 1: a 32-bit cmd on 64-bit Windows */
	INSTALLCMD_EXIT_ROOT = 20,          /* 2: certutil -addstore Root */
	INSTALLCMD_EXIT_CA = 21,            /* 2: certutil -addstore CA */
	INSTALLCMD_EXIT_PFX = 30,           /* 3: certutil -importpfx */
	INSTALLCMD_EXIT_MSI = 40,           /* 4: msiexec failed */
	INSTALLCMD_EXIT_NO_AGENT = 41,      /* 4: no agent and no MOMAgent.msi */
	INSTALLCMD_EXIT_REG_IMPORT = 50,    /* 5: reg import */
	INSTALLCMD_EXIT_NO_SERVICE = 60,    /* 6: HealthService missing */
	INSTALLCMD_EXIT_RESTART = 61,       /* 6: stop/start failed */
	INSTALLCMD_EXIT_CERT = 70,          /* 7: not in My with its key */
	INSTALLCMD_EXIT_REG_READBACK = 71,  /* 7: registry differs */
	INSTALLCMD_EXIT_EVENT = 72,         /* 7: an error event was logged */
	INSTALLCMD_EXIT_NO_EVENT = 73,      /* 7: no 20053 within the wait */
};

/* Default bounded wait for event 20053 (seconds). */
#define INSTALLCMD_EVENT_WAIT_DEFAULT 120

struct installcmd_in {
	bool server_role;               /* management server: no msiexec step */
	const char *fqdn;               /* computer.fqdn */
	const char *mgmt_group;         /* agent role: agent.management_group */
	const char *server;             /* agent role: agent.server */
	int port;                       /* agent role: agent.port */
	const char *pfx_name;           /* "<fqdn>.pfx", a file in the bundle */
	const char *serial_hex;         /* big-endian hex as certutil prints it */
	const char *serial_reversed;    /* registry (reversed) byte order, hex */
	const char *thumbprint;         /* SHA-1, 40 hex digits */
	const char *const *intermediates; /* file names in the bundle */
	size_t n_intermediates;
	const char *old_serial;         /* renewal: removed from My after the
					 * new one verified; NULL = none */
	int event_wait_s;               /* wait for 20053, seconds; <= 0: the
					 * default; at most an hour */
};

/*
 * The install.cmd text: malloc'd, CRLF line ends, ASCII only.  NULL when a
 * value cannot be carried safely to cmd/msiexec (or is malformed, or out of
 * memory): err says which value and why, and *field (optional) is set to
 * its "section.key" (e.g. "agent.management_group"), or NULL when the value
 * does not come from the answers.  Caller frees.
 */
char *installcmd_text(const struct installcmd_in *in, const char **field,
		      char *err, size_t errlen);

#endif
