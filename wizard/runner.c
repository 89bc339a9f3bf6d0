/*
 * runner.c - non-interactive enrollment: every stage through the same flow
 * the screens use, progress as plain lines, diagnostics as text.
 */
#include "runner.h"

#include <signal.h>
#include <string.h>
#include <time.h>

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/stage_inputs.h"
#include "core/text.h"
#include "preflight.h"
#include "summary.h"

static volatile sig_atomic_t cancel_requested;

void runner_request_cancel(void)
{
	cancel_requested = 1;
}

struct runner_ui {
	FILE *out;
	char last[160];
	struct timespec start;
};

static double elapsed(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* One line per distinct step; fractions are not printed line by line. */
static void on_progress(void *ud, const char *what, double fraction)
{
	struct runner_ui *u = ud;
	if (!what || strcmp(what, u->last) == 0)
		return;
	snprintf(u->last, sizeof(u->last), "%s", what);
	fputs("  .. ", u->out);
	text_fputs(what, u->out);
	fprintf(u->out, " (%.1f s)\n", elapsed(&u->start));
	fflush(u->out);
}

static int on_cancelled(void *ud)
{
	return cancel_requested != 0;
}

static void on_line(void *ud, const char *line)
{
	struct runner_ui *u = ud;
	fputs("  | ", u->out);     /* a command's output: escaped */
	text_fputs(line, u->out);
	fputc('\n', u->out);
	fflush(u->out);
}

const char *runner_arrow(void)
{
	/* The environment's character set, asked without setlocale: only the
	 * screens switch the program's locale. */
	locale_t loc = newlocale(LC_CTYPE_MASK, "", (locale_t)0);
	const char *cs = loc ? nl_langinfo_l(CODESET, loc) : NULL;
	bool utf8 = cs && strcmp(cs, "UTF-8") == 0;
	if (loc)
		freelocale(loc);
	return utf8 ? "\u2192" : "->";
}

/*
 * Whether stage s runs, saying why when it runs again: a stage not done
 * runs; a done stage runs when it is stale (its answers or an earlier
 * result changed) or when --stages named it (an explicit request), and is
 * skipped otherwise.
 */
static bool announce(struct flow *f, enum stage s, FILE *out)
{
	enum stage_status st = f->st.stage[s];
	if (!flow_will_run(f, s)) {
		fprintf(out, "[%d/%d] %s: already %s, skipped\n", s, STAGE_LAST,
			stage_title(s), stage_status_name(st));
		return false;
	}
	if (!stage_status_finished(st))
		return true;
	char *why = stage_stale_reason(&f->ctx, s, runner_arrow());
	if (why) {
		fprintf(out, "[%d/%d] %s: ", s, STAGE_LAST, stage_title(s));
		text_fputs(why, out);
		fputs(", running again\n", out);
		log_msg("runner: %s is stale: %s", stage_ref(s), why);
		free(why);
		return true;
	}
	fprintf(out, "[%d/%d] %s: already %s, running again as --stages asks\n",
		s, STAGE_LAST, stage_title(s), stage_status_name(st));
	return true;
}

int runner_run(struct flow *f, FILE *out)
{
	int from = f->cfg.stage_from ? f->cfg.stage_from : STAGE_FIRST;
	int to = f->cfg.stage_to ? f->cfg.stage_to : STAGE_LAST;
	struct runner_ui u = { .out = out };
	struct hooks h = { on_progress, on_cancelled, on_line, &u };

	/* Non-interactive answers stand in for the operator's confirmations;
	 * verify warnings were shown and, without a person, are accepted
	 * (they are warnings, not failures). */
	f->ctx.confirm_trust = f->cfg.trust_accept;
	f->ctx.confirm_overwrite = f->cfg.export_overwrite;
	f->ctx.confirm_warnings = true;

	/* Configuration errors and an unconfirmed abandon of a request the
	 * CA holds stop the run before any work: exit 2, nothing changed. */
	int pre = preflight_gate(f, from, to, out);
	if (pre != EXIT_OK)
		return pre;

	for (int s = from; s <= to; s++) {
		if (!announce(f, (enum stage)s, out))
			continue;
		clock_gettime(CLOCK_MONOTONIC, &u.start);
		u.last[0] = '\0';
		fprintf(out, "[%d/%d] %s ...\n", s, STAGE_LAST,
			stage_title((enum stage)s));
		fflush(out);
		enum status r = flow_run_stage(f, (enum stage)s, &h, NULL);
		diag_print_text(out, &f->last[s], SEV_PASS);
		fprintf(out, "[%d/%d] %s: %s (%.1f s)\n", s, STAGE_LAST,
			stage_title((enum stage)s),
			r == ST_NEED_CONFIRM ? "needs a confirmation" :
			status_name(r), elapsed(&u.start));
		if (r == ST_NEED_CONFIRM)
			fprintf(out, "      non-interactive runs cannot confirm: "
				"set the answer in the answers file (e.g. [trust] accept = yes, "
				"[export] overwrite = yes)\n");
		fflush(out);
		if (r != ST_OK) {
			int code = flow_exit_code((enum stage)s, r);
			log_msg("runner: stopped at stage %d, exit %d", s, code);
			return code;
		}
	}
	log_msg("runner: stages %d-%d done", from, to);
	summary_save_if_complete(f, out);
	fprintf(out, "done: stages %d-%d complete\n", from, to);
	return EXIT_OK;
}
