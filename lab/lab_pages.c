/*
 * lab_pages.c - the HTML pages of the lab CA, laid out like the pages a
 * Windows AD CS web-enrollment server sends (shared/fixtures/adcs-pages,
 * shared/docs/certsrv-protocol.md): the element IDs (locPageTitle,
 * locInfo, ...), the certnew.cer?ReqID=N&amp;Enc=... links, "Certificate
 * Pending" + "Your Request Id is N.", 'The disposition message is "..."',
 * the advanced-info layout ("Disposition message:" row, value after two
 * tabs), var nRenewals=N; and IIS's 401 page.  Every function returns a
 * malloc'd string (NULL when out of memory); the caller frees.
 */
#include "lab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CA_NAME "opsmgr-enroll lab root"

static const char head[] =
	"<HTML>\r\n<Head>\r\n"
	"    <Meta HTTP-Equiv=\"Content-Type\" Content=\"text/html; "
	"charset=UTF-8\">\r\n"
	"    <Meta HTTP-Equiv=\"X-UA-Compatible\" Content=\"IE=7\">\r\n"
	"    <Title>Microsoft Active Directory Certificate Services</Title>\r\n"
	"</Head>\r\n"
	"<Body BgColor=#FFFFFF Link=#0000FF VLink=#0000FF ALink=#0000FF >"
	"<Font ID=locPageFont Face=\"Arial\">\r\n"
	"<Table Border=0 CellSpacing=0 CellPadding=4 Width=100% "
	"BgColor=#008080>\r\n<TR>\r\n"
	"\t<TD><Font Color=#FFFFFF><LocID ID=locMSCertSrv><Font Face=\"Arial\" "
	"Size=-1><B><I>Microsoft</I></B> Active Directory Certificate Services "
	"&nbsp;--&nbsp; " CA_NAME " &nbsp;</Font></LocID></Font></TD>\r\n"
	"\t<TD ID=locHomeAlign Align=Right><A Href=\"/certsrv\"><Font "
	"Color=#FFFFFF><LocID ID=locHomeLink><Font Face=\"Arial\" Size=-1><B>"
	"Home</B></Font></LocID></Font></A></TD>\r\n"
	"</TR>\r\n</Table>\r\n";

static const char green_hr[] =
	"<!-- Green HR --><Table Border=0 CellSpacing=0 CellPadding=0 "
	"Width=100%><TR><TD BgColor=#008080><Img Src=\"certspc.gif\" Alt=\"\" "
	"Height=2 Width=1></TD></TR></Table>\r\n";

