/*
 * test_ui_trust.c - a first enrollment through a real terminal emulator,
 * from an empty machine: an empty HOME, no configuration and no answers
 * file, the lab's HTTPS certificate issued by its own root and no
 * ca.ca_file.  The CA URL is typed; the certificates the server presented
 * are shown with the top one's 40-digit SHA-1 thumbprint readable whole at
 * 80x24; after the yes, the CA's 401 brings the user and password fields
 * (the scheme it offers named); a wrong password is refused at the
 * password field, retyped right, and stage 1 completes.  Then the FQDN
 * and template (stage 2, the password typed once serves it), the PFX
 * passwords (4), the management group, server and port (5), on to
 * "approved" (7).  It prints how many keys it pressed beyond the typed
 * values (fewer is better).  The passwords are in no file afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include "core/fsutil.h"
#include "lab_harness.h"
#include "pki/x509util.h"
#include "run_capture.h"
#include "ui_steps.h"
#include "vterm_harness.h"

struct fx {
	struct lab lab;
	char *dir;      /* HOME, answers, state */
	struct vt t;
	bool started;
};


static int setup(void **state)
{
	/* the management server approves a new agent after a second */
	const char *extra[] = { "--auto-approve", "1", NULL };
	struct fx *fx = calloc(1, sizeof(*fx));
	if (!fx || lab_start(&fx->lab, NULL, extra) != 0)
		return -1;
	fx->dir = test_mkdtemp("ui-trust-");
	*state = fx;
	return fx->dir ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	if (fx->started)
		vt_close(&fx->t);
	lab_stop(&fx->lab);
	test_rm_rf(fx->dir);
	free(fx->dir);
	free(fx);
	return 0;
}

static void key(struct fx *fx, VTermKey k)
{
	vt_key(&fx->t, k, VTERM_MOD_NONE);
}

/* The lab root's SHA-1 thumbprint as Windows prints it. */
static char *root_thumbprint(struct fx *fx)
{
	STACK_OF(X509) *sk = NULL;
	char err[256];
	assert_int_equal(x509_load_certs_file(fx->lab.root_pem, &sk, err,
					      sizeof(err)), 0);
	char *tp = x509_fingerprint(sk_X509_value(sk, 0), EVP_sha1());
	OSSL_STACK_OF_X509_free(sk);
	assert_int_equal(strlen(tp), 40);
	return tp;
}

/* Whether any file under dir holds text. */
static bool any_file_has(const char *dir, const char *text)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;
	if (!d)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = fs_join(dir, e->d_name);
		char *body = test_read_file(p);
		found = (body && strstr(body, text)) || any_file_has(p, text);
		free(body);
		free(p);
	}
	closedir(d);
	return found;
}


/* Keys pressed beyond the typed values (reported, fewer is better). */
static int g_keys;

static void press(struct fx *fx, VTermKey k)
{
	key(fx, k);
	g_keys++;
}

static void clear_field(struct fx *fx)
{
	vt_send(&fx->t, "\025", 1);   /* Ctrl-U */
	g_keys++;
}

/* The message under label (up to 3 rows), its words joined by one space
 * (wrapped rows joined back), from the form's side of the box. */
static void text_under(struct fx *fx, const char *label, char *out, size_t n)
{
	static const char edge[] = "\u2502";   /* the boxes' sides */
	char row[1024];
	size_t o = 0;
	int r = vt_find_row(&fx->t, label);
	assert_true(r >= 0);
	out[0] = 0;
	for (int i = 1; i <= 3; i++) {
		vt_row(&fx->t, r + i, row, sizeof(row));
		for (char *e; (e = strstr(row, edge)) != NULL;)
			memset(e, ' ', strlen(edge));
		for (char *w = strtok(row, " "); w; w = strtok(NULL, " "))
			o += (size_t)snprintf(out + o, o < n ? n - o : 0, "%s%s",
					      o ? " " : "", w);
	}
}

static void assert_under(struct fx *fx, const char *label, const char *text)
{
	char msg[2048];
	text_under(fx, label, msg, sizeof(msg));
	if (!strstr(msg, text)) {
		vt_dump(&fx->t, stderr);
		fail_msg("no '%s' under '%s': '%s'", text, label, msg);
	}
}

