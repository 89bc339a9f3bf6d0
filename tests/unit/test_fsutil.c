/*
 * test_fsutil.c - backend/core/fsutil.c: atomic writes (mode, replace, symlink
 * refusal, old file intact on failure), capped reads (cap, FIFO, directory),
 * the private-directory check, mkdir -p and the path helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fsutil.h"

struct fx {
	char dir[64];
};

static int rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		DIR *d = opendir(path);
		if (d) {
			struct dirent *e;
			while ((e = readdir(d)) != NULL) {
				if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
					continue;
				char *c = fs_join(path, e->d_name);
				rm_rf(c);
				free(c);
			}
			closedir(d);
		}
		return rmdir(path);
	}
	return unlink(path);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_fsutil.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	rm_rf(f->dir);
	free(f);
	return 0;
}

static char *path_in(struct fx *f, const char *name)
{
	char *p = fs_join(f->dir, name);
	assert_non_null(p);
	return p;
}

static void put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *get(const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[FS_ERRLEN];
	assert_int_equal(fs_read_file(path, 1 << 20, &buf, &len, err,
				      sizeof(err)), 0);
	assert_int_equal(strlen((char *)buf), len);
	return (char *)buf;
}

static int count_entries(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_write_mode_ignores_umask(void **state)
{
	struct fx *f = *state;
	char err[FS_ERRLEN];
	char *p = path_in(f, "key.pem");
	mode_t old = umask(0);
	int r = fs_write_atomic(p, "secret", 6, 0600, err, sizeof(err));
	umask(old);
	assert_int_equal(r, 0);
	assert_int_equal(fs_mode(p), 0600);

	/* a restrictive umask does not narrow an explicit 0644 either */
	char *q = path_in(f, "pub.pem");
	old = umask(077);
	r = fs_write_atomic(q, "public", 6, 0644, err, sizeof(err));
	umask(old);
	assert_int_equal(r, 0);
	assert_int_equal(fs_mode(q), 0644);
	char *s = get(p);
	assert_string_equal(s, "secret");
	free(s);
	free(p);
	free(q);
}

static void test_write_replaces_atomically(void **state)
{
	struct fx *f = *state;
	char err[FS_ERRLEN];
	char *p = path_in(f, "state.ini");
	put(p, "old contents\n");
	chmod(p, 0644);
	assert_int_equal(fs_write_atomic(p, "new\n", 4, 0600, err, sizeof(err)), 0);
	char *s = get(p);
	assert_string_equal(s, "new\n");
	free(s);
	assert_int_equal(fs_mode(p), 0600);
	/* no temp file left behind */
	assert_int_equal(count_entries(f->dir), 1);

	/* zero-length data is a valid write */
	assert_int_equal(fs_write_atomic(p, "", 0, 0600, err, sizeof(err)), 0);
	s = get(p);
	assert_string_equal(s, "");
	free(s);
	free(p);
}

/* A reader never sees a half-written file while another process rewrites
 * it again and again. */
static void test_write_atomic_under_concurrent_reads(void **state)
{
	struct fx *f = *state;
	char *p = path_in(f, "flip");
	enum { N = 65536, ROUNDS = 150 };
	char err[FS_ERRLEN];
	char *a = malloc(N), *b = malloc(N);
	assert_non_null(a);
	assert_non_null(b);
	memset(a, 'A', N);
	memset(b, 'B', N);
	assert_int_equal(fs_write_atomic(p, a, N, 0600, err, sizeof(err)), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int code = 0;
		for (int i = 0; i < ROUNDS && !code; i++)
			if (fs_write_atomic(p, i % 2 ? a : b, N, 0600, err,
					    sizeof(err)) != 0)
				code = 1;
		free(a);   /* the child's copies: valgrind follows children */
		free(b);
		free(p);
		_exit(code);
	}
	int torn = 0, reads = 0;
	for (;;) {
		unsigned char *buf = NULL;
		size_t len = 0;
		if (fs_read_file(p, N, &buf, &len, err, sizeof(err)) == 0) {
			reads++;
			if (len != N || (memcmp(buf, a, N) && memcmp(buf, b, N)))
				torn++;
			free(buf);
		} else {
			torn++;
		}
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			assert_true(WIFEXITED(st));
			assert_int_equal(WEXITSTATUS(st), 0);
			break;
		}
	}
	assert_int_equal(torn, 0);
	assert_true(reads > 0);
	assert_int_equal(count_entries(f->dir), 1); /* no temp files left */
	free(a);
	free(b);
	free(p);
}

