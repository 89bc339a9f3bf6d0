/*
 * collectcmd.c - writes collect.cmd (collectcmd.h): the inputs checked,
 * then the script, step by step, each step's file named by
 * windows/evidence_layout.h.
 *
 * How it survives cmd.exe (Windows' and Wine's, see installcmd.c): the
 * script runs under DisableDelayedExpansion and no value from the answers
 * is ever expanded in a command line.  The server and port, when given,
 * are set once (`set "OPSMGR_SERVER=..."`, a host name: letters, digits,
 * '-', '.') and read by PowerShell from its environment ($env:...), never
 * pasted into its command.  Files are plain names relative to the folder
 * the script pushd'ed into; the folder's name is "evidence-" and the
 * NetBIOS computer name (letters, digits, '-').
 *
 * Microsoft's documented syntax (learn.microsoft.com/windows-server/
 * administration/windows-commands/<command>):
 *   reg export <keyname> <filename> [/y] (reg-export: "/y overwrites an
 *     existing file"; regedit's Unicode .reg format, UTF-16LE + BOM);
 *   reg query <keyname> /v <valuename> (reg-query);
 *   certutil [options] -store [CertificateStoreName [CertID [OutputFile]]]
 *     with -v for the verbose dump; CertID may be the certificate's index
 *     in the store, OutputFile receives that certificate (certutil);
 *   wevtutil {qe | query-events} <Path> [/rd:<Direction>] [/f:<Format>]
 *     [/c:<Count>]: /rd:true newest first, /f:xml (wevtutil);
 *   sc [\\server] qc <servicename>, sc [\\server] query <servicename>
 *     (sc-qc, sc-query);
 *   tar -a -c -f <archive.zip> <dir>: bsdtar in Windows 10 1803 and later,
 *     -a picks the zip format from the suffix (tar);
 *   Compress-Archive -LiteralPath <dir> -DestinationPath <zip> (PowerShell
 *     5, Microsoft.PowerShell.Archive), New-Object Net.Sockets.TcpClient
 *     (.NET System.Net.Sockets.TcpClient.BeginConnect).
 */
#include "windows/collectcmd.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/strbuf.h"
#include "windows/evidence_layout.h"
#include "windows/regfile.h"

#define HOST_MAX 253
#define TCP_TIMEOUT_MS 5000
#define DEFAULT_PORT 5723
#define CERTS_MAX 500

#define KEY_OM "HKLM\\" REGFILE_OM_SUBKEY
#define KEY_SERVICE_GROUPS                                                   \
	"HKLM\\SYSTEM\\CurrentControlSet\\Services\\HealthService\\"         \
	"Parameters\\Management Groups"
#define KEY_TCPIP "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters"

/* ---- the inputs ----------------------------------------------------------- */

static bool host_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > HOST_MAX || s[0] == '-' || s[0] == '.')
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return false;
	return true;
}

static int check_in(const struct collectcmd_in *in, const char **field,
		    char *err, size_t errlen)
{
	if (in->server && !host_ok(in->server)) {
		*field = "agent.server";
		snprintf(err, errlen, "the management server must be a host name "
			 "or IPv4 address (letters, digits, '-' and '.', at "
			 "most %d characters)", HOST_MAX);
		return -1;
	}
	if (in->port < 0 || in->port > 65535) {
		*field = "agent.port";
		snprintf(err, errlen, "port %d is not between 1 and 65535",
			 in->port);
		return -1;
	}
	if (in->events < 0 || in->events > COLLECTCMD_EVENTS_MAX) {
		snprintf(err, errlen, "events count %d is not between 1 and %d",
			 in->events, COLLECTCMD_EVENTS_MAX);
		return -1;
	}
	return 0;
}

/* ---- the script ----------------------------------------------------------- */

/* One batch line, CRLF. */
static void L(struct strbuf *b, const char *text)
{
	strbuf_puts(b, text);
	strbuf_puts(b, "\r\n");
}

