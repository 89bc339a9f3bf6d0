/*
 * lab_load.c - enrollments per second the lab's CA serves to parallel
 * clients (issue 9, figure 6).  Each client thread enrolls in a loop for a
 * fixed time the way the wizard does: a new connection (own TLS
 * handshake), POST certfnsh.asp Mode=newreq with a CSR for template
 * OpsMgr, then GET certnew.cer?ReqID=N&Enc=b64 on the same connection.
 * An enrollment counts when the certificate came back.
 *
 *   lab_load CA_URL USER PASSWORD_FILE ROOT_PEM THREADS SECONDS
 *
 * (The password is read from its file, never taken from argv.)  Prints
 * "issued failed elapsed_s issued_per_s".  Exits 1 when nothing could be
 * issued or setup failed, 2 on usage.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

struct job {
	const char *url, *userpwd, *root;
	char *form;          /* the POST body, URL-encoded CSR included */
	double deadline;
	long issued, failed;
	char err[256];
};

struct buf {
	char *p;
	size_t n;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t collect(char *d, size_t sz, size_t nm, void *ud)
{
	struct buf *b = ud;
	size_t n = sz * nm;
	char *q = realloc(b->p, b->n + n + 1);
	if (!q)
		return 0;
	memcpy(q + b->n, d, n);
	b->n += n;
	q[b->n] = 0;
	b->p = q;
	return n;
}

/* A CSR (PEM) for fqdn with the SAN and EKUs stage 2 puts in. */
static char *make_csr(const char *fqdn)
{
	EVP_PKEY *key = NULL;
	X509_REQ *req = X509_REQ_new();
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
	char *pem = NULL;
	char san[300];
	if (!req || !c || EVP_PKEY_keygen_init(c) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048) <= 0 ||
	    EVP_PKEY_keygen(c, &key) <= 0)
		goto out;
	X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_ASC,
				   (const unsigned char *)fqdn, -1, -1, 0);
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	snprintf(san, sizeof(san), "DNS:%s", fqdn);
	X509_EXTENSION *e1 = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, san);
	X509_EXTENSION *e2 = X509V3_EXT_conf_nid(NULL, NULL, NID_ext_key_usage,
						 "serverAuth,clientAuth");
	if (!exts || !e1 || !e2)
		goto out;
	sk_X509_EXTENSION_push(exts, e1);
	sk_X509_EXTENSION_push(exts, e2);
	X509_REQ_add_extensions(req, exts);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	if (!X509_REQ_set_pubkey(req, key) || !X509_REQ_sign(req, key, EVP_sha256()))
		goto out;
	BIO *b = BIO_new(BIO_s_mem());
	if (b && PEM_write_bio_X509_REQ(b, req)) {
		char *d;
		long n = BIO_get_mem_data(b, &d);
		pem = malloc((size_t)n + 1);
		if (pem) {
			memcpy(pem, d, (size_t)n);
			pem[n] = 0;
		}
	}
	BIO_free(b);
out:
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(key);
	X509_REQ_free(req);
	return pem;
}

static CURL *handle(const struct job *j, struct buf *b)
{
	CURL *c = curl_easy_init();
	if (!c)
		return NULL;
	curl_easy_setopt(c, CURLOPT_CAINFO, j->root);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
	curl_easy_setopt(c, CURLOPT_USERPWD, j->userpwd);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	return c;
}

static int enroll(struct job *j)
{
	struct buf b = { NULL, 0 };
	char url[1024];
	long code = 0, id;
	int ok = 0;
	CURL *c = handle(j, &b);
	if (!c)
		return 0;
	snprintf(url, sizeof(url), "%scertfnsh.asp", j->url);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, j->form);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	const char *m = b.p ? strstr(b.p, "certnew.cer?ReqID=") : NULL;
	if (rc != CURLE_OK || code != 200 || !m) {
		snprintf(j->err, sizeof(j->err), "submit: %s, HTTP %ld%s",
			 curl_easy_strerror(rc), code, m ? "" : ", not issued");
		goto out;
	}
	id = strtol(m + strlen("certnew.cer?ReqID="), NULL, 10);
	free(b.p);
	b.p = NULL;
	b.n = 0;
	snprintf(url, sizeof(url), "%scertnew.cer?ReqID=%ld&Enc=b64", j->url, id);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK || code != 200 || !b.p || !strstr(b.p, "BEGIN CERTIFICATE")) {
		snprintf(j->err, sizeof(j->err), "fetch of request %ld: %s, HTTP %ld",
			 id, curl_easy_strerror(rc), code);
		goto out;
	}
	ok = 1;
