/*
 * lab_pages.c - the HTML pages of the lab CA, laid out like the pages a
 * Windows AD CS web-enrollment server sends (shared/fixtures/adcs-pages,
 * shared/docs/certsrv-protocol.md), in the language of the texts given
 * (lab_lang.c).  What a localized server keeps in every language is kept
 * here: the element IDs (locPageTitle, locPendInfo, locDenied,
 * locDispMsg, locDispMsgLabel, ...), the certnew.cer?ReqID=N&amp;Enc=...
 * links, the ReqID form field of the pending page, var nRenewals=N; and
 * the HRESULT codes with their symbolic names; the words between them
 * ("Certificate Pending", "Your Request Id is N.", 'The disposition
 * message is "..."', the advanced-info rows, IIS's 401 and 404 pages)
 * come from the texts.  Every function returns a malloc'd string (NULL
 * when out of memory); the caller frees.
 */
#include "lab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CA_NAME "opsmgr-enroll lab root"

/* The top of every page: three %s, t->html_title, t->adcs, t->home. */
#define HEAD \
	"<HTML>\r\n<Head>\r\n" \
	"    <Meta HTTP-Equiv=\"Content-Type\" Content=\"text/html; " \
	"charset=UTF-8\">\r\n" \
	"    <Meta HTTP-Equiv=\"X-UA-Compatible\" Content=\"IE=7\">\r\n" \
	"    <Title>%s</Title>\r\n" \
	"</Head>\r\n" \
	"<Body BgColor=#FFFFFF Link=#0000FF VLink=#0000FF ALink=#0000FF >" \
	"<Font ID=locPageFont Face=\"Arial\">\r\n" \
	"<Table Border=0 CellSpacing=0 CellPadding=4 Width=100%% " \
	"BgColor=#008080>\r\n<TR>\r\n" \
	"\t<TD><Font Color=#FFFFFF><LocID ID=locMSCertSrv><Font Face=\"Arial\" " \
	"Size=-1><B><I>Microsoft</I></B> %s " \
	"&nbsp;--&nbsp; " CA_NAME " &nbsp;</Font></LocID></Font></TD>\r\n" \
	"\t<TD ID=locHomeAlign Align=Right><A Href=\"/certsrv\"><Font " \
	"Color=#FFFFFF><LocID ID=locHomeLink><Font Face=\"Arial\" Size=-1><B>" \
	"%s</B></Font></LocID></Font></A></TD>\r\n" \
	"</TR>\r\n</Table>\r\n"
#define HEAD_ARGS(t) (t)->html_title, (t)->adcs, (t)->home

#define GREEN_HR \
	"<!-- Green HR --><Table Border=0 CellSpacing=0 CellPadding=0 " \
	"Width=100%%><TR><TD BgColor=#008080><Img Src=\"certspc.gif\" Alt=\"\" " \
	"Height=2 Width=1></TD></TR></Table>\r\n"

#define FOOT \
	"<!-- White HR --><Table Border=0 CellSpacing=0 CellPadding=0 " \
	"Width=100%%><TR><TD BgColor=#FFFFFF><Img Src=\"certspc.gif\" Alt=\"\" " \
	"Height=5 Width=1></TD></TR></Table>\r\n" \
	"</Font>\r\n" \
	"<!-- ############################################################ -->\r\n" \
	"<!-- End of standard text. Scripts follow  -->\r\n"

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

char *lab_page_home(const struct lab_texts *t)
{
	return fmt(HEAD
		   "<P ID=locPageTitle> <B> %s </B>\r\n" GREEN_HR
		   "<P ID=locInfo>%s</P>\r\n"
		   "<P ID=locTasks><B>%s</B><BR>\r\n"
		   "&nbsp;&nbsp;&nbsp;&nbsp;<A Href=\"certrqus.asp\">%s</A><BR>"
		   "\r\n"
		   "&nbsp;&nbsp;&nbsp;&nbsp;<A Href=\"certckpn.asp\">%s</A><BR>"
		   "\r\n"
		   "&nbsp;&nbsp;&nbsp;&nbsp;<A Href=\"certcarc.asp\">%s</A></P>"
		   "\r\n"
		   GREEN_HR FOOT "</Body>\r\n</HTML>\r\n", HEAD_ARGS(t),
		   t->welcome, t->home_info, t->select_task, t->task_request,
		   t->task_pending, t->task_download);
}