static void Lf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void Lf(struct strbuf *b, const char *fmt, ...)
{
	char t[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(t))
		b->oom = 1;   /* a line longer than any written: refuse */
	else
		L(b, t);
}

/* The exit code of the command on the line before, into collect.log. */
static void log_rc(struct strbuf *b, const char *step)
{
	L(b, "set \"STEP_RC=%ERRORLEVEL%\"");
	Lf(b, ">>\"" EVIDENCE_LOG "\" echo %s rc=%%STEP_RC%%", step);
}

static void head(struct strbuf *b, const struct collectcmd_in *in)
{
	L(b, "@echo off");
	L(b, "rem " COLLECTCMD_NAME " - written by opsmgr-enroll: collects "
	     "what the Operations Manager agent");
	L(b, "rem uses on this computer, for `opsmgr-enroll check --evidence` "
	     "on another one.");
	L(b, "rem Run it as Administrator.  It only reads: registry exports, "
	     "certificate store");
	L(b, "rem listings and certificates (.cer, never a private key), the "
	     "last Operations");
	L(b, "rem Manager events, the HealthService configuration and state, "
	     "this computer's");
	L(b, "rem DNS name and a TCP test of the management server's port.  "
	     "No password, no key.");
	L(b, "rem Usage: " COLLECTCMD_NAME " [" COLLECTCMD_NOPAUSE "]");
	L(b, "setlocal EnableExtensions DisableDelayedExpansion");
	L(b, "set \"NOPAUSE=\"");
	L(b, "if /i \"%~1\"==\"" COLLECTCMD_NOPAUSE "\" set \"NOPAUSE=1\"");
	L(b, "set \"OPSMGR_SERVER=\"");
	L(b, "set \"OPSMGR_PORT=\"");
	if (in->server)
		Lf(b, "set \"OPSMGR_SERVER=%s\"", in->server);
	if (in->port > 0)
		Lf(b, "set \"OPSMGR_PORT=%d\"", in->port);
	L(b, "set \"RC=0\"");
	L(b, "pushd \"%~dp0\"");
}

static void checks(struct strbuf *b)
{
	L(b, "if defined PROCESSOR_ARCHITEW6432 (");
	L(b, "  echo This is a 32-bit command prompt on 64-bit Windows: it "
	     "would read the 32-bit registry.");
	L(b, "  echo fix: start " COLLECTCMD_NAME " from Explorer ^(right-"
	     "click, Run as administrator^).");
	Lf(b, "  set \"RC=%d\"", COLLECTCMD_EXIT_WOW64);
	L(b, "  goto end");
	L(b, ")");
	L(b, "net session >nul 2>&1");
	L(b, "if errorlevel 1 (");
	L(b, "  echo " COLLECTCMD_NAME " is not running as Administrator: the "
	     "registry, the computer's");
	L(b, "  echo certificate stores and the event log need it.");
	L(b, "  echo fix: right-click " COLLECTCMD_NAME " and choose Run as "
	     "administrator.");
	Lf(b, "  set \"RC=%d\"", COLLECTCMD_EXIT_NOT_ELEVATED);
	L(b, "  goto end");
	L(b, ")");
	L(b, "set \"OUT=" EVIDENCE_DIR_PREFIX "%COMPUTERNAME%\"");
	L(b, "if exist \"%OUT%\" goto exists");
	L(b, "if exist \"%OUT%" EVIDENCE_ZIP_SUFFIX "\" goto exists");
	L(b, "mkdir \"%OUT%\\" EVIDENCE_CERTS_DIR "\" >nul 2>&1");
	L(b, "if not exist \"%OUT%\\" EVIDENCE_CERTS_DIR "\\\" (");
	L(b, "  echo cannot make the folder %OUT% beside " COLLECTCMD_NAME
	     ": copy it to a folder you may write to.");
	Lf(b, "  set \"RC=%d\"", COLLECTCMD_EXIT_MKDIR);
	L(b, "  goto end");
	L(b, ")");
	L(b, "pushd \"%OUT%\"");
	L(b, "echo Collecting into %OUT% ...");
}

