/*
 * help.c - shows the F1 help page of a screen: a stage's page from the
 * stage table (backend/core/stage_help.c holds the text), or the welcome,
 * summary or Windows evidence page; help_show() pages through it
 * (Up/Down, PgUp/PgDn, Home/End), its last line saying how much is above
 * and below.
 */
#include "help.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "layout.h"

void help_title(int screen, char *buf, size_t n)
{
	if (screen > SCREEN_WELCOME && screen < SCREEN_SUMMARY)
		snprintf(buf, n, "Help: %d %s", screen,
			 stage_title((enum stage)screen));
	else
		snprintf(buf, n, "Help: %s",
			 screen == SCREEN_SUMMARY ? "summary" :
			 screen == SCREEN_EVIDENCE ? "a Windows computer" :
			 "welcome");
}

const char *help_text(int screen)
{
	if (screen > SCREEN_WELCOME && screen < SCREEN_SUMMARY)
		return stage_help((enum stage)screen);
	return screen == SCREEN_SUMMARY ? stage_help_summary :
	       screen == SCREEN_EVIDENCE ? stage_help_evidence :
	       stage_help_welcome;
}

/* The page, then every key of the screen with all its alternatives
 * (keymap_describe); malloc'd, NULL when out of memory. */
static char *with_keys(const char *page, int screen)
{
	enum keyctx ctx = screen == SCREEN_WELCOME ? KC_WELCOME :
			  screen == SCREEN_SUMMARY ? KC_LIST :
			  screen == SCREEN_EVIDENCE ? KC_FORM : KC_STAGE;
	size_t pl = strlen(page), kl = keymap_describe(ctx, NULL, 0);
	char *t = malloc(pl + kl + 16);
	if (t) {
		snprintf(t, pl + 16, "%s\n\nKeys\n", page);
		keymap_describe(ctx, t + strlen(t), kl + 1);
	}
	return t;
}

enum nav help_show(struct ui *ui, int screen)
{
	static const struct keyhint keys[] = {
		{ ACT_UP, ACT_DOWN, "Scroll" }, { ACT_PAGE_UP, ACT_PAGE_DOWN, "Page" },
		{ ACT_BACK, ACT_NONE, "Close help" }, { ACT_QUIT, ACT_NONE, NULL },
	};
	int first = 0;
	char *all = with_keys(help_text(screen), screen);
	const char *text = all ? all : help_text(screen);
	char title[80];
	enum nav nav = NAV_STAY;

	help_title(screen, title, sizeof(title));

	for (;;) {
		struct rect in = ui->lay.inner;
		enum action act;
		wint_t ch;
		int r;

		if (ui->lay.too_small) {
			frame_too_small(ui);
		} else {
			int n = layout_wrap(text, in.w, 0, NULL, NULL);
			frame_draw(ui, title, (struct keyline){ KC_HELP, keys, 4 });
			if (n > in.h && in.h > 1) {
				in.h--;   /* the last line says there is more */
				frame_text(in, text, &first);
				pane_draw_more(&ui->th, stdscr, in, in.y + in.h, first,
					       n - first - in.h);
			} else {
				frame_text(in, text, &first);
			}
			curs_set(0);
			refresh();
		}
		r = ui_getkey(ui, &ch);
		act = keymap_action(r, ch, KC_HELP);
		if (act == ACT_QUIT)
			nav = NAV_QUIT;
		if (act == ACT_QUIT || act == ACT_BACK)
			break;
		if (act == ACT_TOP)
			first = 0;
		else if (act == ACT_BOTTOM)
			first = FRAME_TEXT_MAX;   /* frame_text stops at the end */
		else if (!ui_scroll(act, &first))
			ui_page(act, &first, in.h - 2);
	}
	free(all);
	return nav;
}
