/*
 * events.c - the Operations Manager events table (events.h): one entry per
 * event opsmgr-facts.md lists or a check in core/diag.h names.
 */
#include "core/events.h"

#define CONN "OpsMgr Connector"

/* Ascending ids; om_event_find() relies on it. */
static const struct om_event EVENTS[] = {
	{ 1210, "HealthService", "new configuration received",
	  "normal after the agent was approved or its configuration changed",
	  "nothing to do", false },
	{ 20000, CONN, "a device outside the management group tried to connect "
	  "(logged on the management server)",
	  "the agent is pending approval or was rejected",
	  "approve the agent in Administration > Pending Management, or set "
	  "manual agent installs to be accepted", false },
	{ 20002, CONN, "a device could not be authenticated",
	  "its certificate is not trusted here or is the wrong one",
	  "import the issuing root on both sides and check the certificate the "
	  "registry points to", false },
	{ 20049, CONN, "the certificate's key usage lacks digitalSignature and "
	  "keyEncipherment",
	  "the certificate template does not set them",
	  "issue a new certificate from a template with key usage "
	  "digitalSignature + keyEncipherment", false },
	{ 20050, CONN, "the certificate lacks Server or Client Authentication "
	  "in its enhanced key usage",
	  "the certificate template lists only one of them",
	  "issue a new certificate from a template with both Server "
	  "Authentication and Client Authentication", true },
	{ 20051, CONN, "the certificate is not valid now",
	  "it expired or is not yet valid, or the clock is wrong",
	  "check the computer's date and time, renew the certificate", false },
	{ 20052, CONN, "the certificate's subject does not match the computer "
	  "name",
	  "the CN is the NetBIOS name where the FQDN is expected, or the first "
	  "DNS name of the SAN differs",
	  "request a certificate whose CN is the computer's FQDN as DNS "
	  "resolves it", true },
	{ 20053, CONN, "the certificate was loaded",
	  "the configured certificate is valid and its key usable",
	  "nothing to do", false },
	{ 20054, CONN, "an internal error occurred loading the certificate",
	  "see the error code in the event",
	  "read the event's error code; import the PFX again", false },
	{ 20057, CONN, "the security context could not be initialised",
	  "SPN, SChannel or firewall problem",
	  "check SChannel and the firewall between agent and server", false },
	{ 20066, CONN, "the configured certificate was not found",
	  "the registry serial matches no certificate in LocalMachine My: "
	  "not reversed, truncated, or the certificate was deleted",
	  "import the PFX into LocalMachine My and import serial.reg again, "
	  "then restart HealthService", true },
	{ 20067, CONN, "the other side's certificate is invalid",
	  "chain, revocation or name problem on the other side",
	  "read the failure code in the event; check the other side's "
	  "certificate and its root here", false },
	{ 20068, CONN, "the certificate has no usable private key",
	  "the key is missing or not a machine key",
	  "import the PFX into the local computer store again, or run "
	  "certutil -repairstore my SERIAL to restore the key link", true },
	{ 20069, CONN, "the private key's KeySpec is not AT_KEYEXCHANGE",
	  "a CNG/KSP key or a signature-only key, which Operations Manager "
	  "does not support",
	  "import the PFX again into the Microsoft RSA SChannel Cryptographic "
	  "Provider as AT_KEYEXCHANGE (install.cmd does)", true },
	{ 20070, CONN, "the connection was closed right after authentication",
	  "the agent is not approved yet (see 20000 on the server)",
	  "approve the agent on the management server", false },
	{ 20071, CONN, "the connection was closed before authentication",
	  "authentication failed, or port 5723 is blocked",
	  "check the certificates on both sides and the firewall to the "
	  "management server's port", true },
	{ 20072, CONN, "the other side's certificate is not trusted",
	  "the issuing root is missing on the other side",
	  "import the issuing root into LocalMachine Root on both computers",
	  false },
	{ 20075, CONN, "no name could be read from the certificate",
	  "neither a first SAN DNS name nor a CN is usable",
	  "request a certificate with CN (and first SAN DNS name) = the FQDN",
	  false },
	{ 20076, CONN, "no name could be read from the other side's "
	  "certificate",
	  "neither a first SAN DNS name nor a CN is usable",
	  "check the other side's certificate subject", false },
	{ 20077, CONN, "the certificate's private key properties could not be "
	  "read",
	  "the key is missing or not a machine key",
	  "import the PFX into the local computer store again", false },
	{ 21001, CONN, "mutual authentication failed",
	  "SPN or trust problem",
	  "check both certificates and their roots", false },
	{ 21006, CONN, "the management server could not be reached",
	  "DNS, firewall, or the server's service is down",
	  "check name resolution and port 5723 to the management server",
	  false },
	{ 21007, CONN, "no mutually authenticated connection could be made "
	  "(not in a trusted domain)",
	  "no certificate or the wrong one is configured",
	  "import the certificate and serial.reg, then restart HealthService",
	  true },
	{ 21016, CONN, "no channel to the management server and no failover "
	  "hosts",
	  "follows 21007, 21006 or 20070",
	  "fix the event logged before it", true },
	{ 21020, CONN, "the certificate is expiring",
	  "its end date is near",
	  "renew the certificate", false },
	{ 21021, CONN, "no certificate was loaded",
	  "the registry serial value is missing",
	  "import serial.reg and restart HealthService", false },
	{ 21022, CONN, "no certificate was specified",
	  "the registry serial value is missing",
	  "import serial.reg and restart HealthService", false },
	{ 21023, CONN, "no configuration yet, requested from the server",
	  "normal after approval",
	  "nothing to do", false },
	{ 21036, CONN, "the certificate's private key cannot be used",
	  "the key is missing or not a machine key",
	  "import the PFX into the local computer store again, or run "
	  "certutil -repairstore my SERIAL", false },
};

const struct om_event *om_event_table(size_t *n)
{
	if (n)
		*n = sizeof(EVENTS) / sizeof(EVENTS[0]);
	return EVENTS;
}

const struct om_event *om_event_find(int id)
{
	size_t lo = 0, hi = sizeof(EVENTS) / sizeof(EVENTS[0]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (EVENTS[mid].id == id)
			return &EVENTS[mid];
		if (EVENTS[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
