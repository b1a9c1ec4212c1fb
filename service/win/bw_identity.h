/*
 * bw_identity.h - the names banwatch is known by on Windows (Win32
 * layer): its service, its Event Log source and their registry keys. The
 * installer registers them; the service control glue and the Event Log
 * sink use them.
 */
#ifndef BW_IDENTITY_H
#define BW_IDENTITY_H

#define BW_SERVICE_NAME    L"banwatch" /* = BW_SELF_SERVICE of bw_eval.h */
#define BW_SERVICE_DISPLAY L"banwatch endpoint agent"
#define BW_EVENT_SOURCE    L"banwatch"
#define BW_EVENTLOG_KEY    L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\banwatch"

#endif
