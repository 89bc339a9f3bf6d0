/*
 * krb_harness.c - a throwaway Kerberos realm and an Apache in front of
 * the lab (krb_harness.h): the configuration files written into the
 * build directory, the MIT tools run with their secrets on stdin
 * (kdb5_util, kadmin.local, kinit, htpasswd), krb5kdc and apache2 started
 * in the foreground as our children (SIGTERM when this thread ends), a
 * bounded wait for their ports, and their stop and clean-up.
 *
 * The tools' and daemons' output goes to files in the realm's directory
 * (tools.log, kdc.log, apache/error.log); a failure prints the tail.
 */
#include "krb_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "run_capture.h"

#define TOOL_TIMEOUT_MS 30000
#define START_TIMEOUT_MS 20000
#define STOP_TIMEOUT_MS 10000
#define APACHE_BIN "/usr/sbin/apache2"
#define APACHE_MODULES "/usr/lib/apache2/modules"
#define APACHE_WORKER "www-data"   /* the User Apache drops to as root */

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(int ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };
	nanosleep(&ts, NULL);
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* The last lines of a log, to stderr (why a tool or daemon failed). */
static void show_tail(const char *path)
{
	char *t = test_read_file(path);
	if (t && *t) {
		size_t n = strlen(t);
		const char *p = n > 3000 ? t + n - 3000 : t;
		fprintf(stderr, "--- %s ---\n%s\n--- end ---\n", path, p);
	}
	free(t);
}

/* 32 hex digits from the kernel's random source. */
static int random_password(char out[40])
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof(b)) : -1;
	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(b))
		return -1;
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/* A loopback TCP port nobody listens on now (the daemon binds it next). */
static int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int port = -1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int port_open(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* The child's side of a spawn: our SIGTERM at exit, stdin, output, env. */
static void child_setup(pid_t parent, int in_fd, const char *log,
			const char *const env[])
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int nul = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nul >= 0)
		dup2(nul, 0);
	if (out >= 0) {
		dup2(out, 1);
		dup2(out, 2);
	}
	for (size_t i = 0; env && env[i]; i++)
		putenv((char *)env[i]);
}

/* Start argv with output appended to log; pid, or -1. */
static pid_t spawn(const char *const argv[], const char *log,
		   const char *const env[], int in_fd)
{
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		child_setup(parent, in_fd, log, env);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0)
		fprintf(stderr, "krb_harness: fork: %s\n", strerror(errno));
	return pid;
}

/* SIGTERM, a bounded wait, then SIGKILL. */
static void stop_pid(pid_t *pid)
{
	int st;
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	long long end = mono_ms() + STOP_TIMEOUT_MS;
	while (waitpid(*pid, &st, WNOHANG) == 0) {
		if (mono_ms() > end) {
			kill(*pid, SIGKILL);
			waitpid(*pid, &st, 0);
			break;
		}
		nap_ms(10);
	}
	*pid = 0;
}

/* Run a tool to its end with input on its stdin: its exit status, -1. */
static int run_tool(const char *const argv[], const char *input,
		    const char *log)
{
	int p[2], st = 0;
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid_t pid = spawn(argv, log, NULL, p[0]);
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	size_t n = input ? strlen(input) : 0;
	if (n && write(p[1], input, n) != (ssize_t)n)
		fprintf(stderr, "krb_harness: %s took not all of its input\n",
			argv[0]);
	close(p[1]);
	long long end = mono_ms() + TOOL_TIMEOUT_MS;
	pid_t r;
	while ((r = waitpid(pid, &st, WNOHANG)) == 0 && mono_ms() < end)
		nap_ms(10);
	if (r == 0) {
		fprintf(stderr, "krb_harness: '%s' timed out\n", argv[0]);
		stop_pid(&pid);
		return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "krb_harness: '%s' failed (status 0x%x)\n",
			argv[0], st);
		show_tail(log);
		return -1;
	}
	return 0;
}

/* Wait until pid listens on port: 0, or -1 when it exited or timed out. */
static int wait_listening(pid_t pid, int port, const char *what,
			  const char *log)
{
	long long end = mono_ms() + START_TIMEOUT_MS;
	int st;
	while (!port_open(port)) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "krb_harness: %s exited before it "
				"listened on %d (status 0x%x)\n", what, port, st);
			show_tail(log);
			return -1;
		}
		if (mono_ms() > end) {
			fprintf(stderr, "krb_harness: %s does not listen on %d "
				"after %d s\n", what, port, START_TIMEOUT_MS / 1000);
			show_tail(log);
			return -1;
		}
		nap_ms(20);
	}
	return 0;
}