static const char foot[] =
	"<!-- White HR --><Table Border=0 CellSpacing=0 CellPadding=0 "
	"Width=100%><TR><TD BgColor=#FFFFFF><Img Src=\"certspc.gif\" Alt=\"\" "
	"Height=5 Width=1></TD></TR></Table>\r\n"
	"</Font>\r\n"
	"<!-- ############################################################ -->\r\n"
	"<!-- End of standard text. Scripts follow  -->\r\n";

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, f);
	n = vasprintf(&s, f, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

char *lab_page_home(void)
{
	return fmt("%s"
		   "<P ID=locPageTitle> <B> Welcome </B>\r\n%s"
		   "<P ID=locInfo>Use this Web site to request a certificate for "
		   "your Web browser, e-mail client, or other program. By using "
		   "a certificate, you can verify your identity to people you "
		   "communicate with over the Web, sign and encrypt messages, "
		   "and, depending upon the type of certificate you request, "
		   "perform other security tasks.</P>\r\n"
		   "<P ID=locTasks><B>Select a task:</B><BR>\r\n"
		   "&nbsp;&nbsp;&nbsp;&nbsp;<A Href=\"certrqus.asp\">Request a "
		   "certificate</A><BR>\r\n"
		   "&nbsp;&nbsp;&nbsp;&nbsp;<A Href=\"certckpn.asp\">View the "
		   "status of a pending certificate request</A><BR>\r\n"
		   "&nbsp;&nbsp;&nbsp;&nbsp;<A Href=\"certcarc.asp\">Download a "
		   "CA certificate, certificate chain, or CRL</A></P>\r\n"
		   "%s%s</Body>\r\n</HTML>\r\n", head, green_hr, green_hr, foot);
}

char *lab_page_unauthorized(void)
{
	return strdup(
		"<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
		"\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\r\n"
		"<html xmlns=\"http://www.w3.org/1999/xhtml\">\r\n<head>\r\n"
		"<meta http-equiv=\"Content-Type\" content=\"text/html; "
		"charset=iso-8859-1\"/>\r\n"
		"<title>401 - Unauthorized: Access is denied due to invalid "
		"credentials.</title>\r\n</head>\r\n<body>\r\n"
		"<div id=\"header\"><h1>Server Error</h1></div>\r\n"
		"<div id=\"content\">\r\n <div class=\"content-container\">"
		"<fieldset>\r\n"
		"  <h2>401 - Unauthorized: Access is denied due to invalid "
		"credentials.</h2>\r\n"
		"  <h3>You do not have permission to view this directory or page "
		"using the credentials that you supplied.</h3>\r\n"
		" </fieldset></div>\r\n</div>\r\n</body>\r\n</html>\r\n");
}

char *lab_page_not_found(void)
{
	return strdup(
		"<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
		"\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\r\n"
		"<html xmlns=\"http://www.w3.org/1999/xhtml\">\r\n<head>\r\n"
		"<title>404 - File or directory not found.</title>\r\n"
		"</head>\r\n<body>\r\n"
		"<div id=\"header\"><h1>Server Error</h1></div>\r\n"
		"<div id=\"content\">\r\n <div class=\"content-container\">"
		"<fieldset>\r\n"
		"  <h2>404 - File or directory not found.</h2>\r\n"
		"  <h3>The resource you are looking for might have been removed, "
		"had its name changed, or is temporarily unavailable.</h3>\r\n"
		" </fieldset></div>\r\n</div>\r\n</body>\r\n</html>\r\n");
}

char *lab_page_certcarc(int renewals)
{
	return fmt("%s\r\n<Form Name=UIForm>\r\n"
		   "<P ID=locPageTitle2> <B> Download a CA Certificate, "
		   "Certificate Chain, or CRL</B>\r\n%s"
		   "<P>\r\n    <LocID ID=locInstallNN>\r\n"
		   "    To trust certificates issued from this certification "
		   "authority,\r\n"
		   "    <A Href=\"certnew.cer?ReqID=CACert&amp;Renewal=%d&amp;"
		   "Mode=inst&amp;Enc=b64\">install this CA certificate</A>.\r\n"
		   "    </LocID>\r\n<P>\r\n"
		   "<LocID ID=locPrompt>To download a CA certificate, "
		   "certificate chain, or CRL, select the certificate and "
		   "encoding method.</LocID>\r\n"
		   "<Select Size=4 Name=lbCaInstance ID=lbCaID>\r\n"
		   "\t<Option Value=\"%d\" Selected><LocID ID=locCurCertEntry>"
		   "Current</LocID> <LocID ID=locCaNameNoRen1>[" CA_NAME
		   "]</LocID>\r\n</Select>\r\n"
		   "<Input Type=Radio ID=rbDerEnc Name=rbEncoding Checked>"
		   "<Label For=rbDerEnc ID=locDerEnc0>DER</Label>\r\n"
		   "<Input Type=Radio ID=rbB64Enc Name=rbEncoding><Label "
		   "For=rbB64Enc ID=locB64Enc0>Base 64</Label>\r\n"
		   "<BR>\r\n%s</Form>\r\n%s"
		   "<Script Language=\"JavaScript\">\r\n"
		   "\tvar nRenewals=%d;\r\n"
		   "\tvar sCAName=\"" CA_NAME "\";\r\n"
		   "\tfunction getEncoding() {\r\n"
		   "\t\tif (true==document.UIForm.rbB64Enc.checked) "
		   "{ return \"Enc=b64\"; } else { return \"Enc=bin\"; }\r\n"
		   "\t}\r\n"
		   "\tfunction handleGetCert() {\r\n"
		   "\t\tlocation=\"certnew.cer?ReqID=CACert&Renewal=\"+"
		   "nRenewals+\"&\"+getEncoding();\r\n\t}\r\n"
		   "\tfunction handleGetChain() {\r\n"
		   "\t\tlocation=\"certnew.p7b?ReqID=CACert&Renewal=\"+"
		   "nRenewals+\"&\"+getEncoding();\r\n\t}\r\n"
		   "\tfunction handleGetBaseCrl() {\r\n"
		   "\t\tlocation=\"certcrl.crl?Type=base&Renewal=\"+"
		   "nRenewals+\"&\"+getEncoding();\r\n\t}\r\n"
		   "</Script>\r\n</Body>\r\n</HTML>\r\n",
		   head, green_hr, renewals, renewals, green_hr, foot,
		   renewals);
}

char *lab_page_certrqxt(void)
{
	return fmt("%s<Form Name=UIForm Action=\"certfnsh.asp\" "
		   "Method=Post>\r\n"
		   "<P ID=locPageTitle> <B> Submit a Certificate Request or "
		   "Renewal Request </B>\r\n%s"
		   "<LocID ID=locCertTemplate><B>Certificate Template:</B>"
		   "</LocID>\r\n"
		   "<Select Name=lbCertTemplate ID=lbCertTemplateID>\r\n"
		   "<Option Value=\"E;OpsMgr;1;0;0;OpsMgr\">OpsMgr</Option>\r\n"
		   "<Option Value=\"E;OpsMgrManual;1;0;0;OpsMgrManual\">"
		   "OpsMgrManual</Option>\r\n"
		   "<Option Value=\"E;WebServer;1;0;0;Web Server\">Web Server"
		   "</Option>\r\n"
		   "</Select>\r\n"
		   "<TextArea Name=CertRequest ID=locTaRequest Rows=10 Cols=64>"
		   "</TextArea>\r\n"
		   "<Input Type=Hidden Name=Mode Value=\"newreq\">\r\n"
		   "<Input Type=Hidden Name=CertAttrib Value=\"\">\r\n"
		   "<Input Type=Hidden Name=FriendlyType Value=\"\">\r\n"
		   "<Input Type=Hidden Name=TargetStoreFlags Value=\"0\">\r\n"
		   "<Input Type=Hidden Name=SaveCert Value=\"yes\">\r\n"
		   "%s</Form>\r\n%s</Body>\r\n</HTML>\r\n",
		   head, green_hr, green_hr, foot);
}

char *lab_page_issued(long id)
{
	return fmt("%s"
		   "<P ID=locPageTitle> <B> Certificate Issued </B>\r\n%s"
		   "<P ID=locInfo> The certificate you requested was issued to "
		   "you.</P>\r\n"
		   "<P><Form Name=UIForm>\r\n"
		   "<Table Border=0 CellSpacing=0 CellPadding=0>\r\n"
		   "<TR><TD></TD>\r\n\t<TD><Font ID=locEncFont Face=\"Arial\">"
		   "\r\n\t\t<Input Type=Radio ID=rbDerEnc Name=rbEncoding Checked>"
		   "<Label For=rbDerEnc ID=locDerEnc0>DER encoded</Label>\r\n"
		   "\t\t<LocID ID=locSep0>&nbsp;or&nbsp;</LocID>\r\n"
		   "\t\t<Input Type=Radio ID=rbB64Enc Name=rbEncoding><Label "
		   "For=rbB64Enc ID=locB64Enc0>Base 64 encoded</Label>\r\n"
		   "\t\t</Font>\r\n\t</TD>\r\n</TR>\r\n"
		   "<TR>\r\n\t<TD><Font ID=locDwnld1Font Face=\"Arial\">\r\n"
		   "\t\t<LocID ID=locDownloadCert1>Download certificate: </LocID>"
		   "<A Href=\"certnew.cer?ReqID=%ld&amp;Enc=bin\"><LocID "
		   "ID=locDerEnc1>DER Encoded</LocID></A><LocID ID=locSep1> or "
		   "</LocID><A Href=\"certnew.cer?ReqID=%ld&amp;Enc=b64\"><LocID "
		   "ID=locB64Enc1>Base 64 encoded</LocID></A><BR>\r\n"
		   "\t\t<LocID ID=locDownloadCertChain1>Download certificate "
		   "chain: </LocID><A Href=\"certnew.p7b?ReqID=%ld&amp;Enc=bin\">"
		   "<LocID ID=locDerEnc2>DER Encoded</LocID></A><LocID "
		   "ID=locSep2> or </LocID><A Href=\"certnew.p7b?ReqID=%ld&amp;"
		   "Enc=b64\"><LocID ID=locB64Enc2>Base 64 encoded</LocID></A>"
		   "\r\n\t\t</Font>\r\n\t</TD>\r\n</TR>\r\n</Table>\r\n</P>\r\n"
		   "</Form>\r\n%s%s</Body>\r\n</HTML>\r\n",
		   head, green_hr, id, id, id, id, green_hr, foot);
}

char *lab_page_pending(long id)
{
	return fmt("%s"
		   "<P ID=locPageTitle> <B> Certificate Pending </B>\r\n%s"
		   "<P ID=locInfo1> Your certificate request has been received. "
		   "However, you must wait for an administrator to issue the "
		   "certificate you requested.</P>\r\n"
		   "<P ID=locInfo2> Your Request Id is %ld.</P>\r\n"
		   "<P ID=locInfo3> Please return to this web site in a day or "
		   "two to retrieve your certificate.</P>\r\n"
		   "<P ID=locInfo4> <B>Note:</B> You must use this web browser "
		   "within 10 days to retrieve your certificate</P>\r\n"
		   "%s%s</Body>\r\n</HTML>\r\n", head, green_hr, id, green_hr,
		   foot);
}

char *lab_page_denied(long id, const char *title, const char *disposition,
		      const char *last_status)
{
	char idline[96] = "";

	if (id > 0)
		snprintf(idline, sizeof(idline),
			 "<P ID=locReqId> Your Request Id is %ld.</P>\r\n", id);
	return fmt("%s"
		   "<P ID=locPageTitle> <B> %s </B>\r\n%s"
		   "<P ID=locDenied> Your certificate request was denied.</P>\r\n"
		   "%s"
		   "<P ID=locContactAdmin> Contact your administrator for "
		   "further information.</P>\r\n"
		   "<!-- Advanced info -->\r\n"
		   "<P><Font Size=-1>\r\n"
		   "<LocID ID=locDispMsg>The disposition message is \"%s\".\r\n"
		   "</LocID><BR>\r\n"
		   "<LocID ID=locLastStat>%s</LocID>\r\n"
		   "</Font></P>\r\n"
		   "%s%s</Body>\r\n</HTML>\r\n", head, title, green_hr, idline,
		   disposition, last_status, green_hr, foot);
}

char *lab_page_advanced(const char *disposition, const char *last_status)
{
	return fmt("%s"
		   "<P ID=locPageTitle> <B> Error </B>\r\n%s"
		   "<P ID=locContactAdmin>Contact your administrator for further "
		   "assistance.\r\n</P>\r\n"
		   "<!-- Advanced info -->\r\n<DL><DD>\r\n\t<DL>\r\n"
		   "\t<DT ID=locModeLabel><Font Size=-1><B>Request Mode:</B>"
		   "</Font></DT><DD>\r\n\t\t <LocID ID=locModeSpacer>-</LocID>"
		   "\r\n\t\t\t<LocID ID=locModeCertFetch>(certnew.cer/certnew.p7b"
		   "/certcrl.crl certificate/crl fetch)</LocID>\r\n\t</DD>\r\n"
		   "\t<DT ID=locDispMsgLabel><Font Size=-1><B>Disposition "
		   "message:</B></Font></DT><DD>\r\n\t\t%s\r\n\t</DD>\r\n"
		   "\t<DT ID=locResultLabel><Font Size=-1><B>Result:</B></Font>"
		   "</DT><DD>\r\n\t\tThe operation completed successfully. 0x0 "
		   "(WIN32: 0)\r\n\t</DD>\r\n"
		   "\t<DT ID=locLastStatLabel><Font Size=-1><B>LastStatus:</B>"
		   "</Font></DT><DD>\r\n\t\t%s\r\n\t</DD>\r\n"
		   "\t<DT ID=locSugCauseLabel><Font Size=-1><B>Suggested Cause:"
		   "</B></Font></DT><DD>\r\n\t\t\t<LocID ID=locSugCauseUnknown>"
		   "\r\n\t\t\tNo suggestions.\r\n\t\t\t</LocID>\r\n"
		   "\t</DD></DL>\r\n</DD></DL>\r\n"
		   "%s%s</Body>\r\n</HTML>\r\n", head, green_hr, disposition,
		   last_status, green_hr, foot);
}

const char *lab_disposition(const struct lab_request *r)
{
	switch (r->state) {
	case REQ_PENDING:
		return "Taken Under Submission";
	case REQ_ISSUED:
		return "Issued";
	case REQ_REVOKED:
		return "Revoked";
	case REQ_DENIED:
		break;
	}
	switch (r->deny) {
	case DENY_TEMPLATE:
		return "Denied by Policy Module  0x80094800, The request was for "
		       "a certificate template that is not supported.";
	case DENY_NO_TEMPLATE:
		return "Denied by Policy Module  0x80094801, The request "
		       "contains no certificate template information.";
	default:
		return "Denied by Policy Module  0x80094014, The request was "
		       "denied by a certificate manager or CA administrator.";
	}
}

const char *lab_last_status(const struct lab_request *r)
{
	if (r->state != REQ_DENIED)
		return "The operation completed successfully. 0x0 (WIN32: 0)";
	switch (r->deny) {
	case DENY_TEMPLATE:
		return "The request was for a certificate template that is not "
		       "supported by the Active Directory Certificate Services "
		       "policy: CERTSRV_E_UNSUPPORTED_CERT_TYPE. 0x80094800 "
		       "(-2146875392 CERTSRV_E_UNSUPPORTED_CERT_TYPE)";
	case DENY_NO_TEMPLATE:
		return "The request contains no certificate template "
		       "information. 0x80094801 (-2146875391 "
		       "CERTSRV_E_NO_CERT_TYPE)";
	default:
		return "The request was denied by a certificate manager or CA "
		       "administrator. 0x80094014 (-2146877420 "
		       "CERTSRV_E_ADMIN_DENIED_REQUEST)";
	}
}
