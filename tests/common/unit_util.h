/*
 * unit_util.h - small helpers several unit tests share: a listening
 * loopback socket on an ephemeral port, and the path of a file of the
 * source tree (under tests/data) next to the build directory under test,
 * and a temporary directory for a flow that reads no configuration file.
 *
 * Ownership: the socket is the caller's (close); paths are malloc'd.
 */
#ifndef OPSMGR_TEST_UNIT_UTIL_H
#define OPSMGR_TEST_UNIT_UTIL_H

#include <stddef.h>

/* A TCP socket listening on 127.0.0.1; *port gets its port.  -1 on
 * failure. */
int test_listen_loopback(int *port);

/* <dirname of $OPSMGR_BUILD_DIR>/<rel> when that is an absolute path,
 * else <rel> (the tests run in the source tree); NULL when out of memory. */
char *test_source_path(const char *rel);

/* <dirname of $OPSMGR_BUILD_DIR>/tests/data/<sub>/<name> when that is an
 * absolute path, else tests/data/<sub>/<name>; NULL when out of memory. */
char *test_data_path(const char *sub, const char *name);

/* The file tests/data/<sub>/<name> (test_data_path) in a malloc'd buffer
 * of exactly its length (no NUL added, so ASan catches a read past it;
 * the caller frees); *len gets the length.  NULL when it cannot be read
 * (errno set). */
char *test_data_load(const char *sub, const char *name, size_t *len);

/* A new temporary directory (malloc'd; NULL on failure) for a test that
 * opens a flow: no system or user configuration file is read
 * (OPSMGR_ENROLL_SYSTEM_CONFIG empty, XDG_CONFIG_HOME inside it).
 * test_sandbox_remove removes it, frees it and clears *dir. */
char *test_config_sandbox(const char *prefix);
void test_sandbox_remove(char **dir);

#endif