static void registry(struct strbuf *b)
{
	static const struct {
		const char *key, *file, *step;
	} R[] = {
		{ KEY_OM "\\Machine Settings", EVIDENCE_MACHINE_SETTINGS_REG,
		  "machine-settings" },
		{ KEY_OM "\\Agent Management Groups", EVIDENCE_GROUPS_REG,
		  "agent-groups" },
		{ KEY_SERVICE_GROUPS, EVIDENCE_SERVICE_GROUPS_REG,
		  "service-groups" },
	};
	for (size_t i = 0; i < sizeof(R) / sizeof(R[0]); i++) {
		Lf(b, "echo   reg export %s", R[i].key);
		Lf(b, "reg export \"%s\" \"%s\" /y >nul 2>&1", R[i].key,
		   R[i].file);
		log_rc(b, R[i].step);
	}
}

static void stores(struct strbuf *b)
{
	static const struct {
		const char *args, *file, *step;
	} S[] = {
		{ "-v -store My", EVIDENCE_STORE_MY, "store-my" },
		{ "-store Root", EVIDENCE_STORE_ROOT, "store-root" },
		{ "-store CA", EVIDENCE_STORE_CA, "store-ca" },
	};
	for (size_t i = 0; i < sizeof(S) / sizeof(S[0]); i++) {
		Lf(b, "echo   certutil %s", S[i].args);
		Lf(b, "certutil %s >\"%s\" 2>&1", S[i].args, S[i].file);
		log_rc(b, S[i].step);
	}
	/* Each certificate of My by its index until certutil writes no file
	 * (Wine's stub returns 0 and writes nothing), at most CERTS_MAX. */
	L(b, "echo   certutil -store My INDEX " EVIDENCE_CERTS_DIR "\\"
	     EVIDENCE_CERT_PREFIX "INDEX" EVIDENCE_CERT_SUFFIX);
	L(b, "set \"N=0\"");
	L(b, ":cert_next");
	Lf(b, "if %%N%% geq %d goto cert_done", CERTS_MAX);
	L(b, "certutil -store My %N% \"" EVIDENCE_CERTS_DIR "\\"
	     EVIDENCE_CERT_PREFIX "%N%" EVIDENCE_CERT_SUFFIX "\" >nul 2>&1");
	L(b, "if not exist \"" EVIDENCE_CERTS_DIR "\\" EVIDENCE_CERT_PREFIX
	     "%N%" EVIDENCE_CERT_SUFFIX "\" goto cert_done");
	L(b, "set /a N+=1");
	L(b, "goto cert_next");
	L(b, ":cert_done");
	L(b, ">>\"" EVIDENCE_LOG "\" echo certs rc=0 %N% certificates");
}

static void events_service(struct strbuf *b, int events)
{
	Lf(b, "echo   wevtutil qe \"" EVIDENCE_EVENTS_LOG "\" /c:%d /rd:true "
	   "/f:xml", events);
	Lf(b, "wevtutil qe \"" EVIDENCE_EVENTS_LOG "\" /c:%d /rd:true /f:xml "
	   ">\"" EVIDENCE_EVENTS_XML "\" 2>nul", events);
	log_rc(b, "events");
	L(b, "echo   sc qc " EVIDENCE_SERVICE " / sc query " EVIDENCE_SERVICE);
	L(b, "sc qc " EVIDENCE_SERVICE " >\"" EVIDENCE_SC_QC "\" 2>&1");
	log_rc(b, "sc-qc");
	L(b, "sc query " EVIDENCE_SERVICE " >\"" EVIDENCE_SC_QUERY "\" 2>&1");
	log_rc(b, "sc-query");
}

