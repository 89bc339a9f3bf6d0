/*
 * lab_lang.c - the lab CA's words in English, German, French and Chinese
 * (lab_lang.h): the texts a Windows AD CS web-enrollment server and its
 * IIS show in that language, written for the lab (structure, element IDs
 * and HRESULT codes are the same in every language and live elsewhere).
 * The English texts are the ones real clients match (certsrv-protocol.md).
 */
#include "lab_lang.h"

#include <stdio.h>
#include <strings.h>

const struct lab_hresult LAB_HRESULTS[LAB_HR_COUNT] = {
	[LAB_HR_OK] = { "0x0", "(WIN32: 0)" },
	[LAB_HR_UNSUPPORTED_TEMPLATE] =
		{ "0x80094800", "(-2146875392 CERTSRV_E_UNSUPPORTED_CERT_TYPE)" },
	[LAB_HR_NO_TEMPLATE] =
		{ "0x80094801", "(-2146875391 CERTSRV_E_NO_CERT_TYPE)" },
	[LAB_HR_ADMIN_DENIED] =
		{ "0x80094014", "(-2146877420 CERTSRV_E_ADMIN_DENIED_REQUEST)" },
	[LAB_HR_PROPERTY_EMPTY] =
		{ "0x80094004", "(-2146877436 CERTSRV_E_PROPERTY_EMPTY)" },
	[LAB_HR_BAD_PARAMETER] =
		{ "0x80070057", "(WIN32: 87 ERROR_INVALID_PARAMETER)" },
	[LAB_HR_ASN1_BADTAG] =
		{ "0x8009310b", "(ASN: 267 CRYPT_E_ASN1_BADTAG)" },
	[LAB_HR_BAD_SIGNATURE] =
		{ "0x80096004", "(-2146869244 TRUST_E_CERT_SIGNATURE)" },
};

