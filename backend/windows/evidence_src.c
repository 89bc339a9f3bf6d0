/*
 * evidence_src.c - reading the evidence folder or zip (evidence_src.h).
 */
#include "evidence_src.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/fsutil.h"
#include "evidence_layout.h"

int evidence_open(struct evidence_src *s, const char *path, char *err,
		  size_t errlen)
{
	struct stat st;
	memset(s, 0, sizeof(*s));
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "'%s': no such folder or zip", path);
		return -1;
	}
	s->path = strdup(path);
	if (S_ISDIR(st.st_mode)) {
		s->dir = strdup(path);
		return s->dir && s->path ? 0 : -1;
	}
	int ze = 0;
	s->zip = zip_open(path, ZIP_RDONLY, &ze);
	if (!s->zip) {
		zip_error_t e;
		zip_error_init_with_code(&e, ze);
		snprintf(err, errlen, "'%s' is neither a folder nor a zip: %s",
			 path, zip_error_strerror(&e));
		zip_error_fini(&e);
		free(s->path);
		s->path = NULL;
		return -1;
	}
	return 0;
}

void evidence_close(struct evidence_src *s)
{
	if (s->zip)
		zip_discard(s->zip);
	free(s->dir);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

/* An entry's name with '\' as '/', the top folder (if any) cut off:
 * "evidence-PC/certs/my-0.cer" -> "certs/my-0.cer".  The root's own files
 * stay as they are; names deeper than one folder beyond "certs/" do not
 * matter to the reader. */
static const char *relative(char *name)
{
	for (char *p = name; *p; p++)
		if (*p == '\\')
			*p = '/';
	char *slash = strchr(name, '/');
	if (!slash)
		return name;
	if (!strncmp(name, EVIDENCE_CERTS_DIR "/", strlen(EVIDENCE_CERTS_DIR) + 1))
		return name;
	return slash + 1;
}

static zip_int64_t zip_find(zip_t *z, const char *name)
{
	zip_int64_t n = zip_get_num_entries(z, 0);
	for (zip_int64_t i = 0; i < n; i++) {
		const char *en = zip_get_name(z, (zip_uint64_t)i, 0);
		char copy[1024];
		if (!en || strlen(en) >= sizeof(copy))
			continue;
		strcpy(copy, en);
		if (!strcmp(relative(copy), name))
			return i;
	}
	return -1;
}

static int zip_read(zip_t *z, const char *name, unsigned char **buf,
		    size_t *len, char *err, size_t errlen)
{
	zip_int64_t i = zip_find(z, name);
	zip_stat_t zs;
	if (i < 0)
		return 1;
	if (zip_stat_index(z, (zip_uint64_t)i, 0, &zs) < 0 ||
	    !(zs.valid & ZIP_STAT_SIZE) || zs.size > EVIDENCE_SRC_CAP) {
		snprintf(err, errlen, "'%s' in the zip is bigger than %u bytes or unreadable",
			 name, EVIDENCE_SRC_CAP);
		return -1;
	}
	zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)i, 0);
	unsigned char *b = malloc(zs.size + 1);
	zip_int64_t got = f && b ? zip_fread(f, b, zs.size) : -1;
	if (f)
		zip_fclose(f);
	if (got < 0 || (zip_uint64_t)got != zs.size) {
		free(b);
		snprintf(err, errlen, "'%s' in the zip cannot be read: %s",
			 name, zip_strerror(z));
		return -1;
	}
	*buf = b;
	*len = (size_t)got;
	return 0;
}

int evidence_read(const struct evidence_src *s, const char *name,
		  unsigned char **buf, size_t *len, char *err, size_t errlen)
{
	*buf = NULL;
	*len = 0;
	if (s->zip)
		return zip_read(s->zip, name, buf, len, err, errlen);
	char *p = fs_join(s->dir, name);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int r = 1;
	if (fs_exists(p))
		r = fs_read_file(p, EVIDENCE_SRC_CAP, buf, len, err, errlen) < 0 ? -1 : 0;
	free(p);
	return r;
}

static bool cert_name(const char *base)
{
	size_t n = strlen(base), pre = strlen(EVIDENCE_CERT_PREFIX),
	       suf = strlen(EVIDENCE_CERT_SUFFIX);
	return n > pre + suf && !strncasecmp(base, EVIDENCE_CERT_PREFIX, pre) &&
	       !strcasecmp(base + n - suf, EVIDENCE_CERT_SUFFIX) &&
	       !strchr(base, '/');
}

static int add_name(char ***v, size_t *n, const char *base)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv)
		return -1;
	*v = nv;
	size_t l = strlen(EVIDENCE_CERTS_DIR) + strlen(base) + 2;
	if (!(nv[*n] = malloc(l)))
		return -1;
	snprintf(nv[*n], l, "%s/%s", EVIDENCE_CERTS_DIR, base);
	nv[++*n] = NULL;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **evidence_cert_names(const struct evidence_src *s)
{
	char **v = calloc(1, sizeof(char *));
	size_t n = 0;
	const size_t cd = strlen(EVIDENCE_CERTS_DIR) + 1;
	if (!v)
		return NULL;
	if (s->zip) {
		zip_int64_t m = zip_get_num_entries(s->zip, 0);
		for (zip_int64_t i = 0; i < m; i++) {
			const char *en = zip_get_name(s->zip, (zip_uint64_t)i, 0);
			char copy[1024];
			if (!en || strlen(en) >= sizeof(copy))
				continue;
			strcpy(copy, en);
			const char *r = relative(copy);
			if (!strncmp(r, EVIDENCE_CERTS_DIR "/", cd) &&
			    cert_name(r + cd) && add_name(&v, &n, r + cd) < 0)
				break;
		}
	} else {
		char *d = fs_join(s->dir, EVIDENCE_CERTS_DIR);
		DIR *dir = d ? opendir(d) : NULL;
		struct dirent *e;
		while (dir && (e = readdir(dir)) != NULL)
			if (cert_name(e->d_name) && add_name(&v, &n, e->d_name) < 0)
				break;
		if (dir)
			closedir(dir);
		free(d);
	}
	qsort(v, n, sizeof(char *), by_name);
	return v;
}

void evidence_names_free(char **names)
{
	for (char **p = names; p && *p; p++)
		free(*p);
	free(names);
}
