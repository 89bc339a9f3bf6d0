/* screen.h - fixture: the screen the router runs. */
int screen_run(void);
