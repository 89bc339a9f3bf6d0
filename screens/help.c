/*
 * help.c - the F1 help pages, one per screen, in plain words: what the step
 * does, why Operations Manager needs it, what usually goes wrong.  Written
 * from KB 947691 (monitoring a workgroup computer without a gateway) and
 * the Operations Manager facts in the project docs.  help_show() pages
 * through one of them.
 */
#include "help.h"

#include <string.h>

#include "frame.h"

static const char *const TITLES[STAGE_COUNT + 1] = {
	"Help: welcome",
	"Help: 1 Trust root",
	"Help: 2 Request",
	"Help: 3 Verify",
	"Help: 4 Export",
	"Help: 5 Install agent",
	"Help: 6 Import serial",
	"Help: 7 Await approval",
	"Help: summary",
};

static const char *const TEXTS[STAGE_COUNT + 1] = {
	/* welcome */
	"What this does\n"
	"This wizard enrolls a computer that is not in the management server's "
	"Active Directory domain (a workgroup or perimeter-network computer) in "
	"System Center Operations Manager, using certificates instead of "
	"Kerberos. It replaces the manual steps of KB 947691: import the CA "
	"root, request a certificate, check it, export it to a PFX, install the "
	"agent, run MOMCertImport, and approve the agent.\n"
	"\n"
	"Why\n"
	"Without a domain trust the agent and the management server cannot use "
	"Kerberos for mutual authentication. Each side must present a "
	"certificate that the other trusts, or the agent logs event 21007 "
	"(\"cannot create a mutually authenticated connection\") and 21016 (no "
	"communication channel).\n"
	"\n"
	"Role\n"
	"agent: this computer will run the monitoring agent. management server: "
	"prepare the server's own certificate; the agent installation stage is "
	"skipped and the last stage lists pending agents.\n"
	"\n"
	"Resume\n"
	"Progress is saved after every step. \"Continue\" picks up where you "
	"left, including a certificate request that is still pending at the CA. "
	"\"Start over\" moves the saved state aside (it is never deleted). "
	"\"Diagnose\" runs every check on the existing setup and shows what is "
	"wrong with the fix for each problem.",

	/* 1 trust */
	"What this step does\n"
	"It fetches the certificate chain of your certification authority (from "
	"its web enrollment pages, a file such as certnew.p7b, or a URL), shows "
	"every certificate with its SHA-1 thumbprint (what Windows shows) and "
	"SHA-256 fingerprint, and stores the self-signed root in this tool's "
	"trust store once you confirm it.\n"
	"\n"
	"Why Operations Manager needs it\n"
	"The agent and the management server only accept each other's "
	"certificates when both trust the same root. On Windows the root goes "
	"into Local Computer > Trusted Root Certification Authorities on both "
	"sides; a missing root on either side gives event 20072 (remote "
	"certificate not trusted) or 21007.\n"
	"\n"
	"What usually goes wrong\n"
	"- The file is not a certificate (an HTML error page saved as .p7b).\n"
	"- The chain has no self-signed root: download the whole chain, not "
	"just the issuing CA.\n"
	"- The root is expired, or is not marked as a CA.\n"
	"- A pinned fingerprint ([trust] sha256) does not match: someone may be "
	"in the middle; compare the thumbprint with the CA administrator.\n"
	"Compare the thumbprint on screen with the one your CA administrator "
	"gives you before you press y.",

	/* 2 request */
	"What this step does\n"
	"It creates an RSA key on this computer (saved with mode 0600 before "
	"anything is sent), builds a certificate request with CN and DNS name "
	"set to the computer's FQDN and both Server and Client Authentication "
	"usages, and submits it to the CA's web enrollment pages (/certsrv) "
	"with the template you name.\n"
	"\n"
	"Why Operations Manager needs it\n"
	"The agent proves who it is with this certificate. Its subject must be "
	"the name the management server knows the computer by, normally the "
	"FQDN as it appears in DNS, and it must carry both Server and Client "
	"Authentication (1.3.6.1.5.5.7.3.1 and .3.2).\n"
	"\n"
	"Fields\n"
	"Template is the template NAME, not its display name: \"OpsMgr\", not "
	"\"Ops Mgr\". A space in it is almost always a mistake.\n"
	"Mode: \"submit\" talks to the CA now. Without a network path to the "
	"CA, \"save CSR\" writes the request to a file you take to the CA "
	"(advanced certificate request); when it is issued, come back, press "
	"e and choose \"import cert\" with the .cer or .p7b file.\n"
	"\n"
	"What usually goes wrong\n"
	"- Wrong user or password: the CA answers 401; the error shows at the "
	"password field.\n"
	"- Unknown template: the CA denies the request; use the template "
	"published on that CA.\n"
	"- TLS failure: import the CA root first (stage 1) or fix the URL.\n"
	"- Pending: the CA holds the request for a manager's approval. The "
	"request ID is saved; choose \"check again\" later, or leave and run "
	"the wizard again - it resumes without sending a second request.\n"
	"- Denied: the CA's own message is shown; ask the CA administrator.",

	/* 3 verify */
	"What this step does\n"
	"It checks the issued certificate the way the Operations Manager agent "
	"will: parseable, private key present and matching, subject equal to "
	"the FQDN, SAN, both EKUs, key usage, RSA key size, validity, chain to "
	"the trusted root, signature hash and (optionally) revocation.\n"
	"\n"
	"Each line is PASS, WARN or FAIL. Select a line with the arrow keys to "
	"read its fix and the Operations Manager event the problem leads to.\n"
	"\n"
	"Why\n"
	"A certificate that looks fine in a browser can still be refused by the "
	"agent: a missing Client Authentication usage gives event 20050, a key "
	"without a usable private key 20068, a name mismatch 21007.\n"
	"\n"
	"What usually goes wrong\n"
	"- The wrong template (e.g. WebServer) gives only Server "
	"Authentication.\n"
	"- The subject is the short (NetBIOS) name: some guides do this; it "
	"works only if the management server uses that name, so it is a "
	"warning.\n"
	"FAIL blocks the next step; WARN lines need your confirmation.",

	/* 4 export */
	"What this step does\n"
	"It writes the certificate, its private key and the chain into a "
	"password-protected PKCS#12 (.pfx) file, mode 0600, then reads the file "
	"back with the password to prove key and certificate match.\n"
	"\n"
	"Why Operations Manager needs it\n"
	"MOMCertImport and the Windows certificate store import a PFX. The key "
	"is marked for the \"Microsoft RSA SChannel Cryptographic Provider\" "
	"and the machine key set, which the agent requires (event 20069 "
	"otherwise).\n"
	"\n"
	"Compatibility\n"
	"modern: AES-256 and SHA-256, for Windows Server 2019, Windows 10 1709 "
	"and later. legacy: 3DES and SHA-1, for older Windows, which otherwise "
	"says \"The password you entered is incorrect\" even when it is right.\n"
	"\n"
	"What usually goes wrong\n"
	"- The two passwords differ.\n"
	"- The file exists: you are asked before it is replaced.\n"
	"- modern chosen for Windows Server 2016 or older.",

	/* 5 agent */
	"What this step does\n"
	"It checks that the management server's name resolves and that its port "
	"(5723 by default) accepts a TCP connection, writes the agent "
	"configuration, and runs the installer command if one is configured, "
	"showing its output. For a Windows target it saves the silent "
	"MOMAgent.msi command line.\n"
	"\n"
	"Why\n"
	"The agent is installed manually (not pushed from the console), with "
	"the management group name, the server and the port given explicitly.\n"
	"\n"
	"What usually goes wrong\n"
	"- The management group name has characters Operations Manager does "
	"not allow, e.g. ( ) . : ; or a leading space. It cannot be changed "
	"later.\n"
	"- The server name does not resolve from this computer (use the FQDN, "
	"or a hosts entry).\n"
	"- Port 5723 is blocked by a firewall or the service is down: event "
	"21006.",

	/* 6 serial */
	"What this step does\n"
	"It does what MOMCertImport does: installs the certificate and key "
	"where the agent reads them, records the certificate's serial number - "
	"as printed and in the reversed byte order the Windows registry value "
	"ChannelCertificateSerialNumber uses - writes a .reg file for Windows "
	"targets, and restarts the agent service if a command is configured.\n"
	"\n"
	"Why\n"
	"The agent finds its certificate by that serial number. A wrong or "
	"missing value gives event 20066 (certificate not found) or 21021/21022 "
	"(no certificate loaded).\n"
	"\n"
	"What usually goes wrong\n"
	"- The agent is not configured yet: finish stage 5 first.\n"
	"- Hand-written scripts assume a fixed serial length; serials vary and "
	"may start with a 00 byte. The bytes are reversed, not the hex "
	"digits.\n"
	"- A renewed certificate has a new serial: import it again.",

	/* 7 approval */
	"What this step does\n"
	"It watches the connection to the management server: name resolution, "
	"a TCP connection, a mutually authenticated TLS handshake with the "
	"exported certificate, and then whether the agent is pending or "
	"approved. It polls with growing pauses and uses no CPU while waiting.\n"
	"\n"
	"Why\n"
	"A manually installed agent waits in Pending Management until an "
	"administrator approves it (unless the server auto-approves). That can "
	"take minutes; the docs say up to an hour.\n"
	"\n"
	"The administrator runs, in the Operations Manager Shell:\n"
	"Get-SCOMPendingManagement | Where-Object {$_.AgentName -eq '<fqdn>'} "
	"| Approve-SCOMPendingManagement\n"
	"\n"
	"Esc leaves; run the wizard again later and it resumes here.\n"
	"\n"
	"What usually goes wrong\n"
	"- 21006: the server cannot be reached (DNS, firewall, service).\n"
	"- 21007: the handshake fails - the root is missing on one side or the "
	"certificate is wrong.\n"
	"- 20070: the connection closes right after authentication - the agent "
	"is not approved yet.",

	/* summary */
	"What you have now\n"
	"The files listed: the private key and certificate, the PFX, the agent "
	"configuration, and the serial number as the registry stores it.\n"
	"\n"
	"On the Windows side (if this computer prepared the files for one)\n"
	"- Import the root into Local Computer > Trusted Root Certification "
	"Authorities.\n"
	"- Import the PFX into Local Computer > Personal.\n"
	"- Install MOMAgent.msi with the saved command line.\n"
	"- Run MOMCertImport with the PFX (or import the saved .reg file) and "
	"restart the Microsoft Monitoring Agent (HealthService).\n"
	"- Repeat the certificate steps on the management server.\n"
	"Press s to save this summary as a text report.",
};

