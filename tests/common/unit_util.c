/*
 * unit_util.c - helpers shared by unit tests (unit_util.h).
 */
#include "unit_util.h"
#include "lab_harness.h"

#include <arpa/inet.h>
#include <libgen.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int test_listen_loopback(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	socklen_t sl = sizeof(sa);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

char *test_source_path(const char *rel)
{
	const char *b = getenv("OPSMGR_BUILD_DIR");
	char *p = NULL;
	if (b && *b && b[0] == '/') {
		char *copy = strdup(b);
		if (!copy || asprintf(&p, "%s/%s", dirname(copy), rel) < 0)
			p = NULL;
		free(copy);
	} else {
		p = strdup(rel);
	}
	return p;
}

char *test_data_path(const char *sub, const char *name)
{
	char *rel = NULL, *p = NULL;
	if (asprintf(&rel, "tests/data/%s/%s", sub, name) < 0)
		return NULL;
	p = test_source_path(rel);
	free(rel);
	return p;
}

char *test_data_load(const char *sub, const char *name, size_t *len)
{
	char *path = test_data_path(sub, name), *buf = NULL;
	FILE *f = path ? fopen(path, "rb") : NULL;
	long n = -1;
	free(path);
	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc(n ? (size_t)n : 1)) &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	*len = buf ? (size_t)n : 0;
	return buf;
}

char *test_config_sandbox(const char *prefix)
{
	char xdg[600];
	char *dir = test_mkdtemp(prefix);
	if (!dir)
		return NULL;
	snprintf(xdg, sizeof(xdg), "%s/xdg", dir);
	setenv("OPSMGR_ENROLL_SYSTEM_CONFIG", "", 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	return dir;
}

void test_sandbox_remove(char **dir)
{
	if (*dir)
		test_rm_rf(*dir);
	free(*dir);
	*dir = NULL;
}