/* computer.txt: the names Windows registers in DNS (Tcpip\Parameters). */
static void computer(struct strbuf *b)
{
	static const char *const V[][2] = { { "Hostname", "HN" },
					    { "Domain", "DOM" } };
	L(b, "echo   the computer's DNS name");
	L(b, "set \"HN=\"");
	L(b, "set \"DOM=\"");
	for (size_t i = 0; i < 2; i++)
		Lf(b, "for /f \"tokens=2,*\" %%%%a in ('reg query \"" KEY_TCPIP
		   "\" /v %s 2^>nul ^| find \"REG_SZ\"') do set \"%s=%%%%b\"",
		   V[i][0], V[i][1]);
	L(b, ">\"" EVIDENCE_COMPUTER "\" echo " EVIDENCE_KEY_COMPUTERNAME
	     "=%COMPUTERNAME%");
	L(b, ">>\"" EVIDENCE_COMPUTER "\" echo " EVIDENCE_KEY_HOSTNAME "=%HN%");
	L(b, ">>\"" EVIDENCE_COMPUTER "\" echo " EVIDENCE_KEY_DOMAIN "=%DOM%");
	L(b, "if defined DOM (>>\"" EVIDENCE_COMPUTER "\" echo "
	     EVIDENCE_KEY_FQDN "=%HN%.%DOM%) else (>>\"" EVIDENCE_COMPUTER
	     "\" echo " EVIDENCE_KEY_FQDN "=%HN%)");
	L(b, ">>\"" EVIDENCE_LOG "\" echo computer rc=0");
}

/* tcp.txt by PowerShell: the server and port from its environment, else
 * the registry; a connection attempt bounded by TCP_TIMEOUT_MS. */
static void tcp(struct strbuf *b)
{
	L(b, "echo   TCP test of the management server's port");
	Lf(b, "powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass "
	   "-Command \"$s=$env:OPSMGR_SERVER; $p=$env:OPSMGR_PORT; "
	   "if(-not $s){ $g=Get-ChildItem -LiteralPath 'HKLM:\\"
	   REGFILE_OM_SUBKEY "\\Agent Management Groups' -ErrorAction "
	   "SilentlyContinue | Select-Object -First 1; if($g){ $h="
	   "Get-ItemProperty -LiteralPath (Join-Path $g.PSPath 'Parent "
	   "Health Services\\0') -ErrorAction SilentlyContinue; if($h){ "
	   "$s=$h.NetworkName; if(-not $p){ $p=$h.Port } } } }; if(-not $p){ "
	   "$p=%d }; $o=@('" EVIDENCE_KEY_SERVER "='+$s, '" EVIDENCE_KEY_PORT
	   "='+$p); if(-not $s){ $o+='" EVIDENCE_KEY_RESULT "="
	   EVIDENCE_TCP_SKIPPED "'; $o+='" EVIDENCE_KEY_DETAIL "=no management "
	   "server given or configured' } else { try { $c=New-Object "
	   "Net.Sockets.TcpClient; $a=$c.BeginConnect($s,[int]$p,$null,$null); "
	   "if($a.AsyncWaitHandle.WaitOne(%d) -and $c.Connected){ $o+='"
	   EVIDENCE_KEY_RESULT "=" EVIDENCE_TCP_OPEN "'; $o+='"
	   EVIDENCE_KEY_DETAIL "=' } else { $o+='" EVIDENCE_KEY_RESULT "="
	   EVIDENCE_TCP_FAILED "'; $o+='" EVIDENCE_KEY_DETAIL "=no connection "
	   "within %d s' }; $c.Close() } catch { $o+='" EVIDENCE_KEY_RESULT "="
	   EVIDENCE_TCP_FAILED "'; $o+=('" EVIDENCE_KEY_DETAIL "='+($_.Exception."
	   "Message -replace '[\\r\\n]+',' ')) } }; Set-Content -LiteralPath '"
	   EVIDENCE_TCP "' -Value $o -Encoding ASCII\" >nul 2>&1",
	   DEFAULT_PORT, TCP_TIMEOUT_MS, TCP_TIMEOUT_MS / 1000);
	L(b, "if exist \"" EVIDENCE_TCP "\" goto tcp_done");
	L(b, ">\"" EVIDENCE_TCP "\" echo " EVIDENCE_KEY_SERVER "=%OPSMGR_SERVER%");
	L(b, ">>\"" EVIDENCE_TCP "\" echo " EVIDENCE_KEY_PORT "=%OPSMGR_PORT%");
	L(b, ">>\"" EVIDENCE_TCP "\" echo " EVIDENCE_KEY_RESULT "="
	     EVIDENCE_TCP_SKIPPED);
	L(b, ">>\"" EVIDENCE_TCP "\" echo " EVIDENCE_KEY_DETAIL "=PowerShell "
	     "did not run or wrote nothing");
	L(b, ":tcp_done");
	L(b, ">>\"" EVIDENCE_LOG "\" echo tcp rc=0");
}