/* IIS's error page (401, 404): its header, title and explanation. */
static char *iis_error(const struct lab_texts *t, const char *title,
		       const char *text)
{
	return fmt("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
		   "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\r\n"
		   "<html xmlns=\"http://www.w3.org/1999/xhtml\">\r\n<head>\r\n"
		   "<meta http-equiv=\"Content-Type\" content=\"text/html; "
		   "charset=%s\"/>\r\n"
		   "<title>%s</title>\r\n</head>\r\n<body>\r\n"
		   "<div id=\"header\"><h1>%s</h1></div>\r\n"
		   "<div id=\"content\">\r\n <div class=\"content-container\">"
		   "<fieldset>\r\n"
		   "  <h2>%s</h2>\r\n"
		   "  <h3>%s</h3>\r\n"
		   " </fieldset></div>\r\n</div>\r\n</body>\r\n</html>\r\n",
		   !strcmp(t->code, "en") ? "iso-8859-1" : "utf-8", title,
		   t->server_error, title, text);
}

char *lab_page_unauthorized(const struct lab_texts *t)
{
	return iis_error(t, t->unauth_title, t->unauth_text);
}

char *lab_page_not_found(const struct lab_texts *t)
{
	return iis_error(t, t->notfound_title, t->notfound_text);
}

char *lab_page_certcarc(const struct lab_texts *t, int renewals)
{
	return fmt(HEAD "\r\n<Form Name=UIForm>\r\n"
		   "<P ID=locPageTitle2> <B> %s</B>\r\n" GREEN_HR
		   "<P>\r\n    <LocID ID=locInstallNN>\r\n"
		   "    %s\r\n"
		   "    <A Href=\"certnew.cer?ReqID=CACert&amp;Renewal=%d&amp;"
		   "Mode=inst&amp;Enc=b64\">%s</A>.\r\n"
		   "    </LocID>\r\n<P>\r\n"
		   "<LocID ID=locPrompt>%s</LocID>\r\n"
		   "<Select Size=4 Name=lbCaInstance ID=lbCaID>\r\n"
		   "\t<Option Value=\"%d\" Selected><LocID ID=locCurCertEntry>"
		   "%s</LocID> <LocID ID=locCaNameNoRen1>[" CA_NAME
		   "]</LocID>\r\n</Select>\r\n"
		   "<Input Type=Radio ID=rbDerEnc Name=rbEncoding Checked>"
		   "<Label For=rbDerEnc ID=locDerEnc0>%s</Label>\r\n"
		   "<Input Type=Radio ID=rbB64Enc Name=rbEncoding><Label "
		   "For=rbB64Enc ID=locB64Enc0>%s</Label>\r\n"
		   "<BR>\r\n" GREEN_HR "</Form>\r\n" FOOT
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
		   HEAD_ARGS(t), t->carc_title, t->carc_trust, renewals,
		   t->carc_install, t->carc_prompt, renewals, t->carc_current,
		   t->der, t->b64, renewals);
}

char *lab_page_certrqxt(const struct lab_texts *t)
{
	return fmt(HEAD "<Form Name=UIForm Action=\"certfnsh.asp\" "
		   "Method=Post>\r\n"
		   "<P ID=locPageTitle> <B> %s </B>\r\n" GREEN_HR
		   "<LocID ID=locCertTemplate><B>%s</B></LocID>\r\n"
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
		   GREEN_HR "</Form>\r\n" FOOT "</Body>\r\n</HTML>\r\n",
		   HEAD_ARGS(t), t->rqxt_title, t->rqxt_template);
}

