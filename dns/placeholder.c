/* removed once the real sources land */
int mvm_placeholder_dns(void);
int mvm_placeholder_dns(void) { return 0; }
