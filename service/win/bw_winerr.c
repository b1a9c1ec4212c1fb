/* bw_winerr.c - Win32 error codes in banwatch's terms (Win32 layer). */
#include "bw_winerr.h"

#include <stdio.h>

bw_err bw_win_error(DWORD code)
{
    switch (code) {
    case ERROR_SUCCESS: return BW_OK;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_KEY_DELETED:
    case ERROR_SERVICE_DOES_NOT_EXIST:
    case ERROR_MOD_NOT_FOUND:
    case ERROR_NO_MORE_ITEMS: return BW_ENOTFOUND;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD:
    case ERROR_NETWORK_ACCESS_DENIED: return BW_EACCES;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_NO_SYSTEM_RESOURCES: return BW_ENOMEM;
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_HANDLE:
    case ERROR_INVALID_DATA:
    case ERROR_INVALID_FLAGS:
    case ERROR_INVALID_NAME:
    case ERROR_BADKEY:
    case ERROR_INVALID_LEVEL: return BW_EINVAL;
    case ERROR_MORE_DATA:
    case ERROR_INSUFFICIENT_BUFFER:
    case ERROR_BUFFER_OVERFLOW:
    case ERROR_FILENAME_EXCED_RANGE: return BW_ERANGE;
    case ERROR_NO_UNICODE_TRANSLATION: return BW_EENCODING;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_BUSY:
    case ERROR_SERVICE_DATABASE_LOCKED: return BW_EBUSY;
    case ERROR_READ_FAULT:
    case ERROR_WRITE_FAULT:
    case ERROR_CRC:
    case ERROR_HANDLE_EOF:
    case ERROR_REGISTRY_IO_FAILED:
    case ERROR_REGISTRY_CORRUPT:
    case ERROR_BADDB:
    case ERROR_CANTREAD:
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
    case ERROR_WRITE_PROTECT: return BW_EIO;
    default: return BW_ESYS;
    }
}

/* Words for the codes whose bw_err text says too little about what to do
 * (a write that fails on the disk). */
static const char *specific_text(DWORD code)
{
    switch (code) {
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL: return "the disk is full";
    case ERROR_WRITE_PROTECT: return "the disk is write-protected";
    default: return NULL;
    }
}

bw_err bw_win_status_set(bw_win_status *st, DWORD code)
{
    bw_err err = bw_win_error(code);
    if (st) {
        const char *text = specific_text(code);
        st->code = code;
        snprintf(st->reason, sizeof st->reason, "%s (%lu)", text ? text : bw_strerror(err),
                 (unsigned long)code);
    }
    return err;
}

void bw_win_error_text(unsigned long code, char *buf, size_t len)
{
    bw_win_status st;
    bw_win_status_set(&st, (DWORD)code);
    snprintf(buf, len, "%s", st.reason);
}
