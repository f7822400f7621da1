/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sero.h"
#include "sero-runtime-host.h"
#include "sero-runtime-manager.h"
#include "sero-runtime-oci.h"
#include "sero-test-support.h"

/* The OCI runtime against real Podman and a tiny local image
 * (tests/fixtures/build-test-image.sh). Podman is reached through a wrapper
 * first on PATH that logs every invocation, so tests can count `run`s. */


static char *real_podman;
static char *engine_log;
static char *wrapper_dir;
static char *ui_root;

typedef struct
{
  char          *folder;
  char          *id;
  char          *container;
  SeroWorkspace *workspace;
} Fixture;

static char *
podman_output (const char *first,
               ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  const char *arg;
  va_list args;
  int status = 0;

  g_ptr_array_add (argv, real_podman);
  va_start (args, first);
  for (arg = first; arg; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &out, NULL, &status, NULL));
  return g_strdup (g_strstrip (out));
}

static guint
count_engine_calls (const char *verb)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strdup_printf ("%s ", verb);
  guint n = 0;

  if (!g_file_get_contents (engine_log, &contents, NULL, NULL))
    return 0;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix))
      n++;

  return n;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *suffix = g_uuid_string_random ();

  fixture->folder = g_dir_make_tmp ("sero-oci-ws-XXXXXX", NULL);
  fixture->id = g_strdup_printf ("t-%.8s", suffix);
  fixture->container = g_strdup_printf ("sero-%s", fixture->id);
  fixture->workspace = sero_workspace_new (fixture->id, fixture->folder);
  g_assert_true (g_file_set_contents (engine_log, "", 0, NULL));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_free (podman_output ("rm", "-f", fixture->container, NULL));
  g_clear_object (&fixture->workspace);
  g_free (fixture->folder);
  g_free (fixture->id);
  g_free (fixture->container);
}

static SeroRuntime *
new_runtime (Fixture *fixture)
{
  return sero_runtime_oci_new (fixture->workspace, ui_root);
}

static SeroProcessResult *
run_in (SeroRuntime *runtime,
        const char  *command)
{
  g_autoptr(GError) error = NULL;
  SeroExecRequest request = { .command = command };
  SeroProcessResult *result = sero_runtime_exec_sync (runtime, &request, NULL, &error);

  g_assert_no_error (error);
  return result;
}

typedef struct
{
  GMainLoop *loop;
  guint      pending;
  guint      failed;
} Parallel;

static void
on_ensured (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Parallel *parallel = user_data;
  g_autoptr(GError) error = NULL;

  if (!sero_runtime_ensure_finish (SERO_RUNTIME (object), result, &error))
    {
      g_printerr ("ensure failed: %s\n", error->message);
      parallel->failed++;
    }
  if (--parallel->pending == 0)
    g_main_loop_quit (parallel->loop);
}

static void
test_dedup_and_reuse (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fixture);
  g_autoptr(SeroProcessResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Parallel parallel = { g_main_loop_new (NULL, FALSE), 20, 0 };

  for (guint i = 0; i < 20; i++)
    sero_runtime_ensure_async (runtime, NULL, on_ensured, &parallel);
  g_main_loop_run (parallel.loop);
  g_main_loop_unref (parallel.loop);

  g_assert_cmpuint (parallel.failed, ==, 0);
  g_assert_cmpuint (count_engine_calls ("run"), ==, 1);
  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_RUNNING);

  /* Running and unchanged: reused, nothing created or started. */
  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_engine_calls ("run"), ==, 1);
  g_assert_cmpuint (count_engine_calls ("start"), ==, 0);

  /* Labels prove ownership. */
  {
    g_autofree char *labels = podman_output ("inspect", "--format",
                                             "{{index .Config.Labels \"ai.sero.managed\"}} "
                                             "{{index .Config.Labels \"ai.sero.workspaceId\"}} "
                                             "{{index .Config.Labels \"ai.sero.installationRoot\"}}",
                                             fixture->container, NULL);
    g_autofree char *expected = g_strdup_printf ("true %s %s", fixture->id, ui_root);

    g_assert_cmpstr (labels, ==, expected);
  }

  /* The workspace folder is /workspace. */
  {
    g_autofree char *only_here = g_build_filename (fixture->folder, "only-here.txt", NULL);

    g_assert_true (g_file_set_contents (only_here, "mounted", -1, NULL));
  }
  result = run_in (runtime, "cat /workspace/only-here.txt");
  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_cmpstr (result->stdout_text, ==, "mounted");
}