char *lab_page_issued(const struct lab_texts *t, long id)
{
	return fmt(HEAD
		   "<P ID=locPageTitle> <B> %s </B>\r\n" GREEN_HR
		   "<P ID=locInfo> %s</P>\r\n"
		   "<P><Form Name=UIForm>\r\n"
		   "<Table Border=0 CellSpacing=0 CellPadding=0>\r\n"
		   "<TR><TD></TD>\r\n\t<TD><Font ID=locEncFont Face=\"Arial\">"
		   "\r\n\t\t<Input Type=Radio ID=rbDerEnc Name=rbEncoding Checked>"
		   "<Label For=rbDerEnc ID=locDerEnc0>%s</Label>\r\n"
		   "\t\t<LocID ID=locSep0>&nbsp;%s&nbsp;</LocID>\r\n"
		   "\t\t<Input Type=Radio ID=rbB64Enc Name=rbEncoding><Label "
		   "For=rbB64Enc ID=locB64Enc0>%s</Label>\r\n"
		   "\t\t</Font>\r\n\t</TD>\r\n</TR>\r\n"
		   "<TR>\r\n\t<TD><Font ID=locDwnld1Font Face=\"Arial\">\r\n"
		   "\t\t<LocID ID=locDownloadCert1>%s</LocID>"
		   "<A Href=\"certnew.cer?ReqID=%ld&amp;Enc=bin\"><LocID "
		   "ID=locDerEnc1>%s</LocID></A><LocID ID=locSep1> %s "
		   "</LocID><A Href=\"certnew.cer?ReqID=%ld&amp;Enc=b64\"><LocID "
		   "ID=locB64Enc1>%s</LocID></A><BR>\r\n"
		   "\t\t<LocID ID=locDownloadCertChain1>%s</LocID>"
		   "<A Href=\"certnew.p7b?ReqID=%ld&amp;Enc=bin\">"
		   "<LocID ID=locDerEnc2>%s</LocID></A><LocID "
		   "ID=locSep2> %s </LocID><A Href=\"certnew.p7b?ReqID=%ld&amp;"
		   "Enc=b64\"><LocID ID=locB64Enc2>%s</LocID></A>"
		   "\r\n\t\t</Font>\r\n\t</TD>\r\n</TR>\r\n</Table>\r\n</P>\r\n"
		   "</Form>\r\n" GREEN_HR FOOT "</Body>\r\n</HTML>\r\n",
		   HEAD_ARGS(t), t->issued_title, t->issued_info,
		   t->der_encoded, t->or_word, t->b64_encoded,
		   t->download_cert, id, t->der_encoded, t->or_word, id,
		   t->b64_encoded, t->download_chain, id, t->der_encoded,
		   t->or_word, id, t->b64_encoded);
}

char *lab_page_pending(const struct lab_texts *t, long id, int chkpnd)
{
	return fmt(HEAD
		   "<P ID=locPageTitle> <B> %s </B>\r\n" GREEN_HR
		   "<P ID=locPendInfo> %s</P>\r\n"
		   "<P ID=locReqId> %s%ld%s</P>\r\n"
		   "<P ID=locInstructions> %s</P>\r\n"
		   "<P ID=locTimeoutWarning><Font Size=-1><B>%s</B> %s</Font>"
		   "</P>\r\n"
		   "<Form Action=\"certrmpn.asp\" Method=Post>\r\n"
		   "<Input Type=Hidden Name=Action Value=\"rmpn\">\r\n"
		   "<Input Type=Hidden Name=ReqID Value=\"%ld\">\r\n"
		   "</Form>\r\n"
		   GREEN_HR FOOT
		   "<Script Language=\"JavaScript\">\r\n"
		   "\tvar nReqId=%ld;\r\n"
		   "</Script>\r\n</Body>\r\n</HTML>\r\n", HEAD_ARGS(t),
		   t->pending_title, chkpnd ? t->pending_chk : t->pending_new,
		   t->reqid_pre, id, t->reqid_post, t->return_later, t->note,
		   t->note_text, id, id);
}

char *lab_page_denied(const struct lab_texts *t, long id, const char *title,
		      const char *disposition, const char *last_status)
{
	char idline[160] = "";

	if (id > 0)
		snprintf(idline, sizeof(idline),
			 "<P ID=locReqId> %s%ld%s</P>\r\n", t->reqid_pre, id,
			 t->reqid_post);
	return fmt(HEAD
		   "<P ID=locPageTitle> <B> %s </B>\r\n" GREEN_HR
		   "<P ID=locDenied> %s</P>\r\n"
		   "%s"
		   "<P ID=locContactAdmin> %s</P>\r\n"
		   "<!-- Advanced info -->\r\n"
		   "<P><Font Size=-1>\r\n"
		   "<LocID ID=locDispMsg>%s%s%s\r\n"
		   "</LocID><BR>\r\n"
		   "<LocID ID=locLastStat>%s</LocID>\r\n"
		   "</Font></P>\r\n"
		   GREEN_HR FOOT "</Body>\r\n</HTML>\r\n", HEAD_ARGS(t), title,
		   t->denied_info, idline, t->contact_admin, t->dispmsg_pre,
		   disposition, t->dispmsg_post, last_status);
}

/* The Disposition row's value: "5 - (unknown)" as certsrv prints a
 * number its page has no word for, or "(never set)". */
