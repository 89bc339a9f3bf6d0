/*
 * fuzz_crl.c - libFuzzer target: what verify.c does with a CRL fetched
 * from a distribution point (untrusted bytes): crl_parse (DER or PEM),
 * then crl_check of a known certificate against it, with the real issuer
 * (signature checked) and without; and, the same bytes read as a
 * certificate, crl_distribution_points (the CDP URLs a CA put in it).
 * The issuer and the certificate are a lab root and a certificate it
 * issued (public certificates, embedded); the seeds are that lab's CRLs
 * (one revoking the certificate) and the certificate itself.
 * Seeds: tests/fuzz/corpus/fuzz_crl.  Owner: faults.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "pki/crl.h"

static const char root_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIERjCCAq6gAwIBAgIQWEX3LzjbcFzXsNCPZyunQTANBgkqhkiG9w0BAQsFADA9\n"
	"MRowGAYDVQQKDBFvcHNtZ3ItZW5yb2xsIGxhYjEfMB0GA1UEAwwWb3BzbWdyLWVu\n"
	"cm9sbCBsYWIgcm9vdDAeFw0yNjExMjUwODA4MDJaFw0zNjExMjIwODE4MDJaMD0x\n"
	"GjAYBgNVBAoMEW9wc21nci1lbnJvbGwgbGFiMR8wHQYDVQQDDBZvcHNtZ3ItZW5y\n"
	"b2xsIGxhYiByb290MIIBojANBgkqhkiG9w0BAQEFAAOCAY8AMIIBigKCAYEAqlnh\n"
	"j2MjEf4FbA+3njSf79LzDbYM0LLcvcBkZiBOdKM3X6BMhmJPyZqvC6qE6cCqf4h4\n"
	"kGTIuk3SrLxBZCuqBB5iUKAYf39XBMmir/Kv3RokdGl5eBN5KxpmShoMLHuMUOyA\n"
	"F6nfpfzV7AZdssQDpNCt5Uui4Vij/zTHcqF1rpZ3W2n5RG9fKxxGMJ6Uuhf2mJpe\n"
	"5c9g1CqlcUG1AE5POHXf1i4fTvat9fzC2KjyJeIqU1y7A9zHMHDToA7BvrLHBf9p\n"
	"oBO23Mul29ixgvVVJdXHLQKbOOCFO0OKK3VdL66lq9a11lUfR847uOngVhk8Iqou\n"
	"DN5C6q/iIFeBEWSl3LmKhXIH9eXTDBpr5ftqxlpUnQzI3CODiYW18QHmIpp4rtw2\n"
	"376Op6BL7DHt7+m2yJWbwzssi7KOvCvnhlMfzOdGa9NCN++CUp5XHo2tEB5Fvdv8\n"
	"8dg6GgKdseDZrhUdcqI+rmEPndQHX/WZFSrE3/Ou+dsh68PEU0M5BYnNHpP9AgMB\n"
	"AAGjQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgGGMB0GA1UdDgQW\n"
	"BBRhUA5vfNWx6UfOXgkE58c0ENYh7TANBgkqhkiG9w0BAQsFAAOCAYEAqQy301hA\n"
	"Q+Bsd12vwAyVC2KwVlJbargk0AwBB4Mez5S5rpw86+unUV7UBlITIIbiOuGrDBL3\n"
	"yASdvP/RNjiEQa6MHriLLZpJd+S8V5R0C1+GJvwzsUfzJ2kgU5A0BB9w6EbklCal\n"
	"T9SjzkShN7zBLZ0DmrhDBz1FWru7ThQoDXMSSqMQ6QU+LAcgbG8nMl43YDPcuv+s\n"
	"isrT/BCmTpi29fPDLwIc9AB+wCyQgImlYfd7+C40tfdunPbYr2FvCVNJJ5gDwRBA\n"
	"xV6rqSJ5hcM7cc206hwaz4A4cMju3UD61DJJopGTBZYdQdO2eP6KMJoyoSPyZ0LE\n"
	"xMzmJeZU3o96W1xWyoTod5orMI81SbA+elurqeHImzMRJdqXjDwwPykwF7CYkmas\n"
	"ysMbZvdTgMWSgFxHGBjn2L0Wfet858WDT76mHVjj/x8lJtHhWSZZgzigyEYIleBr\n"
	"Ie1vRmwoho+5UXAZVtc5Z8f7YE/NcaD/FnK49DfAIiA4NhgHLmUQCZJD\n"
	"-----END CERTIFICATE-----\n";

static const char leaf_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIETDCCArSgAwIBAgIQGM/1hgR0AaWhE3eR9hfrzDANBgkqhkiG9w0BAQsFADA9\n"
	"MRowGAYDVQQKDBFvcHNtZ3ItZW5yb2xsIGxhYjEfMB0GA1UEAwwWb3BzbWdyLWVu\n"
	"cm9sbCBsYWIgcm9vdDAeFw0yNjExMjUwODA4MDdaFw0yNzExMjUwODE4MDdaMBsx\n"
	"GTAXBgNVBAMMEGFnZW50MDEubGFiLnRlc3QwggEiMA0GCSqGSIb3DQEBAQUAA4IB\n"
	"DwAwggEKAoIBAQC9yNIuxfwYOZB/IlpKdc6fCJAovmxZfXd+Af1hi1L8aPCJSzM/\n"
	"BDvT/jwDAk9jGXcSYHcvLB70Sg0FtuIVXRrf2hwPib1C2WEJZiOmZ+KBMyk416Ay\n"
	"wVwA88EQcT/H7u7Gdm7dHUt53rDVge1ZuJUZZvbYwsmwZyME6UUbFYN3nDhrHuZf\n"
	"ncIIPRuQQHf0qnQgYdz/sVVKP1pg5nJng5kKoiIke53uo1K5rFsXxUwAFkLWmDxM\n"
	"K44Z4j3z7Q71FsnevzgGwwZGcoqt41x28bwrCUKuGlGri74nynCFKghxtNFRfstp\n"
	"Q2GcuF9o/fmT+7ctUnSPW+mxTcWYy4IaQ10FAgMBAAGjgekwgeYwGwYDVR0RBBQw\n"
	"EoIQYWdlbnQwMS5sYWIudGVzdDAOBgNVHQ8BAf8EBAMCBaAwHQYDVR0lBBYwFAYI\n"
	"KwYBBQUHAwEGCCsGAQUFBwMCMB0GA1UdDgQWBBTiT/Hq2qflBIakx6K31F4FTkwM\n"
	"wDAfBgNVHSMEGDAWgBRhUA5vfNWx6UfOXgkE58c0ENYh7TBYBgNVHR8EUTBPME2g\n"
	"S6BJhkdodHRwczovLzEyNy4wLjAuMTozNzU4Ny9jZXJ0c3J2L2NlcnRjcmwuY3Js\n"
	"P1R5cGU9YmFzZSZSZW5ld2FsPTAmRW5jPWJpbjANBgkqhkiG9w0BAQsFAAOCAYEA\n"
	"gvxBEKHWvvS5/qvfzejpGy8iY4QDtUytm+4woTutQZEg1vpUmJeJNtZi7oxDkSCY\n"
	"BUdmiqbvq9hgJ1Fq0o66nYYLcJ6sJNoHhKklxMtv50aANJD0R/1nqo2KlmKyWPJc\n"
	"LS2PttXaYvstWsxtRKCjJd21my0E+wwF43SGU4NVH0bX6HZ0I1Ld8624xBoHgB/x\n"
	"zg1Wf0DQtSafaoPVYQcOpY8CaceyQ4rnAQrv9ugsip4OX82SXdEUiVIzd/2sh+Fc\n"
	"6Lk0suWE8ZD6OQgq5++ow7NDW4uNZJthRqK+6M2V4GuxMo/QCSCtTGd2fCCi/bg9\n"
	"xV7Sbcv/9N+inTxAPQZqzRJ6YqvHeFGbx+7nynuL5ZVTlF0hQnw6F78SAzTvmwyF\n"
	"cv1dM4MixPUw8gCf36j0jv2JAj4TmzZgVEVGpB4AK+ActtepaPWsagQwmQLJVbnk\n"
	"gg9XskKkAHcKICGNELxzSJDhjCx+R5RagAZEf44UDDOdOQUjspmeQS/l4P9YntMe\n"
	"-----END CERTIFICATE-----\n";

static X509 *root, *leaf;

static X509 *pem_cert(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	return x;
}

/* reads land here so the compiler keeps them */
volatile size_t fuzz_crl_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	if (!root) {
		root = pem_cert(root_pem);
		leaf = pem_cert(leaf_pem);
		if (!root || !leaf)
			abort();
	}
	X509_CRL *crl = crl_parse(data, size, err, sizeof(err));
	if (crl) {
		char *when = NULL;
		enum crl_status s = crl_check(crl, leaf, root, &when);
		if (s != CRL_REVOKED && when)
			abort();   /* a date only for a revoked certificate */
		free(when);
		when = NULL;
		(void)crl_check(crl, leaf, NULL, &when);
		free(when);
		crl_check(crl, root, root, NULL);
		X509_CRL_free(crl);
	} else if (!err[0]) {
		abort();   /* a failure says why */
	}
	const unsigned char *p = data;
	X509 *x = d2i_X509(NULL, &p, (long)size);
	if (x) {
		char **urls = crl_distribution_points(x);
		for (size_t i = 0; urls && urls[i]; i++)
			fuzz_crl_sink += strlen(urls[i]);   /* each a whole C string */
		strv_free(urls);
		X509_free(x);
	}
	return 0;
}
