/* SPDX-License-Identifier: MIT */
/*
 * publish.h - `mvm run --publish [HOSTIP:]HOSTPORT:GUESTPORT[/udp|/tcp]`:
 * the option's parser and the PORTS column's format (no I/O)
 */
#ifndef MVM_CLI_PUBLISH_H
#define MVM_CLI_PUBLISH_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#define CLI_PUB_SYNTAX "[HOSTIP:]HOSTPORT:GUESTPORT[/udp]"

/** struct cli_pub - one parsed --publish */
struct cli_pub {
	uint32_t host_ip;	/* host order; 127.0.0.1 unless given */
	uint16_t host_port;
	uint16_t guest_port;
	int udp;		/* /udp (else tcp) */
};

/**
 * cli_pub_parse() - parse one --publish argument, strictly
 * @s:		"8080:80", "127.0.0.1:8080:80", "0.0.0.0:53:53/udp", ...:
 *		ports are decimal 1..65535, HOSTIP a dotted quad (0.0.0.0 =
 *		every address), the protocol "tcp" (default) or "udp"
 * @out:	filled in on success
 * @why:	on failure, what is wrong ("port 0 is out of range 1..65535")
 * Return: 0 or -EINVAL
 */
int cli_pub_parse(const char *s, struct cli_pub *out, char *why, size_t size);

/**
 * cli_pub_to_json() - the guest.create request's publication object
 * Return: a new object (caller puts it)
 */
struct json_object *cli_pub_to_json(const struct cli_pub *p);

/**
 * cli_pub_format() - "127.0.0.1:8080->80/tcp" from a publication object of
 * mvmd's guest object ("publish" array) into @buf; "" for a malformed one
 * Return: @buf
 */
char *cli_pub_format(struct json_object *pub, char *buf, size_t size);

#endif