const char *help_title(int screen)
{
	if (screen < 0 || screen > STAGE_COUNT)
		screen = 0;
	return TITLES[screen];
}

const char *help_text(int screen)
{
	if (screen < 0 || screen > STAGE_COUNT)
		screen = 0;
	return TEXTS[screen];
}

enum nav help_show(struct ui *ui, int screen)
{
	static const struct keyhint keys[] = {
		{ ACT_UP, ACT_DOWN, "Scroll" }, { ACT_BACK, ACT_NONE, "Close help" },
		{ ACT_QUIT, ACT_NONE, NULL },
	};
	int first = 0;
	const char *text = help_text(screen);

	for (;;) {
		struct rect in = ui->lay.inner;
		int starts[400], lens[400], n;
		enum action act;
		wint_t ch;
		int r;

		if (ui->lay.too_small) {
			frame_too_small(ui);
		} else {
			frame_draw(ui, help_title(screen),
				   (struct keyline){ KC_HELP, keys, 3 });
			n = layout_wrap(text, in.w, 400, starts, lens);
			if (n > 400)
				n = 400;
			if (first > n - in.h)
				first = n - in.h;
			if (first < 0)
				first = 0;
			for (int i = 0; i < in.h && first + i < n; i++) {
				char line[512];
				int l = lens[first + i];
				if (l > (int)sizeof(line) - 1)
					l = (int)sizeof(line) - 1;
				memcpy(line, text + starts[first + i], (size_t)l);
				line[l] = 0;
				theme_put(stdscr, in.y + i, in.x, line, in.w);
			}
			curs_set(0);
			refresh();
		}
		r = ui_getkey(ui, &ch);
		act = keymap_action(r, ch, KC_HELP);
		if (act == ACT_QUIT)
			return NAV_QUIT;
		if (act == ACT_BACK)
			return NAV_STAY;
		if (ui_scroll(act, &first))
			continue;
		if (r == KEY_CODE_YES && ch == KEY_NPAGE)
			first += in.h - 1;
		else if (r == KEY_CODE_YES && ch == KEY_PPAGE)
			first = first > in.h ? first - in.h + 1 : 0;
	}
}
