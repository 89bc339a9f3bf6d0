/*
 * fuzz_lab_state.c - libFuzzer target: the lab's state file reader
 * (lab_state_load, lab/lab_store.c) on arbitrary bytes as DIR/state.  A
 * state that loads must save, and what was saved must load again with the
 * same records and save to the same bytes (the lab re-reads its state on
 * every request, so its own output must always be readable).
 * Seeds: tests/fuzz/corpus/fuzz_lab_state.  Owner: faults.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "lab.h"

static char dir[64];

static char *slurp(const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[256];
	if (fs_read_file(path, 64u * 1024u * 1024u, &buf, &len, err,
			 sizeof(err)) != 0)
		return NULL;
	return (char *)buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lab_state a, b;
	char err[512], path[96];

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-labstate-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(path, sizeof(path), "%s/state", dir);
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	if (size)
		fwrite(data, 1, size, f);
	fclose(f);
	if (lab_state_load(dir, &a, err, sizeof(err)) != 0)
		return 0;
	if (lab_state_save(dir, &a, err, sizeof(err)) != 0) {
		fprintf(stderr, "save: %s\n", err);
		abort();
	}
	char *first = slurp(path);
	if (!first)
		abort();
	if (lab_state_load(dir, &b, err, sizeof(err)) != 0) {
		fprintf(stderr, "own output does not load: %s\n", err);
		abort();
	}
	if (a.nreq != b.nreq || a.nag != b.nag || a.next_id != b.next_id)
		abort();
	if (lab_state_save(dir, &b, err, sizeof(err)) != 0)
		abort();
	char *second = slurp(path);
	if (!second || strcmp(first, second) != 0)
		abort();   /* save -> load -> save is stable */
	free(first);
	free(second);
	lab_state_release(&a);
	lab_state_release(&b);
	return 0;
}
