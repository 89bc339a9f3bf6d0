/*
 * events.c - the Operations Manager events table (events.h): one entry per
 * event opsmgr-facts.md lists or a check in core/diag.h names, with its
 * usual causes and the check (`check`'s "stage/id") that decides each.
 */
#include "core/events.h"

#define CONN "OpsMgr Connector"

/* Ascending ids; om_event_find() relies on it. */
static const struct om_event EVENTS[] = {
	{ 1210, "HealthService", "new configuration received",
	  "normal after the agent was approved or its configuration changed",
	  "nothing to do", false,
	  { { "normal: the agent was approved or its configuration changed",
	      NULL, NULL, NULL } } },
	{ 20000, CONN, "a device outside the management group tried to connect "
	  "(logged on the management server)",
	  "the agent is pending approval or was rejected",
	  "approve the agent in Administration > Pending Management, or set "
	  "manual agent installs to be accepted", false,
	  { { "the agent is pending approval in Pending Management",
	      "approval/state", NULL, NULL },
	    { "the agent was rejected, or the server rejects manual installs",
	      "approval/state", NULL, NULL },
	    { "the agent's management group name differs from the server's",
	      "agent/management_group", NULL, NULL } } },
	{ 20002, CONN, "a device could not be authenticated",
	  "its certificate is not trusted here or is the wrong one",
	  "import the issuing root on both sides and check the certificate the "
	  "registry points to", false,
	  { { "its certificate chains to a root this computer does not trust",
	      "verify/chain", "trust/root_store", NULL },
	    { "the issuing root is missing from LocalMachine Root here",
	      "trust/store", "trust/root_store", NULL },
	    { "the registry points to another certificate than the one issued",
	      "serial/serial_match", NULL, NULL } } },
	{ 20049, CONN, "the certificate's key usage lacks digitalSignature and "
	  "keyEncipherment",
	  "the certificate template does not set them",
	  "issue a new certificate from a template with key usage "
	  "digitalSignature + keyEncipherment", false,
	  { { "the template does not set digitalSignature and keyEncipherment",
	      "verify/key_usage", "verify/key_usage", NULL },
	    { "the registry points to an older certificate of another template",
	      "serial/serial_match", NULL, NULL } } },
	{ 20050, CONN, "the certificate lacks Server or Client Authentication "
	  "in its enhanced key usage",
	  "the certificate template lists only one of them",
	  "issue a new certificate from a template with both Server "
	  "Authentication and Client Authentication", true,
	  { { "the template lists only Server or only Client Authentication",
	      "verify/eku", "verify/eku", NULL },
	    { "the registry points to another certificate than the one issued",
	      "serial/serial_match", NULL, NULL } } },
	{ 20051, CONN, "the certificate is not valid now",
	  "it expired or is not yet valid, or the clock is wrong",
	  "check the computer's date and time, renew the certificate", false,
	  { { "the certificate expired", "verify/validity",
	      "verify/validity", "expired" },
	    { "not yet valid: the computer's clock is behind the CA's",
	      "verify/validity", "verify/validity", "not valid yet" },
	    { "the installed certificate is the old one, not the renewed one",
	      "serial/expiry", NULL, NULL } } },
	{ 20052, CONN, "the certificate's subject does not match the computer "
	  "name",
	  "the CN is the NetBIOS name where the FQDN is expected, or the first "
	  "DNS name of the SAN differs",
	  "request a certificate whose CN is the computer's FQDN as DNS "
	  "resolves it", true,
	  { { "the CN is the NetBIOS name where the FQDN is expected",
	      "verify/subject_name", "verify/subject_name", NULL },
	    { "the first DNS name of the SAN differs from the FQDN",
	      "verify/san", "verify/san", NULL },
	    { "the computer's FQDN (its DNS suffix) changed after the request",
	      "request/fqdn_resolve", NULL, NULL } } },
	{ 20053, CONN, "the certificate was loaded",
	  "the configured certificate is valid and its key usable",
	  "nothing to do", false,
	  { { "none: this is the good event", NULL, NULL, NULL } } },
	{ 20054, CONN, "an internal error occurred loading the certificate",
	  "see the error code in the event",
	  "read the event's error code; import the PFX again", false,
	  { { "the event's error code names it: a damaged key container or store",
	      NULL, NULL, NULL },
	    { "the private key does not belong to the certificate",
	      "verify/key_match", NULL, NULL } } },
	{ 20057, CONN, "the security context could not be initialised",
	  "SPN, SChannel or firewall problem",
	  "check SChannel and the firewall between agent and server", false,
	  { { "SChannel cannot use the key: a CNG key or no machine key",
	      "verify/key_type", "serial/key_provider", NULL },
	    { "a firewall or proxy between agent and management server",
	      "approval/tcp", "agent/tcp", NULL },
	    { "no certificate configured, so Kerberos is tried outside the domain",
	      "serial/record", "serial/registry_serial", NULL } } },
	{ 20066, CONN, "the configured certificate was not found",
	  "the registry serial matches no certificate in LocalMachine My: "
	  "not reversed, truncated, or the certificate was deleted",
	  "import the PFX into LocalMachine My and import serial.reg again, "
	  "then restart HealthService", true,
	  { { "the registry serial was written in certificate order, not reversed",
	      "serial/serial_match", "serial/cert_in_store", "not reversed" },
	    { "the registry serial was truncated (a script assuming 19 bytes)",
	      "serial/serial_match", "serial/cert_in_store", "truncated" },
	    { "the certificate was deleted or never imported into LocalMachine My",
	      "serial/install",
	      "serial/cert_in_store", "no certificate in My" } } },
	{ 20067, CONN, "the other side's certificate is invalid",
	  "chain, revocation or name problem on the other side",
	  "read the failure code in the event; check the other side's "
	  "certificate and its root here", false,
	  { { "the other side's chain ends at a root missing here",
	      "trust/store", "trust/root_store", NULL },
	    { "a CRL of the chain is unreachable or lists the certificate",
	      "verify/revocation", NULL, NULL },
	    { "the other side's certificate name is not its FQDN (check it there)",
	      NULL, NULL, NULL } } },
	{ 20068, CONN, "the certificate has no usable private key",
	  "the key is missing or not a machine key",
	  "import the PFX into the local computer store again, or run "
	  "certutil -repairstore my SERIAL to restore the key link", true,
	  { { "the certificate was imported without its private key",
	      "export/reread", "serial/private_key", NULL },
	    { "the key is in the user store, not a machine key",
	      "serial/key_permissions", NULL, NULL },
	    { "the key does not belong to the certificate",
	      "verify/key_match", NULL, NULL } } },
	{ 20069, CONN, "the private key's KeySpec is not AT_KEYEXCHANGE",
	  "a CNG/KSP key or a signature-only key, which Operations Manager "
	  "does not support",
	  "import the PFX again into the Microsoft RSA SChannel Cryptographic "
	  "Provider as AT_KEYEXCHANGE (install.cmd does)", true,
	  { { "the key was imported into a CNG/KSP provider (KeySpec 0)",
	      "verify/key_type", "serial/key_provider", "CNG key" },
	    { "the template makes signature-only keys (KeySpec 2)",
	      "verify/key_type", "serial/key_provider", "AT_SIGNATURE" } } },
	{ 20070, CONN, "the connection was closed right after authentication",
	  "the agent is not approved yet (see 20000 on the server)",
	  "approve the agent on the management server", false,
	  { { "the agent is not approved yet", "approval/state", NULL, NULL },
	    { "approved, but the server has no configuration for it yet",
	      "approval/timeout", NULL, NULL } } },
	{ 20071, CONN, "the connection was closed before authentication",
	  "authentication failed, or port 5723 is blocked",
	  "check the certificates on both sides and the firewall to the "
	  "management server's port", true,
	  { { "the server refused this agent's certificate (EKU, chain, name)",
	      "approval/tls", NULL, NULL },
	    { "this computer does not trust the server's certificate",
	      "trust/store", "trust/root_store", NULL },
	    { "port 5723 is cut after the connection is made",
	      "approval/tcp", "agent/tcp", NULL } } },
	{ 20072, CONN, "the other side's certificate is not trusted",
	  "the issuing root is missing on the other side",
	  "import the issuing root into LocalMachine Root on both computers",
	  false,
	  { { "the issuing root is missing from LocalMachine Root here",
	      "trust/store", "trust/root_store", NULL },
	    { "an intermediate CA certificate of the chain is missing",
	      "verify/chain", "trust/root_store", NULL } } },
	{ 20075, CONN, "no name could be read from the certificate",
	  "neither a first SAN DNS name nor a CN is usable",
	  "request a certificate with CN (and first SAN DNS name) = the FQDN",
	  false,
	  { { "the certificate has neither a CN nor a SAN DNS name",
	      "verify/subject_name", "verify/subject_name", NULL },
	    { "the first SAN entry is not a DNS name", "verify/san",
	      "verify/san", NULL } } },
	{ 20076, CONN, "no name could be read from the other side's "
	  "certificate",
	  "neither a first SAN DNS name nor a CN is usable",
	  "check the other side's certificate subject", false,
	  { { "the other side's certificate has no usable CN or SAN DNS name "
	      "(check it there)",
	      NULL, NULL, NULL } } },
	{ 20077, CONN, "the certificate's private key properties could not be "
	  "read",
	  "the key is missing or not a machine key",
	  "import the PFX into the local computer store again", false,
	  { { "the certificate was imported without its private key",
	      "export/reread", "serial/private_key", NULL },
	    { "the service cannot read the key (not a machine key)",
	      "serial/key_permissions", NULL, NULL } } },
	{ 21001, CONN, "mutual authentication failed",
	  "SPN or trust problem",
	  "check both certificates and their roots", false,
	  { { "the management server does not accept this agent's certificate",
	      "approval/tls", NULL, NULL },
	    { "the issuing root is missing on one side", "trust/store",
	      "trust/root_store", NULL },
	    { "no certificate configured, so an SPN (Kerberos) was tried",
	      "serial/record", "serial/registry_serial", NULL } } },
	{ 21006, CONN, "the management server could not be reached",
	  "DNS, firewall, or the server's service is down",
	  "check name resolution and port 5723 to the management server",
	  false,
	  { { "the management server's name does not resolve", "agent/dns",
	      "agent/tcp", NULL },
	    { "port 5723 is blocked or the server's service is down",
	      "agent/tcp", "agent/tcp", NULL },
	    { "the wrong server or port is configured", "agent/server",
	      "agent/config", NULL } } },
	{ 21007, CONN, "no mutually authenticated connection could be made "
	  "(not in a trusted domain)",
	  "no certificate or the wrong one is configured",
	  "import the certificate and serial.reg, then restart HealthService",
	  true,
	  { { "no certificate configured: the registry serial value is missing",
	      "serial/record", "serial/registry_serial", NULL },
	    { "the registry serial matches no certificate in LocalMachine My",
	      "serial/serial_match", "serial/cert_in_store", NULL },
	    { "the management server refuses the certificate configured",
	      "approval/tls", NULL, NULL },
	    { "the certificate configured cannot be read", "verify/parse",
	      "verify/parse", NULL } } },
	{ 21016, CONN, "no channel to the management server and no failover "
	  "hosts",
	  "follows 21007, 21006 or 20070",
	  "fix the event logged before it", true,
	  { { "21007 before it: the certificate", "approval/tls",
	      "serial/cert_in_store", NULL },
	    { "21006 before it: name resolution or the port", "approval/tcp",
	      "agent/tcp", NULL },
	    { "20070 before it: the agent is not approved",
	      "approval/state", NULL, NULL } } },
	{ 21020, CONN, "the certificate is expiring",
	  "its end date is near",
	  "renew the certificate", false,
	  { { "the certificate's end date is near", "verify/expiry",
	      "verify/expiry", NULL },
	    { "a renewed certificate exists but the registry still names the old one",
	      "serial/serial_match", NULL, NULL } } },
	{ 21021, CONN, "no certificate was loaded",
	  "the registry serial value is missing",
	  "import serial.reg and restart HealthService", false,
	  { { "the registry serial value is missing", "serial/record",
	      "serial/registry_serial", NULL },
	    { "the certificate named has no usable private key",
	      "serial/key_permissions", "serial/private_key", NULL } } },
	{ 21022, CONN, "no certificate was specified",
	  "the registry serial value is missing",
	  "import serial.reg and restart HealthService", false,
	  { { "the registry serial value is missing", "serial/record",
	      "serial/registry_serial", NULL },
	    { "serial.reg was not imported, or into another registry path",
	      "serial/reg_file", "serial/registry_serial", NULL } } },
	{ 21023, CONN, "no configuration yet, requested from the server",
	  "normal after approval",
	  "nothing to do", false,
	  { { "normal after approval: the configuration follows",
	      "approval/state", NULL, NULL } } },
	{ 21036, CONN, "the certificate's private key cannot be used",
	  "the key is missing or not a machine key",
	  "import the PFX into the local computer store again, or run "
	  "certutil -repairstore my SERIAL", false,
	  { { "the service cannot read the key (not a machine key)",
	      "serial/key_permissions", NULL, NULL },
	    { "the key does not belong to the certificate",
	      "verify/key_match", NULL, NULL } } },
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
