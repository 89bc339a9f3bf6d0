/*
 * bundle_readme.c - README.txt of the Windows bundle (bundle.h): what each
 * file is, the serial and thumbprints to compare, the one thing to do, and
 * the manual path through MMC for those who prefer clicking, written from
 * the seed's steps (KB 947691, steps 1, 5 and 6).  CRLF, ASCII only.
 */
#include "windows/bundle.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "windows/evidence_layout.h"

/* s with "\n" as CRLF and every other control or non-ASCII byte as '?'
 * (README.txt is ASCII). */
static void put_ascii(struct strbuf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n') {
			strbuf_put(b, "\r\n", 2);
			continue;
		}
		char c = (*p >= 0x20 && *p < 0x7f) ? (char)*p : '?';
		strbuf_put(b, &c, 1);
	}
}

/* printf-like, then every "\n" written as CRLF and the text as ASCII. */
static void line(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void line(struct strbuf *b, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	put_ascii(b, text);
	strbuf_put(b, "\r\n", 2);
	free(text);
}

static void files_part(struct strbuf *b, const struct bundle_in *in)
{
	line(b, "THE FILES");
	line(b, "  %s", BUNDLE_ROOT_NAME);
	line(b, "      the trusted root certificate (DER), for Local Computer >");
	line(b, "      Trusted Root Certification Authorities");
	if (in->root.subject)
		line(b, "      %s", in->root.subject);
	line(b, "      SHA-1 thumbprint %s", in->root.thumbprint);
	for (size_t i = 0; i < in->n_intermediates; i++) {
		char *name = bundle_intermediate_name(i);
		line(b, "  %s", name ? name : "?");
		line(b, "      an intermediate CA certificate (DER), for Local "
		     "Computer >");
		line(b, "      Intermediate Certification Authorities");
		if (in->intermediates[i].subject)
			line(b, "      %s", in->intermediates[i].subject);
		line(b, "      SHA-1 thumbprint %s",
		     in->intermediates[i].thumbprint);
		free(name);
	}
	char *pfx = bundle_pfx_name(in->fqdn);
	line(b, "  %s", pfx ? pfx : "?");
	line(b, "      this computer's certificate and private key, for Local "
	     "Computer >");
	line(b, "      Personal; protected by the export password, which is "
	     "not in this");
	line(b, "      bundle");
	free(pfx);
	line(b, "  %s", BUNDLE_REG_NAME);
	line(b, "      the registry values MOMCertImport sets "
	     "(ChannelCertificateSerialNumber,");
	line(b, "      ChannelCertificateHash)");
	line(b, "  %s", BUNDLE_INSTALL_NAME);
	line(b, "      does all of it, each step checked and logged to "
	     "install.log");
	line(b, "  %s", BUNDLE_COLLECT_NAME);
	line(b, "      if it does not work: run it as Administrator, send the "
	     EVIDENCE_DIR_PREFIX "NAME" EVIDENCE_ZIP_SUFFIX);
	line(b, "      (or folder) it writes to your support engineer; it "
	     "changes nothing and");
	line(b, "      holds no password and no private key");
	line(b, "  %s", BUNDLE_README_NAME);
	line(b, "      this file");
	line(b, "%s", "");
}

static void compare_part(struct strbuf *b, const struct bundle_in *in)
{
	line(b, "TO COMPARE");
	line(b, "  Serial number (certificate dialog, certutil): %s",
	     in->serial_hex);
	line(b, "  Registry order (ChannelCertificateSerialNumber, bytes "
	     "reversed):");
	line(b, "      %s", in->serial_reversed);
	line(b, "  SHA-1 thumbprint (ChannelCertificateHash):");
	line(b, "      %s", in->thumbprint);
	line(b, "  Root SHA-1 thumbprint: %s", in->root.thumbprint);
	if (!in->server_role && in->mgmt_group && in->server) {
		line(b, "  Management group: %s", in->mgmt_group);
		line(b, "  Management server: %s, port %d", in->server,
		     in->port);
	}
	line(b, "%s", "");
}

static void mmc_part(struct strbuf *b, const struct bundle_in *in)
{
	line(b, "BY HAND, INSTEAD OF install.cmd (as Administrator)");
	line(b, "  1. Start > Run > mmc. File > Add/Remove Snap-in > "
	     "Certificates > Add >");
	line(b, "     Computer account > Next > Local computer > Finish > "
	     "OK.");
	line(b, "  2. Trusted Root Certification Authorities > Certificates, "
	     "right-click >");
	line(b, "     All Tasks > Import > Next > Browse: %s > Next > "
	     "Finish.", BUNDLE_ROOT_NAME);
	if (in->n_intermediates)
		line(b, "     Import each intermediate-N.cer the same way "
		     "under\n     Intermediate Certification Authorities.");
	line(b, "  3. Personal > Certificates, right-click > All Tasks > "
	     "Import > Next >");
	line(b, "     Browse (Files of type: Personal Information Exchange): "
	     "the .pfx > Next >");
	line(b, "     type the export password > Next > Finish.  The PFX names "
	     "the");
	line(b, "     \"Microsoft RSA SChannel Cryptographic Provider\" and a "
	     "key-exchange key,");
	line(b, "     so the import puts the key where Operations Manager "
	     "reads it.");
	if (!in->server_role)
		line(b, "  4. Run MOMAgent.msi: Next, accept the folder, type the "
		     "management group,\n     server and port above, "
		     "Install, Finish.");
	line(b, "  %d. Double-click %s (or run MOMCertImport with the .pfx "
	     "from the", in->server_role ? 4 : 5, BUNDLE_REG_NAME);
	line(b, "     SupportTools\\AMD64 folder of the install media).");
	line(b, "  %d. Restart the Microsoft Monitoring Agent "
	     "(HealthService): services.msc,", in->server_role ? 5 : 6);
	line(b, "     or \"net stop HealthService\" then \"net start "
	     "HealthService\".");
	line(b, "  %d. Event Viewer > Applications and Services Logs > "
	     "Operations Manager:", in->server_role ? 6 : 7);
	line(b, "     event 20053 says the certificate was loaded.");
}

char *bundle_readme_text(const struct bundle_in *in)
{
	struct strbuf b = STRBUF_INIT;
	line(&b, "opsmgr-enroll bundle for %s (%s)", in->fqdn,
	     in->server_role ? "management server" : "agent");
	line(&b, "%s", "");
	line(&b, "WHAT TO DO");
	line(&b, "  Copy %s" BUNDLE_SUFFIX ".zip to %s, extract it,", in->fqdn,
	     in->fqdn);
	line(&b, "  right-click %s > Run as administrator.",
	     BUNDLE_INSTALL_NAME);
	line(&b, "  Type the PFX password when certutil asks for it.  Every "
	     "step is logged to");
	line(&b, "  install.log beside install.cmd; a failed step stops "
	     "with a message and its");
	line(&b, "  own exit code.");
	if (!in->server_role)
		line(&b, "  Put MOMAgent.msi beside install.cmd to have the "
		     "agent installed too.");
	else
		line(&b, "  Do the same on every agent with its own bundle: "
		     "both sides need the root.");
	line(&b, "%s", "");
	files_part(&b, in);
	compare_part(&b, in);
	mmc_part(&b, in);
	return strbuf_take(&b);
}
