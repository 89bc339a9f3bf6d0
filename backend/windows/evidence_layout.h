/*
 * evidence_layout.h - the one home of the evidence folder's layout: what
 * collect.cmd (windows/collectcmd.c, issue 17) writes on a Windows computer
 * and what `opsmgr-enroll check --evidence DIR|ZIP` reads back.  Both sides
 * use these names; nothing else spells them.
 *
 * The folder (EVIDENCE_DIR_PREFIX + the computer's NetBIOS name, beside
 * collect.cmd unless /out names another) holds the files below; the zip
 * (the folder's name + EVIDENCE_ZIP_SUFFIX, beside the folder) holds the
 * same files under one top-level folder.  A reader finds a file by its base
 * name at the zip's root or under one top folder, with '/' or '\' as the
 * separator (PowerShell 5's Compress-Archive writes '\').  Any file may be
 * missing (the tool failed or the agent is not installed): collect.log says
 * why, and the reader reports it per file.
 *
 * Which Windows tool writes which file (Microsoft's syntax is cited where
 * the script is written, windows/collectcmd.c):
 */
#ifndef OPSMGR_EVIDENCE_LAYOUT_H
#define OPSMGR_EVIDENCE_LAYOUT_H

#define EVIDENCE_DIR_PREFIX "evidence-"
#define EVIDENCE_ZIP_SUFFIX ".zip"

/* `reg export "HKLM\SOFTWARE\Microsoft\Microsoft Operations Manager\3.0\
 * Machine Settings" FILE /y`: UTF-16LE with a BOM, CRLF, "Windows Registry
 * Editor Version 5.00", long hex: values wrapped with ",\" + CRLF + two
 * blanks.  ChannelCertificateSerialNumber (hex:, reversed serial bytes),
 * ChannelCertificateHash (REG_SZ). */
#define EVIDENCE_MACHINE_SETTINGS_REG "machine-settings.reg"
/* `reg export "HKLM\...\3.0\Agent Management Groups"` (same format): per
 * group, "Parent Health Services\0" NetworkName (REG_SZ) and Port
 * (dword:). */
#define EVIDENCE_GROUPS_REG "agent-groups.reg"
/* `reg export "HKLM\SYSTEM\CurrentControlSet\Services\HealthService\
 * Parameters\Management Groups"` (same format): the service's own view of
 * its management groups. */
#define EVIDENCE_SERVICE_GROUPS_REG "service-groups.reg"

/* `certutil -v -store My` (LocalMachine\My), its text output as certutil
 * prints it (the console's OEM code page). */
#define EVIDENCE_STORE_MY "store-my.txt"
/* `certutil -store Root` and `certutil -store CA` (LocalMachine). */
#define EVIDENCE_STORE_ROOT "store-root.txt"
#define EVIDENCE_STORE_CA "store-ca.txt"
/* Every certificate of LocalMachine\My as DER, written by
 * `certutil -store My INDEX FILE` for INDEX = 0, 1, ... until certutil
 * fails: EVIDENCE_CERTS_DIR "\" EVIDENCE_CERT_PREFIX INDEX
 * EVIDENCE_CERT_SUFFIX, e.g. certs\my-0.cer.  Certificates only, never a
 * key. */
#define EVIDENCE_CERTS_DIR "certs"
#define EVIDENCE_CERT_PREFIX "my-"
#define EVIDENCE_CERT_SUFFIX ".cer"

/* `wevtutil qe "Operations Manager" /c:N /rd:true /f:xml`: the last N
 * events, newest first, as a sequence of <Event> elements with no root
 * element around them (wevtutil prints them so).  N is
 * EVIDENCE_EVENTS_DEFAULT unless /events N was given. */
#define EVIDENCE_EVENTS_XML "events.xml"
#define EVIDENCE_EVENTS_LOG "Operations Manager"
#define EVIDENCE_EVENTS_DEFAULT 500

/* `sc qc HealthService` and `sc query HealthService` as sc prints them. */
#define EVIDENCE_SC_QC "sc-qc.txt"
#define EVIDENCE_SC_QUERY "sc-query.txt"
#define EVIDENCE_SERVICE "HealthService"

/* The computer's names, ASCII lines "key=value" (CRLF), keys below; a
 * value may be empty.  fqdn = hostname "." domain from HKLM\SYSTEM\
 * CurrentControlSet\Services\Tcpip\Parameters (Hostname, Domain: the names
 * Windows registers in DNS), or the hostname alone when domain is empty. */
#define EVIDENCE_COMPUTER "computer.txt"
#define EVIDENCE_KEY_COMPUTERNAME "computername"
#define EVIDENCE_KEY_HOSTNAME "hostname"
#define EVIDENCE_KEY_DOMAIN "domain"
#define EVIDENCE_KEY_FQDN "fqdn"

/* The TCP test of the management server's port, ASCII "key=value" lines:
 * server=, port= (from collect-script --server/--port, else the first
 * group's NetworkName/Port in the registry), result= one of the values
 * below, detail= the tool's message (may be empty). */
#define EVIDENCE_TCP "tcp.txt"
#define EVIDENCE_KEY_SERVER "server"
#define EVIDENCE_KEY_PORT "port"
#define EVIDENCE_KEY_RESULT "result"
#define EVIDENCE_KEY_DETAIL "detail"
#define EVIDENCE_TCP_OPEN "open"         /* connected */
#define EVIDENCE_TCP_FAILED "failed"     /* refused, timed out, no name */
#define EVIDENCE_TCP_SKIPPED "skipped"   /* no server known, or no tool */

/* What the script did: one line per step, "STEP rc=N" with the tool's
 * exit code (ASCII, CRLF; "certs rc=0 N certificates"), steps
 * machine-settings, agent-groups, service-groups, store-my, store-root,
 * store-ca, certs, events, sc-qc, sc-query, computer, tcp; then
 * "done rc=0"; then, only when no zip could be made, "zip rc=1" (in the
 * folder's copy: the zip holds the log as it was before). */
#define EVIDENCE_LOG "collect.log"

#endif
