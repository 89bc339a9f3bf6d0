/*
 * bundle_zip.c - the bundle's zip, made in memory with libzip (bundle.h:
 * bundle_zip_build); bundle.c writes the bytes atomically with mode 0600.
 * libzip keeps pointers to the buffers added (zip_source_buffer): they are
 * the caller's and stay valid until zip_close has run.
 */
#include "windows/bundle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zip.h>

static void zip_err_text(zip_error_t *ze, const char *what, char *err,
			 size_t errlen)
{
	snprintf(err, errlen, "cannot build the zip (%s): %s", what,
		 zip_error_strerror(ze));
}

/* Add "<folder>/" and every file.  0 / -1 with err. */
static int add_entries(zip_t *za, const char *folder,
		       const struct bundle_blob *files, size_t n, char *err,
		       size_t errlen)
{
	char name[1024];
	snprintf(name, sizeof(name), "%s/", folder);
	zip_int64_t idx = zip_dir_add(za, name, ZIP_FL_ENC_UTF_8);
	if (idx < 0 ||
	    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0,
					      ZIP_OPSYS_UNIX,
					      (zip_uint32_t)(S_IFDIR | 0700)
						      << 16) < 0) {
		zip_err_text(zip_get_error(za), folder, err, errlen);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s/%s", folder, files[i].name);
		zip_source_t *src =
			zip_source_buffer(za, files[i].data, files[i].len, 0);
		if (!src) {
			zip_err_text(zip_get_error(za), files[i].name, err,
				     errlen);
			return -1;
		}
		idx = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8);
		if (idx < 0) {
			zip_source_free(src);
			zip_err_text(zip_get_error(za), files[i].name, err,
				     errlen);
			return -1;
		}
		zip_uint32_t attr = (zip_uint32_t)(S_IFREG | files[i].mode)
				    << 16;
		if (zip_file_set_external_attributes(
			    za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX, attr) < 0) {
			zip_err_text(zip_get_error(za), files[i].name, err,
				     errlen);
			return -1;
		}
	}
	return 0;
}

/* The bytes the closed archive left in src.  0 / -1 with err. */
static int source_bytes(zip_source_t *src, unsigned char **buf, size_t *len,
			char *err, size_t errlen)
{
	zip_stat_t zs;
	if (zip_source_open(src) < 0) {
		zip_err_text(zip_source_error(src), "reading it back", err,
			     errlen);
		return -1;
	}
	zip_stat_init(&zs);
	if (zip_source_stat(src, &zs) < 0 || !(zs.valid & ZIP_STAT_SIZE)) {
		zip_err_text(zip_source_error(src), "its size", err, errlen);
		zip_source_close(src);
		return -1;
	}
	unsigned char *b = malloc(zs.size ? zs.size : 1);
	zip_int64_t got = b ? zip_source_read(src, b, zs.size) : -1;
	zip_source_close(src);
	if (got < 0 || (zip_uint64_t)got != zs.size) {
		free(b);
		snprintf(err, errlen, "cannot build the zip: reading it back "
			 "gave %lld of %llu bytes", (long long)got,
			 (unsigned long long)zs.size);
		return -1;
	}
	*buf = b;
	*len = (size_t)zs.size;
	return 0;
}

int bundle_zip_build(const char *folder, const struct bundle_blob *files,
		     size_t n, unsigned char **buf, size_t *len, char *err,
		     size_t errlen)
{
	zip_error_t ze;
	zip_error_init(&ze);
	*buf = NULL;
	*len = 0;
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	if (!src) {
		zip_err_text(&ze, "memory", err, errlen);
		zip_error_fini(&ze);
		return -1;
	}
	zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	if (!za) {
		zip_err_text(&ze, "opening", err, errlen);
		zip_source_free(src);
		zip_error_fini(&ze);
		return -1;
	}
	zip_error_fini(&ze);
	/* the archive's close must not free src: its bytes are the result */
	zip_source_keep(src);
	int rc = add_entries(za, folder, files, n, err, errlen);
	if (rc != 0) {
		zip_discard(za);
	} else if (zip_close(za) < 0) {
		zip_err_text(zip_get_error(za), "writing", err, errlen);
		zip_discard(za);
		rc = -1;
	}
	if (rc == 0)
		rc = source_bytes(src, buf, len, err, errlen);
	zip_source_free(src);
	return rc;
}
