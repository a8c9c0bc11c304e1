// SPDX-License-Identifier: MIT
/* gw_dns_tcp.c - DNS over TCP from guests (placeholder: being written) */
#include <errno.h>

#include "vswitch/gw_nat.h"
#include "vswitch/gw_priv.h"

int gw_dns_tcp_open(struct gw *gw, uint32_t client_ip)
{
	(void)gw; (void)client_ip;
	return -ECONNREFUSED;
}

void gw_dns_tcp_event(struct gw *gw, uint32_t idx, uint32_t events)
{
	(void)gw; (void)idx; (void)events;
}

void gw_dns_tcp_free(struct gw *gw)
{
	(void)gw;
}
