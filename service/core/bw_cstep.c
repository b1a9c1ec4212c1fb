/*
 * bw_cstep.c - containment of one service, step by step (portable core):
 * the decisions and the words of every outcome. See bw_cstep.h.
 */
#include "bw_cstep.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* How often a pending stop or start is polled: a tenth of the service's
 * wait hint (Microsoft's sample), within these bounds. */
#define POLL_MIN_MS 250u
#define POLL_MAX_MS 5000u

/* What an administrator can do when Windows or the product's self-defense
 * refuses the change. */
#define BLOCKED_ADVICE                                                                  \
    "Windows refuses changes to a protected anti-malware service from any other "       \
    "process, SYSTEM included. Instead: turn protection off by policy from the "        \
    "vendor's management console (for Kaspersky: the Security Center / Administration " \
    "Server policy, self-defense and password protection settings), or uninstall the "  \
    "product with its uninstall password (or the vendor's removal tool)."

/* Where the machine takes up the next feed: the step it handed out last. */
enum phase {
    P_DONE = 0,
    /* containing the service itself */
    C_OPENED,       /* OPEN for change (enforce) or queries (audit) */
    C_PROBE_OPENED, /* OPEN for queries after change was denied */
    C_PROBE_QUERIED,
    C_PROBE_RECORD,
    C_PROBE_PROTECTION,
    C_PROBE_CLOSED,
    C_QUERIED,
    C_PROTECTION,
    C_RECORD,
    C_PRIOR,
    C_DISABLED, /* SET_START disabled */
    C_UNMARKED,
    C_DISABLE_NOTICE,
    C_DISABLE_REPORTED,
    C_DEPENDENTS,
    C_STOP_NOTICE,
    C_STOPPED, /* STOP */
    C_WAITED,
    C_REPORTED, /* the last report: done after it */
    /* stopping its running dependents */
    D_OPENED,
    D_QUERIED,
    D_RECORD,
    D_PRIOR,
    D_STOPPED,
    D_WAITED,
    D_CLOSED,
    D_REPORTED,
    D_FAILED,
    /* putting a service back */
    R_OPENED,
    R_SET,
    R_STARTED,
    R_WAITED,
    R_RESTORED
};

/* How a stop ended. */
enum stop_end {
    STOP_OK = 0,    /* stopped */
    STOP_DENIED,    /* the request was refused with access denied */
    STOP_FAILED,    /* refused otherwise, not in time, or not readable */
    STOP_UNRECORDED /* a dependent's prior state could not be recorded (why says so) */
};

static void put(char *buf, size_t len, const char *f, ...) BW_PRINTF(3, 4);
static void put(char *buf, size_t len, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, len, f, ap);
    va_end(ap);
}

/* Appends to the text in buf; the whole is cut at len bytes. */
static void add(char *buf, size_t len, const char *f, ...) BW_PRINTF(3, 4);
static void add(char *buf, size_t len, const char *f, ...)
{
    size_t n = strlen(buf);
    if (n + 1 >= len)
        return;
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf + n, len - n, f, ap);
    va_end(ap);
}

static const char *protection_name(uint32_t p)
{
    switch (p) {
    case 1: return "protected (Windows)";
    case 2: return "protected (Windows light)";
    case 3: return "protected (antimalware light, AM-PPL)";
    default: return "protected";
    }
}

/* A kernel, file-system or recognizer driver, not a Win32 service. */
static bool is_driver(uint32_t type)
{
    return (type & (BW_SVC_KERNEL_DRIVER | BW_SVC_FS_DRIVER | BW_SVC_RECOGNIZER_DRIVER)) &&
           !(type & (BW_SVC_WIN32_OWN | BW_SVC_WIN32_SHARE));
}

/* The plan's target of that name with decision ACT, or NULL. */
static const bw_contain_target *plan_target(const bw_contain_plan *plan, const char *name)
{
    for (size_t i = 0; i < plan->n; i++)
        if (plan->items[i].decision == BW_CONTAIN_ACT && bw_ieq(plan->items[i].name, name))
            return &plan->items[i];
    return NULL;
}

/* True if every name is a target of the plan itself. */
static bool all_targets(const bw_contain_plan *plan, const bw_strlist *names)
{
    for (size_t i = 0; i < names->n; i++)
        if (!plan_target(plan, names->items[i]))
            return false;
    return true;
}

/* ---- steps ---------------------------------------------------------------------- */

static bw_cstep_step go(bw_cstep *m, enum phase next, bw_cstep_op op, bw_cstep_subject who)
{
    bw_cstep_step s;
    memset(&s, 0, sizeof s);
    m->phase = next;
    s.op = op;
    s.subject = who;
    return s;
}