static const struct lab_texts EN = {
	.code = "en",
	.html_title = "Microsoft Active Directory Certificate Services",
	.adcs = "Active Directory Certificate Services",
	.home = "Home",
	.welcome = "Welcome",
	.home_info = "Use this Web site to request a certificate for your Web "
		"browser, e-mail client, or other program. By using a "
		"certificate, you can verify your identity to people you "
		"communicate with over the Web, sign and encrypt messages, and, "
		"depending upon the type of certificate you request, perform "
		"other security tasks.",
	.select_task = "Select a task:",
	.task_request = "Request a certificate",
	.task_pending = "View the status of a pending certificate request",
	.task_download = "Download a CA certificate, certificate chain, or CRL",
	.carc_title = "Download a CA Certificate, Certificate Chain, or CRL",
	.carc_trust = "To trust certificates issued from this certification "
		"authority,",
	.carc_install = "install this CA certificate",
	.carc_prompt = "To download a CA certificate, certificate chain, or "
		"CRL, select the certificate and encoding method.",
	.carc_current = "Current",
	.der = "DER",
	.b64 = "Base 64",
	.rqxt_title = "Submit a Certificate Request or Renewal Request",
	.rqxt_template = "Certificate Template:",
	.issued_title = "Certificate Issued",
	.issued_info = "The certificate you requested was issued to you.",
	.der_encoded = "DER encoded",
	.b64_encoded = "Base 64 encoded",
	.or_word = "or",
	.download_cert = "Download certificate: ",
	.download_chain = "Download certificate chain: ",
	.pending_title = "Certificate Pending",
	.pending_new = "Your certificate request has been received. However, "
		"you must wait for an administrator to issue the certificate "
		"you requested.",
	.pending_chk = "Your certificate request is still pending. You must "
		"wait for an administrator to issue the certificate you "
		"requested.",
	.reqid_pre = "Your Request Id is ",
	.reqid_post = ".",
	.return_later = "Please return to this web site in a day or two to "
		"retrieve your certificate.",
	.note = "Note:",
	.note_text = "You must use this web browser within 10 days to "
		"retrieve your certificate",
	.denied_title = "Certificate Request Denied",
	.error_title = "Error",
	.denied_info = "Your certificate request was denied.",
	.contact_admin = "Contact your administrator for further information.",
	.dispmsg_pre = "The disposition message is \"",
	.dispmsg_post = "\".",
	.contact_admin2 = "Contact your administrator for further assistance.",
	.lbl_mode = "Request Mode:",
	.mode_fetch = "(certnew.cer/certnew.p7b/certcrl.crl certificate/crl "
		"fetch)",
	.lbl_dispcode = "Disposition:",
	.never_set = "(never set)",
	.unknown = "(unknown)",
	.lbl_disp = "Disposition message:",
	.lbl_result = "Result:",
	.lbl_laststatus = "LastStatus:",
	.lbl_sugcause = "Suggested Cause:",
	.no_suggestions = "No suggestions.",
	.disp_pending = "Taken Under Submission",
	.disp_issued = "Issued",
	.disp_revoked = "Revoked",
	.disp_denied_by = "Denied by Policy Module",
	.disp_parse = "Error Parsing Request",
	.disp_verify = "Error Verifying Request Signature or signing "
		"certificate",
	.reason = {
		[LAB_HR_OK] = "The operation completed successfully.",
		[LAB_HR_UNSUPPORTED_TEMPLATE] = "The request was for a "
			"certificate template that is not supported.",
		[LAB_HR_NO_TEMPLATE] = "The request contains no certificate "
			"template information.",
		[LAB_HR_ADMIN_DENIED] = "The request was denied by a "
			"certificate manager or CA administrator.",
		[LAB_HR_PROPERTY_EMPTY] = "The requested property value is "
			"empty.",
		[LAB_HR_BAD_PARAMETER] = "The parameter is incorrect.",
		[LAB_HR_ASN1_BADTAG] = "ASN1 bad tag value met.",
		[LAB_HR_BAD_SIGNATURE] = "The signature of the certificate "
			"cannot be verified.",
	},
	.status = {
		[LAB_HR_UNSUPPORTED_TEMPLATE] = "The request was for a "
			"certificate template that is not supported by the "
			"Active Directory Certificate Services policy: "
			"CERTSRV_E_UNSUPPORTED_CERT_TYPE.",
	},
	.server_error = "Server Error",
	.unauth_title = "401 - Unauthorized: Access is denied due to invalid "
		"credentials.",
	.unauth_text = "You do not have permission to view this directory or "
		"page using the credentials that you supplied.",
	.notfound_title = "404 - File or directory not found.",
	.notfound_text = "The resource you are looking for might have been "
		"removed, had its name changed, or is temporarily "
		"unavailable.",
};

