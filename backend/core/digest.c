/*
 * digest.c - SHA-256 hex of bytes and of files (digest.h).
 */
#include "core/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/diag.h"

static void to_hex(const unsigned char *md, char out[DIGEST_HEX_LEN + 1])
{
	static const char HEX[] = "0123456789abcdef";
	for (int i = 0; i < DIGEST_HEX_LEN / 2; i++) {
		out[2 * i] = HEX[md[i] >> 4];
		out[2 * i + 1] = HEX[md[i] & 15];
	}
	out[DIGEST_HEX_LEN] = '\0';
}

int digest_sha256_hex(const void *data, size_t len,
		      char out[DIGEST_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	out[0] = '\0';
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != DIGEST_HEX_LEN / 2)
		return -1;
	to_hex(md, out);
	return 0;
}

int digest_file_sha256_hex(const char *path, char out[DIGEST_HEX_LEN + 1],
			   char *err, size_t errlen)
{
	out[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		char eb[128];
		snprintf(err, errlen, "cannot open '%s': %s", path,
			 diag_errno_text(errno, eb, sizeof(eb)));
		return -1;
	}
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int rc = -1;
	if (!m || EVP_DigestInit_ex(m, EVP_sha256(), NULL) != 1) {
		snprintf(err, errlen, "SHA-256 is not available");
		goto out;
	}
	unsigned char buf[16384];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			char eb[128];
			snprintf(err, errlen, "cannot read '%s': %s", path,
				 diag_errno_text(errno, eb, sizeof(eb)));
			goto out;
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(m, buf, (size_t)n) != 1)
			goto out;
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (EVP_DigestFinal_ex(m, md, &mdlen) == 1 &&
	    mdlen == DIGEST_HEX_LEN / 2) {
		to_hex(md, out);
		rc = 0;
	}
out:
	EVP_MD_CTX_free(m);
	close(fd);
	return rc;
}
