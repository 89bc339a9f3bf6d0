/*
 * fuzz_config_load.c - libFuzzer target: the answers/config loader
 * (iniparser underneath) on arbitrary file contents.  Nothing may crash
 * and nothing may be printed by iniparser.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/config.h"
#include "core/config_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz-config-%d.ini", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct config c;
	struct diag_list dl;
	config_init(&c);
	diag_list_init(&dl);
	if (config_load_file(&c, path, true, &dl) == 0)
		config_validate(&c, &dl);
	diag_list_release(&dl);
	config_release(&c);
	return 0;
}