static void test_bootstrap_and_password(void **state)
{
	struct fx *fx = *state;
	char *home = fs_join(fx->dir, "home");
	char *sd = fs_join(fx->dir, "state");
	char envhome[600], row[1024], q[128];
	assert_int_equal(fs_mkdir_p(home, 0700, NULL, 0), 0);
	snprintf(envhome, sizeof(envhome), "HOME=%s", home);
	const char *const env[] = { envhome, NULL };

	/* no answers file: the URL is typed */
	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, sd, NULL, env), 0);
	fx->started = true;
	ui_wait(&fx->t, "Welcome");
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "Stage 1 of 7");
	press(fx, VTERM_KEY_TAB);
	vt_type(&fx->t, fx->lab.ca_url);
	press(fx, VTERM_KEY_ENTER);

	/* the presented chain: the top one first, its thumbprint whole on a
	 * row of the list and in the question */
	ui_wait(&fx->t, "(y/n)");
	char *tp = root_thumbprint(fx);
	snprintf(q, sizeof(q), "Confirm (y/n): SHA-1 thumbprint %s?", tp);
	assert_true(vt_has_text(&fx->t, q));
	/* the first row naming the root is the TOP row (the label, then the
	 * subject; "issued by" rows come after it) */
	int top = vt_find_row(&fx->t, "CN=opsmgr-enroll lab root, O=");
	if (top >= 0)
		vt_row(&fx->t, top, row, sizeof(row));
	if (top < 0 || !strstr(row, "TOP ")) {
		vt_dump(&fx->t, stderr);
		fail_msg("no TOP row naming the lab root");
	}
	vt_row(&fx->t, top + 2, row, sizeof(row));
	if (!strstr(row, tp)) {
		vt_dump(&fx->t, stderr);
		fail_msg("the thumbprint %s is not whole under the TOP row", tp);
	}
	assert_true(vt_has_text(&fx->t, "not trusted yet"));
	vt_type(&fx->t, "y");
	g_keys++;

	/* the CA wants a user and password: their fields, the scheme named */
	ui_wait(&fx->t, "stage 1 failed");
	assert_under(fx, "User:", "\u2717 the CA wants a user name");
	assert_under(fx, "User:", "HTTP 401, it offers Basic");
	/* the failed User field has the focus (not the CA URL before it),
	 * and the key line says letters are text from its first drawing */
	ui_wait(&fx->t, "^U Clear");
	vt_type(&fx->t, fx->lab.user);
	press(fx, VTERM_KEY_TAB);
	ui_wait(&fx->t, "Password:");
	vt_type(&fx->t, "wrong-password");
	press(fx, VTERM_KEY_ENTER);

	/* refused at the password field; retyped right, stage 1 is done */
	ui_wait(&fx->t, "refused the user name");
	assert_under(fx, "Password:", "the CA refused the user name");
	assert_under(fx, "Password:", "HTTP 401, it offers Basic");
	/* Ctrl-U: the focus stayed in the field, so its (masked) value is not
	 * selected; clearing it is one key */
	clear_field(fx);
	vt_type(&fx->t, fx->lab.password);
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "stage 1 done");
	assert_true(vt_has_text(&fx->t, "\u2713 1 Trust root"));
	printf("stage 1 from an empty machine: %d keys beyond the typed values\n",
	       g_keys);

	/* stage 2 uses the password typed in stage 1 (its field left empty)
	 * over a connection verified by the root just trusted */
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "Stage 2 of 7");
	clear_field(fx);
	vt_type(&fx->t, "agent01.lab.test");
	press(fx, VTERM_KEY_TAB);
	press(fx, VTERM_KEY_TAB);
	vt_type(&fx->t, "OpsMgr");
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "the CA issued the certificate");

	/* stage 3 */
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "Stage 3 of 7");
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "stage 3 done");

	/* stage 4 */
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "Stage 4 of 7");
	press(fx, VTERM_KEY_TAB);
	vt_type(&fx->t, "Pfx-Pass-1");
	press(fx, VTERM_KEY_TAB);
	vt_type(&fx->t, "Pfx-Pass-1");
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "stage 4 done");

	/* stage 5 */
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "Stage 5 of 7");
	char port[16];
	snprintf(port, sizeof(port), "%d", fx->lab.ms_port);
	vt_type(&fx->t, "LAB");
	press(fx, VTERM_KEY_TAB);
	vt_type(&fx->t, "localhost");
	press(fx, VTERM_KEY_TAB);
	vt_type(&fx->t, port);           /* replaces the selected 5723 */
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "stage 5 done");

	/* stage 6 */
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "Stage 6 of 7");
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "stage 6 done");

	/* stage 7: the management server approves */
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "Stage 7 of 7");
	press(fx, VTERM_KEY_ENTER);
	ui_wait(&fx->t, "approved this agent");
	ui_wait(&fx->t, "stage 7 done");
	assert_true(vt_has_text(&fx->t, "\u2713 7 Await approval"));
	printf("from an empty machine to approved: %d keys beyond the typed "
	       "values\n", g_keys);

	/* the password is in no file: not the state, not HOME */
	assert_false(any_file_has(fx->dir, fx->lab.password));
	assert_false(any_file_has(fx->dir, "wrong-password"));
	assert_false(any_file_has(fx->dir, "Pfx-Pass-1"));
	char *anchor = fs_join(sd, "trust-bootstrap.pem");
	assert_false(fs_exists(anchor));
	free(anchor);
	free(tp);
	free(home);
	free(sd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bootstrap_and_password,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
