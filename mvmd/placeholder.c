/* removed once the real sources land */
int mvm_placeholder_mvmd(void);
int mvm_placeholder_mvmd(void) { return 0; }
