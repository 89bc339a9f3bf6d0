/*
 * vterm_harness.c - a program under a pty rendered by libvterm, for the UI
 * tests (see vterm_harness.h).
 */
#include "vterm_harness.h"
#include "lab_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void out_cb(const char *s, size_t len, void *user)
{
	struct vt *t = user;
	vt_send(t, s, len);
}

static int prop_cb(VTermProp prop, VTermValue *val, void *user)
{
	struct vt *t = user;
	if (prop == VTERM_PROP_ALTSCREEN) {
		t->altscreen = val->boolean;
		if (val->boolean)
			t->ever_altscreen = true;
	} else if (prop == VTERM_PROP_CURSORVISIBLE) {
		t->cursor_visible = val->boolean;
	}
	return 1;
}

static const VTermScreenCallbacks SCREEN_CBS = {
	.settermprop = prop_cb,
};

int vt_spawn(struct vt *t, int rows, int cols, const char *const argv[],
	     const char *const env[])
{
	struct winsize ws;
	pid_t pid;

	memset(t, 0, sizeof(*t));
	t->master = -1;
	t->rows = rows;
	t->cols = cols;
	t->cursor_visible = true;
	memset(&ws, 0, sizeof(ws));
	ws.ws_row = (unsigned short)rows;
	ws.ws_col = (unsigned short)cols;
	pid = forkpty(&t->master, NULL, NULL, &ws);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		for (int i = 0; env && env[i]; i++) {
			const char *eq = strchr(env[i], '=');
			if (eq) {
				char name[256];
				size_t nl = (size_t)(eq - env[i]);
				if (nl >= sizeof(name))
					nl = sizeof(name) - 1;
				memcpy(name, env[i], nl);
				name[nl] = 0;
				setenv(name, eq + 1, 1);
			} else {
				unsetenv(env[i]);
			}
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	t->pid = pid;
	fcntl(t->master, F_SETFL, fcntl(t->master, F_GETFL) | O_NONBLOCK);
	t->vt = vterm_new(rows, cols);
	vterm_set_utf8(t->vt, 1);
	vterm_output_set_callback(t->vt, out_cb, t);
	t->screen = vterm_obtain_screen(t->vt);
	vterm_screen_set_callbacks(t->screen, &SCREEN_CBS, t);
	vterm_screen_enable_altscreen(t->screen, 1);
	vterm_screen_reset(t->screen, 1);
	return 0;
}

static void reap(struct vt *t, bool block)
{
	int st;
	pid_t r;
	if (t->exited || t->pid <= 0)
		return;
	r = waitpid(t->pid, &st, block ? 0 : WNOHANG);
	if (r == t->pid) {
		t->exited = true;
		t->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
}

void vt_close(struct vt *t)
{
	if (t->pid > 0 && !t->exited) {
		kill(t->pid, SIGTERM);
		for (int i = 0; i < 50 && !t->exited; i++) {
			vt_pump(t, 0);
			reap(t, false);
			if (!t->exited)
				usleep(100000);
		}
		if (!t->exited) {
			kill(t->pid, SIGKILL);
			reap(t, true);
		}
	}
	if (t->master >= 0)
		close(t->master);
	t->master = -1;
	if (t->vt)
		vterm_free(t->vt);
	t->vt = NULL;
	free(t->raw);
	t->raw = NULL;
}

static void keep_raw(struct vt *t, const char *buf, size_t n)
{
	if (t->raw_len + n + 1 > t->raw_cap) {
		size_t nc = (t->raw_cap ? t->raw_cap * 2 : 65536) + n;
		char *p = realloc(t->raw, nc);
		if (!p)
			return;
		t->raw = p;
		t->raw_cap = nc;
	}
	memcpy(t->raw + t->raw_len, buf, n);
	t->raw_len += n;
	t->raw[t->raw_len] = 0;
}

void vt_pump(struct vt *t, int timeout_ms)
{
	long end = now_ms() + timeout_ms;
	for (;;) {
		struct pollfd pfd = { t->master, POLLIN, 0 };
		long left = end - now_ms();
		int pr;
		if (t->master < 0)
			return;
		pr = poll(&pfd, 1, left > 0 ? (int)left : 0);
		if (pr > 0 && (pfd.revents & POLLIN)) {
			char buf[8192];
			ssize_t n = read(t->master, buf, sizeof(buf));
			if (n > 0) {
				keep_raw(t, buf, (size_t)n);
				vterm_input_write(t->vt, buf, (size_t)n);
				continue;   /* drain what is there */
			}
		}
		if (pr > 0 && (pfd.revents & (POLLHUP | POLLERR))) {
			reap(t, false);
			if (!t->exited) {
				usleep(10000);
			}
			if (now_ms() >= end)
				return;
			continue;
		}
		if (left <= 0 || pr == 0)
			return;
	}
}

static size_t put_utf8(char *dst, uint32_t c)
{
	if (c < 0x80) {
		dst[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		dst[0] = (char)(0xc0 | (c >> 6));
		dst[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		dst[0] = (char)(0xe0 | (c >> 12));
		dst[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		dst[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	dst[0] = (char)(0xf0 | (c >> 18));
	dst[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	dst[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	dst[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

void vt_row(struct vt *t, int row, char *buf, size_t n)
{
	size_t k = 0;
	if (n == 0)
		return;
	for (int col = 0; col < t->cols && k + 8 < n; col++) {
		VTermScreenCell cell;
		VTermPos pos = { row, col };
		if (!vterm_screen_get_cell(t->screen, pos, &cell))
			continue;
		if (cell.chars[0] == (uint32_t)-1)
			continue;   /* right half of a wide character */
		if (cell.chars[0] == 0) {
			buf[k++] = ' ';
			continue;
		}
		for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i] &&
				k + 8 < n; i++)
			k += put_utf8(buf + k, cell.chars[i]);
		if (cell.width == 2)
			col++;
	}
	while (k > 0 && buf[k - 1] == ' ')
		k--;
	buf[k] = 0;
}

char *vt_screen_text(struct vt *t)
{
	size_t cap = (size_t)t->rows * ((size_t)t->cols * 4 + 2) + 1;
	char *s = malloc(cap);
	size_t k = 0;
	if (!s)
		return NULL;
	for (int r = 0; r < t->rows; r++) {
		vt_row(t, r, s + k, cap - k - 1);
		k += strlen(s + k);
		s[k++] = '\n';
	}
	s[k] = 0;
	return s;
}

bool vt_has_text(struct vt *t, const char *text)
{
	char *s = vt_screen_text(t);
	bool found = s && strstr(s, text) != NULL;
	free(s);
	return found;
}

int vt_find_row(struct vt *t, const char *text)
{
	char buf[4096];
	for (int r = 0; r < t->rows; r++) {
		vt_row(t, r, buf, sizeof(buf));
		if (strstr(buf, text))
			return r;
	}
	return -1;
}

/* Read until the program has been quiet for 100 ms (at most 1 s), so a
 * screen update is seen whole, not half drawn. */
static void settle(struct vt *t)
{
	long end = now_ms() + 1000;
	while (now_ms() < end) {
		size_t before = t->raw_len;
		vt_pump(t, 100);
		if (t->raw_len == before)
			return;
	}
}

int vt_wait_any(struct vt *t, const char *const texts[], int timeout_ms)
{
	long end = now_ms() + timeout_ms;
	for (;;) {
		char *s;
		vt_pump(t, 0);
		s = vt_screen_text(t);
		for (int i = 0; s && texts[i]; i++)
			if (strstr(s, texts[i])) {
				free(s);
				settle(t);
				return i;
			}
		free(s);
		if (now_ms() >= end)
			return -1;
		vt_pump(t, 50);
	}
}

int vt_wait_text(struct vt *t, const char *text, int timeout_ms)
{
	const char *const one[] = { text, NULL };
	return vt_wait_any(t, one, timeout_ms) == 0 ? 0 : -1;
}

int vt_wait_gone(struct vt *t, const char *text, int timeout_ms)
{
	long end = now_ms() + timeout_ms;
	for (;;) {
		vt_pump(t, 0);
		if (!vt_has_text(t, text))
			return 0;
		if (now_ms() >= end)
			return -1;
		vt_pump(t, 50);
	}
}

int vt_wait_exit(struct vt *t, int timeout_ms)
{
	long end = now_ms() + timeout_ms;
	for (;;) {
		vt_pump(t, 20);
		reap(t, false);
		if (t->exited) {
			vt_pump(t, 0);
			return t->status;
		}
		if (now_ms() >= end)
			return -1;
	}
}

void vt_dump(struct vt *t, FILE *out)
{
	char buf[4096];
	fprintf(out, "+-- screen %dx%d%s --\n", t->cols, t->rows,
		t->altscreen ? " (alternate)" : "");
	for (int r = 0; r < t->rows; r++) {
		vt_row(t, r, buf, sizeof(buf));
		fprintf(out, "|%s\n", buf);
	}
	fprintf(out, "+--\n");
}

void vt_send(struct vt *t, const char *bytes, size_t len)
{
	while (len > 0 && t->master >= 0) {
		ssize_t n = write(t->master, bytes, len);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				usleep(1000);
				continue;
			}
			return;
		}
		bytes += n;
		len -= (size_t)n;
	}
}

void vt_key(struct vt *t, VTermKey key, VTermModifier mod)
{
	vterm_keyboard_key(t->vt, key, mod);
	vt_pump(t, 30);
}

void vt_fkey(struct vt *t, int n)
{
	vt_key(t, VTERM_KEY_FUNCTION(n), VTERM_MOD_NONE);
}

void vt_type(struct vt *t, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	while (*p) {
		uint32_t c = *p;
		int extra = 0;
		if (c >= 0xf0) {
			c &= 0x07;
			extra = 3;
		} else if (c >= 0xe0) {
			c &= 0x0f;
			extra = 2;
		} else if (c >= 0xc0) {
			c &= 0x1f;
			extra = 1;
		}
		p++;
		while (extra-- > 0 && (*p & 0xc0) == 0x80)
			c = (c << 6) | (*p++ & 0x3f);
		vterm_keyboard_unichar(t->vt, c, VTERM_MOD_NONE);
		vt_pump(t, 5);
	}
	vt_pump(t, 20);
}

void vt_resize(struct vt *t, int rows, int cols)
{
	struct winsize ws;
	memset(&ws, 0, sizeof(ws));
	ws.ws_row = (unsigned short)rows;
	ws.ws_col = (unsigned short)cols;
	t->rows = rows;
	t->cols = cols;
	vterm_set_size(t->vt, rows, cols);
	ioctl(t->master, TIOCSWINSZ, &ws);
	if (t->pid > 0 && !t->exited)
		kill(t->pid, SIGWINCH);
	vt_pump(t, 50);
}

bool vt_any_color(struct vt *t)
{
	for (int r = 0; r < t->rows; r++)
		for (int c = 0; c < t->cols; c++) {
			VTermScreenCell cell;
			VTermPos pos = { r, c };
			if (!vterm_screen_get_cell(t->screen, pos, &cell))
				continue;
			if (!VTERM_COLOR_IS_DEFAULT_FG(&cell.fg) ||
			    !VTERM_COLOR_IS_DEFAULT_BG(&cell.bg))
				return true;
		}
	return false;
}

bool vt_all_ascii(struct vt *t)
{
	for (int r = 0; r < t->rows; r++)
		for (int c = 0; c < t->cols; c++) {
			VTermScreenCell cell;
			VTermPos pos = { r, c };
			if (!vterm_screen_get_cell(t->screen, pos, &cell))
				continue;
			for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i]; i++)
				if (cell.chars[i] != (uint32_t)-1 && cell.chars[i] >= 0x80)
					return false;
		}
	return true;
}

bool vt_output_has(struct vt *t, const char *s)
{
	return t->raw && memmem(t->raw, t->raw_len, s, strlen(s)) != NULL;
}

int vt_start_wizard(struct vt *t, int rows, int cols, const char *state_dir,
		    const char *answers, const char *const env[])
{
	char *bin = test_build_path("opsmgr-enroll");
	char xdg[4096];
	const char *argv[8];
	const char *all[48];
	int n = 0, a = 0, rc;

	if (!bin)
		return -1;
	snprintf(xdg, sizeof(xdg), "XDG_CONFIG_HOME=%s/xdg-config", state_dir);
	all[n++] = "TERM=xterm-256color";
	all[n++] = "LANG=C.UTF-8";
	all[n++] = "LC_ALL";
	all[n++] = "LC_CTYPE";
	all[n++] = "NO_COLOR";
	all[n++] = "OPSMGR_ENROLL_SYSTEM_CONFIG=/nonexistent/opsmgr-enroll.ini";
	all[n++] = xdg;
	for (int i = 0; env && env[i] && n < 47; i++)
		all[n++] = env[i];
	all[n] = NULL;
	argv[a++] = bin;
	if (answers) {
		argv[a++] = "--answers";
		argv[a++] = answers;
	}
	argv[a++] = "--state-dir";
	argv[a++] = state_dir;
	argv[a] = NULL;
	rc = vt_spawn(t, rows, cols, argv, all);
	free(bin);
	return rc;
}