/* A step about the service of that name (OPEN, READ_RECORD, UNMARK). */
static bw_cstep_step named(bw_cstep *m, enum phase next, bw_cstep_op op, bw_cstep_subject who,
                           const char *name)
{
    bw_cstep_step s = go(m, next, op, who);
    s.name = name;
    return s;
}

static bw_cstep_step open_as(bw_cstep *m, enum phase next, bw_cstep_subject who, const char *name,
                             bw_cstep_access access)
{
    bw_cstep_step s = named(m, next, BW_CSTEP_OPEN, who, name);
    s.access = access;
    return s;
}

/* RECORD_PRIOR of what r names, as it is now. */
static bw_cstep_step record_prior(bw_cstep *m, enum phase next, const bw_contain_result *r,
                                  uint32_t start, uint32_t state)
{
    bw_cstep_step s = go(m, next, BW_CSTEP_RECORD_PRIOR, BW_CSTEP_SELF);
    s.name = r->name;
    s.kind = r->kind;
    s.display_name = r->display_name;
    s.start = start;
    s.state = state;
    return s;
}

static bw_cstep_step set_start(bw_cstep *m, enum phase next, uint32_t start)
{
    bw_cstep_step s = go(m, next, BW_CSTEP_SET_START, BW_CSTEP_SELF);
    s.start = start;
    return s;
}

static bw_cstep_step wait_for(bw_cstep *m, enum phase next, bw_cstep_subject who, uint32_t want,
                              unsigned timeout_ms)
{
    bw_cstep_step s = go(m, next, BW_CSTEP_WAIT, who);
    s.want = want;
    s.timeout_ms = timeout_ms;
    return s;
}

static bw_cstep_step report(bw_cstep *m, enum phase next, const bw_contain_result *r)
{
    bw_cstep_step s = go(m, next, BW_CSTEP_REPORT, BW_CSTEP_SELF);
    s.result = r;
    return s;
}

/* The service's own outcome, the last: done after it. */
static bw_cstep_step final(bw_cstep *m, bw_contain_outcome o)
{
    m->res.outcome = o;
    m->res.detail = m->detail;
    return report(m, C_REPORTED, &m->res);
}

static bw_cstep_step done(bw_cstep *m, bool unchanged, bw_err e)
{
    bw_cstep_step s = go(m, P_DONE, BW_CSTEP_DONE, BW_CSTEP_SELF);
    s.unchanged = unchanged;
    s.err = e;
    return s;
}

/* ---- what the feeds say ------------------------------------------------------------ */

static void take_query(bw_cstep *m, const bw_cstep_feed *fb)
{
    m->start = fb->start;
    m->state = fb->state;
    m->driver = m->c.target->driver || is_driver(fb->type);
}

static void take_protection(bw_cstep *m, const bw_cstep_feed *fb)
{
    m->protection_known = fb->protection_known;
    m->protection = fb->protection;
    m->protect = fb->protection_known && fb->protection != 0;
}

/* The prior start type and state to report: what the database recorded
 * before banwatch's first change, while that change stands; else what the
 * service looks like now. */
static void take_prior(bw_contain_result *r, const bw_cstep_feed *fb, uint32_t start,
                       uint32_t state)
{
    r->has_prior = true;
    r->prior_start = start;
    r->prior_state = state;
    if (fb->changed && fb->has_prior) {
        r->prior_start = fb->prior_start;
        r->prior_state = fb->prior_state;
    }
}

/* The answer to a stop request: true when the wait comes next; else *end
 * says how the stop ended (m->err and why are set for a refusal). */
static bool stop_answer(bw_cstep *m, const bw_cstep_feed *fb, char *why, size_t len,
                        enum stop_end *end)
{
    m->err = 0;
    /* sent, or a stop already pending: wait for it */
    if (!fb->error || fb->error == BW_WERR_SERVICE_CANNOT_ACCEPT_CTRL)
        return true;
    if (fb->error == BW_WERR_SERVICE_NOT_ACTIVE) {
        *end = STOP_OK;
        return false;
    }
    m->err = fb->error;
    put(why, len, "the stop request was refused: %s", fb->error_text);
    *end = fb->error == BW_WERR_ACCESS_DENIED ? STOP_DENIED : STOP_FAILED;
    return false;
}