static void
test_stopped_is_started (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;

  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_free (podman_output ("stop", "-t", "0", fixture->container, NULL));

  g_assert_true (sero_runtime_refresh_sync (runtime, NULL, &error));
  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_STOPPED);

  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_engine_calls ("run"), ==, 1);
  g_assert_cmpuint (count_engine_calls ("start"), ==, 1);
  state = podman_output ("inspect", "--format", "{{.State.Status}}", fixture->container, NULL);
  g_assert_cmpstr (state, ==, "running");
}

static void
test_removed_is_recreated (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fixture);
  g_autoptr(GError) error = NULL;

  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_free (podman_output ("rm", "-f", fixture->container, NULL));

  /* The status follows a container removed from outside. */
  g_assert_true (sero_runtime_refresh_sync (runtime, NULL, &error));
  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_NONE);

  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_engine_calls ("run"), ==, 2);
  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_RUNNING);
}

static void
test_foreign_refused (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *foreign_id = NULL;
  g_autofree char *still = NULL;
  g_autofree char *status_message = NULL;

  /* Someone else's container that happens to have our name. */
  foreign_id = podman_output ("run", "-d", "--name", fixture->container, "--label", "owner=someone-else",
                              SERO_TEST_IMAGE, "sleep", "infinity", NULL);
  g_assert_cmpstr (foreign_id, !=, "");

  g_assert_false (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NAME_COLLISION);
  g_assert_nonnull (strstr (error->message, "Name collision"));
  g_clear_error (&error);
  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_ERROR);
  status_message = sero_runtime_dup_status_message (runtime);
  g_assert_nonnull (strstr (status_message, "not owned"));

  g_assert_false (sero_runtime_destroy_sync (runtime, NULL, &error));
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NAME_COLLISION);

  /* Untouched: same container, still running. */
  still = podman_output ("inspect", "--format", "{{.Id}} {{.State.Status}}", fixture->container, NULL);
  g_assert_true (g_str_has_prefix (still, foreign_id));
  g_assert_true (g_str_has_suffix (still, "running"));
  g_assert_cmpuint (count_engine_calls ("rm"), ==, 0);
}

static void
test_legacy_unlabelled_adopted (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *mount = g_strdup_printf ("%s:/workspace", fixture->folder);
  g_autofree char *old_id = NULL;
  g_autofree char *new_id = NULL;

  /* From before labels existed: no labels, but its /workspace is ours. */
  old_id = podman_output ("run", "-d", "--name", fixture->container, "-v", mount,
                          SERO_TEST_IMAGE, "sleep", "infinity", NULL);

  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_assert_no_error (error);
  new_id = podman_output ("inspect", "--format", "{{.Id}}", fixture->container, NULL);
  g_assert_cmpstr (old_id, !=, new_id);
  g_assert_cmpuint (count_engine_calls ("rm"), ==, 1);
}

