/*
 * check_cost.c - what `check` costs per certificate (issue 9, figure 5).
 *
 *   check_cost gen DIR N          make DIR/root.pem (RSA 3072, as the lab's
 *                                 root), DIR/trust/ (a hashed trust store
 *                                 with it), DIR/key.pem (one RSA-2048 leaf
 *                                 key) and N leaves DIR/cert-I.pem for
 *                                 agentI.lab.test, each with its own serial,
 *                                 both EKUs and the key usage stage 3 wants
 *   check_cost inproc DIR N       verify_certificate() (backend/stages/verify.h) on
 *                                 each leaf, revocation skipped; one line
 *                                 per certificate: "wall_ms cpu_ms"
 *   check_cost exec DIR N BIN     BIN check --offline --cert --key --fqdn
 *                                 --trust-store --state-dir for each leaf,
 *                                 fork to exit; one line "wall_ms cpu_ms"
 *
 * Every check must pass (exit 0 / ST_OK); anything else is reported and
 * makes the program exit 1, because then the figure would measure an
 * error path.  Exit 2 on usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "certgen.h"
#include "core/diag.h"
#include "core/status.h"
#include "stages/verify.h"

static double ms(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void path(char *buf, size_t n, const char *dir, const char *name, int i)
{
	if (i >= 0)
		snprintf(buf, n, "%s/%s-%d.pem", dir, name, i);
	else
		snprintf(buf, n, "%s/%s", dir, name);
}

static int gen(const char *dir, int n)
{
	char p[4096], link[4096];
	struct certgen_opts o;
	X509 *root = NULL, *leaf = NULL;
	EVP_PKEY *root_key = NULL, *key = NULL;

	certgen_opts_ca(&o, "opsmgr-enroll bench root");
	o.key_bits = 3072;
	if (certgen_make(&o, &root, &root_key) != 0)
		return 1;
	path(p, sizeof(p), dir, "root.pem", -1);
	if (certgen_write_pem(p, &root, 1) != 0)
		return 1;
	path(p, sizeof(p), dir, "trust", -1);
	if (mkdir(p, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "check_cost: mkdir '%s': %s\n", p, strerror(errno));
		return 1;
	}
	path(p, sizeof(p), dir, "trust/root.pem", -1);
	if (certgen_write_pem(p, &root, 1) != 0)
		return 1;
	snprintf(link, sizeof(link), "%s/trust/%08lx.0", dir,
		 X509_NAME_hash_ex(X509_get_subject_name(root), NULL, NULL, NULL));
	unlink(link);
	if (symlink("root.pem", link) != 0) {
		fprintf(stderr, "check_cost: symlink '%s': %s\n", link, strerror(errno));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char fqdn[64];
		snprintf(fqdn, sizeof(fqdn), "agent%d.lab.test", i);
		certgen_opts_leaf(&o, fqdn);
		o.issuer = root;
		o.issuer_key = root_key;
		if (certgen_make(&o, &leaf, key ? NULL : &key) != 0)
			return 1;
		path(p, sizeof(p), dir, "cert", i);
		if (certgen_write_pem(p, &leaf, 1) != 0)
			return 1;
		X509_free(leaf);
	}
	path(p, sizeof(p), dir, "key.pem", -1);
	if (!key || certgen_write_key(p, key) != 0)
		return 1;
	EVP_PKEY_free(key);
	X509_free(root);
	EVP_PKEY_free(root_key);
	certgen_cleanup();
	return 0;
}

static int inproc(const char *dir, int n)
{
	char cert[4096], key[4096], trust[4096], fqdn[64];
	int bad = 0;
	path(key, sizeof(key), dir, "key.pem", -1);
	path(trust, sizeof(trust), dir, "trust", -1);
	for (int i = 0; i < n; i++) {
		struct verify_input in;
		struct diag_list dl;
		path(cert, sizeof(cert), dir, "cert", i);
		snprintf(fqdn, sizeof(fqdn), "agent%d.lab.test", i);
		memset(&in, 0, sizeof(in));
		in.cert_path = cert;
		in.key_path = key;
		in.fqdn = fqdn;
		in.trust_store = trust;
		in.skip_revocation = true;
		diag_list_init(&dl);
		double w0 = ms(CLOCK_MONOTONIC), c0 = ms(CLOCK_PROCESS_CPUTIME_ID);
		enum status st = verify_certificate(&in, NULL, &dl);
		double w1 = ms(CLOCK_MONOTONIC), c1 = ms(CLOCK_PROCESS_CPUTIME_ID);
		if (st != ST_OK) {
			if (bad++ == 0) {
				fprintf(stderr, "check_cost: verify_certificate on '%s' gave status %d:\n",
					cert, (int)st);
				diag_print_text(stderr, &dl, 0);
			}
		}
		diag_list_release(&dl);
		printf("%.3f %.3f\n", w1 - w0, c1 - c0);
	}
	if (bad)
		fprintf(stderr, "check_cost: %d of %d certificates did not pass\n", bad, n);
	return bad ? 1 : 0;
}

static int run_one(char *const argv[], double *wall, double *cpu, int *code)
{
	struct rusage ru;
	int st;
	double w0 = ms(CLOCK_MONOTONIC);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) != pid)
		return -1;
	*wall = ms(CLOCK_MONOTONIC) - w0;
	*cpu = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 +
	       ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
	*code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

static int exec_check(const char *dir, int n, const char *bin)
{
	char cert[4096], key[4096], trust[4096], state[4096], fqdn[64];
	int bad = 0;
	path(key, sizeof(key), dir, "key.pem", -1);
	path(trust, sizeof(trust), dir, "trust", -1);
	path(state, sizeof(state), dir, "state", -1);
	for (int i = 0; i < n; i++) {
		double wall, cpu;
		int code;
		path(cert, sizeof(cert), dir, "cert", i);
		snprintf(fqdn, sizeof(fqdn), "agent%d.lab.test", i);
		char *const argv[] = { (char *)bin, "check", "--offline",
			"--cert", cert, "--key", key, "--fqdn", fqdn,
			"--trust-store", trust, "--state-dir", state, NULL };
		if (run_one(argv, &wall, &cpu, &code) != 0) {
			fprintf(stderr, "check_cost: cannot run '%s': %s\n", bin, strerror(errno));
			return 1;
		}
		if (code != 0 && bad++ == 0)
			fprintf(stderr, "check_cost: '%s check' on '%s' exited %d\n", bin, cert, code);
		printf("%.3f %.3f\n", wall, cpu);
	}
	if (bad)
		fprintf(stderr, "check_cost: %d of %d checks did not pass\n", bad, n);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	int n = argc > 3 ? atoi(argv[3]) : 0;
	if (argc < 4 || n < 1) {
		fprintf(stderr, "usage: check_cost gen|inproc DIR N | check_cost exec DIR N BIN\n");
		return 2;
	}
	if (strcmp(argv[1], "gen") == 0)
		return gen(argv[2], n);
	if (strcmp(argv[1], "inproc") == 0)
		return inproc(argv[2], n);
	if (strcmp(argv[1], "exec") == 0 && argc > 4)
		return exec_check(argv[2], n, argv[4]);
	fprintf(stderr, "usage: check_cost gen|inproc DIR N | check_cost exec DIR N BIN\n");
	return 2;
}