/* How the wait for a stop ended; why says it for a failure. */
static enum stop_end stop_waited(bw_cstep *m, const bw_cstep_feed *fb, char *why, size_t len)
{
    switch (fb->wait) {
    case BW_WAIT_REACHED: return STOP_OK;
    case BW_WAIT_TIMEOUT:
        put(why, len, "it did not stop within %u s (state %s)", m->c.stop_timeout_ms / 1000,
            bw_service_state_name(fb->state));
        break;
    case BW_WAIT_CANCELLED:
        put(why, len, "banwatch itself was stopping, so the wait for it ended (state %s)",
            bw_service_state_name(fb->state));
        break;
    case BW_WAIT_FAILED:
        m->err = fb->error;
        put(why, len, "its state could not be read while stopping");
        break;
    }
    return STOP_FAILED;
}

/* ---- containing: opening and reading --------------------------------------------- */

/* Opening for change was refused: 403, naming launch protection if it is
 * known, else self-defense. */
static bw_cstep_step probe_blocked(bw_cstep *m)
{
    if (m->protect)
        put(m->detail, sizeof m->detail,
            "Access to the service was denied: it is %s. "
            "Nothing was changed. %s",
            protection_name(m->protection), BLOCKED_ADVICE);
    else
        put(m->detail, sizeof m->detail,
            "Access to the service was denied: it is "
            "guarded by the product's self-defense. Nothing was changed. %s",
            BLOCKED_ADVICE);
    return final(m, BW_OUTCOME_BLOCKED);
}

static bw_cstep_step opened(bw_cstep *m, const bw_cstep_feed *fb)
{
    if (!fb->error)
        return go(m, C_QUERIED, BW_CSTEP_QUERY, BW_CSTEP_SELF);
    if (fb->error == BW_WERR_ACCESS_DENIED && m->c.enforce) {
        /* Self-defense: read what can be read for the report, change nothing. */
        m->res.error = fb->error;
        return open_as(m, C_PROBE_OPENED, BW_CSTEP_SELF, m->res.name, BW_ACCESS_INSPECT);
    }
    if (fb->error == BW_WERR_SERVICE_DOES_NOT_EXIST)
        return done(m, true, BW_OK); /* uninstalled since the scan: nothing to contain */
    m->res.error = fb->error;
    put(m->detail, sizeof m->detail,
        "The service could not be opened: %s. Nothing was "
        "changed.",
        fb->error_text);
    return final(m, BW_OUTCOME_FAILED);
}

static bw_cstep_step queried(bw_cstep *m, const bw_cstep_feed *fb)
{
    if (fb->nomem)
        return done(m, false, BW_ENOMEM);
    if (fb->error) {
        m->res.error = fb->error;
        put(m->detail, sizeof m->detail,
            "Its configuration could not be read: %s. Nothing "
            "was changed.",
            fb->error_text);
        return final(m,
                     fb->error == BW_WERR_ACCESS_DENIED ? BW_OUTCOME_BLOCKED : BW_OUTCOME_FAILED);
    }
    take_query(m, fb);
    return go(m, C_PROTECTION, BW_CSTEP_PROTECTION, BW_CSTEP_SELF);
}

/* Audit: what enforce mode would do. */
static bw_cstep_step would_disable(bw_cstep *m)
{
    const char *what = m->driver ? "would set its start type to disabled (Start=4, effective "
                                   "at the next boot)"
                       : m->state == BW_STATE_STOPPED
                           ? "would set its start type to disabled"
                           : "would set its start type to disabled and stop it";
    put(m->detail, sizeof m->detail, "Enforce mode %s.%s%s%s%s", what,
        m->protect ? " The service is " : "", m->protect ? protection_name(m->protection) : "",
        m->protect ? ": enforcement would be blocked. " BLOCKED_ADVICE : "",
        bw_contain_held(m->c.plan, m->c.target)
            ? " Enforce mode would hold: no other anti-virus would remain."
        : m->c.plan->hold ? " It protects nothing (containment.non_protecting): enforce mode "
                            "disables it even while no other anti-virus would remain."
                          : "");
    m->res.action = "disable";
    return final(m, BW_OUTCOME_WOULD_DISABLE);
}