static const struct lab_texts DE = {
	.code = "de",
	.html_title = "Microsoft Active Directory-Zertifikatdienste",
	.adcs = "Active Directory-Zertifikatdienste",
	.home = "Startseite",
	.welcome = "Willkommen",
	.home_info = "Verwenden Sie diese Website, um ein Zertifikat für "
		"Ihren Webbrowser, Ihr E-Mail-Programm oder ein anderes "
		"Programm anzufordern. Mit einem Zertifikat können Sie Ihre "
		"Identität gegenüber Personen nachweisen, mit denen Sie über "
		"das Web kommunizieren, Nachrichten signieren und "
		"verschlüsseln und, je nach angefordertem Zertifikattyp, "
		"weitere Sicherheitsaufgaben ausführen.",
	.select_task = "Wählen Sie eine Aufgabe:",
	.task_request = "Ein Zertifikat anfordern",
	.task_pending = "Status einer ausstehenden Zertifikatanforderung "
		"anzeigen",
	.task_download = "Download eines Zertifizierungsstellenzertifikats, "
		"einer Zertifikatkette oder einer Sperrliste",
	.carc_title = "Download eines Zertifizierungsstellenzertifikats, "
		"einer Zertifikatkette oder einer Sperrliste",
	.carc_trust = "Um Zertifikaten dieser Zertifizierungsstelle zu "
		"vertrauen,",
	.carc_install = "installieren Sie dieses "
		"Zertifizierungsstellenzertifikat",
	.carc_prompt = "Wählen Sie das Zertifikat und die Codierungsmethode "
		"aus, um ein Zertifizierungsstellenzertifikat, eine "
		"Zertifikatkette oder eine Sperrliste herunterzuladen.",
	.carc_current = "Aktuell",
	.der = "DER",
	.b64 = "Base 64",
	.rqxt_title = "Zertifikatanforderung oder Verlängerungsanforderung "
		"einreichen",
	.rqxt_template = "Zertifikatvorlage:",
	.issued_title = "Zertifikat wurde ausgestellt",
	.issued_info = "Das angeforderte Zertifikat wurde für Sie "
		"ausgestellt.",
	.der_encoded = "DER-codiert",
	.b64_encoded = "Base 64-codiert",
	.or_word = "oder",
	.download_cert = "Zertifikat herunterladen: ",
	.download_chain = "Zertifikatkette herunterladen: ",
	.pending_title = "Zertifikat ausstehend",
	.pending_new = "Ihre Zertifikatanforderung wurde empfangen. Sie "
		"müssen jedoch warten, bis ein Administrator das angeforderte "
		"Zertifikat ausstellt.",
	.pending_chk = "Ihre Zertifikatanforderung steht noch aus. Sie müssen "
		"warten, bis ein Administrator das angeforderte Zertifikat "
		"ausstellt.",
	.reqid_pre = "Ihre Anforderungs-ID lautet ",
	.reqid_post = ".",
	.return_later = "Kehren Sie in ein oder zwei Tagen zu dieser Website "
		"zurück, um Ihr Zertifikat abzurufen.",
	.note = "Hinweis:",
	.note_text = "Sie müssen Ihr Zertifikat innerhalb von 10 Tagen mit "
		"diesem Webbrowser abrufen",
	.denied_title = "Zertifikatanforderung wurde verweigert",
	.error_title = "Fehler",
	.denied_info = "Ihre Zertifikatanforderung wurde verweigert.",
	.contact_admin = "Wenden Sie sich an den Administrator, um weitere "
		"Informationen zu erhalten.",
	.dispmsg_pre = "Die Dispositionsmeldung lautet \"",
	.dispmsg_post = "\".",
	.contact_admin2 = "Wenden Sie sich an den Administrator, um weitere "
		"Unterstützung zu erhalten.",
	.lbl_mode = "Anforderungsmodus:",
	.mode_fetch = "(certnew.cer/certnew.p7b/certcrl.crl Abruf von "
		"Zertifikat/Sperrliste)",
	.lbl_dispcode = "Disposition:",
	.never_set = "(nie festgelegt)",
	.unknown = "(unbekannt)",
	.lbl_disp = "Dispositionsmeldung:",
	.lbl_result = "Ergebnis:",
	.lbl_laststatus = "Letzter Status:",
	.lbl_sugcause = "Mögliche Ursache:",
	.no_suggestions = "Keine Vorschläge.",
	.disp_pending = "Zur Bearbeitung angenommen",
	.disp_issued = "Ausgestellt",
	.disp_revoked = "Gesperrt",
	.disp_denied_by = "Vom Richtlinienmodul verweigert",
	.disp_parse = "Fehler beim Analysieren der Anforderung",
	.disp_verify = "Fehler beim Überprüfen der Anforderungssignatur oder "
		"des Signaturzertifikats",
	.reason = {
		[LAB_HR_OK] = "Der Vorgang wurde erfolgreich beendet.",
		[LAB_HR_UNSUPPORTED_TEMPLATE] = "Die Anforderung bezog sich "
			"auf eine Zertifikatvorlage, die nicht unterstützt "
			"wird.",
		[LAB_HR_NO_TEMPLATE] = "Die Anforderung enthält keine "
			"Informationen zur Zertifikatvorlage.",
		[LAB_HR_ADMIN_DENIED] = "Die Anforderung wurde von einer "
			"Zertifikatverwaltung oder einem "
			"Zertifizierungsstellenadministrator verweigert.",
		[LAB_HR_PROPERTY_EMPTY] = "Der angeforderte Eigenschaftswert "
			"ist leer.",
		[LAB_HR_BAD_PARAMETER] = "Falscher Parameter.",
		[LAB_HR_ASN1_BADTAG] = "Ungültiger ASN1-Tagwert gefunden.",
		[LAB_HR_BAD_SIGNATURE] = "Die Signatur des Zertifikats kann "
			"nicht überprüft werden.",
	},
	.status = {
		[LAB_HR_UNSUPPORTED_TEMPLATE] = "Die Anforderung bezog sich "
			"auf eine Zertifikatvorlage, die von der Richtlinie der "
			"Active Directory-Zertifikatdienste nicht unterstützt "
			"wird: CERTSRV_E_UNSUPPORTED_CERT_TYPE.",
	},
	.server_error = "Serverfehler",
	.unauth_title = "401 - Nicht autorisiert: Zugriff aufgrund ungültiger "
		"Anmeldeinformationen verweigert.",
	.unauth_text = "Sie sind nicht berechtigt, dieses Verzeichnis bzw. "
		"diese Seite mit den von Ihnen angegebenen "
		"Anmeldeinformationen anzuzeigen.",
	.notfound_title = "404 - Datei oder Verzeichnis wurde nicht gefunden.",
	.notfound_text = "Die gesuchte Ressource wurde möglicherweise "
		"entfernt oder umbenannt, oder sie ist vorübergehend nicht "
		"verfügbar.",
};