static void disp_row(const struct lab_texts *t, long code, char *out,
		     size_t len)
{
	if (code < 0)
		snprintf(out, len, "<LocID ID=locDispNeverSet>%s</LocID>",
			 t->never_set);
	else
		snprintf(out, len, "%lX <LocID ID=locDispSpacer>-</LocID> "
			 "<LocID ID=locDispUnknown>%s</LocID>", code,
			 t->unknown);
}

char *lab_page_advanced(const struct lab_texts *t, long disp_code,
			const char *disposition, const char *last_status)
{
	char ok[256], code[160];

	lab_hr_status(t, LAB_HR_OK, ok, sizeof(ok));
	disp_row(t, disp_code, code, sizeof(code));
	return fmt(HEAD
		   "<P ID=locPageTitle> <B> %s </B>\r\n" GREEN_HR
		   "<P ID=locContactAdmin>%s\r\n</P>\r\n"
		   "<!-- Advanced info -->\r\n<DL><DD>\r\n\t<DL>\r\n"
		   "\t<DT ID=locModeLabel><Font Size=-1><B>%s</B>"
		   "</Font></DT><DD>\r\n\t\t <LocID ID=locModeSpacer>-</LocID>"
		   "\r\n\t\t\t<LocID ID=locModeCertFetch>%s</LocID>\r\n\t</DD>\r\n"
		   "\t<DT ID=locDispLabel><Font Size=-1><B>%s</B></Font></DT>"
		   "<DD>\r\n\t\t%s\r\n\t</DD>\r\n"
		   "\t<DT ID=locDispMsgLabel><Font Size=-1><B>%s</B></Font></DT>"
		   "<DD>\r\n\t\t%s\r\n\t</DD>\r\n"
		   "\t<DT ID=locResultLabel><Font Size=-1><B>%s</B></Font>"
		   "</DT><DD>\r\n\t\t%s\r\n\t</DD>\r\n"
		   "\t<DT ID=locLastStatLabel><Font Size=-1><B>%s</B>"
		   "</Font></DT><DD>\r\n\t\t%s\r\n\t</DD>\r\n"
		   "\t<DT ID=locSugCauseLabel><Font Size=-1><B>%s"
		   "</B></Font></DT><DD>\r\n\t\t\t<LocID ID=locSugCauseUnknown>"
		   "\r\n\t\t\t%s\r\n\t\t\t</LocID>\r\n"
		   "\t</DD></DL>\r\n</DD></DL>\r\n"
		   GREEN_HR FOOT "</Body>\r\n</HTML>\r\n", HEAD_ARGS(t),
		   t->error_title, t->contact_admin2, t->lbl_mode,
		   t->mode_fetch, t->lbl_dispcode, code, t->lbl_disp,
		   disposition, t->lbl_result, disp_code < 0 ? last_status : ok,
		   t->lbl_laststatus, last_status, t->lbl_sugcause,
		   t->no_suggestions);
}

/* The result behind a denied request. */
static enum lab_hr deny_hr(const struct lab_request *r)
{
	switch (r->deny) {
	case DENY_TEMPLATE:
		return LAB_HR_UNSUPPORTED_TEMPLATE;
	case DENY_NO_TEMPLATE:
		return LAB_HR_NO_TEMPLATE;
	default:
		return LAB_HR_ADMIN_DENIED;
	}
}

void lab_disposition(const struct lab_texts *t, const struct lab_request *r,
		     char *out, size_t len)
{
	enum lab_hr hr = deny_hr(r);

	switch (r->state) {
	case REQ_PENDING:
		snprintf(out, len, "%s", t->disp_pending);
		return;
	case REQ_ISSUED:
		snprintf(out, len, "%s", t->disp_issued);
		return;
	case REQ_REVOKED:
		snprintf(out, len, "%s", t->disp_revoked);
		return;
	case REQ_DENIED:
		break;
	}
	snprintf(out, len, "%s  %s, %s", t->disp_denied_by,
		 LAB_HRESULTS[hr].hex, t->reason[hr]);
}

void lab_last_status(const struct lab_texts *t, const struct lab_request *r,
		     char *out, size_t len)
{
	lab_hr_status(t, r->state == REQ_DENIED ? deny_hr(r) : LAB_HR_OK, out,
		      len);
}

void lab_csr_disposition(const struct lab_texts *t, int bad_signature,
			 char *out, size_t len)
{
	char st[512];

	lab_hr_status(t, bad_signature ? LAB_HR_BAD_SIGNATURE
				       : LAB_HR_ASN1_BADTAG, st, sizeof(st));
	snprintf(out, len, "%s  %s", bad_signature ? t->disp_verify
						   : t->disp_parse, st);
}