static void
test_mounts_and_env (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *ro = g_dir_make_tmp ("sero-oci-ro-XXXXXX", NULL);
  g_autofree char *rw = g_dir_make_tmp ("sero-oci-rw-XXXXXX", NULL);
  g_autofree char *read_cmd = g_strdup_printf ("cat %s/shared.txt", ro);
  g_autofree char *write_ro = g_strdup_printf ("echo nope > %s/new.txt", ro);
  g_autofree char *write_rw = g_strdup_printf ("echo from-container > %s/new.txt", rw);
  g_autofree char *landed = NULL;
  g_autofree char *landed_path = g_build_filename (rw, "new.txt", NULL);
  g_autofree char *message = NULL;
  g_autoptr(SeroProcessResult) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL, r5 = NULL;

  {
    g_autofree char *shared = g_build_filename (ro, "shared.txt", NULL);

    g_assert_true (g_file_set_contents (shared, "shared", -1, NULL));
  }
  g_assert_true (sero_workspace_add_mount (fixture->workspace, ro, TRUE, NULL));
  g_assert_true (sero_workspace_add_mount (fixture->workspace, rw, FALSE, NULL));
  g_assert_true (sero_workspace_add_mount (fixture->workspace, "/nonexistent/sero-test-mount", FALSE, NULL));

  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_assert_no_error (error);

  /* Read-only mounts are readable at the same path and really read-only. */
  r1 = run_in (runtime, read_cmd);
  g_assert_cmpstr (r1->stdout_text, ==, "shared");
  r2 = run_in (runtime, write_ro);
  g_assert_cmpint (r2->exit_status, !=, 0);
  g_assert_nonnull (strstr (r2->stderr_text, "Read-only"));

  /* Writable mounts write through to the host. */
  r3 = run_in (runtime, write_rw);
  g_assert_cmpint (r3->exit_status, ==, 0);
  g_assert_true (g_file_get_contents (landed_path, &landed, NULL, NULL));
  g_assert_cmpstr (landed, ==, "from-container\n");

  /* A missing folder is skipped (not created) and reported. */
  g_assert_false (g_file_test ("/nonexistent/sero-test-mount", G_FILE_TEST_EXISTS));
  r4 = run_in (runtime, "test -e /nonexistent/sero-test-mount");
  g_assert_cmpint (r4->exit_status, !=, 0);
  message = sero_runtime_dup_status_message (runtime);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "/nonexistent/sero-test-mount"));

  /* A login shell has the runtime defaults, from /etc/profile.d too. */
  r5 = run_in (runtime, "echo \"$TERM $HOST $VITE_HOST $HOSTNAME\"; cat /etc/profile.d/sero-env.sh");
  g_assert_true (g_str_has_prefix (r5->stdout_text, "xterm-256color 0.0.0.0 0.0.0.0 0.0.0.0\n"));
  g_assert_nonnull (strstr (r5->stdout_text, "export VITE_HOST=0.0.0.0"));
}

static void
test_exec_contract (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroProcessResult) code = NULL, timed = NULL, argv_result = NULL, in_cwd = NULL, with_env = NULL;
  const char *argv[] = { "printf", "%s|", "a b", "$HOME", NULL };
  const char *env[] = { "SERO_TEST_VALUE=42", NULL };
  const char *bad_env[] = { "1BAD=x", NULL };
  SeroExecRequest timed_request = { .command = "sleep 30", .timeout_ms = 1000 };
  SeroExecRequest argv_request = { .argv = argv };
  SeroExecRequest cwd_request = { .command = "pwd", .cwd = "/tmp" };
  SeroExecRequest env_request = { .command = "echo $SERO_TEST_VALUE", .env = env };
  SeroExecRequest bad_request = { .command = "true", .env = bad_env };

  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));

  code = run_in (runtime, "echo out; echo err >&2; exit 7");
  g_assert_cmpint (code->exit_status, ==, 7);
  g_assert_cmpstr (code->stdout_text, ==, "out\n");
  g_assert_cmpstr (code->stderr_text, ==, "err\n");

  timed = sero_runtime_exec_sync (runtime, &timed_request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (timed->exit_status, ==, 124);
  g_assert_true (timed->timed_out);
  g_assert_nonnull (strstr (timed->stderr_text, "Command timed out after 1s."));

  /* An argv is passed as is: no shell expansion. */
  argv_result = sero_runtime_exec_sync (runtime, &argv_request, NULL, &error);
  g_assert_cmpstr (argv_result->stdout_text, ==, "a b|$HOME|");

  in_cwd = sero_runtime_exec_sync (runtime, &cwd_request, NULL, &error);
  g_assert_cmpstr (in_cwd->stdout_text, ==, "/tmp\n");

  with_env = sero_runtime_exec_sync (runtime, &env_request, NULL, &error);
  g_assert_cmpstr (with_env->stdout_text, ==, "42\n");

  g_assert_null (sero_runtime_exec_sync (runtime, &bad_request, NULL, &error));
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_INVALID);
}

static void
test_terminal_argv (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fixture);
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) envp = NULL;
  g_autofree char *joined = NULL;

  argv = sero_runtime_build_terminal_argv (runtime, NULL, &envp);
  joined = g_strjoinv (" ", argv);
  g_assert_true (g_str_has_suffix (argv[0], "podman"));
  g_assert_nonnull (strstr (joined, " exec -it -w /workspace "));
  g_assert_nonnull (strstr (joined, fixture->container));
  g_assert_nonnull (strstr (joined, "exec /bin/bash --login"));
  g_assert_nonnull (strstr (joined, "exec /bin/sh -l"));
}

