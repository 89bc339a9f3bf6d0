/* flow.h - fixture: the flow the screens use. */
int flow_next(void);