/* With the service read: leave it, report why not, or record and change. */
static bw_cstep_step decide(bw_cstep *m)
{
    const bw_contain_plan *plan = m->c.plan;
    if (m->start == BW_START_DISABLED && (m->driver || m->state == BW_STATE_STOPPED))
        return done(m, true, BW_OK); /* contained already (by banwatch or by someone else) */
    if (!m->c.enforce)
        return would_disable(m);
    if (m->protect) {
        put(m->detail, sizeof m->detail, "The service is %s; nothing was changed. %s",
            protection_name(m->protection), BLOCKED_ADVICE);
        return final(m, BW_OUTCOME_BLOCKED);
    }
    if (bw_contain_held(plan, m->c.target)) {
        m->res.action = "none";
        put(m->detail, sizeof m->detail,
            "Not changed: no other anti-virus would remain (%s). "
            "Install or enable another anti-virus first, or set "
            "containment.allow_unprotected: true to act anyway.",
            plan->other_av_text ? plan->other_av_text : "none");
        return final(m, BW_OUTCOME_HELD);
    }
    /* With no other anti-virus and allow_unprotected, 406 goes out just
     * before the first actual change (not recorded: the change is the
     * outcome). A service that protects nothing needs no such notice. */
    m->notice = !plan->other_av && !m->c.target->non_protecting;
    if (!m->c.have_store) {
        put(m->detail, sizeof m->detail,
            "The state database is unavailable: nothing was "
            "changed (a change that cannot be rolled back is not made).");
        return final(m, BW_OUTCOME_FAILED);
    }
    return record_prior(m, C_PRIOR, &m->res, m->start, m->state);
}

/* The 406 notice that banwatch acts without another anti-virus, given
 * once; then the machine goes on at `next`. */
static bw_cstep_step notice(bw_cstep *m, enum phase next)
{
    m->notice = false;
    m->note = m->res;
    m->note.outcome = BW_OUTCOME_HELD;
    m->note.action = "disable";
    m->note.error = 0;
    put(m->note_detail, sizeof m->note_detail,
        "No other anti-virus remains (%s); acting "
        "anyway because containment.allow_unprotected is true.",
        m->c.plan->other_av_text ? m->c.plan->other_av_text : "none");
    m->note.detail = m->note_detail;
    bw_cstep_step s = go(m, next, BW_CSTEP_NOTICE, BW_CSTEP_SELF);
    s.result = &m->note;
    return s;
}

/* ---- containing: disabling --------------------------------------------------------- */

static bw_cstep_step after_disable(bw_cstep *m)
{
    if (m->driver || m->state == BW_STATE_STOPPED)
        return done(m, false, BW_OK);
    m->res.action = "stop";
    return go(m, C_DEPENDENTS, BW_CSTEP_DEPENDENTS, BW_CSTEP_SELF);
}

static bw_cstep_step prior_recorded(bw_cstep *m, const bw_cstep_feed *fb)
{
    if (fb->store_error) {
        put(m->detail, sizeof m->detail,
            "Its start type could not be recorded for rollback "
            "(%s): nothing was changed.",
            fb->store_error);
        return final(m, BW_OUTCOME_FAILED);
    }
    if (m->start != BW_START_DISABLED)
        return set_start(m, C_DISABLED, BW_START_DISABLED);
    return after_disable(m);
}

static bw_cstep_step disabled(bw_cstep *m, const bw_cstep_feed *fb)
{
    if (fb->error) {
        m->res.error = fb->error;
        if (fb->error == BW_WERR_ACCESS_DENIED) {
            m->res.outcome = BW_OUTCOME_BLOCKED;
            put(m->detail, sizeof m->detail,
                "Changing its start type was refused (%s): the "
                "product's self-defense guards it. Nothing was changed. %s",
                fb->error_text, BLOCKED_ADVICE);
        } else {
            m->res.outcome = BW_OUTCOME_FAILED;
            put(m->detail, sizeof m->detail,
                "Its start type could not be changed: %s. "
                "Nothing was changed.",
                fb->error_text);
        }
        m->res.detail = m->detail;
        /* The change was not made: a first record is taken back, so that
         * restore leaves the service alone. */
        if (!m->was_changed)
            return named(m, C_UNMARKED, BW_CSTEP_UNMARK, BW_CSTEP_SELF, m->res.name);
        return report(m, C_REPORTED, &m->res);
    }
    put(m->detail, sizeof m->detail, "%s",
        m->driver ? "Start=4 takes effect at the next boot; the driver stays loaded until "
                    "then. 'banwatch restore' puts the start type back."
        : m->state == BW_STATE_STOPPED
            ? "It was not running. 'banwatch restore' puts the start type back."
            : "It will not start again; stopping it now. 'banwatch restore' puts the start "
              "type back.");
    if (m->notice)
        return notice(m, C_DISABLE_NOTICE);
    m->res.outcome = BW_OUTCOME_DISABLED;
    m->res.detail = m->detail;
    return report(m, C_DISABLE_REPORTED, &m->res);
}

/* ---- containing: stopping ---------------------------------------------------------- */

