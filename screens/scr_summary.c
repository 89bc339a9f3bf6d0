/*
 * scr_summary.c - the end: files produced, serial and thumbprint, what to
 * do on the Windows side; s saves it as a text report
 * (<state dir>/summary.txt, written atomically).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "stages/serial.h"
#include "frame.h"
#include "help.h"
#include "screens.h"

struct sbuf {
	char *p;
	size_t n, cap;
};

static void add(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int need;
	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0)
		return;
	if (b->n + (size_t)need + 1 > b->cap) {
		size_t nc = (b->cap ? b->cap * 2 : 1024) + (size_t)need;
		char *np = realloc(b->p, nc);
		if (!np)
			return;
		b->p = np;
		b->cap = nc;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)need;
}

static const char *v(const char *s)
{
	return s && *s ? s : "(none)";
}

/* The summary as text (for the report file and the screen); malloc'd. */
static char *summary_text(struct ui *ui)
{
	const struct state *s = &ui->f->st;
	const struct config *c = &ui->f->cfg;
	const struct serial_result *sr = ui->f->ctx.out[STAGE_SERIAL];
	struct sbuf b = { NULL, 0, 0 };
	int next = flow_next_stage(ui->f);

	add(&b, "opsmgr-enroll %s summary\n", OPSMGR_VERSION);
	if (next < STAGE_COUNT)
		add(&b, "Enrollment not finished yet (next: stage %d).\n\n", next);
	else if (c->role == ROLE_SERVER)
		add(&b, "Enrollment complete: this management server has its "
		    "certificate.\n\n");
	else if (s->approval && strcmp(s->approval, "approved") == 0)
		add(&b, "Enrollment complete: the agent is approved.\n\n");
	else
		add(&b, "Enrollment complete: every stage is done (approval was "
		    "not checked: [approval] source = none).\n\n");
	for (int i = STAGE_FIRST; i <= STAGE_LAST; i++)
		add(&b, "  stage %d %-15s %s\n", i, stage_title((enum stage)i),
		    stage_status_name(s->stage[i]));
	add(&b, "\nComputer:          %s\n", v(ctx_fqdn(&ui->f->ctx)));
	add(&b, "Role:              %s\n", role_name(c->role));
	add(&b, "Trusted root:      %s (SHA-256 %s)\n", v(s->root_path),
	    v(s->root_sha256));
	add(&b, "Private key:       %s\n", v(s->key_path));
	add(&b, "Certificate:       %s\n", v(s->cert_path));
	add(&b, "PFX:               %s\n", v(s->pfx_path));
	add(&b, "Agent config:      %s\n", v(s->agent_config_path));
	add(&b, "Serial:            %s\n", v(s->serial_hex));
	if (sr && sr->serial_reversed)
		add(&b, "Registry order:    %s (ChannelCertificateSerialNumber)\n",
		    sr->serial_reversed);
	if (sr && sr->reg_file)
		add(&b, "Registry file:     %s\n", sr->reg_file);
	add(&b, "SHA-1 thumbprint:  %s\n", v(s->thumbprint));
	add(&b, "Management server: %s:%d (group %s)\n", v(c->agent_server),
	    c->agent_port, v(c->agent_mgmt_group));
	add(&b, "Approval:          %s\n", v(s->approval));
	add(&b, "\nOn the Windows side:\n"
	    "  1. Import the root into Local Computer > Trusted Root "
	    "Certification Authorities.\n"
	    "  2. Import the PFX into Local Computer > Personal.\n"
	    "  3. Install MOMAgent.msi with the saved silent command line.\n"
	    "  4. Run MOMCertImport with the PFX (or import the .reg file) and "
	    "restart the Microsoft Monitoring Agent (HealthService).\n"
	    "  5. Do the certificate steps on the management server too.\n");
	return b.p;
}

static void draw(struct ui *ui, const char *text, int *first)
{
	static const struct keyhint keys[] = {
		{ ACT_NEXT, ACT_NONE, "Finish" }, { ACT_SAVE, ACT_NONE, NULL },
		{ ACT_BACK, ACT_NONE, NULL }, { ACT_HELP, ACT_NONE, NULL },
		{ ACT_QUIT, ACT_NONE, NULL },
	};
	if (ui->lay.too_small) {
		frame_too_small(ui);
		return;
	}
	frame_draw(ui, "Summary", (struct keyline){ KC_LIST, keys, 5 });
	frame_text(ui->lay.inner, text, first);
	curs_set(0);
	refresh();
}

/* The actions that leave the summary, and where to. */
static const enum nav LEAVES[ACT_COUNT] = {
	[ACT_QUIT] = NAV_QUIT, [ACT_NEXT] = NAV_DONE, [ACT_BACK] = NAV_BACK,
};

/* s: <state dir>/summary.txt, written atomically. */
static void save_report(struct ui *ui, const char *text)
{
	char err[FS_ERRLEN];
	char *path = fs_join(ui->f->state_dir, "summary.txt");
	if (path && fs_write_atomic(path, text, strlen(text), 0600, err,
				    sizeof(err)) == 0)
		ui_set_msg(ui, TH_DONE, "report saved to %s", path);
	else
		ui_set_msg(ui, TH_ERROR, "cannot save the report: %s",
			   path ? err : "out of memory");
	free(path);
}

enum nav scr_summary_run(struct ui *ui)
{
	char *text = summary_text(ui);
	int first = 0;
	enum nav nav = NAV_STAY;

	if (!text)
		return NAV_DONE;
	while (nav == NAV_STAY) {
		enum action act;
		wint_t ch;
		int r;
		draw(ui, text, &first);
		r = ui_getkey(ui, &ch);
		act = keymap_action(r, ch, KC_LIST);
		if (act == ACT_HELP)
			nav = help_show(ui, SCREEN_SUMMARY);
		else if (act == ACT_SAVE)
			save_report(ui, text);
		else if (!ui_scroll(act, &first))
			nav = LEAVES[act];
	}
	free(text);
	return nav;
}
