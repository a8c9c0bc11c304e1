/* SPDX-License-Identifier: MIT */
/*
 * wire.h - protocol constants: well-known ports, TCP flags, ICMP types and
 * codes. Each is defined here once; the parsers and builders in frame.h
 * and every protocol core use these names.
 */
#ifndef MVM_PKT_WIRE_H
#define MVM_PKT_WIRE_H

/* well-known ports */
#define DNS_PORT		53
#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68

#endif
