/* kit.h - fixture: helpers the screen calls, defined in router.c. */
int kit_getkey(void);