static bw_cstep_step stop_self(bw_cstep *m)
{
    if (m->notice)
        return notice(m, C_STOP_NOTICE);
    return go(m, C_STOPPED, BW_CSTEP_STOP, BW_CSTEP_SELF);
}

static bw_cstep_step stop_ended(bw_cstep *m, enum stop_end end)
{
    m->res.error = m->err;
    if (end == STOP_OK) {
        put(m->detail, sizeof m->detail, "Stopped; it is disabled and will not start again.");
        return final(m, BW_OUTCOME_STOPPED);
    }
    if (end == STOP_DENIED) {
        put(m->detail, sizeof m->detail,
            "It is disabled, but stopping it was refused (%s): "
            "the product's self-defense guards it. %s",
            m->cause, BLOCKED_ADVICE);
        return final(m, BW_OUTCOME_BLOCKED);
    }
    put(m->detail, sizeof m->detail,
        "Not stopped: %s. It is disabled and will not start at "
        "the next boot.",
        m->cause);
    return final(m, BW_OUTCOME_FAILED);
}

/* The next running dependent to stop, or the service itself. */
static bw_cstep_step next_dependent(bw_cstep *m)
{
    if (m->di >= m->deps.n)
        return stop_self(m);
    const char *name = m->deps.items[m->di];
    /* A dependent that is a target itself is reported as a service (its
     * own turn disables it). */
    m->dself = plan_target(m->c.plan, name);
    memset(&m->dres, 0, sizeof m->dres);
    m->dres.name = name;
    m->dres.kind = m->dself ? "service" : "dependent";
    m->dres.display_name = m->dself ? m->dself->display_name : NULL;
    m->dres.action = "stop";
    return open_as(m, D_OPENED, BW_CSTEP_DEPENDENT, name, BW_ACCESS_STOP);
}

static bw_cstep_step dependents_listed(bw_cstep *m, bw_cstep_feed *fb)
{
    m->deps = fb->dependents;
    memset(&fb->dependents, 0, sizeof fb->dependents);
    if (fb->nomem)
        return done(m, false, BW_ENOMEM);
    /* A dependent banwatch never stops keeps its service running. */
    for (size_t i = 0; i < m->deps.n; i++) {
        if (!bw_contain_never_touch(m->deps.items[i]))
            continue;
        put(m->detail, sizeof m->detail,
            "Left running: %s depends on it, and banwatch never stops %s (a Windows or "
            "banwatch service). It is disabled and will not start at the next boot.",
            m->deps.items[i], m->deps.items[i]);
        return final(m, BW_OUTCOME_FAILED);
    }
    /* Dependents that are targets themselves are stopped first whatever
     * stop_dependents says: they are being contained anyway. */
    if (m->deps.n && !m->c.stop_dependents && !all_targets(m->c.plan, &m->deps)) {
        put(m->detail, sizeof m->detail, "Left running: services that depend on it run (");
        for (size_t i = 0; i < m->deps.n; i++)
            add(m->detail, sizeof m->detail, "%s%s", i ? ", " : "", m->deps.items[i]);
        add(m->detail, sizeof m->detail,
            ") and containment.stop_dependents is false. It is "
            "disabled and will not start at the next boot.");
        return final(m, BW_OUTCOME_FAILED);
    }
    m->di = 0;
    return next_dependent(m);
}

static bw_cstep_step dependent_closed(bw_cstep *m)
{
    bw_contain_result *d = &m->dres;
    if (m->dend == STOP_OK) {
        d->outcome = BW_OUTCOME_STOPPED;
        d->detail = m->dself ? "Stopped first, because it depends on another service being "
                               "contained; it is contained itself in its turn."
                             : "Stopped first, because it depends on a service being "
                               "contained; its start type is unchanged.";
        return report(m, D_REPORTED, d);
    }
    if (m->dend != STOP_UNRECORDED)
        put(m->why, sizeof m->why, "its dependent %s did not stop: %s", d->name, m->cause);
    d->outcome = m->dend == STOP_DENIED ? BW_OUTCOME_BLOCKED : BW_OUTCOME_FAILED;
    d->error = m->err;
    d->detail = m->why;
    return report(m, D_FAILED, d);
}

/* The current dependent's stop ended; its handle is closed first if open. */
static bw_cstep_step dependent_ended(bw_cstep *m, enum stop_end end, bool open)
{
    m->dend = end;
    if (open)
        return go(m, D_CLOSED, BW_CSTEP_CLOSE, BW_CSTEP_DEPENDENT);
    return dependent_closed(m);
}