static const struct lab_texts FR = {
	.code = "fr",
	.html_title = "Services de certificats Active Directory Microsoft",
	.adcs = "Services de certificats Active Directory",
	.home = "Accueil",
	.welcome = "Bienvenue",
	.home_info = "Utilisez ce site Web pour demander un certificat pour "
		"votre navigateur Web, votre client de messagerie ou un autre "
		"programme. En utilisant un certificat, vous pouvez confirmer "
		"votre identité auprès des personnes avec lesquelles vous "
		"communiquez sur le Web, signer et chiffrer des messages et, "
		"selon le type de certificat demandé, effectuer d'autres "
		"tâches de sécurité.",
	.select_task = "Sélectionnez une tâche :",
	.task_request = "Demander un certificat",
	.task_pending = "Afficher le statut d'une requête de certificat en "
		"attente",
	.task_download = "Télécharger un certificat d'autorité de "
		"certification, une chaîne de certificats ou une liste de "
		"révocation de certificats",
	.carc_title = "Télécharger un certificat d'autorité de certification, "
		"une chaîne de certificats ou une liste de révocation de "
		"certificats",
	.carc_trust = "Pour approuver les certificats émis par cette autorité "
		"de certification,",
	.carc_install = "installez ce certificat d'autorité de certification",
	.carc_prompt = "Pour télécharger un certificat d'autorité de "
		"certification, une chaîne de certificats ou une liste de "
		"révocation, sélectionnez le certificat et la méthode de "
		"codage.",
	.carc_current = "Actuel",
	.der = "DER",
	.b64 = "Base 64",
	.rqxt_title = "Soumettre une demande de certificat ou une demande de "
		"renouvellement",
	.rqxt_template = "Modèle de certificat :",
	.issued_title = "Certificat émis",
	.issued_info = "Le certificat que vous avez demandé vous a été "
		"délivré.",
	.der_encoded = "codé DER",
	.b64_encoded = "codé en base 64",
	.or_word = "ou",
	.download_cert = "Télécharger le certificat : ",
	.download_chain = "Télécharger la chaîne de certificats : ",
	.pending_title = "Certificat en attente",
	.pending_new = "Votre demande de certificat a été reçue. Cependant, "
		"vous devez attendre qu'un administrateur émette le "
		"certificat que vous avez demandé.",
	.pending_chk = "Votre demande de certificat est toujours en attente. "
		"Vous devez attendre qu'un administrateur émette le "
		"certificat que vous avez demandé.",
	.reqid_pre = "Votre ID de demande est ",
	.reqid_post = ".",
	.return_later = "Revenez sur ce site Web dans un jour ou deux pour "
		"récupérer votre certificat.",
	.note = "Remarque :",
	.note_text = "Vous devez utiliser ce navigateur Web dans un délai de "
		"10 jours pour récupérer votre certificat",
	.denied_title = "Demande de certificat refusée",
	.error_title = "Erreur",
	.denied_info = "Votre demande de certificat a été refusée.",
	.contact_admin = "Contactez votre administrateur pour plus "
		"d'informations.",
	.dispmsg_pre = "Le message de décision est \"",
	.dispmsg_post = "\".",
	.contact_admin2 = "Contactez votre administrateur pour obtenir de "
		"l'aide.",
	.lbl_mode = "Mode de demande :",
	.mode_fetch = "(certnew.cer/certnew.p7b/certcrl.crl récupération de "
		"certificat/liste de révocation)",
	.lbl_dispcode = "Décision :",
	.never_set = "(jamais définie)",
	.unknown = "(inconnue)",
	.lbl_disp = "Message de décision :",
	.lbl_result = "Résultat :",
	.lbl_laststatus = "Dernier statut :",
	.lbl_sugcause = "Cause possible :",
	.no_suggestions = "Aucune suggestion.",
	.disp_pending = "Prise en charge à la soumission",
	.disp_issued = "Émis",
	.disp_revoked = "Révoqué",
	.disp_denied_by = "Refusé par le module de stratégie",
	.disp_parse = "Erreur lors de l'analyse de la demande",
	.disp_verify = "Erreur lors de la vérification de la signature de la "
		"demande ou du certificat de signature",
	.reason = {
		[LAB_HR_OK] = "L'opération a réussi.",
		[LAB_HR_UNSUPPORTED_TEMPLATE] = "La demande portait sur un "
			"modèle de certificat qui n'est pas pris en charge.",
		[LAB_HR_NO_TEMPLATE] = "La demande ne contient aucune "
			"information de modèle de certificat.",
		[LAB_HR_ADMIN_DENIED] = "La demande a été refusée par un "
			"gestionnaire de certificats ou un administrateur "
			"d'autorité de certification.",
		[LAB_HR_PROPERTY_EMPTY] = "La valeur de la propriété "
			"demandée est vide.",
		[LAB_HR_BAD_PARAMETER] = "Paramètre incorrect.",
		[LAB_HR_ASN1_BADTAG] = "Valeur de balise ASN1 incorrecte "
			"rencontrée.",
		[LAB_HR_BAD_SIGNATURE] = "La signature du certificat ne peut "
			"pas être vérifiée.",
	},
	.status = {
		[LAB_HR_UNSUPPORTED_TEMPLATE] = "La demande portait sur un "
			"modèle de certificat qui n'est pas pris en charge par "
			"la stratégie des services de certificats Active "
			"Directory : CERTSRV_E_UNSUPPORTED_CERT_TYPE.",
	},
	.server_error = "Erreur du serveur",
	.unauth_title = "401 - Non autorisé : accès refusé en raison "
		"d'informations d'identification non valides.",
	.unauth_text = "Vous n'êtes pas autorisé à afficher ce répertoire ou "
		"cette page avec les informations d'identification que vous "
		"avez fournies.",
	.notfound_title = "404 - Fichier ou répertoire introuvable.",
	.notfound_text = "La ressource que vous recherchez a peut-être été "
		"supprimée ou renommée, ou elle est temporairement "
		"indisponible.",
};

