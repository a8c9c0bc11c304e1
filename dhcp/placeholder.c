/* removed once the real sources land */
int mvm_placeholder_dhcp(void);
int mvm_placeholder_dhcp(void) { return 0; }