static void
test_mount_change_recreates_or_defers (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *extra = g_dir_make_tmp ("sero-oci-extra-XXXXXX", NULL);
  g_autofree char *message = NULL;
  g_autofree char *first_id = NULL, *second_id = NULL, *third_id = NULL;

  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));
  first_id = podman_output ("inspect", "--format", "{{.Id}}", fixture->container, NULL);

  /* With a terminal open, the new mount waits and the status says so. */
  sero_runtime_hold_terminal (runtime);
  g_assert_true (sero_workspace_add_mount (fixture->workspace, extra, FALSE, NULL));
  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_assert_true (sero_runtime_get_recreate_deferred (runtime));
  message = sero_runtime_dup_status_message (runtime);
  g_assert_nonnull (strstr (message, "last terminal"));
  second_id = podman_output ("inspect", "--format", "{{.Id}}", fixture->container, NULL);
  g_assert_cmpstr (first_id, ==, second_id);

  /* Once it closes, the next ensure recreates with the new mount. */
  sero_runtime_release_terminal (runtime);
  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_assert_false (sero_runtime_get_recreate_deferred (runtime));
  third_id = podman_output ("inspect", "--format", "{{.Id}}", fixture->container, NULL);
  g_assert_cmpstr (first_id, !=, third_id);
  g_assert_cmpuint (count_engine_calls ("run"), ==, 2);
}

static void
test_missing_image (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = NULL;
  g_autoptr(GError) error = NULL;

  sero_workspace_set_image (fixture->workspace, "localhost/sero-no-such-image:never");
  runtime = new_runtime (fixture);
  g_assert_false (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED);
  g_assert_nonnull (strstr (error->message, "sero runtime build-image"));
  /* No pull was attempted from a registry. */
  g_assert_cmpuint (count_engine_calls ("run"), ==, 0);
}

static void
test_host_fallback (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *empty_bin = g_dir_make_tmp ("sero-oci-nobin-XXXXXX", NULL);
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *home = g_dir_make_tmp ("sero-oci-home-XXXXXX", NULL);
  g_autoptr(SeroPaths) paths = sero_paths_new_for_home (home, SERO_HOME_SOURCE_OVERRIDE);
  g_autoptr(SeroRuntimeManager) manager = sero_runtime_manager_new (paths);
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroProcessResult) result = NULL;
  g_autofree char *reason = NULL;
  SeroExecRequest request = { .command = "pwd" };
  SeroRuntime *runtime;

  /* No engine on PATH at all. */
  g_setenv ("PATH", empty_bin, TRUE);
  g_test_expect_message ("sero-runtime-manager", G_LOG_LEVEL_MESSAGE, "*runs on the host: not installed*");
  runtime = sero_runtime_manager_ensure_sync (manager, fixture->workspace, NULL, &error);
  g_test_assert_expected_messages ();
  g_setenv ("PATH", old_path, TRUE);

  g_assert_no_error (error);
  g_assert_true (SERO_IS_RUNTIME_HOST (runtime));
  reason = sero_runtime_manager_dup_fallback_reason (manager, fixture->workspace);
  g_assert_nonnull (reason);
  g_assert_true (g_str_has_prefix (reason, "not installed: "));
  g_assert_cmpint (sero_runtime_get_status (sero_runtime_manager_get_runtime (manager, fixture->workspace)), ==,
                   SERO_RUNTIME_STATUS_ERROR);

  /* Host mode works: commands run in the workspace folder. */
  result = sero_runtime_exec_sync (runtime, &request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_strstrip (result->stdout_text), ==, fixture->folder);

  /* And the container comes back once the engine is there. */
  sero_runtime_manager_forget (manager, fixture->workspace);
  runtime = sero_runtime_manager_ensure_sync (manager, fixture->workspace, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (SERO_IS_RUNTIME_OCI (runtime));
  g_assert_null (sero_runtime_manager_dup_fallback_reason (manager, fixture->workspace));
}

