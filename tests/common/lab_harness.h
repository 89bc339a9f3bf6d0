/*
 * lab_harness.h - start and stop an opsmgr-enroll-lab for a test: a fresh
 * temporary directory, ephemeral loopback ports, bounded waits.  The lab
 * binary is $OPSMGR_BUILD_DIR/opsmgr-enroll-lab (default build/).
 *
 * Ownership: struct lab owns its strings; lab_stop() stops the process,
 * removes the directory (unless keep_dir) and frees them.
 */
#ifndef OPSMGR_LAB_HARNESS_H
#define OPSMGR_LAB_HARNESS_H

#include <sys/types.h>

struct lab {
	pid_t pid;
	char *dir;            /* the lab's --dir */
	int ca_port;          /* from lab.ini [lab] ca_port */
	int ms_port;          /* from lab.ini [lab] ms_port */
	char *ca_url;         /* https://127.0.0.1:PORT/certsrv/ */
	char *answers;        /* <dir>/answers.ini */
	char *root_pem;       /* the lab root certificate (PEM file path) */
	char *user;           /* Basic auth user */
	char *password;       /* Basic auth password (read from its file) */
	char *password_file;
	int keep_dir;
};

/* Directory of the build under test: $OPSMGR_BUILD_DIR or "build". */
const char *test_build_dir(void);
/* malloc'd "<build>/<name>". */
char *test_build_path(const char *name);

/*
 * Start the lab in a new temporary directory (or in `dir` when non-NULL,
 * reusing an existing lab there).  extra_args: NULL-terminated extra
 * arguments (e.g. "--auto-approve", "0"), may be NULL.  Waits up to 60 s
 * for lab.ini.  Returns 0 / -1 (message on stderr).
 */
int lab_start(struct lab *l, const char *dir, const char *const extra_args[]);
/* SIGTERM, wait (SIGKILL after 10 s); keeps the directory when keep_dir. */
void lab_stop(struct lab *l);
/* Stop the process only (directory and fields kept, for restarts). */
void lab_kill(struct lab *l);

/*
 * Run "opsmgr-enroll-lab <args...>" (e.g. {"approve", "--dir", dir, "5",
 * NULL}) and return its exit status (-1 when it could not run); output
 * goes to *out when out is non-NULL (malloc'd, caller frees).
 */
int lab_cmd(const char *const args[], char **out);

/* Recursively remove a directory tree (test clean-up). */
int test_rm_rf(const char *path);
/* New temporary directory (0700), malloc'd path. */
char *test_mkdtemp(const char *prefix);

#endif