/* The zip beside the folder: tar.exe, else Compress-Archive. */
static void zip(struct strbuf *b)
{
	L(b, ">>\"" EVIDENCE_LOG "\" echo done rc=0");
	L(b, "popd");
	L(b, "set \"OPSMGR_OUT=%OUT%\"");
	L(b, "if exist \"%SystemRoot%\\System32\\tar.exe\" \"%SystemRoot%"
	     "\\System32\\tar.exe\" -a -c -f \"%OUT%" EVIDENCE_ZIP_SUFFIX
	     "\" \"%OUT%\" >nul 2>&1");
	L(b, "if not exist \"%OUT%" EVIDENCE_ZIP_SUFFIX "\" powershell "
	     "-NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "
	     "\"Compress-Archive -LiteralPath $env:OPSMGR_OUT -DestinationPath "
	     "($env:OPSMGR_OUT + '" EVIDENCE_ZIP_SUFFIX "')\" >nul 2>&1");
	L(b, "echo.");
	L(b, "echo The evidence is in the folder %OUT%");
	L(b, "if exist \"%OUT%" EVIDENCE_ZIP_SUFFIX "\" goto zip_ok");
	L(b, "echo " COLLECTCMD_MSG_NO_ZIP ".");
	L(b, ">>\"%OUT%\\" EVIDENCE_LOG "\" echo zip rc=1");
	L(b, "goto end");
	L(b, ":zip_ok");
	L(b, "echo and in %OUT%" EVIDENCE_ZIP_SUFFIX ": send it to your support "
	     "engineer.");
	L(b, "goto end");
	L(b, ":exists");
	L(b, "echo %OUT% or %OUT%" EVIDENCE_ZIP_SUFFIX " exists already "
	     "beside " COLLECTCMD_NAME ": move it away and run "
	     COLLECTCMD_NAME " again.");
	Lf(b, "set \"RC=%d\"", COLLECTCMD_EXIT_EXISTS);
	L(b, ":end");
	L(b, "popd");
	L(b, "if not defined NOPAUSE pause");
	L(b, "exit /b %RC%");
}

char *collectcmd_text(const struct collectcmd_in *in, const char **field,
		      char *err, size_t errlen)
{
	const char *f = NULL;
	if (!field)
		field = &f;
	*field = NULL;
	if (check_in(in, field, err, errlen) != 0)
		return NULL;
	struct strbuf b = STRBUF_INIT;
	head(&b, in);
	checks(&b);
	registry(&b);
	stores(&b);
	events_service(&b, in->events > 0 ? in->events
					  : EVIDENCE_EVENTS_DEFAULT);
	computer(&b);
	tcp(&b);
	zip(&b);
	char *text = strbuf_take(&b);
	if (!text)
		snprintf(err, errlen, "out of memory writing " COLLECTCMD_NAME);
	return text;
}
