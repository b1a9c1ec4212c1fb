/*
 * test_service_ctl.c - starting and querying the banwatch service
 * (bw_win_service_start, bw_win_service_query in install/bw_install.c)
 * against the fake service control manager (fake_scm.c), under Wine:
 * what `install` says when the service starts, runs already or does not
 * start, and what `status` learns (not installed, running, stopped, the
 * service control manager or the service refusing to be asked). Every
 * test checks that no handle was left open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "install/bw_install.h"
#include "fake_scm.h"

#define SVC "banwatch"

static char OUT_MSG[1024];

static bw_err start(unsigned timeout_ms)
{
    OUT_MSG[0] = '\0';
    return bw_win_service_start(fscm_api(), timeout_ms, OUT_MSG, sizeof OUT_MSG);
}

static void says(const char *text)
{
    if (!strstr(OUT_MSG, text))
        fail_msg("'%s' does not say '%s'", OUT_MSG, text);
}

static void test_start(void **state)
{
    (void)state;
    fscm_service(SVC, "banwatch", SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_STOPPED,
                 0);
    fscm_start_polls(SVC, 3); /* START_PENDING for three polls */
    assert_int_equal(start(30000), BW_OK);
    assert_string_equal(OUT_MSG, "service banwatch started");
    assert_int_equal(fscm_state(SVC), SERVICE_RUNNING);
    assert_int_equal(fscm_calls(SVC, FSCM_StartServiceW), 1);
    fscm_assert_no_leaks();
    /* running already: fine, and said so */
    assert_int_equal(start(30000), BW_OK);
    assert_string_equal(OUT_MSG, "service banwatch is running");
    fscm_assert_no_leaks();
}

static void test_start_refused(void **state)
{
    (void)state;
    /* disabled: StartServiceW fails (ERROR_SERVICE_DISABLED) */
    fscm_service(SVC, "banwatch", SERVICE_WIN32_OWN_PROCESS, SERVICE_DISABLED, SERVICE_STOPPED,
                 0);
    assert_int_not_equal(start(30000), BW_OK);
    says("service banwatch is registered, but it did not start: ");
    says("(1058)");
    says("then start it with 'net start banwatch' from an elevated prompt");
    says("%ProgramData%\\banwatch\\banwatch.log");
    fscm_assert_no_leaks();
    fscm_reset();
    /* it does not answer the SCM in time (ERROR_SERVICE_REQUEST_TIMEOUT) */
    fscm_service(SVC, "banwatch", SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_STOPPED,
                 0);
    fscm_start_error(SVC, ERROR_SERVICE_REQUEST_TIMEOUT);
    assert_int_not_equal(start(30000), BW_OK);
    says("did not start: ");
    says("(1053)");
    fscm_assert_no_leaks();
}

static void test_start_still_pending(void **state)
{
    (void)state;
    fscm_service(SVC, "banwatch", SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_STOPPED,
                 0);
    fscm_start_polls(SVC, 100000);
    assert_int_equal(start(2000), BW_ESYS);
    says("did not start (still starting after the wait)");
    assert_true(fscm_elapsed_ms() >= 2000 && fscm_elapsed_ms() < 3000);
    fscm_assert_no_leaks();
}

static void test_start_not_installed(void **state)
{
    (void)state;
    assert_int_not_equal(start(30000), BW_OK);
    says("did not start: ");
    says("(1060)");
    fscm_assert_no_leaks();
    fscm_scm_open_error(ERROR_ACCESS_DENIED);
    assert_int_not_equal(start(30000), BW_OK);
    says("the service control manager cannot be opened to start it");
    says("elevated");
    fscm_assert_no_leaks();
}

static void test_query(void **state)
{
    (void)state;
    bw_status_service sv = {0};
    /* not installed: asked, and known */
    assert_int_equal(bw_win_service_query(fscm_api(), &sv), BW_OK);
    assert_true(sv.queried);
    assert_false(sv.installed);
    assert_null(sv.error);
    fscm_assert_no_leaks();
    /* running, automatic */
    fscm_service(SVC, "banwatch", SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_RUNNING,
                 0);
    memset(&sv, 0, sizeof sv);
    assert_int_equal(bw_win_service_query(fscm_api(), &sv), BW_OK);
    assert_true(sv.queried && sv.installed && sv.has_start);
    assert_int_equal(sv.state, BW_STATE_RUNNING);
    assert_int_equal(sv.start, BW_START_AUTO);
    assert_null(bw_status_service_advice(&sv));
    fscm_assert_no_leaks();
    fscm_reset();
    /* stopped, manual */
    fscm_service(SVC, "banwatch", SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
                 SERVICE_STOPPED, 0);
    memset(&sv, 0, sizeof sv);
    assert_int_equal(bw_win_service_query(fscm_api(), &sv), BW_OK);
    assert_int_equal(sv.state, BW_STATE_STOPPED);
    assert_int_equal(sv.start, BW_START_DEMAND);
    assert_non_null(strstr(bw_status_service_advice(&sv), "not running"));
    fscm_assert_no_leaks();
}

static void test_query_refused(void **state)
{
    (void)state;
    bw_status_service sv = {0};
    fscm_scm_open_error(ERROR_ACCESS_DENIED);
    assert_int_equal(bw_win_service_query(fscm_api(), &sv), BW_OK);
    assert_false(sv.queried);
    assert_non_null(sv.error);
    assert_non_null(strstr(sv.error, "cannot open the service control manager: "));
    assert_non_null(strstr(sv.error, "(5)"));
    free(sv.error);
    fscm_scm_open_error(0);
    fscm_assert_no_leaks();
    /* the service refuses to be asked */
    fscm_service(SVC, "banwatch", SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_RUNNING,
                 0);
    fscm_open_deny(SVC, SERVICE_QUERY_STATUS, ERROR_ACCESS_DENIED);
    memset(&sv, 0, sizeof sv);
    assert_int_equal(bw_win_service_query(fscm_api(), &sv), BW_OK);
    assert_false(sv.queried);
    assert_non_null(strstr(sv.error, "cannot open the service: "));
    free(sv.error);
    fscm_assert_no_leaks();
    /* its configuration cannot be read: state known, start type not */
    fscm_reset();
    fscm_service(SVC, "banwatch", SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_RUNNING,
                 0);
    fscm_fail(FSCM_QueryServiceConfigW, 1, ERROR_ACCESS_DENIED);
    memset(&sv, 0, sizeof sv);
    assert_int_equal(bw_win_service_query(fscm_api(), &sv), BW_OK);
    assert_true(sv.queried && sv.installed);
    assert_int_equal(sv.state, BW_STATE_RUNNING);
    assert_false(sv.has_start);
    fscm_assert_no_leaks();
}

#define FAKE_TEST(t) cmocka_unit_test_setup_teardown(t, fscm_setup, fscm_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FAKE_TEST(test_start),
        FAKE_TEST(test_start_refused),
        FAKE_TEST(test_start_still_pending),
        FAKE_TEST(test_start_not_installed),
        FAKE_TEST(test_query),
        FAKE_TEST(test_query_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