/* It could not be opened or read: err and its text. */
static bw_cstep_step dependent_unreadable(bw_cstep *m, const bw_cstep_feed *fb, bool open)
{
    m->err = fb->error;
    put(m->cause, sizeof m->cause, "it could not be opened or read: %s", fb->error_text);
    return dependent_ended(m, STOP_FAILED, open);
}

static bw_cstep_step dependent_prior(bw_cstep *m, const bw_cstep_feed *fb)
{
    if (fb->store_error) {
        m->err = 0;
        put(m->why, sizeof m->why,
            "its dependent %s could not be recorded in the state "
            "database (%s)",
            m->dres.name, fb->store_error);
        return dependent_ended(m, STOP_UNRECORDED, true);
    }
    return go(m, D_STOPPED, BW_CSTEP_STOP, BW_CSTEP_DEPENDENT);
}

/* ---- containing: the feeds, by phase ------------------------------------------------- */

static bw_cstep_step contain_next(bw_cstep *m, bw_cstep_feed *fb)
{
    enum stop_end end = STOP_OK;
    switch ((enum phase)m->phase) {
    case C_OPENED: return opened(m, fb);
    case C_PROBE_OPENED:
        if (fb->error)
            return probe_blocked(m);
        return go(m, C_PROBE_QUERIED, BW_CSTEP_QUERY, BW_CSTEP_SELF);
    case C_PROBE_QUERIED:
        if (fb->error || fb->nomem)
            return go(m, C_PROBE_PROTECTION, BW_CSTEP_PROTECTION, BW_CSTEP_SELF);
        take_query(m, fb);
        return named(m, C_PROBE_RECORD, BW_CSTEP_READ_RECORD, BW_CSTEP_SELF, m->res.name);
    case C_PROBE_RECORD:
        take_prior(&m->res, fb, m->start, m->state);
        return go(m, C_PROBE_PROTECTION, BW_CSTEP_PROTECTION, BW_CSTEP_SELF);
    case C_PROBE_PROTECTION:
        take_protection(m, fb);
        return go(m, C_PROBE_CLOSED, BW_CSTEP_CLOSE, BW_CSTEP_SELF);
    case C_PROBE_CLOSED: return probe_blocked(m);
    case C_QUERIED: return queried(m, fb);
    case C_PROTECTION:
        take_protection(m, fb);
        m->res.kind = m->driver ? "driver" : "service";
        return named(m, C_RECORD, BW_CSTEP_READ_RECORD, BW_CSTEP_SELF, m->res.name);
    case C_RECORD:
        take_prior(&m->res, fb, m->start, m->state);
        m->was_changed = fb->changed;
        return decide(m);
    case C_PRIOR: return prior_recorded(m, fb);
    case C_DISABLED: return disabled(m, fb);
    case C_UNMARKED: return report(m, C_REPORTED, &m->res);
    case C_DISABLE_NOTICE:
        m->res.outcome = BW_OUTCOME_DISABLED;
        m->res.detail = m->detail;
        return report(m, C_DISABLE_REPORTED, &m->res);
    case C_DISABLE_REPORTED: return after_disable(m);
    case C_DEPENDENTS: return dependents_listed(m, fb);
    case C_STOP_NOTICE: return go(m, C_STOPPED, BW_CSTEP_STOP, BW_CSTEP_SELF);
    case C_STOPPED:
        if (stop_answer(m, fb, m->cause, sizeof m->cause, &end))
            return wait_for(m, C_WAITED, BW_CSTEP_SELF, BW_STATE_STOPPED, m->c.stop_timeout_ms);
        return stop_ended(m, end);
    case C_WAITED: return stop_ended(m, stop_waited(m, fb, m->cause, sizeof m->cause));
    case D_OPENED:
        if (fb->error)
            return dependent_unreadable(m, fb, false);
        return go(m, D_QUERIED, BW_CSTEP_QUERY, BW_CSTEP_DEPENDENT);
    case D_QUERIED:
        if (fb->nomem)
            return done(m, false, BW_ENOMEM);
        if (fb->error)
            return dependent_unreadable(m, fb, true);
        m->dstart = fb->start;
        m->dstate = fb->state;
        return named(m, D_RECORD, BW_CSTEP_READ_RECORD, BW_CSTEP_SELF, m->dres.name);
    case D_RECORD:
        take_prior(&m->dres, fb, m->dstart, m->dstate);
        return record_prior(m, D_PRIOR, &m->dres, m->dstart, m->dstate);
    case D_PRIOR: return dependent_prior(m, fb);
    case D_STOPPED:
        if (stop_answer(m, fb, m->cause, sizeof m->cause, &end))
            return wait_for(m, D_WAITED, BW_CSTEP_DEPENDENT, BW_STATE_STOPPED,
                            m->c.stop_timeout_ms);
        return dependent_ended(m, end, true);
    case D_WAITED: return dependent_ended(m, stop_waited(m, fb, m->cause, sizeof m->cause), true);
    case D_CLOSED: return dependent_closed(m);
    case D_REPORTED: m->di++; return next_dependent(m);
    case D_FAILED:
        m->res.error = m->err;
        put(m->detail, sizeof m->detail,
            "Not stopped: %s. It is disabled and will not start "
            "at the next boot.",
            m->why);
        return final(m, BW_OUTCOME_FAILED);
    default: return done(m, false, BW_OK);
    }
}

