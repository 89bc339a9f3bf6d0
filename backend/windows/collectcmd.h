/*
 * collectcmd.h - collect.cmd (issue 17): the batch file a support engineer
 * has run, elevated, on a Windows computer they cannot sit at.  With
 * Windows' own tools only (reg, certutil, wevtutil, sc, PowerShell for the
 * TCP test, tar or Compress-Archive for the zip) it writes the evidence
 * folder of windows/evidence_layout.h beside itself, and its zip, which
 * `opsmgr-enroll check --evidence` diagnoses elsewhere.  It reads and
 * exports; it changes nothing on the computer and writes no secret and no
 * private key (certificates as .cer, stores as certutil's listing).
 * Shipped in every Windows bundle (windows/bundle.c) and printed by
 * `opsmgr-enroll collect-script [--server HOST --port N]`.
 *
 *   collect.cmd [/nopause]
 * Exit codes: enum collectcmd_exit.  A tool that fails (no agent, no
 * HealthService, no events) does not stop it: collect.log records each
 * step's exit code and the reader reports what is missing.
 *
 * Ownership: collectcmd_text() returns a malloc'd string; the caller frees
 * it.  struct collectcmd_in only borrows its strings.
 */
#ifndef OPSMGR_COLLECTCMD_H
#define OPSMGR_COLLECTCMD_H

#include <stddef.h>

#define COLLECTCMD_NAME "collect.cmd"
#define COLLECTCMD_NOPAUSE "/nopause"
/* Printed (and tested) when neither tar.exe nor Compress-Archive made the
 * zip: the folder is complete, zip it by hand. */
#define COLLECTCMD_MSG_NO_ZIP                                               \
	"no zip: this Windows has neither tar.exe nor PowerShell 5's "      \
	"Compress-Archive; send the folder itself: right-click it, Send "    \
	"to, Compressed folder"

enum collectcmd_exit {
	COLLECTCMD_EXIT_OK = 0,            /* folder written (zip: see log) */
	COLLECTCMD_EXIT_NOT_ELEVATED = 10, /* net session failed */
	COLLECTCMD_EXIT_WOW64 = 12,        /* a 32-bit cmd on 64-bit Windows */
	COLLECTCMD_EXIT_EXISTS = 20,       /* the folder or zip exists */
	COLLECTCMD_EXIT_MKDIR = 21,        /* the folder cannot be made */
};

struct collectcmd_in {
	const char *server;  /* the management server for the TCP test; NULL:
			      * the first group's NetworkName in the registry */
	int port;            /* its port; 0: the registry's, else 5723 */
	int events;          /* events to export; 0: EVIDENCE_EVENTS_DEFAULT */
};

/* Largest events count accepted. */
#define COLLECTCMD_EVENTS_MAX 100000

/*
 * The collect.cmd text: malloc'd, CRLF line ends, ASCII only.  NULL when a
 * value is refused: the server must be a host name or an IPv4 address
 * (letters, digits, '-', '.', at most 253 characters: it reaches cmd and
 * PowerShell unquoted-safe), the port 0..65535, events 0..
 * COLLECTCMD_EVENTS_MAX; err says why and *field (optional) is set to
 * "agent.server" / "agent.port" / NULL.  Out of memory: NULL, err says so.
 */
char *collectcmd_text(const struct collectcmd_in *in, const char **field,
		      char *err, size_t errlen);

#endif
