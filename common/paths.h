/* SPDX-License-Identifier: MIT */
/*
 * paths.h - where mvm keeps its socket, state, logs and configuration
 *
 *   runtime dir  $XDG_RUNTIME_DIR/mvm, else /tmp/mvm-UID (0700, owner checked)
 *                control.sock, mvmd.lock, mvmd.pid
 *   state dir    $XDG_DATA_HOME/mvm, else ~/.local/share/mvm
 *                state.json, mvmd.log, guests/NAME.log
 *   config       --config FILE, else $XDG_CONFIG_HOME/mvm/mvm.conf
 *                (~/.config/mvm/mvm.conf), else /etc/mvm/mvm.conf
 */
#ifndef MVM_PATHS_H
#define MVM_PATHS_H

#include <stddef.h>

/** paths_runtime_dir() - the runtime dir into @buf, created 0700; 0 or -errno */
int paths_runtime_dir(char *buf, size_t size);

/** paths_state_dir() - the state dir into @buf, created 0700; 0 or -errno */
int paths_state_dir(char *buf, size_t size);

/** paths_control_socket() - path of mvmd's control socket; 0 or -errno */
int paths_control_socket(char *buf, size_t size);

/**
 * paths_default_config() - the first config file that exists
 * Return: 1 with the path in @buf, 0 if none exists, or -errno
 */
int paths_default_config(char *buf, size_t size);

#endif
