/*
 * test_fuzz_regressions.c - every input a fuzzer found trouble with, kept
 * in tests/fuzz/regressions/<target>/, replayed through the very same
 * fuzz target code (the tests/fuzz/fuzz_*.c sources are compiled in here
 * with their entry points renamed), so plain and SAN=1 builds run them on
 * every `make test`; plus the specific behaviour each finding is about.
 *
 * Findings so far:
 *   fuzz_lab_handlers/newreq-without-certrequest: POST certfnsh.asp
 *     Mode=newreq without a CertRequest field reaches lab_parse_csr(NULL,
 *     0), which computes NULL + 0 before checking (lab/lab_pki.c; clang's
 *     UBSan aborts there, gcc's does not see it).  The answer must be
 *     AD CS's "Error Parsing Request" page and the state must stay
 *     readable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "lab_harness.h"

/*
 * lab.h and state.h both name request states REQ_PENDING, REQ_ISSUED and
 * REQ_DENIED (two programs, two enums); in this one file the lab's are
 * renamed while its sources are read.
 */
#define REQ_PENDING LAB_REQ_PENDING
#define REQ_ISSUED LAB_REQ_ISSUED
#define REQ_DENIED LAB_REQ_DENIED
#define REQ_REVOKED LAB_REQ_REVOKED
#define LLVMFuzzerTestOneInput fuzz_lab_handlers_one
#define LLVMFuzzerInitialize fuzz_lab_handlers_init
#include "../fuzz/fuzz_lab_handlers.c"
#undef LLVMFuzzerTestOneInput
#undef LLVMFuzzerInitialize

#define LLVMFuzzerTestOneInput fuzz_lab_state_one
#include "../fuzz/fuzz_lab_state.c"
#undef LLVMFuzzerTestOneInput
#undef REQ_PENDING
#undef REQ_ISSUED
#undef REQ_DENIED
#undef REQ_REVOKED

#define LLVMFuzzerTestOneInput fuzz_pkcs12_one
#include "../fuzz/fuzz_pkcs12.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_x509_load_one
#include "../fuzz/fuzz_x509_load.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_state_parse_one
#include "../fuzz/fuzz_state_parse.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_config_load_one
#include "../fuzz/fuzz_config_load.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_certsrv_pages_one
#include "../fuzz/fuzz_certsrv_pages.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_crl_one
#include "../fuzz/fuzz_crl.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_approval_json_one
#include "../fuzz/fuzz_approval_json.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_evidence_reg_one
#include "../fuzz/fuzz_evidence_reg.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_evidence_certutil_one
#include "../fuzz/fuzz_evidence_certutil.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_evidence_events_one
#include "../fuzz/fuzz_evidence_events.c"
#undef LLVMFuzzerTestOneInput

typedef int (*fuzz_fn)(const uint8_t *, size_t);

static const struct {
	const char *name;
	fuzz_fn fn;
} targets[] = {
	{ "fuzz_lab_handlers", fuzz_lab_handlers_one },
	{ "fuzz_lab_state", fuzz_lab_state_one },
	{ "fuzz_pkcs12", fuzz_pkcs12_one },
	{ "fuzz_x509_load", fuzz_x509_load_one },
	{ "fuzz_state_parse", fuzz_state_parse_one },
	{ "fuzz_config_load", fuzz_config_load_one },
	{ "fuzz_certsrv_pages", fuzz_certsrv_pages_one },
	{ "fuzz_crl", fuzz_crl_one },
	{ "fuzz_approval_json", fuzz_approval_json_one },
	{ "fuzz_evidence_reg", fuzz_evidence_reg_one },
	{ "fuzz_evidence_certutil", fuzz_evidence_certutil_one },
	{ "fuzz_evidence_events", fuzz_evidence_events_one },
};

/* tests/fuzz/regressions, found from the repository root (where tests
 * run) or from the build directory's parent. */
