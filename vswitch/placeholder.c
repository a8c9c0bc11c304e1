/* removed once the real sources land */
int mvm_placeholder_vswitch(void);
int mvm_placeholder_vswitch(void) { return 0; }