bw_cstep_step bw_cstep_contain(bw_cstep *m, const bw_cstep_contain_in *in)
{
    memset(m, 0, sizeof *m);
    m->c = *in;
    const bw_contain_target *t = in->target;
    m->res.name = t->name;
    m->res.display_name = t->display_name;
    m->res.kind = t->driver ? "driver" : "service";
    m->res.action = in->enforce ? "disable" : "inspect";
    return open_as(m, C_OPENED, BW_CSTEP_SELF, t->name,
                   in->enforce ? BW_ACCESS_CONTAIN : BW_ACCESS_INSPECT);
}

/* ---- restoring --------------------------------------------------------------------- */

/* 405, then 404 (action "start") if it did not start. */
static bw_cstep_step restored(bw_cstep *m, const char *started)
{
    if (m->dependent)
        put(m->detail, sizeof m->detail, "Its start type was not changed.%s", started);
    else
        put(m->detail, sizeof m->detail, "Start type %s put back.%s",
            bw_start_type_name(m->r.rec->prior_start), started);
    m->res.outcome = BW_OUTCOME_RESTORED;
    m->res.detail = m->detail;
    return report(m, R_RESTORED, &m->res);
}

static bw_cstep_step start_failed(bw_cstep *m, uint32_t err, const char *err_text)
{
    m->start_failed = true;
    m->err = err;
    snprintf(m->err_text, sizeof m->err_text, "%s", err ? err_text : "");
    return restored(m, "");
}

static bw_cstep_step after_set(bw_cstep *m)
{
    const bw_contain_record *rec = m->r.rec;
    bool was_running =
        rec->prior_state == BW_STATE_RUNNING || rec->prior_state == BW_STATE_START_PENDING;
    if (m->r.start && was_running)
        return go(m, R_STARTED, BW_CSTEP_START, BW_CSTEP_SELF);
    return restored(m, was_running ? " It was running before: it starts at the next boot per "
                                     "its start type, or now with 'banwatch restore --start'."
                                   : "");
}

static bw_cstep_step restore_opened(bw_cstep *m, const bw_cstep_feed *fb)
{
    const bw_contain_record *rec = m->r.rec;
    if (fb->error == BW_WERR_SERVICE_DOES_NOT_EXIST) {
        /* Uninstalled since: nothing left to put back; the record is closed. */
        m->res.outcome = BW_OUTCOME_RESTORED;
        m->res.detail = "The service no longer exists (it was uninstalled): nothing to put "
                        "back.";
        return report(m, C_REPORTED, &m->res);
    }
    if (fb->error) {
        m->res.error = fb->error;
        put(m->detail, sizeof m->detail, "The service could not be opened: %s%s", fb->error_text,
            fb->error == BW_WERR_ACCESS_DENIED ? " (run banwatch restore elevated)" : "");
        return final(m, BW_OUTCOME_FAILED);
    }
    if (!m->dependent && rec->has_prior)
        return set_start(m, R_SET, rec->prior_start);
    return after_set(m);
}

static bw_cstep_step restore_next(bw_cstep *m, bw_cstep_feed *fb)
{
    switch ((enum phase)m->phase) {
    case R_OPENED: return restore_opened(m, fb);
    case R_SET:
        if (fb->error) {
            m->res.error = fb->error;
            put(m->detail, sizeof m->detail, "The start type could not be put back to %s: %s",
                bw_start_type_name(m->r.rec->prior_start), fb->error_text);
            return final(m, BW_OUTCOME_FAILED);
        }
        return after_set(m);
    case R_STARTED:
        if (fb->error && fb->error != BW_WERR_SERVICE_ALREADY_RUNNING)
            return start_failed(m, fb->error, fb->error_text);
        return wait_for(m, R_WAITED, BW_CSTEP_SELF, BW_STATE_RUNNING, m->r.start_timeout_ms);
    case R_WAITED:
        if (fb->wait == BW_WAIT_REACHED)
            return restored(m, " It was running before and has been started again.");
        if (fb->wait == BW_WAIT_FAILED)
            return start_failed(m, fb->error, fb->error_text);
        return start_failed(m, 0, ""); /* not within the timeout */
    case R_RESTORED:
        if (!m->start_failed)
            return done(m, false, BW_OK);
        m->res.action = "start";
        m->res.error = m->err;
        put(m->detail, sizeof m->detail,
            "Its start type was put back, but it did not "
            "start%s%s.",
            m->err ? ": " : " within the timeout", m->err_text);
        return final(m, BW_OUTCOME_FAILED);
    default: return done(m, false, BW_OK);
    }
}