static const struct lab_texts ZH = {
	.code = "zh",
	.html_title = "Microsoft Active Directory 证书服务",
	.adcs = "Active Directory 证书服务",
	.home = "主页",
	.welcome = "欢迎使用",
	.home_info = "使用此网站为你的 Web 浏览器、电子邮件客户端或其他程序"
		"申请证书。通过使用证书，你可以向通过 Web 与你通信的人确认你的"
		"身份、对邮件进行签名和加密，并根据你申请的证书类型执行其他安全"
		"任务。",
	.select_task = "选择一个任务:",
	.task_request = "申请证书",
	.task_pending = "查看挂起的证书申请的状态",
	.task_download = "下载 CA 证书、证书链或 CRL",
	.carc_title = "下载 CA 证书、证书链或 CRL",
	.carc_trust = "若要信任由此证书颁发机构颁发的证书，",
	.carc_install = "请安装此 CA 证书",
	.carc_prompt = "若要下载 CA 证书、证书链或 CRL，请选择证书和编码方法。",
	.carc_current = "当前",
	.der = "DER",
	.b64 = "Base 64",
	.rqxt_title = "提交证书申请或续订申请",
	.rqxt_template = "证书模板:",
	.issued_title = "证书已颁发",
	.issued_info = "你申请的证书已颁发给你。",
	.der_encoded = "DER 编码",
	.b64_encoded = "Base 64 编码",
	.or_word = "或",
	.download_cert = "下载证书: ",
	.download_chain = "下载证书链: ",
	.pending_title = "证书挂起",
	.pending_new = "已收到你的证书申请。但是，你必须等待管理员颁发你申请的"
		"证书。",
	.pending_chk = "你的证书申请仍处于挂起状态。你必须等待管理员颁发你申请"
		"的证书。",
	.reqid_pre = "你的申请 ID 为 ",
	.reqid_post = "。",
	.return_later = "请在一两天后返回此网站检索你的证书。",
	.note = "注意:",
	.note_text = "你必须在 10 天内使用此 Web 浏览器检索你的证书",
	.denied_title = "证书申请被拒绝",
	.error_title = "错误",
	.denied_info = "你的证书申请被拒绝。",
	.contact_admin = "有关详细信息，请与管理员联系。",
	.dispmsg_pre = "处理消息为 \"",
	.dispmsg_post = "\"。",
	.contact_admin2 = "请与管理员联系以获得进一步帮助。",
	.lbl_mode = "申请模式:",
	.mode_fetch = "(certnew.cer/certnew.p7b/certcrl.crl 证书/CRL 获取)",
	.lbl_dispcode = "处理:",
	.never_set = "(从未设置)",
	.unknown = "(未知)",
	.lbl_disp = "处理消息:",
	.lbl_result = "结果:",
	.lbl_laststatus = "上次状态:",
	.lbl_sugcause = "建议的原因:",
	.no_suggestions = "没有建议。",
	.disp_pending = "已接受提交",
	.disp_issued = "已颁发",
	.disp_revoked = "已吊销",
	.disp_denied_by = "被策略模块拒绝",
	.disp_parse = "分析申请时出错",
	.disp_verify = "验证申请签名或签名证书时出错",
	.reason = {
		[LAB_HR_OK] = "操作成功完成。",
		[LAB_HR_UNSUPPORTED_TEMPLATE] = "申请的证书模板不受支持。",
		[LAB_HR_NO_TEMPLATE] = "申请中不包含证书模板信息。",
		[LAB_HR_ADMIN_DENIED] = "申请被证书管理员或 CA 管理员拒绝。",
		[LAB_HR_PROPERTY_EMPTY] = "请求的属性值为空。",
		[LAB_HR_BAD_PARAMETER] = "参数错误。",
		[LAB_HR_ASN1_BADTAG] = "遇到错误的 ASN1 标记值。",
		[LAB_HR_BAD_SIGNATURE] = "无法验证证书的签名。",
	},
	.status = {
		[LAB_HR_UNSUPPORTED_TEMPLATE] = "申请的证书模板不受 Active "
			"Directory 证书服务策略支持: "
			"CERTSRV_E_UNSUPPORTED_CERT_TYPE。",
	},
	.server_error = "服务器错误",
	.unauth_title = "401 - 未授权: 由于凭据无效，访问被拒绝。",
	.unauth_text = "你无权使用所提供的凭据查看此目录或页面。",
	.notfound_title = "404 - 找不到文件或目录。",
	.notfound_text = "你要查找的资源可能已被删除、已更改名称或者暂时不可"
		"用。",
};

static const struct lab_texts *const ALL[LAB_LANG_COUNT] = {
	[LAB_LANG_EN] = &EN,
	[LAB_LANG_DE] = &DE,
	[LAB_LANG_FR] = &FR,
	[LAB_LANG_ZH] = &ZH,
};

const struct lab_texts *lab_texts_of(enum lab_lang l)
{
	return (unsigned)l < LAB_LANG_COUNT ? ALL[l] : &EN;
}

int lab_lang_parse(const char *name, enum lab_lang *out)
{
	for (unsigned i = 0; name && i < LAB_LANG_COUNT; i++)
		if (!strcasecmp(name, ALL[i]->code)) {
			*out = (enum lab_lang)i;
			return 0;
		}
	return -1;
}

void lab_hr_status(const struct lab_texts *t, enum lab_hr hr, char *out,
		   size_t len)
{
	const char *prose = t->status[hr] ? t->status[hr] : t->reason[hr];

	snprintf(out, len, "%s %s %s", prose, LAB_HRESULTS[hr].hex,
		 LAB_HRESULTS[hr].detail);
}
