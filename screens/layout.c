/*
 * layout.c - pure layout computation for the wizard's screens (see
 * layout.h).  No curses here so the arithmetic is testable on its own.
 */
#include "layout.h"

#include <string.h>

void layout_compute(struct layout *l, int cols, int lines)
{
	int rail_w;

	memset(l, 0, sizeof(*l));
	l->cols = cols;
	l->lines = lines;
	if (cols < UI_MIN_COLS || lines < UI_MIN_LINES) {
		l->too_small = true;
		return;
	}
	/* Rail: wide enough for the longest stage_rail_name() plus frame. */
	rail_w = 22 + (cols - UI_MIN_COLS) / 8;
	if (rail_w > 30)
		rail_w = 30;
	l->title = (struct rect){ 0, 0, 1, cols };
	l->keys = (struct rect){ lines - 1, 0, 1, cols };
	l->status = (struct rect){ lines - 2, 0, 1, cols };
	l->rail = (struct rect){ 1, 0, lines - 3, rail_w };
	l->body = (struct rect){ 1, rail_w, lines - 3, cols - rail_w };
	l->inner = (struct rect){ l->body.y + 1, l->body.x + 2, l->body.h - 2,
				  l->body.w - 4 };
}

int layout_label_width(const int *label_len, int n, int width)
{
	int m = 0;
	for (int i = 0; i < n; i++)
		if (label_len[i] > m)
			m = label_len[i];
	m += 2;
	if (m > width * 2 / 5)
		m = width * 2 / 5;
	return m;
}

int layout_form_need(int n, const int *extra)
{
	int need = 0;
	for (int i = 0; i < n; i++)
		need += 1 + (extra ? extra[i] : 0);
	return need;
}

static int span(const int *extra, int a, int b)
{
	int s = 0;
	for (int i = a; i <= b; i++)
		s += 1 + (extra ? extra[i] : 0);
	return s;
}

int layout_form(int n, const int *extra, int height, int focus, int *first,
		int *row)
{
	int f = first ? *first : 0;
	int y = 0;

	if (n <= 0) {
		if (first)
			*first = 0;
		return 0;
	}
	if (focus < 0)
		focus = 0;
	if (focus >= n)
		focus = n - 1;
	if (f < 0)
		f = 0;
	if (f > focus)
		f = focus;
	/* Move the window down until the focused field (with its lines) fits. */
	while (f < focus && span(extra, f, focus) > height)
		f++;
	/* Use space at the bottom: move up while everything still fits. */
	while (f > 0 && span(extra, f - 1, n - 1) <= height)
		f--;
	for (int i = 0; i < n; i++) {
		int h = 1 + (extra ? extra[i] : 0);
		if (i < f || y + 1 > height) {
			row[i] = -1;
			continue;
		}
		row[i] = y;
		y += h;
	}
	if (y > height)
		y = height;
	if (first)
		*first = f;
	return y;
}

int layout_split(int height, int form_need, int pane_min, int *pane_y,
		 int *pane_h)
{
	int form_h;

	if (pane_min <= 0) {
		*pane_y = height;
		*pane_h = 0;
		return form_need < height ? form_need : height;
	}
	form_h = form_need;
	if (form_h > height - pane_min - 1)
		form_h = height - pane_min - 1;
	if (form_h < 1 && form_need > 0)
		form_h = height > 1 ? 1 : height;
	if (form_h < 0)
		form_h = 0;
	*pane_y = form_h + (form_h > 0 ? 1 : 0);
	*pane_h = height - *pane_y;
	if (*pane_h < 0)
		*pane_h = 0;
	return form_h;
}

int layout_wrap(const char *s, int width, int max, int *starts, int *lens)
{
	int n = 0;
	int pos = 0;
	int total;

	if (!s || width <= 0)
		return 0;
	total = (int)strlen(s);
	while (pos < total) {
		int end, brk = -1, cols = 0, i;

		while (pos < total && s[pos] == ' ')
			pos++;
		if (pos >= total)
			break;
		/* Find how many bytes fit in width columns. */
		i = pos;
		while (i < total && s[i] != '\n') {
			int clen = 1;
			unsigned char c = (unsigned char)s[i];
			if (c >= 0xf0)
				clen = 4;
			else if (c >= 0xe0)
				clen = 3;
			else if (c >= 0xc0)
				clen = 2;
			if (cols + 1 > width)
				break;
			if (s[i] == ' ')
				brk = i;
			cols++;
			i += clen;
			if (i > total)
				i = total;
		}
		if (i >= total || s[i] == '\n') {
			end = i;
		} else if (brk > pos) {
			end = brk;
		} else {
			end = i;   /* a word longer than the line: cut it */
		}
		if (n < max && starts && lens) {
			int e = end;
			while (e > pos && s[e - 1] == ' ')
				e--;
			starts[n] = pos;
			lens[n] = e - pos;
		}
		n++;
		pos = end;
		if (pos < total && s[pos] == '\n')
			pos++;
	}
	return n;
}

int layout_scroll(int n, int height, int sel, int first)
{
	if (height <= 0 || n <= 0)
		return 0;
	if (sel < 0)
		sel = 0;
	if (sel >= n)
		sel = n - 1;
	if (first > sel)
		first = sel;
	if (sel >= first + height)
		first = sel - height + 1;
	if (first > n - height)
		first = n - height;
	if (first < 0)
		first = 0;
	return first;
}
