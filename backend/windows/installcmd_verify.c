/*
 * installcmd_verify.c - install.cmd's step 7 (installcmd_int.h): the
 * certificate (by thumbprint) with its key in LocalMachine\My, the
 * registry values read back, then the Operations Manager log: event 20053
 * within the bounded wait, or the first error event of the events table
 * (core/events.h, the entries marked after_restart) with its meaning,
 * cause and fix.  Then a renewal's previous certificate leaves
 * LocalMachine\My.
 *
 * wevtutil qe "Operations Manager" /q:"*[System[(EventID=N) and
 * TimeCreated[timediff(@SystemTime) <= ms]]]" /c:1 /rd:true /f:text: the
 * XPath of Microsoft's "Consuming events" page; the window covers the
 * seconds since the service was stopped (SECS + WAITED) and 30 more.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/events.h"
#include "windows/installcmd_int.h"

/* The certificate is looked up by its SHA-1 thumbprint, a certID certutil
 * documents and the one unambiguous form (a serial's leading 00 byte may
 * or may not be written). */
static void certificate(struct ic_gen *g)
{
	ic_emit(g, "certutil -store My \"{#THUMB}\" >" IC_TMP " 2>&1");
	ic_emit(g, "set \"CRC=%ERRORLEVEL%\"");
	ic_emit(g, "type " IC_TMP " >>" IC_LOG);
	ic_emit(g, "if not \"%CRC%\"==\"0\" (");
	ic_say(g, "  no certificate with thumbprint {#THUMB} (serial {#SERIAL}) "
		  "in LocalMachine\\My: step 3 did not import it.");
	ic_say(g, "  fix: run install.cmd again and read what certutil says "
		  "in step 3.");
	ic_fail(g, "E_CERT");
	ic_emit(g, ")");
	ic_emit(g, "findstr /l /i /c:\"" IC_SCHANNEL "\" " IC_TMP " >nul");
	ic_emit(g, "if errorlevel 1 (");
	ic_say(g, "  certificate {#SERIAL} has no private key in the " IC_SCHANNEL
		  " (events 20068, 20069).");
	ic_say(g, "  fix: certutil -delstore My {#THUMB}, then run "
		  "install.cmd again.");
	ic_fail(g, "E_CERT");
	ic_emit(g, ")");
	ic_say(g, "  certificate {#SERIAL} is in LocalMachine\\My, its key in "
		  "the SChannel provider");
}

static void readback(struct ic_gen *g, const char *value, const char *key,
		     const char *what)
{
	char t[400];
	snprintf(t, sizeof(t), "reg query \"%s\" /v %s >" IC_TMP " 2>&1",
		 INSTALLCMD_REG_MACHINE, value);
	ic_emit(g, t);
	ic_emit(g, "set \"GOT=\"");
	snprintf(t, sizeof(t), "for /f \"usebackq tokens=1,2,*\" %%%%A in ("
		 IC_TMP ") do if /i \"%%%%A\"==\"%s\" set \"GOT=%%%%C\"", value);
	ic_emit(g, t);
	snprintf(t, sizeof(t), "if /i not \"{GOT}\"==\"{#%s}\" (", key);
	ic_emit(g, t);
	snprintf(t, sizeof(t), "  %s reads \"{GOT}\", expected {#%s} (%s).",
		 value, key, what);
	ic_say(g, t);
	ic_say(g, "  fix: run install.cmd again; step 5 writes it from "
		  "serial.reg.");
	ic_fail(g, "E_REG_READBACK");
	ic_emit(g, ")");
}

/* One wevtutil query for id; a hit jumps to label. */
static void query_event(struct ic_gen *g, int id, const char *label)
{
	char t[400];
	snprintf(t, sizeof(t), "wevtutil qe \"" OM_EVENT_LOG "\" /q:\"*[System["
		 "(EventID=%d) and TimeCreated[timediff(@SystemTime) <= "
		 "{$WINDOW}]]]\" /c:1 /rd:true /f:text >" IC_TMP " 2>nul", id);
	ic_emit(g, t);
	snprintf(t, sizeof(t), "for %%%%Z in (" IC_TMP ") do if %%%%~zZ gtr 0 "
		 "goto %s", label);
	ic_emit(g, t);
}

static void event_label(struct ic_gen *g, const struct om_event *e)
{
	char t[120];
	snprintf(t, sizeof(t), ":event_%d", e->id);
	ic_emit(g, t);
	ic_emit(g, "type " IC_TMP " >>" IC_LOG);
	snprintf(t, sizeof(t), "  event %d (%s): ", e->id, e->source);
	ic_say_plain(g, t, e->meaning);
	ic_say_plain(g, "  cause: ", e->cause);
	ic_say_plain(g, "  fix: ", e->fix);
	ic_fail(g, "E_EVENT");
}

static void events(struct ic_gen *g)
{
	size_t n;
	const struct om_event *tab = om_event_table(&n);
	char label[32];
	ic_emit(g, "set /a WAITED=0");
	ic_emit(g, ":wait_event");
	ic_emit(g, "set /a WINDOW=(SECS+WAITED+30)*1000");
	query_event(g, OM_EVENT_CERT_LOADED, "event_loaded");
	for (size_t i = 0; i < n; i++) {
		if (!tab[i].after_restart)
			continue;
		snprintf(label, sizeof(label), "event_%d", tab[i].id);
		query_event(g, tab[i].id, label);
	}
	ic_emit(g, "if %WAITED% geq {#WAIT} (");
	ic_say(g, "  no event 20053 (certificate loaded) within {#WAIT} "
		  "seconds.");
	ic_say(g, "  fix: look later in Event Viewer, Applications and "
		  "Services Logs, Operations Manager.");
	ic_fail(g, "E_NO_EVENT");
	ic_emit(g, ")");
	ic_emit(g, "set /a WAITED+=5");
	ic_emit(g, "ping -n 6 127.0.0.1 >nul");
	ic_emit(g, "goto wait_event");
	for (size_t i = 0; i < n; i++)
		if (tab[i].after_restart)
			event_label(g, &tab[i]);
}

/* A renewal: the previous certificate leaves My once the new one loaded. */
static void old_certificate(struct ic_gen *g)
{
	const char *old = g->in->old_serial;
	if (!old || !*old || !strcasecmp(old, g->in->serial_hex))
		return;
	ic_say(g, "  removing the previous certificate, serial {#OLDSERIAL}, "
		  "from LocalMachine\\My");
	ic_emit(g, "certutil -delstore My \"{#OLDSERIAL}\" >>" IC_LOG " 2>&1");
	ic_emit(g, "if errorlevel 1 (");
	ic_say(g, "  WARNING: certutil could not remove it: delete it in the "
		  "Certificates console (Local Computer, Personal).");
	ic_emit(g, ")");
}

void ic_step_verify(struct ic_gen *g)
{
	ic_say(g, "[7/7] verifying: the certificate, the registry values, the "
		  "Operations Manager event log");
	certificate(g);
	readback(g, "ChannelCertificateSerialNumber", "REGSERIAL",
		 "the serial's bytes reversed");
	readback(g, "ChannelCertificateHash", "THUMB", "the SHA-1 thumbprint");
	ic_say(g, "  the registry values read back as written");
	events(g);
	ic_emit(g, ":event_loaded");
	ic_emit(g, "type " IC_TMP " >>" IC_LOG);
	ic_say(g, "  event 20053: the certificate was loaded");
	old_certificate(g);
}