static void
test_cleanup_queue (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *home = g_dir_make_tmp ("sero-oci-home-XXXXXX", NULL);
  g_autofree char *empty_bin = g_dir_make_tmp ("sero-oci-nobin-XXXXXX", NULL);
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autoptr(SeroPaths) paths = sero_paths_new_for_home (home, SERO_HOME_SOURCE_OVERRIDE);
  g_autoptr(SeroRuntimeManager) manager = sero_runtime_manager_new (paths);
  g_autoptr(SeroRuntime) runtime = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *gone = NULL;
  guint left;

  /* Tests share one ui root; point this manager's labels at it. */
  g_assert_cmpstr (sero_runtime_manager_get_installation_root (manager), ==, ui_root);
  runtime = sero_runtime_oci_new (fixture->workspace, ui_root);
  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));

  g_assert_true (sero_runtime_manager_queue_removal (manager, "docker", fixture->id, fixture->folder, &error));

  /* Engine unavailable: the entry waits. */
  g_setenv ("PATH", empty_bin, TRUE);
  g_test_expect_message ("sero-runtime-manager", G_LOG_LEVEL_MESSAGE, "*still queued for removal*");
  left = sero_runtime_manager_process_cleanup_sync (manager, NULL, &error);
  g_test_assert_expected_messages ();
  g_setenv ("PATH", old_path, TRUE);
  g_assert_no_error (error);
  g_assert_cmpuint (left, ==, 1);

  /* Next start, with the engine back: removed. */
  left = sero_runtime_manager_process_cleanup_sync (manager, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (left, ==, 0);
  gone = podman_output ("ps", "-a", "--filter", "name=^sero-", "--format", "{{.Names}}", NULL);
  g_assert_null (strstr (gone, fixture->container));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *wrapper = NULL;
  g_autofree char *wrapper_text = NULL;
  g_autofree char *path = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  real_podman = g_find_program_in_path ("podman");
  g_assert_nonnull (real_podman);

  /* Before the counting wrapper goes first on PATH. */
  sero_test_build_image ();

  wrapper_dir = g_dir_make_tmp ("sero-oci-bin-XXXXXX", NULL);
  engine_log = g_build_filename (wrapper_dir, "engine.log", NULL);
  wrapper = g_build_filename (wrapper_dir, "podman", NULL);
  wrapper_text = g_strdup_printf ("#!/bin/sh\necho \"$*\" >> '%s'\nexec '%s' \"$@\"\n", engine_log, real_podman);
  g_assert_true (g_file_set_contents (wrapper, wrapper_text, -1, NULL));
  g_assert_cmpint (g_chmod (wrapper, 0755), ==, 0);
  path = g_strdup_printf ("%s:%s", wrapper_dir, g_getenv ("PATH"));
  g_setenv ("PATH", path, TRUE);
  g_setenv ("SERO_CONTAINER_ENGINE", "podman", TRUE);
  g_setenv ("SERO_NODE_IMAGE", SERO_TEST_IMAGE, TRUE);

  ui_root = g_dir_make_tmp ("sero-oci-root-XXXXXX", NULL);
  g_setenv ("SERO_HOME_OVERRIDE", ui_root, TRUE);

#define ADD(name, func) g_test_add ("/sero/runtime/oci/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("dedup-and-reuse", test_dedup_and_reuse);
  ADD ("stopped-is-started", test_stopped_is_started);
  ADD ("removed-is-recreated", test_removed_is_recreated);
  ADD ("foreign-refused", test_foreign_refused);
  ADD ("legacy-unlabelled-adopted", test_legacy_unlabelled_adopted);
  ADD ("mounts-and-env", test_mounts_and_env);
  ADD ("exec-contract", test_exec_contract);
  ADD ("terminal-argv", test_terminal_argv);
  ADD ("mount-change-recreates-or-defers", test_mount_change_recreates_or_defers);
  ADD ("missing-image", test_missing_image);
  ADD ("host-fallback", test_host_fallback);
  ADD ("cleanup-queue", test_cleanup_queue);
#undef ADD

  ret = g_test_run ();

  g_free (real_podman);
  g_free (engine_log);
  g_free (wrapper_dir);
  g_free (ui_root);
  return ret;
}
