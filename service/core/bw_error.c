/* bw_error.c - names and texts of the error enum (portable core). */
#include "bw_error.h"

static const struct {
    const char *name;
    const char *text;
} errors[] = {
    [BW_OK] = {"ok", "success"},
    [BW_ENOMEM] = {"out-of-memory", "out of memory"},
    [BW_EINVAL] = {"invalid", "invalid argument or data"},
    [BW_ENOTFOUND] = {"not-found", "not found"},
    [BW_EACCES] = {"access-denied", "access denied"},
    [BW_EIO] = {"io-error", "input/output error"},
    [BW_EPARSE] = {"parse-error", "malformed input"},
    [BW_EENCODING] = {"bad-encoding", "invalid text encoding"},
    [BW_ERANGE] = {"out-of-range", "value out of range"},
    [BW_EBUSY] = {"busy", "resource busy"},
    [BW_ESYS] = {"system-error", "system error"},
};

const char *bw_strerror(bw_err err)
{
    if ((unsigned)err >= sizeof errors / sizeof errors[0])
        return "unknown error";
    return errors[err].text;
}

const char *bw_errname(bw_err err)
{
    if ((unsigned)err >= sizeof errors / sizeof errors[0])
        return "unknown";
    return errors[err].name;
}
