/*
 * bw_winhost.h - the machine's clock and name through the API table
 * (Win32 layer).
 */
#ifndef BW_WINHOST_H
#define BW_WINHOST_H

#include <stddef.h>
#include <stdint.h>

#include "bw_api.h"
#include "../core/bw_error.h"

/* The current time, Unix seconds UTC (GetSystemTimeAsFileTime). */
int64_t bw_win_now(const bw_api *api);

/* The computer's name (UTF-8, malloc'd into *out): the DNS host name, else
 * the NetBIOS name. When neither can be read, why says so for both
 * ("DNS host name: access denied (5); NetBIOS name: empty name"). */
bw_err bw_win_host_name(const bw_api *api, char **out, char *why, size_t whylen);

#endif
