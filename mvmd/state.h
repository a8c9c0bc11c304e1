/* SPDX-License-Identifier: MIT */
/*
 * state.h - state.json: the networks created with the CLI and the guests
 *
 * Written atomically (file_write_atomic) after every change; read once at
 * start. Config networks are not in it (the config file is their truth).
 * A state.json that cannot be parsed is moved aside to
 * state.json.corrupt-TIME and mvmd starts empty; a bad entry in a good
 * file loses only that entry. Both are logged.
 */
#ifndef MVMD_STATE_H
#define MVMD_STATE_H

#include <json-c/json.h>

#include "mvmd/mvmd.h"

#define STATE_VERSION 1
#define STATE_MAX_SIZE (16 << 20)

/** state_to_json() - the registries as state.json's object (caller puts) */
struct json_object *state_to_json(struct mvmd *d);

/**
 * state_save() - write state.json (no-op without a state path)
 * Return: 0 or -errno
 */
int state_save(struct mvmd *d);

/**
 * state_read() - read and parse state.json
 * @root:	receives the object (caller puts it), or NULL when there is
 *		no file or it was corrupt (then it has been moved aside)
 * Return: 0, or -errno when the file exists but cannot be read
 */
int state_read(struct mvmd *d, struct json_object **root);

/** state_load_networks() - recreate the networks of @root (errors logged) */
void state_load_networks(struct mvmd *d, struct json_object *root);

/**
 * state_load_guests() - restore the guests of @root (errors logged)
 * Created guests are dropped (their creator is gone); a running guest whose
 * process is gone becomes exited (-1) and frees its addresses; one whose
 * process lives stays running, without ports, until it is attached again.
 */
void state_load_guests(struct mvmd *d, struct json_object *root);

#endif
