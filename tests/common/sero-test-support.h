/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What the tests share: running the built `sero` the way a script would,
 * and the tiny local image (tests/fixtures/build-test-image.sh) that every
 * Podman test uses. Podman is required, never skipped: CI installs it. */

#define SERO_TEST_IMAGE "localhost/sero-test:latest"

typedef struct
{
  int   status;  /* the exit status, or -1 when killed by a signal */
  char *out;
  char *err;
} SeroTestRun;

void        sero_test_run_clear        (SeroTestRun        *run);
void        sero_test_run_sero         (SeroTestRun        *run,
                                        const char * const *env_changes,
                                        const char         *first_arg,
                                        ...) G_GNUC_NULL_TERMINATED;
void        sero_test_run_sero_valist  (SeroTestRun        *run,
                                        const char * const *env_changes,
                                        const char         *first_arg,
                                        va_list             args);
JsonObject *sero_test_parse_object     (const char         *text);
void        sero_test_build_image      (void);
void        sero_test_podman_rm_workspace (const char      *workspace_id);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SeroTestRun, sero_test_run_clear)

G_END_DECLS