/* Write a file and give it mode; 0 / -1. */
static int put_file(const char *path, const char *text, mode_t mode)
{
	if (test_write_file(path, text) != 0 || chmod(path, mode) != 0) {
		fprintf(stderr, "krb_harness: cannot write '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* As root, what Apache's workers read must be readable by their group. */
static void share_with_worker(const char *path, mode_t mode)
{
	struct group *g;
	if (geteuid() != 0 || !(g = getgrnam(APACHE_WORKER)))
		return;
	if (chown(path, (uid_t)-1, g->gr_gid) != 0 || chmod(path, mode) != 0)
		fprintf(stderr, "krb_harness: cannot share '%s' with %s: %s\n",
			path, APACHE_WORKER, strerror(errno));
}

/* ------------------------------------------------------------------ */
/* the realm                                                           */

static char *krb5_conf_text(int port)
{
	return fmt("[libdefaults]\n"
		   "\tdefault_realm = " KRB_REALM "\n"
		   "\tdns_lookup_kdc = false\n"
		   "\tdns_lookup_realm = false\n"
		   "\tdns_canonicalize_hostname = false\n"
		   "\trdns = false\n"
		   "\tudp_preference_limit = 1\n"
		   "[realms]\n"
		   "\t" KRB_REALM " = {\n\t\tkdc = 127.0.0.1:%d\n\t}\n"
		   "\t" KRB_OTHER_REALM " = {\n\t\tkdc = 127.0.0.1:%d\n\t}\n"
		   "[domain_realm]\n"
		   "\tlocalhost = " KRB_REALM "\n",
		   port, port);
}

static char *kdc_conf_text(const char *dir, int port)
{
	return fmt("[kdcdefaults]\n"
		   "\tkdc_listen = 127.0.0.1:%d\n"
		   "\tkdc_tcp_listen = 127.0.0.1:%d\n"
		   "[realms]\n"
		   "\t" KRB_REALM " = {\n"
		   "\t\tdatabase_name = %s/db-main\n"
		   "\t\tkey_stash_file = %s/stash-main\n"
		   "\t\tacl_file = %s/kadm5.acl\n\t}\n"
		   "\t" KRB_OTHER_REALM " = {\n"
		   "\t\tdatabase_name = %s/db-other\n"
		   "\t\tkey_stash_file = %s/stash-other\n"
		   "\t\tacl_file = %s/kadm5.acl\n\t}\n"
		   "[logging]\n"
		   "\tkdc = FILE:%s/kdc.log\n",
		   port, port, dir, dir, dir, dir, dir, dir, dir);
}

/* A realm's database and its principals (kadmin.local reads stdin). */
static int make_realm_db(struct krb_realm *k, const char *realm,
			 const char *principals, const char *log)
{
	char master[40];
	if (random_password(master) != 0)
		return -1;
	char *twice = fmt("%s\n%s\n", master, master);
	const char *create[] = {"/usr/sbin/kdb5_util", "-r", realm, "create",
				"-s", NULL};
	const char *admin[] = {"/usr/sbin/kadmin.local", "-r", realm, NULL};
	int rc = twice && run_tool(create, twice, log) == 0 &&
			 run_tool(admin, principals, log) == 0 ? 0 : -1;
	if (twice)
		memset(twice, 0, strlen(twice));
	free(twice);
	return rc;
}

/* krb5.conf, kdc.conf (they name the port) and the environment. */
static int realm_confs(struct krb_realm *k)
{
	char *kc = krb5_conf_text(k->kdc_port);
	char *dc = kdc_conf_text(k->dir, k->kdc_port);
	int rc = kc && dc && put_file(k->krb5_conf, kc, 0644) == 0 &&
			 put_file(k->kdc_conf, dc, 0600) == 0 ? 0 : -1;
	free(kc);
	free(dc);
	if (rc == 0) {
		setenv("KRB5_CONFIG", k->krb5_conf, 1);
		setenv("KRB5_KDC_PROFILE", k->kdc_conf, 1);
		setenv("KRB5CCNAME", k->ccache, 1);
	}
	return rc;
}

/* Both databases: alice and HTTP/localhost (keytab) in KRB_REALM, bob in
 * KRB_OTHER_REALM. */
static int realm_dbs(struct krb_realm *k, const char *log)
{
	char *acl = fmt("%s/kadm5.acl", k->dir);
	char *main_p = fmt("addprinc -pw %s " KRB_USER "\n"
			   "addprinc -randkey HTTP/localhost\n"
			   "ktadd -k %s HTTP/localhost\n",
			   k->password, k->keytab);
	char *other_p = fmt("addprinc -pw %s " KRB_OTHER_USER "\n", k->password);
	int rc = acl && main_p && other_p && put_file(acl, "", 0600) == 0 &&
			 make_realm_db(k, KRB_REALM, main_p, log) == 0 &&
			 make_realm_db(k, KRB_OTHER_REALM, other_p, log) == 0
		 ? 0 : -1;
	free(acl);
	free(main_p);
	free(other_p);
	return rc;
}

static int start_kdc(struct krb_realm *k)
{
	char *log = fmt("%s/kdc-output.txt", k->dir);
	const char *argv[] = {"/usr/sbin/krb5kdc", "-n", "-r", KRB_REALM, "-r",
			      KRB_OTHER_REALM, NULL};
	int rc = -1;
	if (log && (k->kdc_pid = spawn(argv, log, NULL, -1)) > 0)
		rc = wait_listening(k->kdc_pid, k->kdc_port, "krb5kdc", log);
	if (rc != 0)
		stop_pid(&k->kdc_pid);
	free(log);
	return rc;
}

/* The programs the harness runs are installed (else: which package). */
static int have_programs(void)
{
	static const char *const need[][2] = {
		{"/usr/sbin/krb5kdc", "krb5-kdc"},
		{"/usr/sbin/kdb5_util", "krb5-kdc"},
		{"/usr/sbin/kadmin.local", "krb5-admin-server"},
		{"/usr/bin/kinit", "krb5-user"},
		{APACHE_BIN, "apache2"},
		{"/usr/bin/htpasswd", "apache2-utils"},
		{APACHE_MODULES "/mod_auth_gssapi.so", "libapache2-mod-auth-gssapi"},
	};
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (access(need[i][0], F_OK) != 0) {
			fprintf(stderr, "krb_harness: '%s' is missing: install "
				"'%s' (scripts/deps.sh does)\n", need[i][0],
				need[i][1]);
			return -1;
		}
	return 0;
}

int krb_realm_start(struct krb_realm *k)
{
	char real[PATH_MAX];
	memset(k, 0, sizeof(*k));
	if (have_programs() != 0)
		return -1;
	if (!realpath(test_build_dir(), real)) {
		fprintf(stderr, "krb_harness: no build directory '%s': %s\n",
			test_build_dir(), strerror(errno));
		return -1;
	}
	char *tmpl = fmt("%s/krb-XXXXXX", real);
	if (!tmpl || !mkdtemp(tmpl)) {
		fprintf(stderr, "krb_harness: cannot make the realm directory\n");
		free(tmpl);
		return -1;
	}
	k->dir = tmpl;
	share_with_worker(k->dir, 0750);   /* Apache's workers go through it */
	k->krb5_conf = fmt("%s/krb5.conf", k->dir);
	k->kdc_conf = fmt("%s/kdc.conf", k->dir);
	k->ccache = fmt("FILE:%s/ccache", k->dir);
	k->keytab = fmt("%s/http.keytab", k->dir);
	char *log = fmt("%s/tools.log", k->dir);
	int rc = -1;
	if (!k->krb5_conf || !k->kdc_conf || !k->ccache || !k->keytab ||
	    !log || random_password(k->password) != 0)
		goto out;
	/* a port taken between our probe and the KDC's bind: another one */
	for (int i = 0; i < 3 && rc != 0; i++) {
		k->kdc_port = free_port();
		if (k->kdc_port <= 0 || realm_confs(k) != 0 ||
		    (i == 0 && realm_dbs(k, log) != 0))
			break;
		rc = start_kdc(k);
	}
	if (rc == 0)
		share_with_worker(k->keytab, 0640);
out:
	free(log);
	return rc;
}

void krb_realm_stop(struct krb_realm *k)
{
	stop_pid(&k->kdc_pid);
	if (k->dir)
		test_rm_rf(k->dir);
	free(k->dir);
	free(k->krb5_conf);
	free(k->kdc_conf);
	free(k->ccache);
	free(k->keytab);
	memset(k, 0, sizeof(*k));
	unsetenv("KRB5_CONFIG");
	unsetenv("KRB5_KDC_PROFILE");
	unsetenv("KRB5CCNAME");
}

int krb_kinit(const struct krb_realm *k, const char *principal)
{
	return krb_kinit_for(k, principal, NULL);
}

int krb_kinit_for(const struct krb_realm *k, const char *principal,
		  const char *lifetime)
{
	char *log = fmt("%s/tools.log", k->dir);
	char *pw = fmt("%s\n", k->password);
	const char *timed[] = {"/usr/bin/kinit", "-l", lifetime, principal, NULL};
	const char *plain[] = {"/usr/bin/kinit", principal, NULL};
	int rc = -1;
	if (log && pw)
		rc = run_tool(lifetime ? timed : plain, pw, log);
	if (pw)
		memset(pw, 0, strlen(pw));
	free(pw);
	free(log);
	return rc;
}

int krb_kdestroy(const struct krb_realm *k)
{
	const char *path = k->ccache + strlen("FILE:");
	if (unlink(path) != 0 && errno != ENOENT) {
		fprintf(stderr, "krb_harness: cannot remove '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Apache                                                              */

/* "Basic base64(user:password)" of the lab, which Apache adds. */
static char *lab_authorization(const struct lab *l)
{
	char *plain = fmt("%s:%s", l->user, l->password);
	if (!plain)
		return NULL;
	size_t n = strlen(plain);
	unsigned char *b64 = malloc(4 * ((n + 2) / 3) + 1);
	char *out = NULL;
	if (b64) {
		EVP_EncodeBlock(b64, (const unsigned char *)plain, (int)n);
		out = fmt("Basic %s", (char *)b64);
	}
	memset(plain, 0, n);
	free(plain);
	free(b64);
	return out;
}

static const char *const k_modules[] = {
	"mpm_event", "authn_core", "authz_core", "authz_user", "auth_basic",
	"authn_file", "auth_gssapi", "headers", "proxy", "proxy_http",
	"socache_shmcb", "ssl", "filter", "substitute",
};

/* One proxied location: auth lines, then the lab's credentials and the
 * proxy to its /certsrv/. */
static char *location(const char *path, const char *auth, const char *cred,
		      int lab_port)
{
	return fmt("<Location %s>\n%s"
		   "\tRequire valid-user\n"
		   "\tRequestHeader set Authorization \"%s\"\n"
		   "\tProxyPass https://localhost:%d/certsrv/\n"
		   "\tProxyPassReverse https://localhost:%d/certsrv/\n"
		   "</Location>\n",
		   path, auth, cred, lab_port, lab_port);
}

static char *apache_conf_text(const struct apache *a,
			      const struct krb_realm *k, const struct lab *l,
			      const char *cred)
{
	char mods[2048] = "";
	size_t o = 0;
	for (size_t i = 0; i < sizeof(k_modules) / sizeof(k_modules[0]); i++)
		o += (size_t)snprintf(mods + o, sizeof(mods) - o,
				      "LoadModule %s_module " APACHE_MODULES
				      "/mod_%s.so\n", k_modules[i], k_modules[i]);
	char *neg_auth = fmt("\tAuthType GSSAPI\n"
			     "\tAuthName \"" KRB_REALM "\"\n"
			     "\tGssapiCredStore keytab:%s\n"
			     "\tGssapiAllowedMech krb5\n"
			     "\tGssapiBasicAuth On\n",
			     k->keytab);
	char *basic_auth = fmt("\tAuthType Basic\n"
			       "\tAuthName \"opsmgr lab through Apache\"\n"
			       "\tAuthBasicProvider file\n"
			       "\tAuthUserFile %s/htpasswd\n"
			       /* drops Content-Length: chunked answers */
			       "\tAddOutputFilterByType SUBSTITUTE text/html\n"
			       "\tSubstitute \"s|</html>|</html>|n\"\n",
			       a->dir);
	char *neg = neg_auth ? location("/certsrv/", neg_auth, cred,
					l->ca_port) : NULL;
	char *basic = basic_auth ? location("/basic/certsrv/", basic_auth,
					    cred, l->ca_port) : NULL;
	char *text = NULL;
	if (neg && basic)
		text = fmt("ServerRoot %s\nServerName localhost\n"
			   "Listen 127.0.0.1:%d\n"
			   "PidFile %s/httpd.pid\nDefaultRuntimeDir %s\n"
			   "ErrorLog %s/error.log\nLogLevel info\n"
			   "LogFormat \"%%h %%u \\\"%%r\\\" %%>s %%b\" who\n"
			   "CustomLog %s/access.log who\n"
			   "%s%s"
			   "KeepAlive On\n"
			   "SSLEngine on\n"
			   "SSLCertificateFile %s/ca/server.pem\n"
			   "SSLCertificateKeyFile %s/ca/server.key\n"
			   "SSLSessionCache none\n"
			   "SSLProxyEngine on\n"
			   "SSLProxyVerify require\n"
			   "SSLProxyCACertificateFile %s\n"
			   "%s%s",
			   a->dir, a->port, a->dir, a->dir, a->dir, a->dir,
			   geteuid() == 0 ? "User " APACHE_WORKER "\nGroup "
					    APACHE_WORKER "\n" : "",
			   mods, l->dir, l->dir, l->root_pem, neg, basic);
	free(neg_auth);
	free(basic_auth);
	free(neg);
	free(basic);
	return text;
}

/* Apache's own user for the Basic location, password from stdin. */
static int apache_htpasswd(struct apache *a, const char *log)
{
	char *file = fmt("%s/htpasswd", a->dir);
	char *pw = fmt("%s\n", a->basic_password);
	const char *argv[] = {"/usr/bin/htpasswd", "-i", "-B", "-c", file,
			      a->basic_user, NULL};
	int rc = file && pw && run_tool(argv, pw, log) == 0 ? 0 : -1;
	if (rc == 0)
		share_with_worker(file, 0640);
	if (pw)
		memset(pw, 0, strlen(pw));
	free(pw);
	free(file);
	return rc;
}

static int apache_once(struct apache *a, const struct krb_realm *k,
		       const struct lab *l, const char *cred)
{
	char *conf = fmt("%s/httpd.conf", a->dir);
	char *log = fmt("%s/apache-output.txt", a->dir);
	char *text = apache_conf_text(a, k, l, cred);
	/* the workers' replay cache would go to /var/tmp: none */
	const char *env[] = {"KRB5RCACHETYPE=none", NULL};
	const char *argv[] = {APACHE_BIN, "-f", conf, "-DFOREGROUND", NULL};
	int rc = -1;
	if (conf && log && text && put_file(conf, text, 0600) == 0 &&
	    (a->pid = spawn(argv, log, env, -1)) > 0)
		rc = wait_listening(a->pid, a->port, "apache2", log);
	if (rc != 0) {
		char *el = fmt("%s/error.log", a->dir);
		if (el)
			show_tail(el);
		free(el);
		stop_pid(&a->pid);
	}
	free(conf);
	free(log);
	free(text);
	return rc;
}

int apache_start(struct apache *a, const struct krb_realm *k,
		 const struct lab *l)
{
	memset(a, 0, sizeof(*a));
	a->dir = fmt("%s/apache", k->dir);
	a->basic_user = strdup("carol");
	char *log = fmt("%s/tools.log", k->dir);
	char *cred = lab_authorization(l);
	int rc = -1;
	if (!a->dir || !a->basic_user || !log || !cred ||
	    random_password(a->basic_password) != 0 || mkdir(a->dir, 0700) != 0)
		goto out;
	share_with_worker(a->dir, 0750);
	a->basic_password_file = fmt("%s/basic-password", a->dir);
	if (!a->basic_password_file ||
	    put_file(a->basic_password_file, a->basic_password, 0600) != 0 ||
	    apache_htpasswd(a, log) != 0)
		goto out;
	for (int i = 0; i < 3 && rc != 0; i++) {
		a->port = free_port();
		if (a->port > 0)
			rc = apache_once(a, k, l, cred);
	}
	if (rc == 0) {
		a->negotiate_url = fmt("https://localhost:%d/certsrv/", a->port);
		a->basic_url = fmt("https://localhost:%d/basic/certsrv/", a->port);
		if (!a->negotiate_url || !a->basic_url)
			rc = -1;
	}
out:
	if (cred)
		memset(cred, 0, strlen(cred));
	free(cred);
	free(log);
	return rc;
}

void apache_stop(struct apache *a)
{
	stop_pid(&a->pid);
	if (a->dir)
		test_rm_rf(a->dir);
	free(a->dir);
	free(a->negotiate_url);
	free(a->basic_url);
	free(a->basic_user);
	free(a->basic_password_file);
	memset(a, 0, sizeof(*a));
}