bw_cstep_step bw_cstep_restore(bw_cstep *m, const bw_cstep_restore_in *in)
{
    memset(m, 0, sizeof *m);
    m->r = *in;
    const bw_contain_record *rec = in->rec;
    m->dependent = rec->kind && !strcmp(rec->kind, "dependent");
    m->res.name = rec->name;
    m->res.display_name = rec->display_name;
    m->res.kind = rec->kind ? rec->kind : "service";
    m->res.action = "restore";
    m->res.has_prior = rec->has_prior;
    m->res.prior_start = rec->prior_start;
    m->res.prior_state = rec->prior_state;
    return open_as(m, R_OPENED, BW_CSTEP_SELF, rec->name, BW_ACCESS_RESTORE);
}

/* ---- the machine ----------------------------------------------------------------------- */

bw_cstep_step bw_cstep_next(bw_cstep *m, bw_cstep_feed *fb)
{
    bw_cstep_feed none;
    if (!fb) {
        memset(&none, 0, sizeof none);
        fb = &none;
    }
    if (m->phase == C_REPORTED || m->phase == P_DONE)
        return done(m, false, BW_OK);
    if (m->phase >= R_OPENED)
        return restore_next(m, fb);
    return contain_next(m, fb);
}

void bw_cstep_free(bw_cstep *m)
{
    if (m)
        bw_strlist_free(&m->deps);
}

unsigned bw_cstep_poll(uint32_t want, uint32_t state, uint32_t wait_hint_ms, uint64_t now_ms,
                       uint64_t deadline_ms, bw_wait_end *end)
{
    *end = BW_WAIT_REACHED;
    if (state == want)
        return 0;
    *end = BW_WAIT_TIMEOUT;
    if (want == BW_STATE_RUNNING && state == BW_STATE_STOPPED)
        return 0; /* it stopped again: it will not start */
    if (now_ms >= deadline_ms)
        return 0;
    unsigned ms = wait_hint_ms / 10;
    if (ms < POLL_MIN_MS)
        ms = POLL_MIN_MS;
    if (ms > POLL_MAX_MS)
        ms = POLL_MAX_MS;
    if (deadline_ms - now_ms < ms)
        ms = (unsigned)(deadline_ms - now_ms);
    return ms ? ms : 1;
}

unsigned bw_cstep_restore_pass(const bw_contain_record *rec, const char *only)
{
    if (!rec->changed || (only && !bw_ieq(only, rec->name)))
        return 0;
    return rec->kind && !strcmp(rec->kind, "dependent") ? 2 : 1;
}

bw_contain_result bw_cstep_contain_scm_failed(const bw_contain_target *t, bool enforce,
                                              uint32_t err, const char *err_text, char *detail,
                                              size_t len)
{
    put(detail, len,
        "The service control manager could not be opened (%s): nothing was "
        "changed.%s",
        err_text,
        err == BW_WERR_ACCESS_DENIED ? " banwatch must run as LocalSystem or elevated." : "");
    bw_contain_result r = {.outcome = BW_OUTCOME_FAILED,
                           .name = t->name,
                           .display_name = t->display_name,
                           .kind = t->driver ? "driver" : "service",
                           .action = enforce ? "disable" : "inspect",
                           .error = err,
                           .detail = detail};
    return r;
}

bw_contain_result bw_cstep_restore_scm_failed(const bw_contain_record *rec, uint32_t err,
                                              const char *err_text, char *detail, size_t len)
{
    put(detail, len, "The service control manager could not be opened: %s", err_text);
    bw_contain_result r = {.outcome = BW_OUTCOME_FAILED,
                           .name = rec->name,
                           .display_name = rec->display_name,
                           .kind = rec->kind,
                           .action = "restore",
                           .error = err,
                           .detail = detail};
    return r;
}
