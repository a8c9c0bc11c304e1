/* removed once the real sources land */
int mvm_placeholder_nat(void);
int mvm_placeholder_nat(void) { return 0; }