static void test_write_refuses_symlink(void **state)
{
	struct fx *f = *state;
	char err[FS_ERRLEN];
	char *target = path_in(f, "target");
	char *link = path_in(f, "key.pem");
	put(target, "precious");
	assert_int_equal(symlink(target, link), 0);
	err[0] = '\0';
	assert_int_equal(fs_write_atomic(link, "evil", 4, 0600, err,
					 sizeof(err)), -1);
	char want[FS_ERRLEN];
	snprintf(want, sizeof(want),
		 "cannot write '%s': destination is a symbolic link", link);
	assert_string_equal(err, want);
	/* the link and its target untouched, nothing left over */
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	char *s = get(target);
	assert_string_equal(s, "precious");
	free(s);
	assert_int_equal(count_entries(f->dir), 2);

	/* a dangling link is refused as well */
	char *dangling = path_in(f, "dangling");
	char *nowhere = path_in(f, "nowhere");
	assert_int_equal(symlink(nowhere, dangling), 0);
	assert_int_equal(fs_write_atomic(dangling, "x", 1, 0600, err,
					 sizeof(err)), -1);
	assert_false(fs_exists(nowhere));
	free(dangling);
	free(nowhere);
	free(target);
	free(link);
}

static void test_write_refuses_directory(void **state)
{
	struct fx *f = *state;
	char err[FS_ERRLEN];
	char *d = path_in(f, "sub");
	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(fs_write_atomic(d, "x", 1, 0600, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a directory, not a regular file"));
	assert_int_equal(count_entries(d), 0);
	free(d);
}

static void test_write_failure_keeps_old_file(void **state)
{
	struct fx *f = *state;
	char err[FS_ERRLEN];
	char *p = path_in(f, "agent.ini");
	put(p, "old");
	/* make the write itself fail (EFBIG), even for root */
	struct rlimit old, small = { 16, 16 };
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	char big[100];
	memset(big, 'x', sizeof(big));
	int r = fs_write_atomic(p, big, sizeof(big), 0600, err, sizeof(err));
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, prev);
	assert_int_equal(r, -1);
	assert_non_null(strstr(err, "cannot write to temporary file"));
	assert_non_null(strstr(err, strerror(EFBIG)));
	char *s = get(p);
	assert_string_equal(s, "old");
	free(s);
	assert_int_equal(count_entries(f->dir), 1);

	/* a missing directory: a clear message, nothing created */
	char *q = path_in(f, "missing/agent.ini");
	assert_int_equal(fs_write_atomic(q, "x", 1, 0600, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create a temporary file in"));
	assert_non_null(strstr(err, "No such file or directory"));
	free(q);
	free(p);
}

static void test_write_new(void **state)
{
	struct fx *f = *state;
	char err[FS_ERRLEN];
	char *p = path_in(f, "request.csr");
	assert_int_equal(fs_write_new(p, "one", 3, 0640, err, sizeof(err)), 0);
	assert_int_equal(fs_mode(p), 0640);
	assert_int_equal(fs_write_new(p, "two", 3, 0600, err, sizeof(err)), -1);
	char want[FS_ERRLEN];
	snprintf(want, sizeof(want), "cannot write '%s': file already exists", p);
	assert_string_equal(err, want);
	char *s = get(p);
	assert_string_equal(s, "one");
	free(s);
	assert_int_equal(count_entries(f->dir), 1);

	/* any type counts as existing: a dangling symlink too */
	char *l = path_in(f, "link");
	assert_int_equal(symlink("/nonexistent/x", l), 0);
	assert_int_equal(fs_write_new(l, "x", 1, 0600, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "already exists"));
	free(l);
	free(p);
}

static void test_rename_noreplace(void **state)
{
	struct fx *f = *state;
	char err[FS_ERRLEN];
	char *a = path_in(f, "a"), *b = path_in(f, "b"), *c = path_in(f, "c");
	assert_int_equal(fs_write_atomic(a, "A", 1, 0600, err, sizeof(err)), 0);
	assert_int_equal(fs_write_atomic(b, "B", 1, 0600, err, sizeof(err)), 0);
	/* an existing destination is never replaced, the source stays */
	errno = 0;
	assert_int_equal(fs_rename_noreplace(a, b), -1);
	assert_int_equal(errno, EEXIST);
	char *s = get(b);
	assert_string_equal(s, "B");
	free(s);
	assert_true(fs_exists(a));
	/* a free name: moved, nothing left at the source */
	assert_int_equal(fs_rename_noreplace(a, c), 0);
	assert_false(fs_exists(a));
	s = get(c);
	assert_string_equal(s, "A");
	free(s);
	/* a missing source */
	char *d = path_in(f, "d");
	assert_int_equal(fs_rename_noreplace(a, d), -1);
	assert_false(fs_exists(d));
	free(d);
	free(a);
	free(b);
	free(c);
}

static void test_read_cap(void **state)
{
	struct fx *f = *state;
	char err[FS_ERRLEN];
	char *p = path_in(f, "big");
	put(p, "0123456789abcdef"); /* 16 bytes */
	unsigned char *buf = (unsigned char *)"sentinel";
	size_t len = 99;
	assert_int_equal(fs_read_file(p, 10, &buf, &len, err, sizeof(err)), -1);
	assert_null(buf);
	char want[FS_ERRLEN];
	snprintf(want, sizeof(want),
		 "cannot read '%s': file is larger than the limit of 10 bytes", p);
	assert_string_equal(err, want);
	/* exactly at the cap is fine, NUL terminated */
	assert_int_equal(fs_read_file(p, 16, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 16);
	assert_int_equal(buf[16], '\0');
	assert_memory_equal(buf, "0123456789abcdef", 16);
	fs_free_secret(buf, len);
	/* empty file */
	char *e = path_in(f, "empty");
	put(e, "");
	assert_int_equal(fs_read_file(e, 10, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 0);
	assert_string_equal((char *)buf, "");
	free(buf);
	/* a larger file read through several buffer growths */
	size_t n = 300000;
	char *data = malloc(n);
	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	assert_int_equal(fs_write_atomic(p, data, n, 0600, err, sizeof(err)), 0);
	assert_int_equal(fs_read_file(p, n, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(len, n);
	assert_memory_equal(buf, data, n);
	free(buf);
	assert_int_equal(fs_read_file(p, n - 1, &buf, &len, err, sizeof(err)), -1);
	free(data);
	free(e);
	free(p);
}

static void test_read_fifo_does_not_block(void **state)
{
	struct fx *f = *state;
	char err[FS_ERRLEN];
	char *p = path_in(f, "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	unsigned char *buf = NULL;
	size_t len = 0;
	alarm(10); /* a blocking open/read would end the test program here */
	int r = fs_read_file(p, 100, &buf, &len, err, sizeof(err));
	alarm(0);
	assert_int_equal(r, -1);
	assert_null(buf);
	char want[FS_ERRLEN];
	snprintf(want, sizeof(want),
		 "cannot read '%s': it is a FIFO, not a regular file", p);
	assert_string_equal(err, want);

	/* a directory and a device are refused too */
	assert_int_equal(fs_read_file(f->dir, 100, &buf, &len, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "a directory, not a regular file"));
	assert_int_equal(fs_read_file("/dev/zero", 100, &buf, &len, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "a character device"));
	/* a missing file names the reason */
	char *m = path_in(f, "missing");
	assert_int_equal(fs_read_file(m, 100, &buf, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file or directory"));
	free(m);
	free(p);
}

static void test_read_follows_symlink(void **state)
{
	struct fx *f = *state;
	char *t = path_in(f, "real.cer");
	char *l = path_in(f, "link.cer");
	put(t, "data");
	assert_int_equal(symlink(t, l), 0);
	char *s = get(l);
	assert_string_equal(s, "data");
	free(s);
	free(t);
	free(l);
}

static void test_mkdir_p(void **state)
{
	struct fx *f = *state;
	char err[FS_ERRLEN];
	char *d = path_in(f, "a/b//c/");
	mode_t old = umask(0);
	int r = fs_mkdir_p(d, 0700, err, sizeof(err));
	umask(old);
	assert_int_equal(r, 0);
	char *a = path_in(f, "a"), *c = path_in(f, "a/b/c");
	assert_int_equal(fs_mode(a), 0700);
	assert_int_equal(fs_mode(c), 0700);
	struct stat sb;
	assert_int_equal(lstat(c, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	/* existing: fine */
	assert_int_equal(fs_mkdir_p(c, 0700, err, sizeof(err)), 0);
	/* a file in the way */
	char *file = path_in(f, "a/file");
	put(file, "x");
	char *under = path_in(f, "a/file/sub");
	assert_int_equal(fs_mkdir_p(under, 0700, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exists and is not a directory"));
	free(under);
	free(file);
	free(a);
	free(c);
	free(d);
}

static void test_path_helpers(void **state)
{
	(void)state;
	static const struct {
		const char *in, *dir;
	} cases[] = {
		{ "/a/b", "/a" }, { "/a", "/" }, { "a", "." }, { "a/b/", "a" },
		{ "/", "/" }, { "", "." }, { "a//b", "a" }, { "./x", "." },
		{ "/a/b/c.pem", "/a/b" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *d = fs_dirname(cases[i].in);
		assert_non_null(d);
		assert_string_equal(d, cases[i].dir);
		free(d);
	}
	char *j = fs_join("/var/lib", "x.pem");
	assert_string_equal(j, "/var/lib/x.pem");
	free(j);
	j = fs_join("/var/lib/", "x.pem");
	assert_string_equal(j, "/var/lib/x.pem");
	free(j);
	j = fs_join("", "x.pem");
	assert_string_equal(j, "x.pem");
	free(j);
}

static void test_copy_and_predicates(void **state)
{
	struct fx *f = *state;
	char err[FS_ERRLEN];
	char *src = path_in(f, "src.key");
	char *dst = path_in(f, "dst.key");
	put(src, "-----BEGIN PRIVATE KEY-----\n");
	assert_int_equal(fs_copy_file(src, dst, 0600, err, sizeof(err)), 0);
	char *s = get(dst);
	assert_string_equal(s, "-----BEGIN PRIVATE KEY-----\n");
	free(s);
	assert_int_equal(fs_mode(dst), 0600);
	assert_true(fs_exists(dst));
	assert_true(fs_is_regular(dst));
	assert_false(fs_is_regular(f->dir));

	char *l = path_in(f, "l");
	assert_int_equal(symlink(dst, l), 0);
	assert_true(fs_exists(l));
	assert_false(fs_is_regular(l)); /* lstat: a link is not regular */
	char *m = path_in(f, "missing");
	assert_false(fs_exists(m));
	assert_int_equal(fs_mode(m), -1);
	assert_int_equal(fs_copy_file(m, dst, 0600, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file or directory"));
	/* the copy refuses to write through a link */
	assert_int_equal(fs_copy_file(src, l, 0600, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symbolic link"));
	free(m);
	free(l);
	free(src);
	free(dst);
}

/* A writer killed between its temp file and the rename leaves the temp
 * behind; the next write of the same file removes it, and only it. */
static void test_stale_temp_removed(void **state)
{
	struct fx *f = *state;
	char *key = path_in(f, "key.pem");
	char *stale = path_in(f, ".key.pem.tmp-0123456789abcdef");
	char *other = path_in(f, ".cert.pem.tmp-0123456789abcdef");
	char *odd = path_in(f, ".key.pem.tmp-notatempname");
	char err[FS_ERRLEN];
	assert_int_equal(fs_write_atomic(stale, "half", 4, 0600, err, sizeof(err)), 0);
	assert_int_equal(fs_write_atomic(other, "half", 4, 0600, err, sizeof(err)), 0);
	assert_int_equal(fs_write_atomic(odd, "x", 1, 0600, err, sizeof(err)), 0);
	assert_int_equal(fs_write_atomic(key, "whole", 5, 0600, err, sizeof(err)), 0);
	assert_false(fs_exists(stale));
	assert_true(fs_exists(other));   /* another file's temp is not ours */
	assert_true(fs_exists(odd));     /* not the temp-name pattern */
	assert_true(fs_is_regular(key));
	free(key);
	free(stale);
	free(other);
	free(odd);
}

/* fs_symlink_atomic: creates and replaces a link; a temp link left by a
 * run killed before its rename is removed by the next link of that name
 * (the trust store's hash links are made this way). */
static void test_symlink_atomic(void **state)
{
	struct fx *f = *state;
	char *link = path_in(f, "abcd1234.0");
	char *stale = path_in(f, ".abcd1234.0.tmp-0123456789abcdef");
	char *other = path_in(f, ".abcd1234.1.tmp-0123456789abcdef");
	char err[FS_ERRLEN], buf[64];
	assert_int_equal(symlink("old.pem", stale), 0);
	assert_int_equal(symlink("old.pem", other), 0);
	assert_int_equal(fs_symlink_atomic("a.pem", link, err, sizeof(err)), 0);
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	assert_int_equal(n, 5);
	buf[n] = 0;
	assert_string_equal(buf, "a.pem");
	struct stat st;
	assert_int_not_equal(lstat(stale, &st), 0);   /* leftover removed */
	assert_int_equal(lstat(other, &st), 0);       /* another link's: kept */
	assert_int_equal(fs_symlink_atomic("b.pem", link, err, sizeof(err)), 0);
	n = readlink(link, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	assert_string_equal(buf, "b.pem");
	char *nodir = path_in(f, "missing/abcd1234.0");
	assert_int_equal(fs_symlink_atomic("a.pem", nodir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create the link 'abcd1234.0'"));
	free(nodir);
	free(link);
	free(stale);
	free(other);
}

/* fs_write_all: more than a pipe holds goes out whole, in order, through
 * the short writes a pipe makes; a bad descriptor is an error. */
static void test_write_all(void **state)
{
	(void)state;
	enum { N = 300 * 1024 };
	unsigned char *buf = malloc(N);
	assert_non_null(buf);
	for (size_t i = 0; i < N; i++)
		buf[i] = (unsigned char)(i * 7 + i / 251);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[1]);
		size_t got = 0;
		unsigned char chunk[4096];
		ssize_t r;
		while ((r = read(fds[0], chunk, sizeof(chunk))) > 0) {
			for (ssize_t j = 0; j < r; j++)
				if (got + (size_t)j >= N ||
				    chunk[j] != buf[got + (size_t)j])
					_exit(2);
			got += (size_t)r;
		}
		_exit(got == N ? 0 : 1);
	}
	close(fds[0]);
	assert_int_equal(fs_write_all(fds[1], buf, N), 0);
	close(fds[1]);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(fs_write_all(fds[1], buf, 1), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(fs_write_all(fds[1], buf, 0), 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_mode_ignores_umask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_replaces_atomically, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic_under_concurrent_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_refuses_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_refuses_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure_keeps_old_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_noreplace, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_fifo_does_not_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_follows_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_p, setup, teardown),
		cmocka_unit_test(test_path_helpers),
		cmocka_unit_test_setup_teardown(test_copy_and_predicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_temp_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_atomic, setup, teardown),
		cmocka_unit_test(test_write_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