out:
	free(b.p);
	curl_easy_cleanup(c);
	return ok;
}

static void *client(void *arg)
{
	struct job *j = arg;
	while (now_s() < j->deadline) {
		if (enroll(j))
			j->issued++;
		else
			j->failed++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 7 || atoi(argv[5]) < 1 || atof(argv[6]) <= 0) {
		fprintf(stderr, "usage: lab_load CA_URL USER PASSWORD_FILE ROOT_PEM THREADS SECONDS\n");
		return 2;
	}
	int nt = atoi(argv[5]);
	double secs = atof(argv[6]);
	char pw[256], userpwd[600];
	FILE *f = fopen(argv[3], "r");
	if (!f || !fgets(pw, sizeof(pw), f)) {
		fprintf(stderr, "lab_load: cannot read the password from '%s'\n", argv[3]);
		return 1;
	}
	fclose(f);
	pw[strcspn(pw, "\r\n")] = 0;
	snprintf(userpwd, sizeof(userpwd), "%s:%s", argv[2], pw);
	OPENSSL_cleanse(pw, sizeof(pw));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "lab_load: curl_global_init failed\n");
		return 1;
	}
	struct job *jobs = calloc((size_t)nt, sizeof(*jobs));
	pthread_t *th = calloc((size_t)nt, sizeof(*th));
	if (!jobs || !th)
		return 1;
	for (int i = 0; i < nt; i++) {
		char fqdn[64];
		snprintf(fqdn, sizeof(fqdn), "load%d.lab.test", i);
		char *csr = make_csr(fqdn);
		CURL *c = curl_easy_init();
		char *enc = csr && c ? curl_easy_escape(c, csr, 0) : NULL;
		if (!enc) {
			fprintf(stderr, "lab_load: cannot make a CSR\n");
			return 1;
		}
		if (asprintf(&jobs[i].form, "Mode=newreq&CertRequest=%s&CertAttrib="
			     "CertificateTemplate%%3AOpsMgr&FriendlyType=Saved-Request+Certificate"
			     "&TargetStoreFlags=0&SaveCert=yes", enc) < 0)
			return 1;
		curl_free(enc);
		curl_easy_cleanup(c);
		free(csr);
		jobs[i].url = argv[1];
		jobs[i].userpwd = userpwd;
		jobs[i].root = argv[4];
	}
	double t0 = now_s();
	for (int i = 0; i < nt; i++) {
		jobs[i].deadline = t0 + secs;
		if (pthread_create(&th[i], NULL, client, &jobs[i]) != 0) {
			fprintf(stderr, "lab_load: cannot start thread %d\n", i);
			return 1;
		}
	}
	long issued = 0, failed = 0;
	const char *err = NULL;
	for (int i = 0; i < nt; i++) {
		pthread_join(th[i], NULL);
		issued += jobs[i].issued;
		failed += jobs[i].failed;
		if (jobs[i].failed && !err)
			err = jobs[i].err;
	}
	double el = now_s() - t0;
	if (err)
		fprintf(stderr, "lab_load: %ld enrollments failed, e.g. %s\n", failed, err);
	printf("%ld %ld %.3f %.3f\n", issued, failed, el, issued / el);
	for (int i = 0; i < nt; i++)
		free(jobs[i].form);
	free(jobs);
	free(th);
	OPENSSL_cleanse(userpwd, sizeof(userpwd));
	curl_global_cleanup();
	return issued > 0 ? 0 : 1;
}