static char *regressions_dir(void)
{
	const char *b = getenv("OPSMGR_BUILD_DIR");
	char *cand[3] = { NULL, NULL, NULL };
	cand[0] = strdup("tests/fuzz/regressions");
	if (b && *b && asprintf(&cand[1], "%s/../tests/fuzz/regressions", b) < 0)
		cand[1] = NULL;
	cand[2] = strdup("../tests/fuzz/regressions");
	char *found = NULL;
	for (int i = 0; i < 3; i++) {
		struct stat sb;
		if (!found && cand[i] && stat(cand[i], &sb) == 0 &&
		    S_ISDIR(sb.st_mode))
			found = cand[i];
		else
			free(cand[i]);
	}
	return found;
}

static fuzz_fn target_fn(const char *name)
{
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (!strcmp(targets[i].name, name))
			return targets[i].fn;
	return NULL;
}

static int group_setup(void **st)
{
	(void)st;
	return fuzz_lab_handlers_init(NULL, NULL);
}

static int group_teardown(void **st)
{
	char p[96];
	(void)st;
	test_rm_rf(C.dir);
	lab_ctx_release(&C);
	if (dir[0])
		test_rm_rf(dir);
	if (pfx_path[0])
		unlink(pfx_path);
	if (cert_path[0])
		unlink(cert_path);
	snprintf(p, sizeof(p), "/tmp/fuzz-config-%d.ini", (int)getpid());
	unlink(p);
	return 0;
}

/* Every file under regressions/<target>/ through its target; a target
 * directory nobody knows is a mistake, not something to skip. */
static void test_replay_all(void **st)
{
	(void)st;
	char *root = regressions_dir();
	assert_non_null(root);
	DIR *d = opendir(root);
	assert_non_null(d);
	struct dirent *e;
	int inputs = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		fuzz_fn fn = target_fn(e->d_name);
		if (!fn)
			fail_msg("tests/fuzz/regressions/%s: no such fuzz target",
				 e->d_name);
		char *sub = fs_join(root, e->d_name);
		DIR *sd = opendir(sub);
		assert_non_null(sd);
		struct dirent *f;
		while ((f = readdir(sd)) != NULL) {
			if (f->d_name[0] == '.')
				continue;
			char *path = fs_join(sub, f->d_name);
			unsigned char *buf = NULL;
			size_t len = 0;
			char err[256];
			assert_int_equal(fs_read_file(path, 1u << 20, &buf, &len, err,
						      sizeof(err)), 0);
			printf("replay %s/%s (%zu bytes)\n", e->d_name, f->d_name,
			       len);
			assert_int_equal(fn(buf, len), 0);
			free(buf);
			free(path);
			inputs++;
		}
		closedir(sd);
		free(sub);
	}
	closedir(d);
	free(root);
	assert_true(inputs >= 1);
}

/* The finding itself: newreq without CertRequest. */
static void test_newreq_without_certrequest(void **st)
{
	(void)st;
	char err[256];
	assert_null(lab_parse_csr(NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "Error Parsing Request"));

	struct lab_kvs form;
	memset(&form, 0, sizeof(form));
	assert_int_equal(lab_kvs_add(&form, "Mode", "newreq", 6, 0), 0);
	assert_int_equal(lab_kvs_add(&form, "CertAttrib",
				     "CertificateTemplate:OpsMgr", 26, 0), 0);
	struct lab_http_req q;
	struct lab_resp r;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.path = "/certsrv/certfnsh.asp";
	q.form = &form;
	q.user = "labuser";
	q.pass = C.password;
	lab_ca_handle(&C, &q, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(r.body);
	assert_non_null(memmem(r.body, r.len, "Error Parsing Request", 21));
	lab_resp_release(&r);
	lab_kvs_release(&form);
	struct lab_state s;
	assert_int_equal(lab_state_load(C.dir, &s, err, sizeof(err)), 0);
	lab_state_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_all),
		cmocka_unit_test(test_newreq_without_certrequest),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
